// How long azcp takes to start for commands that do no I/O (`--version`, `--help`): the floor
// every invocation pays. Prints the median and spread of wall time over repeated runs.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const bin = join(root, "bin", "azcp.js");
const runs = Number(process.env.RUNS ?? 30);

function measure(args: string[]): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [bin, ...args], { stdio: "ignore" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`azcp ${args.join(" ")} exited with ${result.status}`);
    if (i >= 3) times.push(ms); // the first runs warm the file cache
  }
  return times.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const node = (() => {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ["-e", "0"], { stdio: "ignore" });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
})();

console.log(`runs: ${runs} each, node ${process.version}`);
console.log(`| command | median ms | p10 ms | p90 ms |`);
console.log(`|---|---|---|---|`);
console.log(
  `| node -e 0 (floor) | ${quantile(node, 0.5).toFixed(0)} | ${quantile(node, 0.1).toFixed(0)} | ${quantile(node, 0.9).toFixed(0)} |`,
);
for (const args of [["--version"], ["--help"], ["list", "--help"]]) {
  const times = measure(args);
  console.log(
    `| azcp ${args.join(" ")} | ${quantile(times, 0.5).toFixed(0)} | ${quantile(times, 0.1).toFixed(0)} | ${quantile(times, 0.9).toFixed(0)} |`,
  );
}
