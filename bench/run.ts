// `npm run bench`: azcp against the real AzCopy, rclone, a plain SDK script and curl (the
// ceiling), on the same Azurite (in memory, HTTP + SAS so that every tool can run), runs
// alternating between tools, medians of RUNS after a warm-up. Prints a table and writes
// bench/RESULTS.md. Wall seconds, MB/s or files/s, client CPU (user+sys) and peak RSS.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BlobServiceClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { azcopyPath } from "../test/support/azcopy.js";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY, type RunningAzurite, startAzurite } from "../test/support/azurite.js";
import { startSyntheticBlobServer, syntheticName } from "../test/support/synthetic-blob-server.js";
import { s3ToBlobRows } from "./s3-to-blob.js";
import { type ScaleSample, scaleChart, scaleTable } from "./scale-report.js";
import { type ShardScalingResult, shardScaling } from "./shard-scaling.js";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const work = join(root, "bench", ".work");
const RUNS = Number(process.env.RUNS ?? 3);
const ONLY = process.env.ONLY?.split(",");
const SMALL_COUNT = Number(process.env.SMALL_COUNT ?? 5000);
const BIG_MIB = Number(process.env.BIG_MIB ?? 1024);
/** Object counts of the scale rows (SCALE=100000,1000000,10000000 adds ten million). */
const SCALE = (process.env.SCALE ?? "100000,1000000").split(",").map(Number);

/** Operations of the scale rows, over a synthetic container of N objects (nothing is transferred). */
const SCALE_OPERATIONS: {
  id: string;
  title: string;
  commands: Record<"azcp" | "azcopy", (url: string, scratch: string) => string>;
}[] = [
  {
    id: "list",
    title: "list --running-tally",
    commands: {
      azcp: (u) => `${azcpEnv} ${azcpBin} list ${q(u)} --running-tally --machine-readable`,
      azcopy: (u) => `${azcopyEnv} ${azcopy} list ${q(u)} --running-tally --machine-readable --location Blob`,
    },
  },
  {
    id: "copy",
    title: "copy --recursive --dry-run (to local)",
    commands: {
      azcp: (u, s) => `${azcpEnv} ${azcpBin} copy ${q(u)} ${s}/down --recursive --dry-run`,
      azcopy: (u, s) =>
        `${azcopyEnv} ${azcopy} copy ${q(u)} ${s}/down --recursive --dry-run --from-to BlobLocal`,
    },
  },
  {
    id: "sync-empty",
    title: "sync --dry-run (to an empty folder: N copies)",
    commands: {
      azcp: (u, s) => `${azcpEnv} ${azcpBin} sync ${q(u)} ${s} --dry-run`,
      azcopy: (u, s) => `${azcopyEnv} ${azcopy} sync ${q(u)} ${s} --dry-run --from-to BlobLocal`,
    },
  },
  {
    id: "sync-delete",
    title: "sync --dry-run --delete-destination true (from an empty folder: N deletions)",
    commands: {
      azcp: (u, s) => `${azcpEnv} ${azcpBin} sync ${s} ${q(u)} --dry-run --delete-destination true`,
      azcopy: (u, s) =>
        `${azcopyEnv} ${azcopy} sync ${s} ${q(u)} --dry-run --delete-destination true --from-to LocalBlob`,
    },
  },
  {
    id: "list-of-files",
    title: "copy --list-of-files (N lines) --dry-run",
    commands: {
      azcp: (u, s) => `${azcpEnv} ${azcpBin} copy ${q(u)} ${s}/down --list-of-files ${scaleList} --dry-run`,
      azcopy: (u, s) =>
        `${azcopyEnv} ${azcopy} copy ${q(u)} ${s}/down --list-of-files ${scaleList} --dry-run --from-to BlobLocal`,
    },
  },
  {
    id: "remove",
    title: "remove --recursive --dry-run",
    commands: {
      azcp: (u) => `${azcpEnv} ${azcpBin} remove ${q(u)} --recursive --dry-run`,
      azcopy: (u) => `${azcopyEnv} ${azcopy} remove ${q(u)} --recursive --dry-run --from-to BlobTrash`,
    },
  },
];

/** The --list-of-files of the scale rows: every synthetic object's name, one per line. */
const scaleList = join(work, "scale-list.txt");

