// One job over several machines: N azcp processes started as a Kubernetes Indexed Job starts its
// pods (JOB_COMPLETION_INDEX, workload identity from the Entra ID emulator, `--shard N`) split a
// copy, a sync with deletions and a remove, and end where one unsharded run ends.
import { randomBytes } from "node:crypto";
import { readdir, readFile, rm, utimes } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { shardOf } from "../../src/engine/shard.js";
import {
  AZCP_BIN,
  baseEnv,
  blobHashes,
  createContainer,
  hashesOf,
  parseJsonLines,
  type RunResult,
  runAzcp,
  startProcess,
  type TestContainer,
  testHome,
  writeTree,
} from "../support/harness.js";
import { workloadIdentity } from "../support/workload-identity.js";

const TRUST_LOCAL = ["--trusted-microsoft-suffixes", "127.0.0.1"];
/** Files of 4 MiB or more are shared among the shards by block (256 KiB blocks in the copy below). */
const SPLIT = { AZCP_SHARD_SPLIT_MB: "4" };

/** A few hundred files in nested folders, unicode and spaces among them, and two larger files. */
function makeTree(): Record<string, Buffer> {
  const tree: Record<string, Buffer> = {};
  for (let index = 0; index < 240; index++)
    tree[`d${index % 7}/e${index % 3}/f${index}.bin`] = randomBytes(100 + (index % 50) * 37);
  tree["naïve café/résumé 1.txt"] = Buffer.from("composed");
  tree["space folder/a b.txt"] = Buffer.from("spaces");
  tree["big/one.bin"] = randomBytes(9 * 1024 * 1024 + 3);
  tree["big/two.bin"] = randomBytes(5 * 1024 * 1024);
  return tree;
}

let tree: Record<string, Buffer>;
let identity: Record<string, string>;

beforeAll(async () => {
  tree = makeTree();
  // A pod's workload identity: a service account token federated with an app registration.
  ({ env: identity } = await workloadIdentity(
    "https://oidc.kubernetes.test/shards",
    "system:serviceaccount:jobs:azcp-shards",
  ));
});

/** Runs one job as `count` pods would, all at once; `args` without --shard. */
async function runShards(count: number, args: string[], reports: string): Promise<RunResult[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) =>
      runAzcp(
        [...args, "--shard", String(count), "--shard-report", reports, ...TRUST_LOCAL],
        await testHome(),
        {
          env: { ...identity, ...SPLIT, JOB_COMPLETION_INDEX: String(index) },
        },
      ),
    ),
  );
}

interface Merged {
  ShardCount: number;
  ShardsMissing: number[];
  ShardsFailed: number[];
  JobStatus: string;
  Totals: Record<string, string>;
}

async function mergedSummary(reports: string): Promise<{ code: number | null; merged: Merged }> {
  const result = await runAzcp(["shards", "summary", reports, "--output-type", "json"], await testHome());
  const end = parseJsonLines(result.stdout).find((message) => message.MessageType === "EndOfJob");
  return { code: result.code, merged: JSON.parse(end!.MessageContent) as Merged };
}

async function shardReports(reports: string) {
  const names = (await readdir(reports)).filter((name) => name.endsWith(".json")).sort();
  return Promise.all(
    names.map(
      async (name) =>
        JSON.parse(await readFile(join(reports, name), "utf8")) as { EndOfJob: Record<string, string> },
    ),
  );
}

function unshardedSummary(result: RunResult): Record<string, string> {
  const end = parseJsonLines(result.stdout).find((message) => message.MessageType === "EndOfJob");
  return JSON.parse(end!.MessageContent) as Record<string, string>;
}

