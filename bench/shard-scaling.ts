// The sharding rows of `npm run bench`. Each shard runs as its own "machine": a network namespace
// whose link to the host (where Azurite listens) is capped by tc, as a VM's NIC caps it in Azure,
// so that N shards can send about N times what one sends until the server's own ceiling.
// A second row measures balance: one large file among many small ones over four shards.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY, startAzurite } from "../test/support/azurite.js";

/** The link of each shard's namespace, in Mbit/s (well under what Azurite takes here). */
const LINK_MBIT = 200;
const FILES = 96;
const FILE_MIB = 4;

export interface ShardScalingResult {
  lines: string[];
  chart: string | undefined;
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: "ignore" });
}

/** Whether this machine can make network namespaces (root, iproute2 and tc). */
export function canIsolate(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  try {
    run("ip", ["netns", "add", "azcp-probe"]);
    run("ip", ["netns", "del", "azcp-probe"]);
    execFileSync("tc", ["-V"], { stdio: "ignore" });
  } catch {
    return "no ip netns or tc";
  }
  return undefined;
}

/** Namespace k reaches the host at 10.77.k.1 over a veth pair capped at LINK_MBIT both ways. */
function makeMachine(index: number): { name: string; hostAddress: string; remove: () => void } {
  const name = `azcp-shard${index}`;
  const host = `azh${index}`;
  const inside = `azn${index}`;
  const hostAddress = `10.77.${index}.1`;
  try {
    run("ip", ["netns", "del", name]);
  } catch {
    // Not there from an earlier run.
  }
  run("ip", ["netns", "add", name]);
  run("ip", ["link", "add", host, "type", "veth", "peer", "name", inside]);
  run("ip", ["link", "set", inside, "netns", name]);
  run("ip", ["addr", "add", `${hostAddress}/24`, "dev", host]);
  run("ip", ["link", "set", host, "up"]);
  run("ip", ["netns", "exec", name, "ip", "addr", "add", `10.77.${index}.2/24`, "dev", inside]);
  run("ip", ["netns", "exec", name, "ip", "link", "set", inside, "up"]);
  run("ip", ["netns", "exec", name, "ip", "link", "set", "lo", "up"]);
  const shape = ["root", "tbf", "rate", `${LINK_MBIT}mbit`, "burst", "256kb", "latency", "50ms"];
  run("tc", ["qdisc", "add", "dev", host, ...shape]);
  run("ip", ["netns", "exec", name, "tc", "qdisc", "add", "dev", inside, ...shape]);
  return {
    name,
    hostAddress,
    remove: () => {
      try {
        run("ip", ["link", "del", host]);
      } catch {
        // Gone with the namespace.
      }
      run("ip", ["netns", "del", name]);
    },
  };
}

interface ShardRun {
  wall: number;
  bytesSent: number;
  ok: boolean;
}

