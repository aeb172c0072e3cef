// Data that changes under a transfer, names that cannot be kept, and exit codes: each case ends
// with a non-zero exit, a clear message and nothing torn under a final name, or as AzCopy ends.
import { randomBytes } from "node:crypto";
import { appendFile, mkdir, open, readdir, readFile, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  AZCP_BIN,
  baseEnv,
  blobNames,
  createContainer,
  createShare,
  md5,
  proxyInFrontOfAzurite,
  runAzcp,
  runProcess,
  type StartedProcess,
  stack,
  startProcess,
  type TestContainer,
  testHome,
  waitUntil,
  writeTree,
} from "../support/harness.js";

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts azcp (two requests at a time), and once it has run `afterMs`, calls `meanwhile` with
 * the process; resolves with its exit and output.
 */
async function runWhile(
  args: string[],
  home: string,
  afterMs: number,
  meanwhile: (child: StartedProcess["child"]) => Promise<unknown>,
  /** A moment to wait for first (a loaded machine may take seconds to reach it), then `afterMs`. */
  until?: () => boolean,
) {
  const { child, output, exit } = startProcess(
    process.execPath,
    [AZCP_BIN, ...args],
    { ...baseEnv(home), AZCOPY_CONCURRENCY_VALUE: "2" },
    home,
  );
  if (until) await waitUntil(exit, until);
  await sleep(afterMs);
  await meanwhile(child);
  return { code: await exit, all: output(), signal: child.signalCode };
}