// Up to eight azcp processes at once, on two cores shared with the other test files: a longer limit.
describe("--shard: one job over N machines", { timeout: 180_000 }, () => {
  it("N = 1, 2, 4, 8 copy disjoint, complete shares: the same blobs and the same counts as one run", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), tree);
    const single = await createContainer();
    const whole = await runAzcp(
      ["copy", root, single.url, "--recursive", "--output-type", "json", ...TRUST_LOCAL],
      home,
      {
        env: identity,
      },
    );
    expect(whole.code, whole.stderr).toBe(0);
    const expected = await blobHashes(single);
    expect(Object.keys(expected)).toHaveLength(Object.keys(tree).length);
    const wholeSummary = unshardedSummary(whole);

    for (const count of [1, 2, 4, 8]) {
      const container = await createContainer();
      const reports = join(home, `reports-${count}`);
      const results = await runShards(
        count,
        ["copy", root, container.url, "--recursive", "--block-size-mb", "0.25"],
        reports,
      );
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      expect(await blobHashes(container), `${count} shards`).toEqual(expected);
      // The two large files (14 MiB of the 15) are shared by block: every shard sends about as much.
      const sent = (await shardReports(reports)).map((report) => Number(report.EndOfJob.BytesOverWire));
      const mean = sent.reduce((a, b) => a + b, 0) / count;
      expect(Math.max(...sent) / mean, `${count} shards sent ${sent}`).toBeLessThan(1.3);
      // Disjoint: the shards' completed transfers add up to the files, none counted twice.
      const perShard = (await shardReports(reports)).map((report) =>
        Number(report.EndOfJob.TransfersCompleted),
      );
      expect(perShard).toHaveLength(count);
      expect(perShard.reduce((a, b) => a + b, 0)).toBe(Object.keys(tree).length);
      if (count >= 4) expect(Math.min(...perShard)).toBeGreaterThan(0);
      const { code, merged } = await mergedSummary(reports);
      expect(code).toBe(0);
      expect(merged).toMatchObject({
        ShardCount: count,
        ShardsMissing: [],
        ShardsFailed: [],
        JobStatus: "Completed",
      });
      for (const field of [
        "TotalTransfers",
        "TransfersCompleted",
        "TransfersFailed",
        "TotalBytesTransferred",
      ])
        expect(merged.Totals[field], field).toBe(wholeSummary[field]);
    }
  });

  it("a sharded sync with --delete-destination (N = 1, 2, 4, 8) deletes exactly what one sync deletes", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), tree);
    // Older than the blobs by far, so that only what changes below is newer than its copy.
    const anHourAgo = new Date(Date.now() - 3600_000);
    for (const name of Object.keys(tree)) await utimes(join(root, name), anHourAgo, anHourAgo);
    const counts = [1, 2, 4, 8];
    const containers = await Promise.all([0, ...counts].map(() => createContainer()));
    for (const container of containers) {
      const seeded = await runAzcp(["copy", `${root}/*`, container.sasUrl(), "--recursive"], home);
      expect(seeded.code, seeded.stderr).toBe(0);
    }
    // The source changes: files deleted, added and rewritten.
    const names = Object.keys(tree).sort();
    for (const name of names.filter((_, index) => index % 9 === 0)) await rm(join(root, name));
    await writeTree(root, { "new/added 1.txt": "added", "d1/e1/extra.bin": randomBytes(3000) });
    await writeTree(root, { [names[5]!]: randomBytes(777) });
    const deletions = names.filter((_, index) => index % 9 === 0).length;

    const [one, ...sharded] = containers;
    const sync = (url: string) => ["sync", root, url, "--delete-destination", "true"];
    const whole = await runAzcp([...sync(one!.url), "--output-type", "json", ...TRUST_LOCAL], home, {
      env: identity,
    });
    expect(whole.code, whole.stderr).toBe(0);
    expect(unshardedSummary(whole).DeleteTransfersCompleted).toBe(String(deletions));
    // The deletions, the two files added and the one rewritten.
    expect(unshardedSummary(whole).TransfersCompleted).toBe(String(deletions + 3));
    const expected = await blobHashes(one!);

    for (const [index, count] of counts.entries()) {
      const reports = join(home, `reports-${count}`);
      const results = await runShards(count, sync(sharded[index]!.url), reports);
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      expect(await blobHashes(sharded[index]!), `${count} shards`).toEqual(expected);
      const { merged } = await mergedSummary(reports);
      expect(merged.Totals.DeleteTransfersCompleted, `${count} shards`).toBe(String(deletions));
      expect(merged.Totals.TransfersCompleted, `${count} shards`).toBe(String(deletions + 3));
    }
  });

  it("a shard killed with kill -9 and run again converges; two copies of one shard at once leave a correct result", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), tree);
    const container = await createContainer();
    const reports = join(home, "reports");
    const args = [
      "copy",
      `${root}/*`,
      container.url,
      "--recursive",
      "--shard",
      "2",
      "--shard-report",
      reports,
      ...TRUST_LOCAL,
    ];
    // Slowed down (0.2 Mbit/s), so that it is still at work when it is killed.
    const home1 = await testHome();
    const killed = startProcess(
      process.execPath,
      [AZCP_BIN, ...args, "--cap-mbps", "0.2"],
      { ...baseEnv(home1), ...identity, JOB_COMPLETION_INDEX: "1" },
      home1,
    );
    // Kill it once it has written something.
    for (let tries = 0; tries < 400 && Object.keys(await blobHashes(container)).length < 5; tries++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    killed.child.kill("SIGKILL");
    await killed.exit;
    // It died mid-job: a shard's report is written only at its end.
    expect(await readdir(reports).catch(() => [])).toEqual([]);
    // Shard 0 twice at once (Kubernetes may run two pods for one index), and shard 1 again.
    const runs = await Promise.all(
      [0, 0, 1].map(async (index) =>
        runAzcp(args, await testHome(), { env: { ...identity, JOB_COMPLETION_INDEX: String(index) } }),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(await blobHashes(container)).toEqual(hashesOf(tree));
    const { code, merged } = await mergedSummary(reports);
    expect(code).toBe(0);
    expect(merged.ShardsMissing).toEqual([]);
  });

  it("the owner of a shared file commits it only once every shard staged its blocks, and a rerun sends only what is missing", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), tree);
    const container = await createContainer();
    const owner = shardOf("big/one.bin", 2);
    const run = async (index: number, extra: Record<string, string> = {}) =>
      runAzcp(
        [
          "copy",
          `${root}/*`,
          container.url,
          "--recursive",
          "--block-size-mb",
          "1",
          "--shard",
          "2",
          "--output-type",
          "json",
          ...TRUST_LOCAL,
        ],
        await testHome(),
        { env: { ...identity, ...SPLIT, JOB_COMPLETION_INDEX: String(index), ...extra } },
      );
    // The owner alone: the other shard's blocks never come, so the file fails and is not there.
    const alone = await run(owner, { AZCP_SHARD_WAIT_SECONDS: "1" });
    expect(alone.code).toBe(1);
    expect(alone.all).toMatch(
      /big\/one\.bin: \d+ of its blocks, which the other shards upload, were not there after 1 s/,
    );
    expect(Object.keys(await blobHashes(container))).not.toContain("big/one.bin");
    // The other shard stages its blocks (and commits what it owns), then the owner runs again.
    expect((await run(1 - owner)).code).toBe(0);
    const again = await run(owner);
    expect(again.code, again.stderr).toBe(0);
    expect(await blobHashes(container)).toEqual(hashesOf(tree));
    // Its own blocks were already staged: it sent far less than its half of the 9 MiB file.
    expect(Number(unshardedSummary(again).BytesOverWire)).toBeLessThan(2 * 1024 * 1024);
  });

  it("a file that fits one request is copied by its owner alone, whatever the split size", async () => {
    const home = await testHome();
    const files = Object.fromEntries(
      Array.from({ length: 20 }, (_, index) => [`f${index}.bin`, randomBytes(4096)]),
    );
    const root = await writeTree(join(home, "src"), files);
    const container = await createContainer();
    const reports = join(home, "reports");
    const results = await Promise.all(
      [0, 1].map(async (index) =>
        runAzcp(
          ["copy", `${root}/*`, container.url, "--shard", "2", "--shard-report", reports, ...TRUST_LOCAL],
          await testHome(),
          { env: { ...identity, AZCP_SHARD_SPLIT_MB: "0.001", JOB_COMPLETION_INDEX: String(index) } },
        ),
      ),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(await blobHashes(container)).toEqual(hashesOf(files));
    // Each file went up once: the shards together sent its bytes once, not twice.
    const sent = (await shardReports(reports)).reduce(
      (sum, report) => sum + Number(report.EndOfJob.BytesOverWire),
      0,
    );
    expect(sent).toBeLessThan(1.5 * 20 * 4096);
  });

  it("a copy between containers shares its large blobs by block too", async () => {
    const source = await createContainer();
    const big = {
      "big/one.bin": tree["big/one.bin"]!,
      "big/two.bin": tree["big/two.bin"]!,
      "small.txt": Buffer.from("s"),
    };
    for (const [name, data] of Object.entries(big)) await source.upload(name, data);
    const destination = await createContainer();
    const owner = shardOf("big/one.bin", 2);
    const run = async (index: number, extra: Record<string, string> = {}) =>
      runAzcp(
        [
          "copy",
          source.sasUrl(),
          destination.sasUrl(),
          "--recursive",
          "--as-subdir=false",
          "--block-size-mb",
          "1",
          "--shard",
          "2",
        ],
        await testHome(),
        { env: { ...SPLIT, JOB_COMPLETION_INDEX: String(index), ...extra } },
      );
    const alone = await run(owner, { AZCP_SHARD_WAIT_SECONDS: "1" });
    expect(alone.code).toBe(1);
    expect(alone.all).toMatch(
      /big\/one\.bin: \d+ of its blocks, which the other shards upload, were not there/,
    );
    expect((await run(1 - owner)).code).toBe(0);
    expect((await run(owner)).code).toBe(0);
    expect(await blobHashes(destination)).toEqual(hashesOf(big));
  });

  it("a sharded remove leaves nothing; reports kept in a container merge, and a missing one fails the merge by name", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), tree);
    const container: TestContainer = await createContainer();
    expect((await runAzcp(["copy", `${root}/*`, container.sasUrl(), "--recursive"], home)).code).toBe(0);
    // The reports go where no pod's disk is needed: a directory of a container, signed in as the shards are.
    const kept = await createContainer();
    const reports = `${kept.url}/job-7`;
    const results = await runShards(3, ["remove", container.url, "--recursive"], reports);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(await blobHashes(container)).toEqual({});
    const names = Object.keys(await blobHashes(kept)).sort();
    expect(names).toEqual([0, 1, 2].map((index) => `job-7/shard-0000${index}-of-00003.json`));

    const summarize = async () =>
      runAzcp(["shards", "summary", reports, ...TRUST_LOCAL], home, { env: identity });
    const whole = await summarize();
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(/Final Job Status: Completed/);
    await kept.service.getContainerClient(kept.name).deleteBlob(names[1]!);
    const missing = await summarize();
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/Missing shards: 1\b/);
    expect(missing.stdout).toMatch(/Final Job Status: Failed/);
  });

  it("under --shard, a failure running again cannot mend exits 3 (the manifest fails the index on it)", async () => {
    const home = await testHome();
    const container = await createContainer();
    const sharded = await runAzcp(
      ["copy", join(home, "missing"), container.sasUrl(), "--shard", "0/2"],
      home,
    );
    expect(sharded.code).toBe(3);
    const plain = await runAzcp(["copy", join(home, "missing"), container.sasUrl()], home);
    expect(plain.code).toBe(1);
    const badShard = await runAzcp(["copy", home, container.sasUrl(), "--recursive", "--shard", "4"], home);
    expect(badShard.code).toBe(3);
    expect(badShard.stderr).toMatch(/JOB_COMPLETION_INDEX is not set/);
  });
});