function writeListOfFiles(count: number): void {
  const fd = openSync(scaleList, "w");
  for (let start = 0; start < count; start += 100_000) {
    const lines: string[] = [];
    for (let index = start; index < Math.min(count, start + 100_000); index++)
      lines.push(syntheticName(index));
    writeSync(fd, `${lines.join("\n")}\n`);
  }
  closeSync(fd);
}

async function scaleRows(): Promise<ScaleSample[]> {
  const samples: ScaleSample[] = [];
  for (const count of SCALE) {
    const { url: base, server } = await startSyntheticBlobServer(count);
    const source = `${base}?sv=2025-01-05&sig=synthetic`;
    writeListOfFiles(count);
    process.stderr.write(`\n${count} synthetic objects\n`);
    for (const operation of SCALE_OPERATIONS) {
      // Runs of a couple of seconds are within noise of each other: take medians there.
      const runs = count <= 100_000 && operation.id !== "list-of-files" ? RUNS : 1;
      const runsOf: Record<"azcp" | "azcopy", Sample[]> = { azcp: [], azcopy: [] };
      for (let run = 0; run < runs; run++) {
        for (const tool of run % 2 === 0 ? (["azcp", "azcopy"] as const) : (["azcopy", "azcp"] as const)) {
          const scratch = join(work, "out", `scale-${tool}`);
          rmSync(scratch, { recursive: true, force: true });
          mkdirSync(scratch, { recursive: true });
          const sample = await measure(operation.commands[tool](source, scratch));
          process.stderr.write(
            `  ${operation.id} ${tool}: ${sample.wall.toFixed(2)} s, cpu ${sample.cpu.toFixed(2)} s, ${sample.rssMb.toFixed(0)} MB${sample.ok ? "" : " FAILED"}\n`,
          );
          runsOf[tool].push(sample);
        }
      }
      for (const tool of ["azcp", "azcopy"] as const) {
        const of = runsOf[tool];
        samples.push({
          operation: operation.title,
          tool,
          count,
          wall: median(of.map((s) => s.wall)),
          cpu: median(of.map((s) => s.cpu)),
          rssMb: median(of.map((s) => s.rssMb)),
          ok: of.every((s) => s.ok),
        });
      }
    }
    server.close();
  }
  return samples;
}

type Tool = "azcp" | "azcopy" | "rclone" | "sdk" | "curl";
interface Sample {
  wall: number;
  cpu: number;
  rssMb: number;
  ok: boolean;
  /** Bytes the run added to the tool's job plan folder (azcp and AzCopy). */
  planBytes?: number;
}
interface Workload {
  id: string;
  title: string;
  unit: "MB/s" | "files/s" | "s";
  amount: number;
  /** Fresh Azurite for every run (uploads), or one seeded Azurite for all (downloads). */
  freshServer: boolean;
  seed?: (server: Server) => Promise<void>;
  commands: Partial<Record<Tool, (server: Server, container: string, scratch: string) => string>>;
}

interface Server {
  azurite: RunningAzurite;
  endpoint: string;
  service: BlobServiceClient;
  credential: StorageSharedKeyCredential;
  sasFor(container: string): string;
}