describe.concurrent("a source that changes during the transfer", () => {
  it("a local file rewritten in place during its upload fails, and no blob is left", async () => {
    const home = await testHome();
    const path = join(home, "big.bin");
    await writeFile(path, randomBytes(24 * MIB));
    const container = await createContainer();
    const result = await runWhile(
      ["copy", path, `${container.sasUrl().replace("?", "/big.bin?")}`, "--cap-mbps", "24"],
      home,
      2500,
      async () => {
        const file = await open(path, "r+");
        await file.write(randomBytes(MIB), 0, MIB, 0);
        await file.write(randomBytes(MIB), 0, MIB, 23 * MIB);
        await file.close();
      },
    );
    expect(result.code, result.all).toBe(1);
    expect(result.all, result.all).toMatch(/source modified during transfer/);
    expect(await blobNames(container)).toEqual([]);
  });

  it("a local file that grows during its upload fails, and no blob is left", async () => {
    const home = await testHome();
    const path = join(home, "growing.log");
    await writeFile(path, randomBytes(24 * MIB));
    const container = await createContainer();
    const result = await runWhile(
      ["copy", path, `${container.sasUrl().replace("?", "/growing.log?")}`, "--cap-mbps", "24"],
      home,
      2500,
      () => appendFile(path, randomBytes(MIB)),
    );
    expect(result.code, result.all).toBe(1);
    expect(result.all, result.all).toMatch(/source modified during transfer \(its size went from/);
    expect(await blobNames(container)).toEqual([]);
  });

  it("a blob replaced during its download fails, and no file is left under its name or a temporary one", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("data.bin", randomBytes(24 * MIB));
    const target = join(home, "down");
    await mkdir(target);
    // Small ranges, two at a time, so that most are asked for after the blob is replaced.
    const result = await runWhile(
      [
        "copy",
        container.sasUrl().replace("?", "/data.bin?"),
        target,
        "--cap-mbps",
        "24",
        "--block-size-mb",
        "1",
      ],
      home,
      2500,
      () => container.upload("data.bin", randomBytes(24 * MIB)),
    );
    expect(result.code, result.all).toBe(1);
    expect(result.all).toMatch(/source modified during transfer \(its ETag changed\)/);
    expect(await readdir(target)).toEqual([]);
  });

  it("an Azure Files file replaced during its download fails the same way", async () => {
    const home = await testHome();
    const share = await createShare();
    const file = share.client.rootDirectoryClient.getFileClient("data.bin");
    const upload = async () => {
      const data = randomBytes(24 * MIB);
      await file.create(data.length);
      for (let offset = 0; offset < data.length; offset += 4 * MIB)
        await file.uploadRange(data.subarray(offset, offset + 4 * MIB), offset, 4 * MIB);
    };
    await upload();
    const target = join(home, "down");
    await mkdir(target);
    const url = share.sasUrl.replace("?", "/data.bin?");
    const args = ["copy", url, target, "--from-to", "FileLocal", "--cap-mbps", "24", "--block-size-mb", "1"];
    const result = await runWhile(args, home, 2500, upload);
    expect(result.code, result.all).toBe(1);
    expect(result.all).toMatch(/source modified during transfer/);
    expect(await readdir(target)).toEqual([]);
  });

  it("a blob replaced while the service copies it (Put Block From URL) fails, and no blob is committed", async () => {
    const home = await testHome();
    const proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
    try {
      const source = await createContainer();
      const destination = await createContainer();
      await source.upload("data.bin", randomBytes(24 * MIB));
      // Each block copy waits a moment first, so the source is replaced before most are made.
      proxy.rules.push({ methods: ["PUT"], query: "comp=block", reply: { type: "stall", ms: 1500 } });
      const via = (container: TestContainer, path: string) =>
        `${proxy.origin}/${stack().accountName}/${container.name}/${path}?${container.sasUrl().split("?")[1]}`;
      const result = await runWhile(
        [
          "copy",
          via(source, "data.bin"),
          via(destination, "data.bin"),
          "--block-size-mb",
          "4",
          "--from-to",
          "BlobBlob",
        ],
        home,
        0,
        () => source.upload("data.bin", randomBytes(24 * MIB)),
        // Replaced once the first block copy is on its way: azcp listed the first version.
        () => proxy.log.some((entry) => entry.method === "PUT" && /comp=block/.test(entry.query)),
      );
      expect(result.code, result.all).toBe(1);
      expect(result.all).toMatch(/source modified during transfer/);
      expect(proxy.log.some((entry) => entry.status === 412)).toBe(true);
      expect(await blobNames(destination)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe.concurrent("stopped downloads", () => {
  const jobIdOf = (output: string) => /Job ([0-9a-f-]{36}) has started/.exec(output)?.[1];

  it("SIGTERM cancels cleanly (Cancelled, no failures, nothing half-written) and the job resumes", async () => {
    const home = await testHome();
    const container = await createContainer();
    const data = randomBytes(24 * MIB);
    await container.upload("data.bin", data);
    const target = join(home, "down");
    await mkdir(target);
    const url = container.sasUrl().replace("?", "/data.bin?");
    const stopped = await runWhile(
      ["copy", url, target, "--cap-mbps", "24", "--block-size-mb", "1"],
      home,
      2000,
      async (child) => child.kill("SIGTERM"),
    );
    expect(stopped.code, stopped.all).toBe(1);
    expect(stopped.all).toContain("Cancellation requested. Beginning clean shutdown...");
    expect(stopped.all).toMatch(/Final Job Status: Cancelled/);
    expect(stopped.all).toMatch(/Number of File Transfers Failed: 0/);
    expect(stopped.all).not.toMatch(/ABORT_ERR|could not be reached/);
    expect(await readdir(target)).toEqual([]);
    const resumed = await runAzcp(
      ["jobs", "resume", jobIdOf(stopped.all)!, "--source-sas", container.sasUrl().split("?")[1]!],
      home,
    );
    expect(resumed.code, resumed.all).toBe(0);
    expect(await readdir(target)).toEqual(["data.bin"]);
    expect(md5(await readFile(join(target, "data.bin")))).toBe(md5(data));
  });

  it("kill -9 leaves a job-named temporary file, which the resumed job replaces and removes", async () => {
    const home = await testHome();
    const container = await createContainer();
    const data = randomBytes(24 * MIB);
    await container.upload("data.bin", data);
    const target = join(home, "down");
    await mkdir(target);
    const url = container.sasUrl().replace("?", "/data.bin?");
    const killed = await runWhile(
      ["copy", url, target, "--cap-mbps", "24", "--block-size-mb", "1"],
      home,
      2000,
      async (child) => {
        // Killed once the download is under way, however slowly a loaded machine started azcp.
        while (!(await readdir(target)).some((name) => name.startsWith(".azDownload-"))) await sleep(50);
        child.kill("SIGKILL");
      },
    );
    expect(killed.signal).toBe("SIGKILL");
    const id = jobIdOf(killed.all)!;
    expect(await readdir(target)).toEqual([`.azDownload-${id}-data.bin`]);
    const resumed = await runAzcp(
      ["jobs", "resume", id, "--source-sas", container.sasUrl().split("?")[1]!],
      home,
    );
    expect(resumed.code, resumed.all).toBe(0);
    expect(await readdir(target)).toEqual(["data.bin"]);
    expect(md5(await readFile(join(target, "data.bin")))).toBe(md5(data));
  });
});

describe.concurrent("names, missing sources and exit codes", () => {
  it("a blob named like a folder that holds data fails the download (as AzCopy's does) and goes with remove", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("dir/", "data in a folder-named blob");
    await container.upload("dir/inside.txt", "inside");
    const azcp = await runAzcp(["copy", container.sasUrl(), join(home, "azcp"), "--recursive"], home);
    expect(azcp.code, azcp.all).toBe(1);
    expect(azcp.all).toMatch(/dir\/.*cannot be saved safely/);
    expect(await readFile(join(home, "azcp", container.name, "dir", "inside.txt"), "utf8")).toBe("inside");
    const azcopy = await runAzcopy(
      ["copy", container.sasUrl(), join(home, "azcopy"), "--recursive", "--from-to", "BlobLocal"],
      home,
    );
    expect(azcopy.code, azcopy.stdout).toBe(1);

    const removed = await runAzcp(["remove", container.sasUrl(), "--recursive"], home);
    expect(removed.code, removed.all).toBe(0);
    expect(await blobNames(container)).toEqual([]);
  });

  it("a missing prefix or blob is 'not found' with exit 1, as with AzCopy", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("here.txt", "here");
    for (const [path, recursive] of [
      ["nodir", ["--recursive"]],
      ["missing.txt", []],
    ] as const) {
      const url = container.sasUrl().replace("?", `/${path}?`);
      const azcp = await runAzcp(["copy", url, join(home, "out"), ...recursive], home);
      expect(azcp.code, azcp.all).toBe(1);
      expect(azcp.all).toMatch(/The specified file was not found/);
      expect(azcp.all).not.toMatch(/is a directory/);
      const azcopy = await runAzcopy(
        ["copy", url, join(home, "out2"), ...recursive, "--from-to", "BlobLocal"],
        home,
      );
      expect(azcopy.code, azcopy.stdout).toBe(1);
    }
  });

  it("BlobPipe into a reader that stops early exits 141, as AzCopy does", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("big.bin", randomBytes(16 * MIB));
    const url = container.sasUrl().replace("?", "/big.bin?");
    const result = await runProcess(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${AZCP_BIN}" copy "${url}" --from-to BlobPipe | head -c 100 > /dev/null; echo "exit=\${PIPESTATUS[0]}"`,
      ],
      home,
    );
    expect(result.stdout.trim()).toBe("exit=141");
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    const full = await runProcess(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${AZCP_BIN}" copy "${url}" --from-to BlobPipe > /dev/full; echo "exit=$?"`,
      ],
      home,
    );
    expect(full.stdout.trim()).toBe("exit=1");
    expect(full.stderr).toMatch(/Could not write .*standard output.*no space is left/);
  });

  it("counts what it skips: symbolic links and special files appear in the summary", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "real.txt": "real" });
    await symlink(join(root, "real.txt"), join(root, "link.txt"));
    await runProcess("mkfifo", [join(root, "pipe")], home);
    const container = await createContainer();
    const result = await runAzcp(["copy", root, container.sasUrl(), "--recursive"], home);
    expect(result.code, result.all).toBe(0);
    expect(result.stdout).toMatch(/Number of Symbolic Links Skipped: 1/);
    expect(result.stdout).toMatch(/Number of Special Files Skipped: 1/);
    expect(await blobNames(container)).toEqual(["tree/real.txt"]);
  });

  it("a local name that is not UTF-8 fails that file (exit 1) and the rest is copied", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "good.txt": "good" });
    await writeFile(Buffer.from(`${root}/bad-\xff-name.txt`, "latin1"), "bad");
    const container = await createContainer();
    const result = await runAzcp(["copy", root, container.sasUrl(), "--recursive"], home);
    expect(result.code, result.all).toBe(1);
    expect(result.all).toMatch(/is not valid UTF-8/);
    expect(await blobNames(container)).toEqual(["tree/good.txt"]);
  });

  it("an unusable plan folder is named in the error", async () => {
    const home = await testHome();
    await writeFile(join(home, "a-file"), "x");
    const root = await writeTree(join(home, "tree"), { "a.txt": "a" });
    const container = await createContainer();
    const result = await runAzcp(["copy", root, container.sasUrl(), "--recursive"], home, {
      env: { AZCOPY_JOB_PLAN_LOCATION: join(home, "a-file", "plans") },
    });
    expect(result.code).toBe(1);
    expect(result.all).toMatch(/AZCOPY_JOB_PLAN_LOCATION/);
    expect(result.all).not.toMatch(/failed unexpectedly/);
  });

  it("an unusable log folder is named in the error, and a damaged plan is called damaged", async () => {
    const home = await testHome();
    await writeFile(join(home, "a-file"), "x");
    const root = await writeTree(join(home, "tree"), { "a.txt": "a" });
    const container = await createContainer();
    const result = await runAzcp(["copy", root, container.sasUrl(), "--recursive"], home, {
      env: { AZCOPY_LOG_LOCATION: join(home, "a-file", "logs") },
    });
    expect(result.code).toBe(1);
    expect(result.all).toMatch(/AZCOPY_LOG_LOCATION/);
    const plans = join(home, ".azcopy", "plans");
    await mkdir(plans, { recursive: true });
    const id = "0a1b2c3d-0000-4000-8000-000000000000";
    await writeFile(join(plans, `${id}.plan`), '{"kind":"header","vers');
    const resumed = await runAzcp(["jobs", "resume", id], home);
    expect(resumed.code).toBe(1);
    expect(resumed.all).toMatch(/plan file of job .* is damaged/);
  });

  it("a file name with a newline cannot forge a line of the log", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "evil\n2030-01-01T00:00:00.000Z ERROR: forged": "x" });
    const container = await createContainer();
    const result = await runAzcp(["copy", root, container.sasUrl(), "--recursive"], home);
    expect(result.code, result.all).toBe(0);
    const logs = await readdir(join(home, ".azcopy"));
    const log = await readFile(join(home, ".azcopy", logs.find((name) => name.endsWith(".log"))!), "utf8");
    expect(log).toContain("evil\\x0a2030");
    expect(log.split("\n").some((line) => line.startsWith("2030-01-01"))).toBe(false);
  });
});

