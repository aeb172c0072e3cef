import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { azcopyPath } from "../support/azcopy.js";
import {
  baseEnv,
  blobHashes,
  createContainer,
  hashesOf,
  stack,
  startProcess,
  type TestContainer,
  testHome,
  writeTree,
} from "../support/harness.js";

const AZCP_BIN = join(import.meta.dirname, "..", "..", "bin", "azcp.js");

/**
 * Runs a tool with stdin open; once its output shows `ready` (a loaded machine may take seconds
 * to get there) and `afterMs` after that, calls `meanwhile`, then writes `line` to its stdin.
 */
async function runHeld(
  tool: "azcp" | "azcopy",
  args: string[],
  home: string,
  afterMs: number,
  meanwhile: () => Promise<unknown>,
  line: string,
  ready: RegExp = /(?:)/,
) {
  const [file, first] = tool === "azcp" ? [process.execPath, [AZCP_BIN]] : [azcopyPath(), []];
  const { child, output, exit } = startProcess(
    file,
    [...first, ...args],
    {
      ...baseEnv(home),
      SSL_CERT_FILE: stack().caCertPath,
      AZCOPY_LOG_LOCATION: join(home, `${tool}-logs`),
      AZCOPY_JOB_PLAN_LOCATION: join(home, `${tool}-plans`),
    },
    home,
  );
  let ended = false;
  void exit.then(() => {
    ended = true;
  });
  const held = async () => {
    while (!ended && !ready.test(output())) await sleep(100);
    await sleep(afterMs);
    return false;
  };
  const exitedEarly = await Promise.race([exit.then(() => true), held()]);
  await meanwhile();
  if (!exitedEarly) child.stdin.write(`${line}\n`);
  const code = await exit;
  child.stdin.destroy();
  return { code, all: output(), exitedEarly };
}

async function blobContents(container: TestContainer, prefix: string) {
  const client = container.service.getContainerClient(container.name);
  const contents: Record<string, string> = {};
  for await (const blob of client.listBlobsFlat({ prefix }))
    contents[blob.name.slice(prefix.length)] = (
      await client.getBlobClient(blob.name).downloadToBuffer()
    ).toString();
  return contents;
}

describe.concurrent("AzCopy's testing knobs", () => {
  it('a file that grows between the listing and --await-open\'s "open" fails, and no blob is left (AzCopy leaves a torn one)', async () => {
    const run = async (tool: "azcp" | "azcopy") => {
      const home = await testHome();
      const source = await writeTree(join(home, "src"), { "a.txt": "first version", "b.txt": "unchanged" });
      const container = await createContainer();
      const result = await runHeld(
        tool,
        ["copy", source, container.sasUrl(), "--recursive", "--await-open", "--from-to", "LocalBlob"],
        home,
        1500,
        () => writeFile(join(source, "a.txt"), "second version, longer than the first"),
        "open",
        // Both say so once the job runs; the two files are listed right after.
        /Job \S+ has started/,
      );
      expect(result.exitedEarly, result.all).toBe(false);
      return { code: result.code, all: result.all, blobs: await blobContents(container, "src/") };
    };
    const [azcp, azcopy] = await Promise.all([run("azcp"), run("azcopy")]);
    expect(azcp.code, azcp.all).toBe(1);
    expect(azcopy.code, azcopy.all).toBe(1);
    expect(azcp.blobs).toEqual({ "b.txt": "unchanged" });
    // AzCopy notices the change but has already committed the blob: the first version's length
    // of the second version's bytes, under the final name.
    expect(azcopy.blobs).toEqual({ "a.txt": "second versio", "b.txt": "unchanged" });
  });

  it("--await-continue holds the job until continue arrives on stdin", async () => {
    const home = await testHome();
    const source = await writeTree(join(home, "src"), { "a.txt": "a" });
    const container = await createContainer();
    let heldBlobs: Record<string, string> | undefined;
    const result = await runHeld(
      "azcp",
      ["copy", source, container.sasUrl(), "--recursive", "--await-continue"],
      home,
      2000,
      async () => {
        heldBlobs = await blobHashes(container);
      },
      "continue",
    );
    expect(result.exitedEarly, result.all).toBe(false);
    expect(heldBlobs).toEqual({});
    expect(result.code, result.all).toBe(0);
    expect(await blobHashes(container, "src/")).toEqual(hashesOf({ "a.txt": "a" }));
  });

  it("--debug-skip-files cancels the named transfer: the rest is copied and the job does not pass", async () => {
    const home = await testHome();
    const source = await writeTree(join(home, "src"), { "keep.txt": "k", "dir/skip.txt": "s" });
    const container = await createContainer();
    const result = await runHeld(
      "azcp",
      [
        "copy",
        source,
        container.sasUrl(),
        "--recursive",
        "--debug-skip-files",
        "src/dir/skip.txt;dir/skip.txt",
      ],
      home,
      0,
      async () => undefined,
      "",
    );
    expect(result.code, result.all).toBe(1);
    expect(result.all).toContain("cancelled by --debug-skip-files");
    expect(await blobHashes(container, "src/")).toEqual(hashesOf({ "keep.txt": "k" }));
  });
});
