// Filters decide what is copied and, with remove and sync --delete-destination, what is deleted.
// azcp and the real AzCopy run the same filters on the same tree and must select and delete the
// same objects.
import { utimes } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import { createContainer, runAzcp, type TestContainer, testHome, writeTree } from "../support/harness.js";

const TREE: Record<string, string> = {
  "a.keep": "a",
  "b.keep": "b",
  "ab.keep": "ab",
  "!a.txt": "bang",
  "x.txt": "x",
  "X.TXT": "upper",
  "c.txt": "c",
  "foobar.txt": "foobar",
  "[x].txt": "brackets",
  "with space.txt": "space",
  "sub/c.txt": "sub c",
  "sub/d.log": "sub d",
  "sub/deep/e.txt": "deep e",
  "foo/x.txt": "foo x",
  "foo/y.keep": "foo y",
};

/** Each case: the flags, given identically to both tools. */
const COPY_CASES: string[][] = [
  ["--include-pattern", "?.keep"],
  ["--exclude-pattern", "?.keep"],
  ["--include-pattern", "[ab].keep"],
  ["--include-pattern", "[!a]*.txt"],
  ["--include-pattern", "[^a-c]*"],
  ["--include-pattern", "*.TXT"],
  ["--include-pattern", "*.txt;*.log"],
  ["--include-pattern", "\\[x\\].txt"],
  ["--include-pattern", "sub/*.txt"],
  ["--include-path", "c.txt"],
  ["--include-path", "sub"],
  ["--include-path", "sub/c.txt;foo"],
  ["--exclude-path", "foo"],
  ["--exclude-path", "foo/"],
  ["--exclude-path", "sub/deep"],
  ["--include-regex", "^sub/.*\\.txt$"],
  ["--exclude-regex", "\\.keep\\z"],
  ["--include-regex", "(?i)x\\.txt"],
  ["--include-pattern", "*.txt", "--exclude-path", "sub"],
  ["--include-pattern", "*.txt", "--exclude-pattern", "c*;x*"],
  ["--include-regex", "sub", "--exclude-regex", "deep"],
  ["--include-pattern", "*.keep", "--include-path", "foo;a.keep;sub"],
  ["--include-after", "2020-01-01T00:00:00Z"],
  ["--include-before", "2020-01-01T00:00:00Z"],
  ["--exclude-pattern", "*.keep;*.log", "--exclude-regex", "^foo"],
];

const REMOVE_CASES: string[][] = [
  ["--include-pattern", "?.keep"],
  ["--exclude-pattern", "?.keep"],
  ["--exclude-pattern", "[ab].keep;*.txt"],
  ["--exclude-path", "sub"],
  ["--include-path", "sub;c.txt"],
  ["--include-pattern", "*.txt", "--exclude-path", "foo"],
];

const SYNC_CASES: string[][] = [
  ["--exclude-pattern", "?.keep"],
  ["--exclude-regex", "\\.keep\\z"],
  ["--include-pattern", "*.txt"],
  ["--exclude-path", "sub"],
  ["--include-regex", "^sub/"],
];

async function names(container: TestContainer): Promise<string[]> {
  const out: string[] = [];
  for await (const blob of container.service.getContainerClient(container.name).listBlobsFlat())
    out.push(blob.name);
  return out.sort();
}

async function filled(files: Record<string, string>): Promise<TestContainer> {
  const container = await createContainer();
  await Promise.all(Object.entries(files).map(([name, data]) => container.upload(name, data)));
  return container;
}

/** Runs `work` for each item, four at a time. */
async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function treeWithTimes(home: string): Promise<string> {
  const root = await writeTree(join(home, "tree"), TREE);
  // Half the files are old, so the date filters have something to tell apart.
  const old = new Date("2019-06-01T00:00:00Z");
  for (const name of Object.keys(TREE).filter((_, index) => index % 2 === 0))
    await utimes(join(root, name), old, old);
  return root;
}