/** Runs `count` shards at once, shard k in namespace k; the wall time is the slowest's. */
async function runShards(
  count: number,
  machines: { name: string; hostAddress: string }[],
  azcpBin: string,
  work: string,
  args: (hostAddress: string) => string[],
): Promise<{ wall: number; shards: ShardRun[] }> {
  const reports = join(work, `shard-reports-${count}-${Date.now()}`);
  const started = performance.now();
  const shards = await Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<ShardRun>((resolve) => {
          const machine = machines[index]!;
          const child = spawn(
            "ip",
            [
              "netns",
              "exec",
              machine.name,
              azcpBin,
              ...args(machine.hostAddress),
              "--shard",
              `${index}/${count}`,
              "--shard-report",
              reports,
              "--output-level",
              "quiet",
            ],
            {
              stdio: "ignore",
              env: {
                ...process.env,
                AZCOPY_LOG_LOCATION: join(work, "azcp-logs"),
                AZCOPY_JOB_PLAN_LOCATION: join(work, "azcp-plans"),
              },
            },
          );
          child.once("exit", (code) =>
            resolve({ wall: (performance.now() - started) / 1000, bytesSent: 0, ok: code === 0 }),
          );
        }),
    ),
  );
  const wall = (performance.now() - started) / 1000;
  for (const name of existsSync(reports) ? readdirSync(reports) : []) {
    const report = JSON.parse(readFileSync(join(reports, name), "utf8")) as {
      ShardIndex: number;
      EndOfJob: { BytesOverWire: string };
    };
    shards[report.ShardIndex]!.bytesSent = Number(report.EndOfJob.BytesOverWire);
  }
  rmSync(reports, { recursive: true, force: true });
  return { wall, shards };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function shardScaling(
  azcpBin: string,
  work: string,
  repeats: number,
): Promise<ShardScalingResult> {
  const missing = canIsolate();
  if (missing)
    return {
      lines: ["", `Sharding rows skipped: network namespaces need root, ip and tc (${missing}).`],
      chart: undefined,
    };
  const tree = join(work, "shard-tree");
  if (!existsSync(join(tree, `f${FILES - 1}.bin`))) {
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(tree, { recursive: true });
    for (let index = 0; index < FILES; index++)
      writeFileSync(join(tree, `f${index}.bin`), randomBytes(FILE_MIB * 1024 * 1024));
  }
  const skewed = join(work, "shard-skewed");
  if (!existsSync(join(skewed, "small", "s1999.bin"))) {
    rmSync(skewed, { recursive: true, force: true });
    mkdirSync(join(skewed, "small"), { recursive: true });
    for (let index = 0; index < 2000; index++)
      writeFileSync(join(skewed, "small", `s${index}.bin`), randomBytes(16 * 1024));
    execFileSync("bash", ["-c", `head -c ${1024 * 1024 * 1024} /dev/urandom > ${join(skewed, "large.bin")}`]);
  }
  const azurite = await startAzurite({ host: "0.0.0.0" });
  const port = new URL(azurite.origin).port;
  const service = new BlobServiceClient(
    `http://127.0.0.1:${port}/${DEV_ACCOUNT}`,
    new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY),
  );
  const machines = [0, 1, 2, 3].map(makeMachine);
  const lines: string[] = [];
  const points: { count: number; rate: number }[] = [];
  try {
    const sas = accountSas();
    const totalMb = (FILES * FILE_MIB * 1024 * 1024) / 1e6;
    let single = 0;
    lines.push(
      "",
      `### One job over N machines (\`--shard\`)`,
      "",
      `Each shard runs in its own network namespace whose link to the host is capped at ${LINK_MBIT} Mbit/s by tc (a VM's NIC in Azure is the same kind of limit); Azurite listens on the host. The job uploads ${FILES} files of ${FILE_MIB} MiB. Medians of ${repeats} runs; the wall time is the slowest shard's.`,
      "",
      "| shards | wall s | aggregate MB/s | ÷ (N × one shard) |",
      "|---|---|---|---|",
    );
    for (const count of [1, 2, 4]) {
      const walls: number[] = [];
      for (let repeat = 0; repeat < repeats; repeat++) {
        const container = `shards${count}r${repeat}${Date.now()}`;
        await service.getContainerClient(container).create();
        const result = await runShards(count, machines, azcpBin, work, (address) => [
          "copy",
          `${tree}/*`,
          `http://${address}:${port}/${DEV_ACCOUNT}/${container}?${sas}`,
        ]);
        if (result.shards.some((shard) => !shard.ok)) throw new Error(`a shard of ${count} failed`);
        walls.push(result.wall);
        process.stderr.write(`  ${count} shard(s): ${result.wall.toFixed(2)} s\n`);
      }
      const rate = totalMb / median(walls);
      if (count === 1) single = rate;
      points.push({ count, rate });
      lines.push(
        `| ${count} | ${median(walls).toFixed(2)} | ${rate.toFixed(1)} | ${(rate / (count * single)).toFixed(2)} |`,
      );
    }

    // Balance: one 1 GiB file among 2,000 small ones over four shards.
    const container = `skewed${Date.now()}`;
    await service.getContainerClient(container).create();
    const balanced = await runShards(4, machines, azcpBin, work, (address) => [
      "copy",
      `${skewed}/*`,
      `http://${address}:${port}/${DEV_ACCOUNT}/${container}?${sas}`,
      "--recursive",
    ]);
    if (balanced.shards.some((shard) => !shard.ok)) throw new Error("a shard of the skewed set failed");
    // What each shard pays to list the whole source and keep its share: a dry run of one shard.
    const listingStarted = performance.now();
    execFileSync(
      azcpBin,
      [
        "copy",
        `${skewed}/*`,
        `http://127.0.0.1:${port}/${DEV_ACCOUNT}/${container}?${sas}`,
        "--recursive",
        "--dry-run",
        "--shard",
        "0/4",
      ],
      { stdio: "ignore", env: { ...process.env, AZCOPY_LOG_LOCATION: join(work, "azcp-logs") } },
    );
    const listing = (performance.now() - listingStarted) / 1000;
    const sent = balanced.shards.map((shard) => shard.bytesSent);
    const mean = sent.reduce((a, b) => a + b, 0) / sent.length;
    lines.push(
      "",
      `Balance over 4 shards of one 1 GiB file among 2,000 × 16 KiB (the large file is shared by block): bytes each shard sent ${sent.map((bytes) => `${(bytes / 1e6).toFixed(0)} MB`).join(", ")}; slowest ÷ mean **${(Math.max(...sent) / mean).toFixed(2)}**; wall ${balanced.wall.toFixed(2)} s (shards ${balanced.shards.map((shard) => shard.wall.toFixed(1)).join(", ")} s). Every shard lists the whole source (the listing is not split): a dry run of one shard of these 2,001 files takes ${listing.toFixed(2)} s.`,
    );
  } finally {
    for (const machine of machines) machine.remove();
    await azurite.stop();
  }
  return { lines, chart: scalingChart(points) };
}

