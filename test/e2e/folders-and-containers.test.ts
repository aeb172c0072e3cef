// What AzCopy reports and does around folders and containers: folders on Azure Files count as
// folder property transfers (not files), and a copy to Blob creates a missing container.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  blobHashes,
  createShare,
  dfsSas,
  hashesOf,
  parseJsonLines,
  runAzcp,
  sharedKeyService,
  stack,
  testHome,
  uniqueName,
  writeTree,
} from "../support/harness.js";

const TREE = { "a.txt": "a", "dir/b.txt": "b", "dir/sub/c.txt": "c" };

describe.concurrent("folders and containers", () => {
  it("counts folders on Azure Files as folder property transfers", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    await mkdir(join(root, "empty"));
    const share = await createShare();
    const result = await runAzcp(
      ["copy", root, share.sasUrl, "--recursive", "--from-to", "LocalFile", "--output-type", "json"],
      home,
    );
    expect(result.code, result.all).toBe(0);
    const end = JSON.parse(parseJsonLines(result.stdout).at(-1)!.MessageContent);
    // tree, tree/dir, tree/dir/sub and tree/empty are folders; three files.
    expect(end).toMatchObject({
      TotalTransfers: "7",
      FileTransfers: "3",
      FolderPropertyTransfers: "4",
      TransfersCompleted: "3",
      FoldersCompleted: "4",
      JobStatus: "Completed",
    });
    const text = await runAzcp(["copy", root, share.sasUrl, "--recursive", "--from-to", "LocalFile"], home);
    expect(text.stdout).toContain("Number of File Transfers: 3\nNumber of Folder Property Transfers: 4");
  });

  it("creates a missing destination container, as AzCopy does", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    const name = uniqueName("new");
    const result = await runAzcp(
      ["copy", root, `${stack().blobEndpoint}/${name}?${dfsSas()}`, "--recursive"],
      home,
    );
    expect(result.code, result.all).toBe(0);
    const container = {
      name,
      service: sharedKeyService(),
      url: `${stack().blobEndpoint}/${name}`,
      sasUrl: () => "",
      upload: async () => undefined,
    };
    expect(await blobHashes(container)).toEqual(
      Object.fromEntries(Object.entries(hashesOf(TREE)).map(([path, hash]) => [`tree/${path}`, hash])),
    );
  });
});
