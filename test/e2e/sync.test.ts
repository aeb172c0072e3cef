// azcp sync: copies only what is new or newer (or different by MD5), deletes only when asked,
// checked by listing both sides.
import { randomBytes } from "node:crypto";
import { rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  blobHashes,
  createContainer,
  hashesOf,
  localHashes,
  md5,
  parseJsonLines,
  runAzcp,
  testHome,
  writeTree,
} from "../support/harness.js";

function transfers(stdout: string) {
  return parseJsonLines(stdout)
    .filter((message) => message.MessageType === "Transfer")
    .map((message) => JSON.parse(message.MessageContent) as { Source: string; Status: string })
    .map((transfer) => transfer.Source.replace(/.*\//, ""))
    .sort();
}

const FUTURE = new Date(Date.now() + 3_600_000);
const PAST = new Date("2001-01-01T00:00:00Z");

describe.concurrent("sync", () => {
  it("local to Blob: copies new and newer files only, and deletes only with --delete-destination", async () => {
    const home = await testHome();
    const files = {
      "same.txt": "same",
      "changed.txt": "v1",
      "gone.txt": "bye",
      "dir/deep.bin": randomBytes(3000),
    };
    const root = await writeTree(join(home, "src"), files);
    const container = await createContainer();
    const first = await runAzcp(["sync", root, container.sasUrl(), "--output-type", "json"], home);
    expect(first.code).toBe(0);
    expect(transfers(first.stdout)).toEqual(["changed.txt", "deep.bin", "gone.txt", "same.txt"]);
    expect(await blobHashes(container)).toEqual(hashesOf(files));

    // Everything at the destination is now newer than the local files: make them older.
    for (const name of ["same.txt", "gone.txt", "dir/deep.bin"]) await utimes(join(root, name), PAST, PAST);
    await writeFile(join(root, "changed.txt"), "v2");
    await utimes(join(root, "changed.txt"), FUTURE, FUTURE);
    await writeFile(join(root, "new.txt"), "fresh");
    await utimes(join(root, "new.txt"), FUTURE, FUTURE);
    await rm(join(root, "gone.txt"));

    const second = await runAzcp(["sync", root, container.sasUrl(), "--output-type", "json"], home);
    expect(second.code).toBe(0);
    expect(transfers(second.stdout)).toEqual(["changed.txt", "new.txt"]);
    const end = JSON.parse(parseJsonLines(second.stdout).at(-1)!.MessageContent);
    expect(end).toMatchObject({ JobStatus: "Completed", TransfersCompleted: "2" });
    expect(Object.keys(await blobHashes(container)).sort()).toEqual([
      "changed.txt",
      "dir/deep.bin",
      "gone.txt",
      "new.txt",
      "same.txt",
    ]);

    // The blobs just written are now newer than their sources: only the deletion is left to do.
    for (const name of ["changed.txt", "new.txt"]) await utimes(join(root, name), PAST, PAST);
    const mirror = await runAzcp(["sync", root, container.sasUrl(), "--delete-destination", "true"], home);
    expect(mirror.code).toBe(0);
    expect(mirror.stdout).toContain("Number of Deletions at Destination: 1");
    expect(mirror.stdout).toContain("Number of Copy Transfers for Files: 0");
    expect(mirror.stdout).toMatch(/Files Scanned at Source: 4\nFiles Scanned at Destination: 5/);
    const stored = await blobHashes(container);
    expect(Object.keys(stored).sort()).toEqual(["changed.txt", "dir/deep.bin", "new.txt", "same.txt"]);
    expect(stored["changed.txt"]).toBe(md5("v2"));
  });

  it("Blob to local with --compare-hash MD5 copies only files whose content differs", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("a.txt", "alpha");
    await container.upload("b.txt", "bravo");
    const target = join(home, "dst");
    await writeTree(target, { "a.txt": "alpha", "b.txt": "stale", "local-only.txt": "keep me" });
    // Local files look newer: only the hash can tell b.txt apart.
    for (const name of ["a.txt", "b.txt"]) await utimes(join(target, name), FUTURE, FUTURE);
    const result = await runAzcp(
      ["sync", container.sasUrl(), target, "--compare-hash", "MD5", "--output-type", "json"],
      home,
    );
    expect(result.code).toBe(0);
    expect(transfers(result.stdout)).toEqual(["b.txt"]);
    expect(await localHashes(target)).toEqual(
      hashesOf({ "a.txt": "alpha", "b.txt": "bravo", "local-only.txt": "keep me" }),
    );
  });

  it("Blob to Blob, honouring filters on both sides", async () => {
    const home = await testHome();
    const source = await createContainer();
    const destination = await createContainer();
    await source.upload("keep.csv", "1,2");
    await source.upload("skip.tmp", "temp");
    await destination.upload("old.csv", "stale");
    await destination.upload("other.tmp", "not ours");
    const result = await runAzcp(
      [
        "sync",
        source.sasUrl(),
        destination.sasUrl(),
        "--exclude-pattern",
        "*.tmp",
        "--delete-destination",
        "true",
      ],
      home,
    );
    expect(result.code).toBe(0);
    expect(await blobHashes(destination)).toEqual(hashesOf({ "keep.csv": "1,2", "other.tmp": "not ours" }));
  });

  it("a listing out of the expected order stops the sync before it deletes anything", async () => {
    const home = await testHome();
    // The service lists by UTF-8 bytes, where U+FF01 comes before U+1F600; Azurite sorts by
    // UTF-16 code units, where it comes after. So on Azurite this container's listing is out of
    // the order azcp merges in: the sync must refuse it, and must not have deleted the local
    // file it had not yet matched. (The order itself is unit-tested in name-order.test.ts.)
    const files = { "a\uFF01.txt": "fullwidth", "a\u{1F600}.txt": "emoji", "b.txt": "plain" };
    const root = await writeTree(join(home, "src"), files);
    const container = await createContainer();
    const up = await runAzcp(["sync", root, container.sasUrl()], home);
    expect(up.code, up.all).toBe(0);
    const back = await runAzcp(["sync", container.sasUrl(), root, "--delete-destination", "true"], home);
    expect(back.code).toBe(1);
    expect(back.stderr).toMatch(/listing is not in name order .*cannot compare it safely/);
    expect(back.stdout).toContain("Number of Deletions at Destination: 0");
    expect(await localHashes(root)).toEqual(hashesOf(files));
  });

  it("refuses wildcards, which would narrow the source but not the deletions", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), { "a.txt": "a" });
    const container = await createContainer();
    await container.upload("keep.bin", "keep");
    const result = await runAzcp(
      ["sync", `${root}/*.txt`, container.sasUrl(), "--delete-destination", "true"],
      home,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/does not take wildcards.*--include-pattern/s);
    expect(Object.keys(await blobHashes(container))).toEqual(["keep.bin"]);
  });

  it("--dry-run prints the copies and deletions and changes nothing", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), { "x.txt": "x" });
    const container = await createContainer();
    await container.upload("y.txt", "y");
    const result = await runAzcp(
      ["sync", root, container.sasUrl(), "--delete-destination", "true", "--dry-run"],
      home,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/DRYRUN: copy .*\/x\.txt to .*\/x\.txt/);
    expect(result.stdout).toMatch(/DRYRUN: remove .*\/y\.txt/);
    expect(await blobHashes(container)).toEqual(hashesOf({ "y.txt": "y" }));
  });
});

