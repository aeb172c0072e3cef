// azcp and the real AzCopy on the same tree and the same emulator: the same blobs (names,
// sizes, bytes, content types) going up, and the same files coming back down.
import { randomBytes } from "node:crypto";
import { rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  blobHashes,
  blobNames,
  createContainer,
  localHashes,
  proxyInFrontOfAzurite,
  runAzcp,
  type TestContainer,
  testHome,
  viaProxy,
  writeTree,
} from "../support/harness.js";

const TREE: Record<string, Buffer | string> = {
  "readme.txt": "hello\n",
  empty: Buffer.alloc(0),
  "nested/a/b/deep.json": '{"deep":true}',
  "nested/page.html": "<html><body>hi</body></html>",
  "nested/data.csv": "a,b\n1,2\n",
  "with space/naïve ü file.txt": "unicode and spaces",
  "binary/noext": randomBytes(1000),
  "binary/random.bin": randomBytes(5000),
  "images/pic.png": Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    randomBytes(200),
  ]),
  "big/twenty-mib.dat": randomBytes(20 * 1024 * 1024),
};

async function stored(container: TestContainer) {
  const client = container.service.getContainerClient(container.name);
  const out: Record<string, { size: number; contentType: string | undefined }> = {};
  for await (const blob of client.listBlobsFlat()) {
    out[blob.name] = { size: blob.properties.contentLength ?? -1, contentType: blob.properties.contentType };
  }
  return out;
}

