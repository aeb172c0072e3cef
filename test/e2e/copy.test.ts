// azcp copy up and down: every byte checked by MD5, the directory rules, filters, overwrite
// modes, dry runs, output and exit codes.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  blobHashes,
  createContainer,
  hashesOf,
  localHashes,
  parseJsonLines,
  runAzcp,
  testHome,
  writeTree,
} from "../support/harness.js";

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TREE: Record<string, Buffer | string> = {
  "top.txt": "top level\n",
  "empty.dat": Buffer.alloc(0),
  "a/b/c/deep.bin": randomBytes(70_000),
  "spaces and ü/naïve café.txt": "unicode and spaces\n",
  "odd/#hash ?q %pct.txt": "odd characters\n",
  "big/twenty.bin": randomBytes(20 * 1024 * 1024 + 3),
};

async function uploadTree(extraArgs: string[] = []) {
  const home = await testHome();
  const root = await writeTree(join(home, "data"), TREE);
  const container = await createContainer();
  const result = await runAzcp(["copy", root, container.sasUrl(), "--recursive", ...extraArgs], home);
  return { home, root, container, result };
}

describe.concurrent("copy: upload and download", () => {
  it("uploads a tree with every byte intact, and downloads it back identical", async () => {
    const { home, container, result } = await uploadTree();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Job [0-9a-f-]{36} has started/);
    expect(result.stdout).toContain("Number of File Transfers Completed: 6");
    expect(result.stdout).toContain(
      `Total Number of Bytes Transferred: ${Object.values(TREE).reduce((n, c) => n + c.length, 0)}`,
    );
    expect(result.stdout).toMatch(/Final Job Status: Completed\n/);
    const expected = Object.fromEntries(
      Object.entries(hashesOf(TREE)).map(([path, hash]) => [`data/${path}`, hash]),
    );
    expect(await blobHashes(container)).toEqual(expected);

    const download = join(home, "back");
    const back = await runAzcp(["copy", container.sasUrl(), download, "--recursive"], home);
    expect(back.code).toBe(0);
    const withContainer = Object.fromEntries(
      Object.entries(expected).map(([path, hash]) => [`${container.name}/${path}`, hash]),
    );
    expect(await localHashes(download)).toEqual(withContainer);
  });

  it("--as-subdir=false and dir/* copy the contents without the folder's own name", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "data"), { "x.txt": "x", "sub/y.txt": "y" });
    const one = await createContainer();
    expect((await runAzcp(["copy", root, one.sasUrl(), "--recursive", "--as-subdir=false"], home)).code).toBe(
      0,
    );
    expect(Object.keys(await blobHashes(one)).sort()).toEqual(["sub/y.txt", "x.txt"]);
    const two = await createContainer();
    expect((await runAzcp(["copy", `${root}/*`, two.sasUrl()], home)).code).toBe(0);
    // Without --recursive, dir/* takes only the files directly in it.
    expect(Object.keys(await blobHashes(two))).toEqual(["x.txt"]);
  });

  it("refuses a directory without --recursive, with the fix", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "data"), { "x.txt": "x" });
    const container = await createContainer();
    const result = await runAzcp(["copy", root, container.sasUrl()], home);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /is a directory, and copying a directory needs --recursive\. Add --recursive, or end the path with \/\*/,
    );
  });

  it("copies one file to a blob name, into a container, and a blob to a file", async () => {
    const home = await testHome();
    await writeFile(join(home, "one.csv"), "a,b\n1,2\n");
    const container = await createContainer();
    const [base, sas] = container.sasUrl().split("?");
    expect((await runAzcp(["copy", join(home, "one.csv"), `${base}/renamed.csv?${sas}`], home)).code).toBe(0);
    expect((await runAzcp(["copy", join(home, "one.csv"), container.sasUrl()], home)).code).toBe(0);
    expect(Object.keys(await blobHashes(container)).sort()).toEqual(["one.csv", "renamed.csv"]);
    const result = await runAzcp(["copy", `${base}/renamed.csv?${sas}`, join(home, "got.csv")], home);
    expect(result.code).toBe(0);
    expect(await readFile(join(home, "got.csv"), "utf8")).toBe("a,b\n1,2\n");
  });

  it("applies include and exclude filters", async () => {
    const home = await testHome();
    const files = {
      "bla.pdf": "1",
      "deep/socool.jpeg.pdf": "2",
      exactName: "3",
      "bla.pdff": "4",
      eexactName: "5",
      "skip/me.pdf": "6",
      "old.pdf": "7",
    };
    const root = await writeTree(join(home, "data"), files);
    await utimes(join(root, "old.pdf"), new Date("2001-01-01T00:00:00Z"), new Date("2001-01-01T00:00:00Z"));
    const container = await createContainer();
    const result = await runAzcp(
      [
        "copy",
        `${root}/*`,
        container.sasUrl(),
        "--recursive",
        "--include-pattern",
        "*.pdf;*.jpeg;exactName",
        "--exclude-path",
        "skip",
        "--include-after",
        "2020-01-01T00:00:00Z",
      ],
      home,
    );
    expect(result.code).toBe(0);
    expect(Object.keys(await blobHashes(container)).sort()).toEqual([
      "bla.pdf",
      "deep/socool.jpeg.pdf",
      "exactName",
    ]);
  });

  it("--overwrite false skips what exists (CompletedWithSkipped, exit 0); ifSourceNewer replaces only older", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "data"), {
      "keep.txt": "new content",
      "big.bin": randomBytes(9 * 1024 * 1024),
    });
    const container = await createContainer();
    await container.upload("data/keep.txt", "old content");
    const skipped = await runAzcp(
      ["copy", root, container.sasUrl(), "--recursive", "--overwrite", "false"],
      home,
    );
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain("Number of File Transfers Skipped: 1");
    expect(skipped.stdout).toContain("Final Job Status: CompletedWithSkipped");
    const client = container.service.getContainerClient(container.name);
    expect((await client.getBlobClient("data/keep.txt").downloadToBuffer()).toString()).toBe("old content");
    // The 9 MiB file now exists as blocks; a second run must skip it without uploading it.
    const again = await runAzcp(
      ["copy", root, container.sasUrl(), "--recursive", "--overwrite", "false", "--output-type", "json"],
      home,
    );
    const end = JSON.parse(parseJsonLines(again.stdout).at(-1)!.MessageContent);
    expect(end).toMatchObject({
      JobStatus: "CompletedWithSkipped",
      TransfersSkipped: "2",
      TransfersCompleted: "0",
    });
    // As AzCopy: each skipped transfer is listed once, in a Progress message; EndOfJob lists none.
    const listed = parseJsonLines(again.stdout)
      .filter((message) => message.MessageType === "Progress")
      .flatMap((message) => JSON.parse(message.MessageContent).SkippedTransfers ?? []);
    expect(listed.map((t: { TransferStatus: string }) => t.TransferStatus)).toEqual([
      "SkippedEntityAlreadyExists",
      "SkippedEntityAlreadyExists",
    ]);
    expect(end.SkippedTransfers).toEqual([]);

    // Both sources older than their blobs, whatever second the blobs were written in.
    for (const name of ["keep.txt", "big.bin"])
      await utimes(join(root, name), new Date("2001-01-01"), new Date("2001-01-01"));
    const newer = await runAzcp(
      ["copy", root, container.sasUrl(), "--recursive", "--overwrite", "ifSourceNewer"],
      home,
    );
    expect(newer.stdout).toContain("Number of File Transfers Skipped: 2");
    expect((await client.getBlobClient("data/keep.txt").downloadToBuffer()).toString()).toBe("old content");
  });

  it("--dry-run lists what would be copied and writes nothing", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "data"), { "a.txt": "a", "b/c.txt": "c" });
    const container = await createContainer();
    const result = await runAzcp(["copy", root, container.sasUrl("racwl"), "--recursive", "--dry-run"], home);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n").filter((line) => line.startsWith("DRYRUN: "));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^DRYRUN: copy ${root}/a.txt to https://.*/${container.name}/data/a.txt$`),
      ),
      expect.stringMatching(
        new RegExp(`^DRYRUN: copy ${root}/b/c.txt to https://.*/${container.name}/data/b/c.txt$`),
      ),
    ]);
    expect(await blobHashes(container)).toEqual({});
    const download = await runAzcp(
      ["copy", container.sasUrl(), join(home, "nothing"), "--recursive", "--dry-run"],
      home,
    );
    expect(download.code).toBe(0);
    await expect(stat(join(home, "nothing"))).rejects.toThrow();
  });

  it("JSON output: one AzCopy envelope per line, a Transfer line per file, counters as strings", async () => {
    const { result } = await uploadTree(["--output-type", "json"]);
    expect(result.code).toBe(0);
    const messages = parseJsonLines(result.stdout);
    const types = messages.map((message) => message.MessageType);
    expect(types[0]).toBe("Init");
    expect(types.at(-1)).toBe("EndOfJob");
    expect(types.filter((type) => type === "Transfer")).toHaveLength(6);
    const transfer = JSON.parse(messages.find((m) => m.MessageType === "Transfer")!.MessageContent);
    expect(Object.keys(transfer).sort()).toEqual(["Bytes", "Destination", "ErrorCode", "Source", "Status"]);
    expect(JSON.parse(messages.at(-1)!.MessageContent)).toMatchObject({
      JobStatus: "Completed",
      TotalTransfers: "6",
      TransfersCompleted: "6",
      TransfersFailed: "0",
      PercentComplete: "100",
      FailedTransfers: [],
    });
    expect(JSON.parse(messages[0]!.MessageContent)).toMatchObject({
      JobID: expect.any(String),
      IsCleanupJob: false,
    });
  });

  // AzCopy starts reporting once its first job part is ordered (copyEnumeratorHelper.go), so a
  // driving program never sees a Progress with nothing counted. It cannot be shown the same late
  // list: AzCopy reads a named pipe before anything is written to it, and copies nothing.
  it("JSON output: no Progress before anything is counted (a scan held back 3 s)", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "data"), { "a.txt": "alpha", "b.txt": "beta" });
    const list = join(home, "list");
    await execFileAsync("mkfifo", [list]);
    // The list is a named pipe written 3 s late: the scan waits, a 2-second tick does not.
    const written = sleep(3000).then(() => writeFile(list, "a.txt\nb.txt\n"));
    const container = await createContainer();
    const result = await runAzcp(
      ["copy", root, container.sasUrl(), "--list-of-files", list, "--output-type", "json"],
      home,
    );
    await written;
    expect(result.code).toBe(0);
    const totals = parseJsonLines(result.stdout)
      .filter((message) => message.MessageType === "Progress")
      .map((message) => JSON.parse(message.MessageContent).TotalTransfers);
    expect(totals).not.toContain("0");
    expect(totals.at(-1)).toBe("2");
    expect(await blobHashes(container)).toEqual(hashesOf({ "data/a.txt": "alpha", "data/b.txt": "beta" }));
  });

  it("a failed download leaves nothing under the final name, and the job exits 1", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("good.txt", "fine");
    await container.upload("broken.bin", randomBytes(3000));
    // A wrong stored MD5 makes the download of broken.bin fail its check.
    await container.service
      .getContainerClient(container.name)
      .getBlobClient("broken.bin")
      .setHTTPHeaders({ blobContentMD5: Buffer.alloc(16, 1), blobContentType: "application/octet-stream" });
    const target = join(home, "out");
    const result = await runAzcp(
      ["copy", container.sasUrl(), target, "--recursive", "--as-subdir=false"],
      home,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Final Job Status: CompletedWithErrors");
    expect(result.stderr).toMatch(/Failed: .*broken\.bin: The data downloaded for .* does not match its MD5/);
    expect(await readdir(target)).toEqual(["good.txt"]);
    const unchecked = await runAzcp(
      ["copy", container.sasUrl(), join(home, "out2"), "--recursive", "--check-md5", "NoCheck"],
      home,
    );
    expect(unchecked.code).toBe(0);
  });
});