function accountSas(): string {
  return generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 86_400_000),
      permissions: AccountSASPermissions.parse("racwdl"),
      resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
      services: AccountSASServices.parse("b").toString(),
    },
    new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY),
  ).toString();
}

/** Aggregate throughput against shards, with N × one shard for reference. */
function scalingChart(points: { count: number; rate: number }[]): string {
  const width = 480;
  const height = 300;
  const left = 60;
  const bottom = 40;
  const maxN = Math.max(...points.map((p) => p.count));
  const single = points.find((p) => p.count === 1)?.rate ?? 0;
  const maxRate = Math.max(single * maxN, ...points.map((p) => p.rate)) * 1.1;
  const x = (n: number) => left + ((n - 1) / Math.max(1, maxN - 1)) * (width - left - 20);
  const y = (rate: number) => height - bottom - (rate / maxRate) * (height - bottom - 20);
  const measured = points.map((p) => `${x(p.count).toFixed(1)},${y(p.rate).toFixed(1)}`).join(" ");
  const ideal = points.map((p) => `${x(p.count).toFixed(1)},${y(single * p.count).toFixed(1)}`).join(" ");
  const ticks = points
    .map(
      (p) =>
        `<text x="${x(p.count).toFixed(1)}" y="${height - bottom + 18}" text-anchor="middle" font-size="12">${p.count}</text>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<title>Aggregate throughput of one job against the number of shards</title>
<rect width="100%" height="100%" fill="white"/>
<line x1="${left}" y1="${height - bottom}" x2="${width - 10}" y2="${height - bottom}" stroke="black"/>
<line x1="${left}" y1="20" x2="${left}" y2="${height - bottom}" stroke="black"/>
${ticks}
<text x="${(width + left) / 2}" y="${height - 5}" text-anchor="middle" font-size="12">shards (one ${LINK_MBIT} Mbit/s link each)</text>
<text x="15" y="${height / 2}" transform="rotate(-90 15 ${height / 2})" text-anchor="middle" font-size="12">aggregate MB/s</text>
<polyline points="${ideal}" fill="none" stroke="#999" stroke-dasharray="4 4"/>
<polyline points="${measured}" fill="none" stroke="#0a64a4" stroke-width="2"/>
${points.map((p) => `<circle cx="${x(p.count).toFixed(1)}" cy="${y(p.rate).toFixed(1)}" r="3" fill="#0a64a4"/><text x="${(x(p.count) + 6).toFixed(1)}" y="${(y(p.rate) - 6).toFixed(1)}" font-size="11">${p.rate.toFixed(0)}</text>`).join("")}
<text x="${width - 150}" y="30" font-size="11" fill="#0a64a4">measured</text>
<text x="${width - 150}" y="45" font-size="11" fill="#999">N × one shard</text>
</svg>
`;
}