const fifo = join(work, "stdin.fifo");
const azcpBin = join(root, "bin", "azcp.js");
const azcopy = azcopyPath();
const hasRclone = (() => {
  try {
    execFileSync("rclone", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function q(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

async function startServer(): Promise<Server> {
  const azurite = await startAzurite({});
  const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY);
  const service = new BlobServiceClient(azurite.blobEndpoint, credential);
  return {
    azurite,
    endpoint: azurite.blobEndpoint,
    service,
    credential,
    sasFor: (container) =>
      generateBlobSASQueryParameters(
        {
          containerName: container,
          permissions: ContainerSASPermissions.parse("racwdl"),
          expiresOn: new Date(Date.now() + 86_400_000),
        },
        credential,
      ).toString(),
  };
}

function url(server: Server, container: string, path = ""): string {
  return `${server.endpoint}/${container}${path ? `/${path}` : ""}?${server.sasFor(container)}`;
}

/** rclone reaches a path-style (emulator) endpoint only through a container SAS URL. */
function rcloneEnv(server: Server, container: string): string {
  return `RCLONE_CONFIG_AZ_TYPE=azureblob RCLONE_CONFIG_AZ_SAS_URL=${q(url(server, container))}`;
}

const bigFile = join(work, "big.bin");
const smallDir = join(work, "small");
const oneFile = join(work, "one.bin");
const azcopyEnv = `AZCOPY_LOG_LOCATION=${work}/azcopy-logs AZCOPY_JOB_PLAN_LOCATION=${work}/azcopy-plans`;
const azcpEnv = `AZCOPY_LOG_LOCATION=${work}/azcp-logs AZCOPY_JOB_PLAN_LOCATION=${work}/azcp-plans`;

function curlSmallConfig(server: Server, container: string, download: boolean): string {
  const file = join(work, `curl-${download ? "down" : "up"}.cfg`);
  const sas = server.sasFor(container);
  const lines: string[] = [];
  for (let i = 0; i < SMALL_COUNT; i++) {
    const name = `f${String(i).padStart(5, "0")}`;
    if (download)
      lines.push(`url = "${server.endpoint}/${container}/small/${name}?${sas}"`, 'output = "/dev/null"');
    else
      lines.push(
        `upload-file = "${join(smallDir, name)}"`,
        `url = "${server.endpoint}/${container}/small/${name}?${sas}"`,
      );
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

async function seedBigFile(server: Server): Promise<void> {
  const container = server.service.getContainerClient("seed");
  await container.createIfNotExists();
  await container
    .getBlockBlobClient("big.bin")
    .uploadFile(bigFile, { blockSize: 8 * 1024 * 1024, concurrency: 8 });
}

const BIG = BIG_MIB === 1024 ? "1 GiB" : `${BIG_MIB} MiB`;
const bigDownload: Pick<Workload, "unit" | "amount" | "freshServer" | "seed"> = {
  unit: "MB/s",
  amount: BIG_MIB * 1.048576,
  freshServer: false,
  seed: seedBigFile,
};

function azcpBigDownload(server: Server, out: string): string {
  return `${azcpEnv} ${azcpBin} copy ${q(url(server, "seed", "big.bin"))} ${out}/big.bin --output-level quiet`;
}

async function seedSmallFiles(server: Server): Promise<void> {
  const container = server.service.getContainerClient("seed");
  await container.createIfNotExists();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < SMALL_COUNT) {
        const name = `f${String(next++).padStart(5, "0")}`;
        await container.getBlockBlobClient(`small/${name}`).uploadFile(join(smallDir, name));
      }
    }),
  );
}

const WORKLOADS: Workload[] = [
  {
    id: "big-up",
    title: `${BIG} up`,
    unit: "MB/s",
    amount: BIG_MIB * 1.048576,
    freshServer: true,
    commands: {
      azcp: (s, c) => `${azcpEnv} ${azcpBin} copy ${bigFile} ${q(url(s, c, "big.bin"))} --output-level quiet`,
      azcopy: (s, c) =>
        `${azcopyEnv} ${azcopy} copy ${bigFile} ${q(url(s, c, "big.bin"))} --from-to LocalBlob --output-level quiet`,
      rclone: (s, c) => `${rcloneEnv(s, c)} rclone copyto ${bigFile} az:${c}/big.bin`,
      sdk: (s, c) => `node ${join(root, "bench", "sdk-baseline.mjs")} up-file ${q(url(s, c))} ${bigFile}`,
      curl: (s, c) =>
        `curl -s -f -X PUT -H 'x-ms-blob-type: BlockBlob' -T ${bigFile} ${q(url(s, c, "big.bin"))}`,
    },
  },
  {
    id: "big-down",
    // curl writing the file is the ceiling the issue measures against; only azcp flushes it.
    title: `${BIG} down (to disk)`,
    ...bigDownload,
    commands: {
      azcp: (s, _c, out) => azcpBigDownload(s, out),
      azcopy: (s, _c, out) =>
        `${azcopyEnv} ${azcopy} copy ${q(url(s, "seed", "big.bin"))} ${out}/big.bin --from-to BlobLocal --output-level quiet`,
      rclone: (s, _c, out) => `${rcloneEnv(s, "seed")} rclone copyto az:seed/big.bin ${out}/big.bin`,
      sdk: (s, _c, out) =>
        `node ${join(root, "bench", "sdk-baseline.mjs")} down-file ${q(url(s, "seed"))} ${out}/big.bin`,
      curl: (s, _c, out) => `curl -s -f -o ${out}/big.bin ${q(url(s, "seed", "big.bin"))}`,
    },
  },
  {
    // The same download as the others make it: not flushed to disk before the rename.
    id: "big-down-nofsync",
    title: `${BIG} down, azcp without fsync`,
    ...bigDownload,
    commands: { azcp: (s, _c, out) => `AZCP_DOWNLOAD_FSYNC=false ${azcpBigDownload(s, out)}` },
  },
  {
    id: "small-up",
    title: `${SMALL_COUNT} × 16 KiB up`,
    unit: "files/s",
    amount: SMALL_COUNT,
    freshServer: true,
    commands: {
      azcp: (s, c) =>
        `${azcpEnv} ${azcpBin} copy ${smallDir} ${q(url(s, c))} --recursive --output-level quiet`,
      azcopy: (s, c) =>
        `${azcopyEnv} ${azcopy} copy ${smallDir} ${q(url(s, c))} --recursive --from-to LocalBlob --output-level quiet`,
      rclone: (s, c) =>
        `${rcloneEnv(s, c)} rclone copy ${smallDir} az:${c}/small --transfers 32 --checkers 32`,
      sdk: (s, c) => `node ${join(root, "bench", "sdk-baseline.mjs")} up-dir ${q(url(s, c))} ${smallDir}`,
      curl: (s, c) =>
        `curl -s -f --parallel --parallel-max 32 -X PUT -H 'x-ms-blob-type: BlockBlob' -K ${curlSmallConfig(s, c, false)}`,
    },
  },
  {
    id: "small-down",
    title: `${SMALL_COUNT} × 16 KiB down`,
    unit: "files/s",
    amount: SMALL_COUNT,
    freshServer: false,
    seed: seedSmallFiles,
    commands: {
      azcp: (s, _c, out) =>
        `${azcpEnv} ${azcpBin} copy ${q(url(s, "seed", "small"))} ${out} --recursive --output-level quiet`,
      azcopy: (s, _c, out) =>
        `${azcopyEnv} ${azcopy} copy ${q(url(s, "seed", "small"))} ${out} --recursive --from-to BlobLocal --output-level quiet`,
      rclone: (s, _c, out) =>
        `${rcloneEnv(s, "seed")} rclone copy az:seed/small ${out}/small --transfers 32 --checkers 32`,
      sdk: (s, _c, out) =>
        `mkdir -p ${out} && node ${join(root, "bench", "sdk-baseline.mjs")} down-dir ${q(url(s, "seed"))} ${out}`,
      curl: (s) => `curl -s -f --parallel --parallel-max 32 -K ${curlSmallConfig(s, "seed", true)}`,
    },
  },
  {
    // What flushing each file to disk before its rename costs (azcp's default; AzCopy does not).
    id: "small-down-nofsync",
    title: `${SMALL_COUNT} × 16 KiB down, azcp without fsync`,
    unit: "files/s",
    amount: SMALL_COUNT,
    freshServer: false,
    seed: seedSmallFiles,
    commands: {
      azcp: (s, _c, out) =>
        `AZCP_DOWNLOAD_FSYNC=false ${azcpEnv} ${azcpBin} copy ${q(url(s, "seed", "small"))} ${out} --recursive --output-level quiet`,
    },
  },
  {
    id: "one-up",
    title: "1 KiB up (per-command floor)",
    unit: "s",
    amount: 1,
    freshServer: false,
    seed: async (server) => {
      await server.service.getContainerClient("seed").createIfNotExists();
    },
    commands: {
      azcp: (s) =>
        `${azcpEnv} ${azcpBin} copy ${oneFile} ${q(url(s, "seed", `one-${Date.now()}.bin`))} --output-level quiet`,
      azcopy: (s) =>
        `${azcopyEnv} ${azcopy} copy ${oneFile} ${q(url(s, "seed", `one-${Date.now()}.bin`))} --from-to LocalBlob --output-level quiet`,
      rclone: (s) => `${rcloneEnv(s, "seed")} rclone copyto ${oneFile} az:seed/one-${Date.now()}.bin`,
      sdk: (s) => `node ${join(root, "bench", "sdk-baseline.mjs")} up-file ${q(url(s, "seed"))} ${oneFile}`,
      curl: (s) =>
        `curl -s -f -X PUT -H 'x-ms-blob-type: BlockBlob' -T ${oneFile} ${q(url(s, "seed", `one-${Date.now()}.bin`))}`,
    },
  },
];

function measure(command: string): Promise<Sample> {
  const timeFile = join(work, "time.out");
  rmSync(timeFile, { force: true });
  return new Promise((resolve) => {
    // Every tool gets the same stdin: a FIFO opened read-write, which never reaches its end
    // (AzCopy spins a core when its stdin is at end-of-file).
    const child = spawn(
      "bash",
      [
        "-c",
        `/usr/bin/time -f '%e %U %S %M' -o ${timeFile} bash -c ${q(command)} 0<>${fifo} >/dev/null 2>${work}/stderr.txt`,
      ],
      {
        stdio: "ignore",
      },
    );
    child.on("close", (code) => {
      const [wall, user, sys, rss] = readFileSync(timeFile, "utf8")
        .trim()
        .split("\n")
        .at(-1)!
        .split(" ")
        .map(Number);
      resolve({ wall: wall!, cpu: user! + sys!, rssMb: rss! / 1024, ok: code === 0 });
    });
  });
}

/** Where azcp and AzCopy keep their job plans in these runs. */
const PLAN_FOLDERS: Partial<Record<Tool, string>> = {
  azcp: join(work, "azcp-plans"),
  azcopy: join(work, "azcopy-plans"),
};

function folderBytes(folder: string): number {
  if (!existsSync(folder)) return 0;
  return readdirSync(folder).reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function prepareFiles(): Promise<void> {
  mkdirSync(work, { recursive: true });
  if (!existsSync(fifo)) execFileSync("mkfifo", [fifo]);
  chmodSync(azcopy, 0o755);
  if (!existsSync(bigFile) || statSync(bigFile).size !== BIG_MIB * 1024 * 1024) {
    process.stderr.write(`writing a ${BIG_MIB} MiB test file...\n`);
    execFileSync("bash", ["-c", `head -c ${BIG_MIB * 1024 * 1024} /dev/urandom > ${bigFile}`]);
  }
  if (!existsSync(join(smallDir, `f${String(SMALL_COUNT - 1).padStart(5, "0")}`))) {
    rmSync(smallDir, { recursive: true, force: true });
    mkdirSync(smallDir, { recursive: true });
    for (let i = 0; i < SMALL_COUNT; i++)
      writeFileSync(join(smallDir, `f${String(i).padStart(5, "0")}`), randomBytes(16 * 1024));
  }
  writeFileSync(oneFile, randomBytes(1024));
}

async function main() {
  await prepareFiles();
  const scale = !ONLY || ONLY.includes("scale") ? await scaleRows() : [];
  const sharding = !ONLY || ONLY.includes("shards") ? await shardScaling(azcpBin, work, RUNS) : undefined;
  const s3Rows = !ONLY || ONLY.includes("s3") ? await s3ToBlobRows(azcpBin, work, RUNS, measure) : [];
  const tools: Tool[] = ["azcp", "azcopy", ...(hasRclone ? (["rclone"] as Tool[]) : []), "sdk", "curl"];
  const results: Record<string, Partial<Record<Tool, Sample[]>>> = {};
  for (const workload of WORKLOADS) {
    if (ONLY && !ONLY.includes(workload.id)) continue;
    process.stderr.write(`\n${workload.title}\n`);
    results[workload.id] = {};
    let shared: Server | undefined;
    if (!workload.freshServer) {
      shared = await startServer();
      await workload.seed?.(shared);
    }
    for (let run = 0; run <= RUNS; run++) {
      // Alternate the order so no tool always runs first or last.
      const order = run % 2 === 0 ? tools : [...tools].reverse();
      for (const tool of order) {
        const command = workload.commands[tool];
        if (!command) continue;
        const server = shared ?? (await startServer());
        const container = `b${run}${tool}${Date.now()}`;
        if (workload.freshServer) await server.service.getContainerClient(container).create();
        const scratch = join(work, "out", `${tool}-${run}`);
        rmSync(scratch, { recursive: true, force: true });
        mkdirSync(scratch, { recursive: true });
        const plans = PLAN_FOLDERS[tool];
        const plansBefore = plans ? folderBytes(plans) : 0;
        const sample = await measure(command(server, container, scratch));
        if (plans) sample.planBytes = folderBytes(plans) - plansBefore;
        rmSync(scratch, { recursive: true, force: true });
        if (!shared) await server.azurite.stop();
        process.stderr.write(
          `  ${run === 0 ? "warm-up" : `run ${run}`} ${tool}: ${sample.wall.toFixed(2)} s, cpu ${sample.cpu.toFixed(2)} s, ${sample.rssMb.toFixed(0)} MB${sample.ok ? "" : " FAILED"}\n`,
        );
        if (run > 0) {
          const samples = results[workload.id]!;
          samples[tool] ??= [];
          samples[tool].push(sample);
        }
      }
    }
    await shared?.azurite.stop();
  }
  writeReport(tools, results, scale, sharding, s3Rows);
}

function writeReport(
  tools: Tool[],
  results: Record<string, Partial<Record<Tool, Sample[]>>>,
  scale: ScaleSample[],
  sharding: ShardScalingResult | undefined,
  s3Rows: string[],
) {
  const version = (command: string) => {
    try {
      return execFileSync("bash", ["-c", command], { encoding: "utf8" }).trim().split("\n")[0];
    } catch {
      return "n/a";
    }
  };
  const lines: string[] = [];
  lines.push("# Benchmark results", "");
  lines.push(
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; node ${process.version}; ` +
      `azcp ${JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version}; ${version(`${azcopy} --version`)}; ${hasRclone ? version("rclone version") : "rclone not installed"}; ${version("curl --version")}; Azurite 3.35.0 in memory over HTTP with SAS.`,
    "",
    `Medians of ${RUNS} runs after one warm-up, tools alternating; a fresh Azurite for every upload run, one seeded Azurite per download workload. Client CPU is user + sys of the tool's process tree; RSS is the peak of its largest process. Every tool's stdin is a FIFO opened read-write (AzCopy's fastest case). \`npm run bench\` reproduces it.`,
    "",
    "| workload | tool | wall s | rate | client CPU s | peak RSS MB | azcp ÷ tool (wall) |",
    "|---|---|---|---|---|---|---|",
  );
  for (const workload of WORKLOADS) {
    const byTool = results[workload.id];
    if (!byTool) continue;
    const azcpWall = byTool.azcp ? median(byTool.azcp.map((s) => s.wall)) : undefined;
    for (const tool of tools) {
      const samples = byTool[tool];
      if (!samples?.length) continue;
      const wall = median(samples.map((s) => s.wall));
      const rate =
        workload.unit === "s"
          ? ""
          : `${(workload.amount / wall).toFixed(workload.unit === "MB/s" ? 0 : 0)} ${workload.unit}`;
      const ratio = azcpWall && tool !== "azcp" && wall > 0 ? (azcpWall / wall).toFixed(2) : "";
      const failed = samples.some((s) => !s.ok) ? " (some runs FAILED)" : "";
      lines.push(
        `| ${workload.title} | ${tool}${failed} | ${wall.toFixed(2)} | ${rate} | ${median(samples.map((s) => s.cpu)).toFixed(2)} | ${median(samples.map((s) => s.rssMb)).toFixed(0)} | ${ratio} |`,
      );
    }
  }
  lines.push(...planTable(tools, results));
  lines.push(...s3Rows);
  if (scale.length > 0) lines.push("", ...scaleTable(scale));
  if (sharding) {
    lines.push(...sharding.lines);
    if (sharding.chart) lines.push("", "![Aggregate throughput against shards](shards.svg)");
  }
  const report = `${lines.join("\n")}\n`;
  process.stdout.write(`\n${report}`);
  if (!ONLY) {
    writeFileSync(join(root, "bench", "RESULTS.md"), report);
    if (scale.length > 0) writeFileSync(join(root, "bench", "scale.svg"), scaleChart(scale));
    if (sharding?.chart) writeFileSync(join(root, "bench", "shards.svg"), sharding.chart);
  }
}

/** Job plan bytes per file, for the workloads of many files: what resuming a job costs on disk. */
function planTable(tools: Tool[], results: Record<string, Partial<Record<Tool, Sample[]>>>): string[] {
  const rows: string[] = [];
  for (const workload of WORKLOADS) {
    if (workload.unit !== "files/s") continue;
    for (const tool of tools) {
      const samples = results[workload.id]?.[tool]?.filter((s) => s.planBytes !== undefined);
      if (!samples?.length) continue;
      const bytes = median(samples.map((s) => s.planBytes!));
      rows.push(
        `| ${workload.title} | ${tool} | ${bytes.toLocaleString("en-US")} | ${(bytes / workload.amount).toFixed(0)} |`,
      );
    }
  }
  if (rows.length === 0) return [];
  return [
    "",
    "Job plan files (what a resumed job reads back), bytes added to the plan folder by one run:",
    "",
    "| workload | tool | plan bytes | bytes per file |",
    "|---|---|---|---|",
    ...rows,
  ];
}

await main();
process.exit(0);