describe.concurrent("--list-of-files as AzCopy reads it", () => {
  it("lines are relative to the source folder, which keeps its name; a missing line is skipped", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), { "f1.txt": "1", "sub/f2.txt": "2", "f3.txt": "3" });
    const list = join(home, "list.txt");
    await writeFile(list, "f1.txt\nmissing.txt\nsub/f2.txt\n");
    const byAzcp = await createContainer();
    const byAzcopy = await createContainer();
    const azcp = await runAzcp(["copy", root, byAzcp.sasUrl(), "--list-of-files", list], home);
    expect(azcp.code, azcp.all).toBe(0);
    expect(azcp.all).toMatch(/Skipping missing\.txt/);
    const azcopy = await runAzcopy(
      ["copy", root, byAzcopy.sasUrl(), "--list-of-files", list, "--from-to", "LocalBlob"],
      home,
    );
    expect(azcopy.code, azcopy.stdout).toBe(0);
    expect(await blobNames(byAzcp)).toEqual(await blobNames(byAzcopy));
    expect(await blobNames(byAzcp)).toEqual(["src/f1.txt", "src/sub/f2.txt"]);
  });

  it("a line that climbs out of the source is refused, and nothing is sent outside the container", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), { "in.txt": "in" });
    await writeFile(join(home, "outside.txt"), "secret");
    const list = join(home, "list.txt");
    await writeFile(list, "in.txt\n../outside.txt\n");
    const container = await createContainer();
    const result = await runAzcp(["copy", `${root}/*`, container.sasUrl(), "--list-of-files", list], home);
    expect(result.code, result.all).toBe(1);
    expect(result.all).toMatch(/leaves the source folder/);
    expect(await blobNames(container)).toEqual(["in.txt"]);
    const others = await createContainer();
    expect(await blobNames(others)).toEqual([]);
    expect(md5(await readFile(join(home, "outside.txt")))).toBe(md5("secret"));
  });
});