describe.concurrent("remove, set-properties, make", () => {
  it("removes one blob, a directory with filters, and a list of files; a dry run removes nothing", async () => {
    const home = await testHome();
    const container = await createContainer();
    const [base, sas] = container.sasUrl().split("?");
    for (const name of [
      "one.txt",
      "dir/a.log",
      "dir/b.txt",
      "dir/sub/c.log",
      "keep/d.txt",
      "list/e.txt",
      "list/f.txt",
    ]) {
      await container.upload(name, name);
    }
    const dry = await runAzcp(["remove", `${base}/dir?${sas}`, "--recursive", "--dry-run"], home);
    expect(dry.stdout.split("\n").filter((line) => line.startsWith("DRYRUN: remove"))).toHaveLength(3);
    expect(Object.keys(await blobHashes(container))).toHaveLength(7);

    expect((await runAzcp(["remove", `${base}/one.txt?${sas}`], home)).code).toBe(0);
    const filtered = await runAzcp(
      ["remove", `${base}/dir?${sas}`, "--recursive", "--include-pattern", "*.log"],
      home,
    );
    expect(filtered.code).toBe(0);
    expect(filtered.stdout).toContain("Number of File Transfers Completed: 2");
    await writeFile(join(home, "list.txt"), "list/e.txt\n\n");
    expect(
      (await runAzcp(["remove", container.sasUrl(), "--list-of-files", join(home, "list.txt")], home)).code,
    ).toBe(0);
    expect(Object.keys(await blobHashes(container)).sort()).toEqual([
      "dir/b.txt",
      "keep/d.txt",
      "list/f.txt",
    ]);

    const directory = await runAzcp(["remove", `${base}/keep?${sas}`], home);
    expect(directory.code).toBe(1);
    expect(directory.stderr).toMatch(/needs --recursive/);
  });

  it("set-properties changes tier, metadata and tags", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("d/a.bin", randomBytes(10));
    await container.upload("d/b.bin", randomBytes(10));
    const [base, sas] = container.sasUrl("racwdlt").split("?");
    const result = await runAzcp(
      [
        "set-properties",
        `${base}/d?${sas}`,
        "--recursive",
        "--block-blob-tier",
        "Cool",
        "--metadata",
        "stage=done",
        "--blob-tags",
        "owner=ops",
      ],
      home,
    );
    expect(result.code, result.all).toBe(0);
    const client = container.service.getContainerClient(container.name);
    for (const name of ["d/a.bin", "d/b.bin"]) {
      const properties = await client.getBlobClient(name).getProperties();
      expect(properties.accessTier).toBe("Cool");
      expect(properties.metadata).toEqual({ stage: "done" });
      expect((await client.getBlobClient(name).getTags()).tags).toEqual({ owner: "ops" });
    }
    const nothing = await runAzcp(["set-properties", `${base}/d/a.bin?${sas}`], home);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/needs something to set/);
  });

  it("make creates a container, and says so when it exists", async () => {
    const home = await testHome();
    const container = await createContainer();
    const fresh = container.url.replace(container.name, `${container.name}new`);
    // A container SAS cannot create containers: sign in instead.
    const signedIn = { env: { AZCOPY_AUTO_LOGIN_TYPE: "AZCLI" } };
    const exists = await runAzcp(
      ["make", container.url, "--trusted-microsoft-suffixes", "127.0.0.1"],
      home,
      signedIn,
    );
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/already exists/);
    const created = await runAzcp(
      ["make", fresh, "--trusted-microsoft-suffixes", "127.0.0.1"],
      home,
      signedIn,
    );
    expect(created.code, created.all).toBe(0);
    expect(created.stdout).toContain("Successfully created the resource.");
    const names: string[] = [];
    for await (const item of container.service.listContainers({ prefix: container.name }))
      names.push(item.name);
    expect(names.sort()).toEqual([container.name, `${container.name}new`]);
  });
});
