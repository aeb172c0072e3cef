// Flags azcp took over from AzCopy, run with both tools on the same input: the same files land.
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  blobHashes,
  createContainer,
  localHashes,
  runAzcp,
  type TestContainer,
  testHome,
  writeTree,
} from "../support/harness.js";

async function containerOfEveryBlobType(): Promise<TestContainer> {
  const container = await createContainer();
  const client = container.service.getContainerClient(container.name);
  await container.upload("block.txt", "block");
  await container.upload("dir/block2.txt", "block two");
  const append = client.getAppendBlobClient("dir/append.log");
  await append.create();
  await append.appendBlock("line\n", 5);
  const page = client.getPageBlobClient("disk.vhd");
  await page.create(1024);
  await page.uploadPages(Buffer.alloc(512, 7), 0, 512);
  return container;
}

describe.concurrent("differential: flags shared with AzCopy", () => {
  it("--exclude-blob-type leaves out the same blobs", async () => {
    const home = await testHome();
    const container = await containerOfEveryBlobType();
    for (const excluded of ["AppendBlob", "PageBlob;AppendBlob", "BlockBlob"]) {
      const args = (to: string) => [
        "copy",
        container.sasUrl(),
        to,
        "--recursive",
        "--as-subdir=false",
        "--from-to",
        "BlobLocal",
        "--exclude-blob-type",
        excluded,
      ];
      const byAzcopy = join(home, `azcopy-${excluded}`);
      const byAzcp = join(home, `azcp-${excluded}`);
      const azcopy = await runAzcopy(args(byAzcopy), home);
      expect(azcopy.code, azcopy.stdout).toBe(0);
      const azcp = await runAzcp(args(byAzcp), home);
      expect(azcp.code, azcp.all).toBe(0);
      const kept = await localHashes(byAzcp);
      expect(kept, excluded).toEqual(await localHashes(byAzcopy));
      expect(Object.keys(kept).length, excluded).toBeGreaterThan(0);
      expect(Object.keys(kept).length, excluded).toBeLessThan(4);
    }
  });

  it("refuses a blob type that does not exist, naming the types", async () => {
    const home = await testHome();
    const container = await containerOfEveryBlobType();
    const result = await runAzcp(
      ["copy", container.sasUrl(), join(home, "out"), "--recursive", "--exclude-blob-type", "TapeBlob"],
      home,
    );
    expect(result.code).toBe(1);
    expect(result.all).toContain("BlockBlob, PageBlob, AppendBlob");
  });

  it("sync takes --check-md5, --put-blob-size-mb and --s2s-preserve-access-tier, and refuses --follow-symlinks as AzCopy does", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "a.txt": "a", "real/b.txt": "b" });
    await symlink(join(root, "real"), join(root, "linked"));
    const flags = [
      "--put-blob-size-mb",
      "8",
      "--check-md5",
      "FailIfDifferent",
      "--s2s-preserve-access-tier=false",
      "--from-to",
      "LocalBlob",
    ];
    const byAzcopy = await createContainer();
    const byAzcp = await createContainer();
    const azcopy = await runAzcopy(["sync", root, byAzcopy.sasUrl(), ...flags], home);
    expect(azcopy.code, azcopy.stdout).toBe(0);
    const azcp = await runAzcp(["sync", root, byAzcp.sasUrl(), ...flags], home);
    expect(azcp.code, azcp.all).toBe(0);
    const stored = await blobHashes(byAzcp);
    expect(stored).toEqual(await blobHashes(byAzcopy));
    expect(Object.keys(stored).sort()).toEqual(["a.txt", "real/b.txt"]);
    const refused = [
      await runAzcopy(["sync", root, byAzcopy.sasUrl(), ...flags, "--follow-symlinks"], home),
      await runAzcp(["sync", root, byAzcp.sasUrl(), ...flags, "--follow-symlinks"], home),
    ];
    for (const result of refused) {
      expect(result.code, result.all).toBe(1);
      expect(result.all).toContain("the '--follow-symlinks' flag is not applicable for sync operations");
    }
  });
});
