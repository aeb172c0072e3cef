// --trailing-dot: Azure Files trims trailing dots from names unless a request says not to, so
// "name." and "name" would become one file. AzCopy keeps them apart by default; so does azcp.
import { join } from "node:path";
import { ShareClient } from "@azure/storage-file-share";
import { describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  createShare,
  hashesOf,
  localHashes,
  md5,
  runAzcp,
  type TestShare,
  testHome,
  writeTree,
} from "../support/harness.js";

const TREE = { "name.": "with a dot", name: "without", "dir./inside.txt": "in a dotted folder" };

/** Path -> MD5 of every file in the share, read with the SDK told to keep trailing dots. */
async function dottedHashes(share: TestShare): Promise<Record<string, string>> {
  const client = new ShareClient(share.sasUrl, undefined, { allowTrailingDot: true });
  const out: Record<string, string> = {};
  const walk = async (directory: string) => {
    const folder = client.getDirectoryClient(directory);
    for await (const item of folder.listFilesAndDirectories()) {
      const path = directory ? `${directory}/${item.name}` : item.name;
      if (item.kind === "directory") await walk(path);
      else out[path] = md5(await folder.getFileClient(item.name).downloadToBuffer());
    }
  };
  await walk("");
  return out;
}

describe.concurrent("trailing dots on Azure Files", () => {
  it("keeps name. and name apart going up, across and down, as AzCopy does", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    const byAzcopy = await createShare();
    const byAzcp = await createShare();
    const up = (to: string) => ["copy", `${root}/*`, to, "--recursive", "--from-to", "LocalFile"];
    const azcopy = await runAzcopy(up(byAzcopy.sasUrl), home);
    expect(azcopy.code, azcopy.stdout).toBe(0);
    const azcp = await runAzcp(up(byAzcp.sasUrl), home);
    expect(azcp.code, azcp.all).toBe(0);
    const stored = await dottedHashes(byAzcp);
    expect(stored).toEqual(await dottedHashes(byAzcopy));
    expect(stored).toEqual(hashesOf(TREE));

    const across = await createShare();
    const copied = await runAzcp(
      [
        "copy",
        `${byAzcp.sasUrl}`,
        across.sasUrl,
        "--recursive",
        "--as-subdir=false",
        "--from-to",
        "FileFile",
      ],
      home,
    );
    expect(copied.code, copied.all).toBe(0);
    expect(await dottedHashes(across)).toEqual(hashesOf(TREE));

    const down = await runAzcp(
      [
        "copy",
        across.sasUrl,
        join(home, "down"),
        "--recursive",
        "--as-subdir=false",
        "--from-to",
        "FileLocal",
      ],
      home,
    );
    expect(down.code, down.all).toBe(0);
    expect(await localHashes(join(home, "down"))).toEqual(hashesOf(TREE));

    const listed = await runAzcp(["list", byAzcp.sasUrl, "--location", "File"], home);
    expect(listed.code, listed.all).toBe(0);
    expect(listed.stdout).toMatch(/^name\.;/m);
  });

  it("with --trailing-dot Disable, lets the service trim them, as AzCopy's legacy mode does", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "only.": "dotted" });
    const share = await createShare();
    const result = await runAzcp(
      ["copy", `${root}/*`, share.sasUrl, "--from-to", "LocalFile", "--trailing-dot", "Disable"],
      home,
    );
    expect(result.code, result.all).toBe(0);
    expect(await dottedHashes(share)).toEqual({ only: md5("dotted") });
  });
});
