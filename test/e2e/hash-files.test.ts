// sync --compare-hash MD5 --local-hash-storage-mode HiddenFiles beside the real AzCopy: the same
// hash files are written, each tool trusts the other's, and they are never uploaded.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  blobHashes,
  createContainer,
  hashesOf,
  md5,
  parseJsonLines,
  runAzcp,
  testHome,
  writeTree,
} from "../support/harness.js";

const TREE = { "a.txt": "alpha", "d/b.txt": "beta" };

async function hashFiles(
  folder: string,
): Promise<Record<string, { Mode: number; Data: string; LMT: string }>> {
  const found: Record<string, { Mode: number; Data: string; LMT: string }> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true }))
    if (entry.name.endsWith(".azcopysyncmeta"))
      found[join(entry.parentPath, entry.name).slice(folder.length + 1)] = JSON.parse(
        await readFile(join(entry.parentPath, entry.name), "utf8"),
      );
  return found;
}

function uploadsIn(stdout: string): number {
  const end = parseJsonLines(stdout).find((message) => message.MessageType === "EndOfJob");
  return end ? Number(JSON.parse(end.MessageContent).TransfersCompleted) : -1;
}

describe.concurrent("hash files, beside AzCopy", () => {
  it("writes the same .<name>.azcopysyncmeta files as AzCopy, with the same MD5s, and uploads none of them", async () => {
    const home = await testHome();
    const written: Record<string, Awaited<ReturnType<typeof hashFiles>>> = {};
    for (const tool of ["azcp", "azcopy"] as const) {
      const root = await writeTree(join(home, tool), TREE);
      const container = await createContainer();
      const args = [
        "sync",
        root,
        container.sasUrl(),
        "--compare-hash",
        "MD5",
        "--local-hash-storage-mode",
        "HiddenFiles",
        "--from-to",
        "LocalBlob",
      ];
      const result = tool === "azcp" ? await runAzcp(args, home) : await runAzcopy(args, home);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(await blobHashes(container), tool).toEqual(hashesOf(TREE));
      written[tool] = await hashFiles(root);
    }
    const azcp = written.azcp!;
    expect(Object.keys(azcp).sort()).toEqual([".a.txt.azcopysyncmeta", "d/.b.txt.azcopysyncmeta"]);
    expect(Object.keys(written.azcopy!).sort()).toEqual(Object.keys(azcp).sort());
    for (const [name, stored] of Object.entries(azcp)) {
      expect(stored.Mode, name).toBe(written.azcopy![name]!.Mode);
      expect(stored.Data, name).toBe(written.azcopy![name]!.Data);
      expect(Date.parse(stored.LMT), name).toBeGreaterThan(0);
    }
    expect(azcp[".a.txt.azcopysyncmeta"]!.Data).toBe(Buffer.from(md5("alpha"), "hex").toString("base64"));
  });

  it("takes a stored hash while the file's time is unchanged (a hash file AzCopy wrote included)", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    const container = await createContainer();
    const args = [
      "sync",
      root,
      container.sasUrl(),
      "--compare-hash",
      "MD5",
      "--local-hash-storage-mode",
      "HiddenFiles",
      "--hash-meta-dir",
      join(home, "hashes"),
      "--from-to",
      "LocalBlob",
    ];
    const first = await runAzcopy(args, home);
    expect(first.code, first.stdout).toBe(0);
    const stored = join(home, "hashes", ".a.txt.azcopysyncmeta");
    const again = await runAzcp([...args, "--output-type", "json"], home);
    expect(again.code, again.all).toBe(0);
    expect(uploadsIn(again.stdout)).toBe(0);
    // A stored hash that no longer matches the blob makes azcp upload again: it was believed.
    const hash = JSON.parse(await readFile(stored, "utf8"));
    await writeFile(
      stored,
      JSON.stringify({ ...hash, Data: Buffer.from(md5("else"), "hex").toString("base64") }),
    );
    const trusted = await runAzcp([...args, "--output-type", "json"], home);
    expect(trusted.code, trusted.all).toBe(0);
    expect(uploadsIn(trusted.stdout)).toBe(1);
  });
});
