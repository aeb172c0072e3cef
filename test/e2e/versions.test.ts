// --list-of-versions with azcp and the real AzCopy on the same blob. Azurite keeps no versions,
// so the test proxy stands in with snapshots: a request for `versionid=X` reaches Azurite as
// `snapshot=X`, and the "versions" are snapshots the test takes.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  createContainer,
  createShare,
  hashesOf,
  localHashes,
  proxyInFrontOfAzurite,
  runAzcp,
  stack,
  type TestContainer,
  testHome,
} from "../support/harness.js";
import type { StorageProxy } from "../support/storage-proxy.js";

let proxy: StorageProxy;
beforeAll(async () => {
  proxy = await proxyInFrontOfAzurite({ versions: true });
});
afterAll(() => proxy.close());

/** A blob written three times, with the first two contents kept as "versions"; their ids. */
async function blobWithVersions(container: TestContainer, name: string): Promise<string[]> {
  const blob = container.service.getContainerClient(container.name).getBlockBlobClient(name);
  const ids: string[] = [];
  for (const content of ["version one", "version two"]) {
    await blob.upload(content, content.length);
    ids.push((await blob.createSnapshot()).snapshot!);
  }
  await blob.upload("current", 7);
  return ids;
}

function viaProxy(container: TestContainer, name: string): string {
  return `${proxy.origin}/${stack().accountName}/${container.name}/${name}?${container.sasUrl().split("?")[1]}`;
}

async function snapshotsLeft(container: TestContainer): Promise<string[]> {
  const left: string[] = [];
  const client = container.service.getContainerClient(container.name);
  for await (const blob of client.listBlobsFlat({ includeSnapshots: true }))
    if (blob.snapshot) left.push(blob.snapshot);
  return left.sort();
}