describe("filters: azcp selects and deletes exactly what AzCopy does", () => {
  it(`copy: ${COPY_CASES.length} filter combinations select the same files`, async () => {
    const home = await testHome();
    const root = await treeWithTimes(home);
    const differences: string[] = [];
    await inBatches(COPY_CASES, async (flags) => {
      const byAzcopy = await createContainer();
      const byAzcp = await createContainer();
      const azcopy = await runAzcopy(
        ["copy", root, byAzcopy.sasUrl(), "--recursive", "--from-to", "LocalBlob", ...flags],
        home,
      );
      const azcp = await runAzcp(["copy", root, byAzcp.sasUrl(), "--recursive", ...flags], home);
      const expected = await names(byAzcopy);
      const actual = await names(byAzcp);
      if (JSON.stringify(actual) !== JSON.stringify(expected) || (azcp.code === 0) !== (azcopy.code === 0))
        differences.push(
          `${flags.join(" ")}: AzCopy (exit ${azcopy.code}) ${JSON.stringify(expected)}, azcp (exit ${azcp.code}) ${JSON.stringify(actual)}`,
        );
      // The dry run announces the same selection as the real run.
      const dry = await runAzcp(["copy", root, byAzcp.sasUrl(), "--recursive", "--dry-run", ...flags], home);
      const announced = dry.stdout.split("\n").filter((line) => line.startsWith("DRYRUN: copy")).length;
      if (announced !== actual.length) differences.push(`${flags.join(" ")}: dry run lists ${announced}`);
    });
    expect(differences).toEqual([]);
  }, 240_000);

  it(`remove: ${REMOVE_CASES.length} filter combinations delete the same blobs`, async () => {
    const home = await testHome();
    const differences: string[] = [];
    await inBatches(REMOVE_CASES, async (flags) => {
      const byAzcopy = await filled(TREE);
      const byAzcp = await filled(TREE);
      const azcopy = await runAzcopy(
        ["remove", byAzcopy.sasUrl(), "--recursive", "--from-to", "BlobTrash", ...flags],
        home,
      );
      const azcp = await runAzcp(["remove", byAzcp.sasUrl(), "--recursive", ...flags], home);
      const expected = await names(byAzcopy);
      const actual = await names(byAzcp);
      if (JSON.stringify(actual) !== JSON.stringify(expected) || (azcp.code === 0) !== (azcopy.code === 0))
        differences.push(
          `${flags.join(" ")}: AzCopy (exit ${azcopy.code}) kept ${JSON.stringify(expected)}, azcp (exit ${azcp.code}) kept ${JSON.stringify(actual)}`,
        );
    });
    expect(differences).toEqual([]);
  }, 180_000);

  it(`sync --delete-destination true: ${SYNC_CASES.length} filter combinations keep the same destination`, async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "kept.txt": "kept", "sub/kept.log": "kept" });
    const past = new Date("2020-01-01T00:00:00Z");
    for (const name of ["kept.txt", "sub/kept.log"]) await utimes(join(root, name), past, past);
    const differences: string[] = [];
    await inBatches(SYNC_CASES, async (flags) => {
      // The destination holds everything of TREE, which the source does not have.
      const byAzcopy = await filled(TREE);
      const byAzcp = await filled(TREE);
      const azcopy = await runAzcopy(
        ["sync", root, byAzcopy.sasUrl(), "--from-to", "LocalBlob", "--delete-destination", "true", ...flags],
        home,
      );
      const azcp = await runAzcp(
        ["sync", root, byAzcp.sasUrl(), "--delete-destination", "true", ...flags],
        home,
      );
      const expected = await names(byAzcopy);
      const actual = await names(byAzcp);
      if (JSON.stringify(actual) !== JSON.stringify(expected) || (azcp.code === 0) !== (azcopy.code === 0))
        differences.push(
          `${flags.join(" ")}: AzCopy (exit ${azcopy.code}) left ${JSON.stringify(expected)}, azcp (exit ${azcp.code}) left ${JSON.stringify(actual)}`,
        );
    });
    expect(differences).toEqual([]);
  }, 180_000);
});