describe("sync decides on the exact modification time", () => {
  it("uploads only what changed, whatever second the first upload fell in", async () => {
    const home = await testHome();
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, `file ${i}`]));
    const root = await writeTree(join(home, "tree"), files);
    const container = await createContainer();
    const first = await runAzcp(["sync", root, container.sasUrl(), "--delete-destination", "true"], home);
    expect(first.code, first.all).toBe(0);
    const blob = await container.service
      .getContainerClient(container.name)
      .getBlobClient("f0.txt")
      .getProperties();
    expect(blob.metadata?.mtime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    await sleep(1200);
    await writeFile(join(root, "f3.txt"), "changed");
    // AzCopy's rule stays: a file made older than its copy is not sent again.
    const older = new Date("2020-01-01T00:00:00Z");
    await utimes(join(root, "f7.txt"), older, older);
    const second = await runAzcp(["sync", root, container.sasUrl(), "--delete-destination", "true"], home);
    expect(second.code, second.all).toBe(0);
    expect(second.stdout).toMatch(/Number of Copy Transfers Completed: 1\n/);
    const client = container.service.getContainerClient(container.name);
    expect((await client.getBlobClient("f3.txt").downloadToBuffer()).toString()).toBe("changed");
    const third = await runAzcp(["sync", root, container.sasUrl(), "--delete-destination", "true"], home);
    expect(third.stdout).toMatch(/Number of Copy Transfers Completed: 0\n/);
  });
});