describe.concurrent("--list-of-versions, beside AzCopy", () => {
  it("downloads each listed version as <version>-<name> into the folder, the same files as AzCopy", async () => {
    const home = await testHome();
    const container = await createContainer();
    const ids = await blobWithVersions(container, "doc.txt");
    const list = join(home, "versions.txt");
    await writeFile(list, `\uFEFF${ids.join("\n")}\n`);
    const expected = hashesOf(
      Object.fromEntries(
        ids.map((id, n) => [`${id.replaceAll(":", "-")}-doc.txt`, ["version one", "version two"][n]!]),
      ),
    );
    for (const tool of ["azcp", "azcopy"] as const) {
      const folder = join(home, tool);
      const args = [
        "copy",
        viaProxy(container, "doc.txt"),
        folder,
        "--list-of-versions",
        list,
        "--from-to",
        "BlobLocal",
      ];
      await mkdir(folder);
      const result = tool === "azcp" ? await runAzcp(args, home) : await runAzcopy(args, home);
      expect(result.code, `${tool}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(await localHashes(folder), tool).toEqual(expected);
    }
    const reads = proxy.log.filter((entry) => entry.method === "GET" && entry.path.endsWith("/doc.txt"));
    expect(reads.every((entry) => /versionid=/.test(entry.query))).toBe(true);
  });

  it("remove deletes exactly the listed versions and keeps the blob, as AzCopy does", async () => {
    const home = await testHome();
    for (const tool of ["azcp", "azcopy"] as const) {
      const container = await createContainer();
      const ids = await blobWithVersions(container, "doc.txt");
      const list = join(home, `${tool}-versions.txt`);
      await writeFile(list, `${ids[0]}\n`);
      const args = [
        "remove",
        viaProxy(container, "doc.txt"),
        "--list-of-versions",
        list,
        "--from-to",
        "BlobTrash",
      ];
      const result = tool === "azcp" ? await runAzcp(args, home) : await runAzcopy(args, home);
      expect(result.code, `${tool}: ${result.stdout}${result.stderr}`).toBe(0);
      const left = await snapshotsLeft(container);
      expect(left, tool).toEqual([ids[1]]);
      const current = await container.service
        .getContainerClient(container.name)
        .getBlobClient("doc.txt")
        .downloadToBuffer();
      expect(current.toString(), tool).toBe("current");
    }
  });

  it("refuses a source that is not one blob, or a destination that is not local, in AzCopy's words", async () => {
    const home = await testHome();
    const container = await createContainer();
    const list = join(home, "versions.txt");
    await writeFile(list, "2024-01-01T00:00:00.0000000Z\n");
    const folder = await runAzcp(
      ["copy", container.sasUrl(), home, "--list-of-versions", list, "--recursive"],
      home,
    );
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain("either source is not a blob or destination is not a local folder");
    const toBlob = await runAzcp(
      ["copy", container.sasUrl().replace("?", "/a?"), container.sasUrl(), "--list-of-versions", list],
      home,
    );
    expect(toBlob.code).toBe(1);
    expect(toBlob.stderr).toContain("either source is not a blob or destination is not a local folder");
    const missing = await runAzcp(
      ["copy", container.sasUrl().replace("?", "/a?"), home, "--list-of-versions", join(home, "none.txt")],
      home,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("list-of-versions flag");
  });
});

describe.concurrent("--permanent-delete, beside AzCopy", () => {
  let softDelete: StorageProxy;
  beforeAll(async () => {
    softDelete = await proxyInFrontOfAzurite({ versions: true, softDeletedSnapshots: true });
  });
  afterAll(() => softDelete.close());

  it("permanently deletes the soft-deleted snapshots and keeps the blobs, with the same requests as AzCopy", async () => {
    const home = await testHome();
    const deletes: Record<string, string[]> = {};
    for (const tool of ["azcp", "azcopy"] as const) {
      const container = await createContainer();
      await blobWithVersions(container, "a.txt");
      await blobWithVersions(container, "dir/b.txt");
      const url = `${softDelete.origin}/${stack().accountName}/${container.name}?${container.sasUrl().split("?")[1]}`;
      const args = [
        "remove",
        url,
        "--recursive",
        "--permanent-delete",
        "snapshots",
        "--from-to",
        "BlobTrash",
      ];
      const result = tool === "azcp" ? await runAzcp(args, home) : await runAzcopy(args, home);
      expect(result.code, `${tool}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout, tool).toContain("Permanent delete is a PREVIEW feature");
      expect(await snapshotsLeft(container), tool).toEqual([]);
      const names = container.service.getContainerClient(container.name).listBlobsFlat();
      const left: string[] = [];
      for await (const blob of names) left.push(blob.name);
      expect(left.sort(), tool).toEqual(["a.txt", "dir/b.txt"]);
      deletes[tool] = softDelete.log
        .filter((entry) => entry.method === "DELETE" && entry.path.includes(`/${container.name}/`))
        .map(
          (entry) =>
            `${decodeURIComponent(entry.path).split(`/${container.name}/`)[1]} ${/deletetype=Permanent/.test(entry.query) && /snapshot=/.test(entry.query) ? "permanent snapshot" : entry.query}`,
        )
        .sort();
    }
    expect(deletes.azcp).toEqual(deletes.azcopy);
    expect(deletes.azcp).toEqual([
      "a.txt permanent snapshot",
      "a.txt permanent snapshot",
      "dir/b.txt permanent snapshot",
      "dir/b.txt permanent snapshot",
    ]);
  });

  it("refuses --permanent-delete and --force-if-read-only where they cannot apply", async () => {
    const home = await testHome();
    const container = await createContainer();
    const force = await runAzcp(["remove", container.sasUrl(), "--recursive", "--force-if-read-only"], home);
    expect(force.code).toBe(1);
    expect(force.stderr).toContain("force-if-read-only is only supported when the target is Azure Files");
    const share = await createShare();
    const permanent = await runAzcp(
      ["remove", share.sasUrl, "--recursive", "--permanent-delete", "versions", "--from-to", "FileTrash"],
      home,
    );
    expect(permanent.code).toBe(1);
    expect(permanent.stderr).toContain("--permanent-delete removes soft-deleted blob snapshots and versions");
  });
});