describe("differential: azcp against the real AzCopy", () => {
  it("uploads and downloads the same tree to the same result", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    const byAzcopy = await createContainer();
    const byAzcp = await createContainer();

    const azcopyUp = await runAzcopy(
      ["copy", root, byAzcopy.sasUrl(), "--recursive", "--from-to", "LocalBlob"],
      home,
    );
    expect(azcopyUp.code, azcopyUp.stdout).toBe(0);
    const azcpUp = await runAzcp(["copy", root, byAzcp.sasUrl(), "--recursive"], home);
    expect(azcpUp.code, azcpUp.all).toBe(0);

    expect(await stored(byAzcp)).toEqual(await stored(byAzcopy));
    expect(await blobHashes(byAzcp)).toEqual(await blobHashes(byAzcopy));

    const downAzcopy = join(home, "down-azcopy");
    const downAzcp = join(home, "down-azcp");
    const azcopyDown = await runAzcopy(
      ["copy", byAzcopy.sasUrl(), downAzcopy, "--recursive", "--from-to", "BlobLocal"],
      home,
    );
    expect(azcopyDown.code, azcopyDown.stdout).toBe(0);
    const azcpDown = await runAzcp(["copy", byAzcp.sasUrl(), downAzcp, "--recursive"], home);
    expect(azcpDown.code, azcpDown.all).toBe(0);
    const fromAzcopy = await localHashes(join(downAzcopy, byAzcopy.name));
    const fromAzcp = await localHashes(join(downAzcp, byAzcp.name));
    expect(fromAzcp).toEqual(fromAzcopy);
    expect(Object.keys(fromAzcp)).toHaveLength(Object.keys(TREE).length);
  });

  it("lists a container with the same text and JSON", async () => {
    const home = await testHome();
    const container = await createContainer();
    for (const [name, data] of Object.entries(TREE)) await container.upload(name, data);
    for (const extra of [[], ["--machine-readable"], ["--properties", "ContentType;ContentMD5;BlobType"]]) {
      const azcopy = await runAzcopy(["list", container.sasUrl(), "--location", "Blob", ...extra], home);
      const azcp = await runAzcp(["list", container.sasUrl(), ...extra], home);
      expect(azcp.code, azcp.all).toBe(0);
      // AzCopy lists folders in parallel, so its order varies: compare the lines as sets.
      const lines = (stdout: string) =>
        stdout
          .split("\n")
          .filter((line) => line && !line.startsWith("INFO: "))
          .sort();
      expect(lines(azcp.stdout)).toEqual(lines(azcopy.stdout));
      expect(lines(azcp.stdout).length).toBeGreaterThanOrEqual(Object.keys(TREE).length);
    }
    const objects = (stdout: string) =>
      stdout
        .split("\n")
        .filter((line) => line.includes('"ListObject"'))
        .map((line) => JSON.parse(JSON.parse(line).MessageContent));
    const azcopyJson = await runAzcopy(
      ["list", container.sasUrl(), "--location", "Blob", "--output-type", "json"],
      home,
    );
    const azcpJson = await runAzcp(["list", container.sasUrl(), "--output-type", "json"], home);
    const byPath = (a: { Path: string }, b: { Path: string }) => a.Path.localeCompare(b.Path);
    expect(objects(azcpJson.stdout).sort(byPath)).toEqual(objects(azcopyJson.stdout).sort(byPath));
    expect(objects(azcpJson.stdout)).toHaveLength(Object.keys(TREE).length);
  });

  it("sync copies and deletes the same files", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    // Times in the past: the service keeps whole seconds, so a file written in the second of its
    // upload would otherwise look newer than its blob to both tools, at random.
    const past = new Date("2020-01-01T00:00:00Z");
    for (const name of Object.keys(TREE)) await utimes(join(root, name), past, past);
    const byAzcopy = await createContainer();
    const byAzcp = await createContainer();
    const syncBoth = async (extra: string[] = []) => {
      const azcopy = await runAzcopy(
        ["sync", root, byAzcopy.sasUrl(), "--from-to", "LocalBlob", ...extra],
        home,
      );
      expect(azcopy.code, azcopy.stdout).toBe(0);
      const azcp = await runAzcp(["sync", root, byAzcp.sasUrl(), ...extra], home);
      expect(azcp.code, azcp.all).toBe(0);
      return { azcopy: syncCounts(azcopy.stdout), azcp: syncCounts(azcp.stdout) };
    };
    const first = await syncBoth();
    expect(first.azcp).toEqual(first.azcopy);
    expect(first.azcp.copied).toBe(Object.keys(TREE).length);

    // Newer at the source, new, and gone: the second sync copies two and deletes one.
    const later = new Date(Date.now() + 3_600_000);
    await utimes(join(root, "readme.txt"), later, later);
    await writeFile(join(root, "nested", "new.txt"), "new");
    await utimes(join(root, "nested", "new.txt"), later, later);
    await rm(join(root, "binary", "noext"));
    const second = await syncBoth(["--delete-destination", "true"]);
    expect(second.azcp).toEqual(second.azcopy);
    expect(second.azcp).toMatchObject({ copied: 2, deleted: 1 });
    expect(await blobHashes(byAzcp)).toEqual(await blobHashes(byAzcopy));
  });

  it("a container copied to a container, or into a folder of one, is named as AzCopy names it", async () => {
    const home = await testHome();
    const source = await createContainer();
    await source.upload("a/b.txt", "nested");
    await source.upload("top.txt", "top");
    const sas = source.sasUrl().split("?")[1];
    // Azurite has no Put Blob From URL; the shim in front of it carries those out.
    const shim = await proxyInFrontOfAzurite({ copyFromUrl: true });
    try {
      // A whole container into a whole container leaves the source's name out; into a folder
      // (and for a folder source) --as-subdir puts it in.
      for (const [from, into] of [
        ["", ""],
        ["/", ""],
        ["", "sub/"],
        ["/a", ""],
      ]) {
        const names: string[][] = [];
        for (const run of [runAzcopy, runAzcp]) {
          const destination = await createContainer();
          const result = await run(
            [
              "copy",
              `${source.url}${from}?${sas}`,
              viaProxy(shim, destination, into),
              "--recursive",
              "--from-to",
              "BlobBlob",
            ],
            home,
          );
          expect(result.code, result.all).toBe(0);
          names.push(await blobNames(destination));
        }
        expect(names[1], `${from} -> ${into}`).toEqual(names[0]);
        expect(names[1]!.length).toBeGreaterThan(0);
      }
    } finally {
      await shim.close();
    }
  });
});

/** The counts of a sync's text summary that say what it did. */
function syncCounts(stdout: string) {
  const count = (label: string) => Number(new RegExp(`${label}: (\\d+)`).exec(stdout)?.[1] ?? Number.NaN);
  return {
    scannedAtSource: count("Files Scanned at Source"),
    scannedAtDestination: count("Files Scanned at Destination"),
    copied: count("Number of Copy Transfers Completed"),
    deleted: count("Number of Deletions at Destination"),
  };
}
