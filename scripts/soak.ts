// `npm run soak`: the long load run. Many small files and one large file go up and come back
// down through the fault proxy, which fails about 1% of requests (connection resets, 503 with
// Retry-After, 500 OperationTimedOut, stalls, truncated bodies). Every byte is checked (MD5 of
// every file, both ways) and the time and peak RSS of each azcp run are reported.
// Sizes: SOAK_FILES (default 50000) and SOAK_BIG_MIB (default 4096).
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AccountSASPermissions,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { startStack } from "../test/support/stack.js";
import { type ProxyRule, serviceError, startStorageProxy } from "../test/support/storage-proxy.js";

const FILES = Number(process.env.SOAK_FILES ?? 50_000);
const BIG_MIB = Number(process.env.SOAK_BIG_MIB ?? 4096);
const FAULT_SHARE = 0.01;
const azcpBin = join(fileURLToPath(import.meta.url), "..", "..", "bin", "azcp.js");

const FAULTS: ProxyRule["reply"][] = [
  { type: "reset", when: "request" },
  { ...serviceError(503, "ServerBusy"), retryAfter: "1" },
  serviceError(500, "OperationTimedOut"),
  { type: "stall", ms: 3000 },
];
const DOWNLOAD_FAULTS: ProxyRule["reply"][] = [
  { type: "truncate", fraction: 0.5 },
  { type: "reset", when: "response" },
];

async function md5File(path: string): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest("base64");
}

async function hashTree(root: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    hashes.set(relative(root, path), await md5File(path));
  }
  return hashes;
}

async function writeSources(root: string): Promise<void> {
  const small = join(root, "small");
  const perFolder = 500;
  for (let folder = 0; folder * perFolder < FILES; folder++) {
    const directory = join(small, `d${String(folder).padStart(3, "0")}`);
    await mkdir(directory, { recursive: true });
    const count = Math.min(perFolder, FILES - folder * perFolder);
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        writeFile(join(directory, `f${i}.bin`), randomBytes(1024 + ((i * 37) % 3072))),
      ),
    );
  }
  const big = await open(join(root, "big.bin"), "w");
  const chunk = 64 * 1024 * 1024;
  for (let written = 0; written < BIG_MIB * 1024 * 1024; written += chunk)
    await big.write(randomBytes(chunk));
  await big.close();
}

interface Run {
  label: string;
  seconds: number;
  peakRssMb: number;
  code: number | null;
}

async function azcp(label: string, args: string[], env: NodeJS.ProcessEnv, home: string): Promise<Run> {
  const timeFile = join(home, `${label.replace(/\W+/g, "-")}.time`);
  const started = Date.now();
  const child = spawn(
    "/usr/bin/time",
    ["-f", "%M", "-o", timeFile, process.execPath, azcpBin, ...args, "--output-level", "essential"],
    {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const seconds = (Date.now() - started) / 1000;
  const peakRssMb = Number((await readFile(timeFile, "utf8")).trim().split("\n").at(-1)) / 1024;
  process.stdout.write(
    `${label}: ${seconds.toFixed(1)} s, peak RSS ${peakRssMb.toFixed(0)} MB, exit ${code}\n`,
  );
  return { label, seconds, peakRssMb, code };
}

const stack = await startStack();
const home = await mkdtemp(join(tmpdir(), "azcp-soak-"));
let failed = false;
try {
  const proxy = await startStorageProxy({
    target: stack.info.blobOrigin,
    tls: {
      keyPem: await readFile(stack.info.serverKeyPath, "utf8"),
      certPem: await readFile(stack.info.serverCertPath, "utf8"),
    },
    ca: await readFile(stack.info.caCertPath, "utf8"),
    rules: [
      ...FAULTS.map((reply) => ({ reply, probability: FAULT_SHARE / FAULTS.length })),
      ...DOWNLOAD_FAULTS.map((reply) => ({
        methods: ["GET"],
        path: "/soak/.",
        reply,
        probability: FAULT_SHARE / DOWNLOAD_FAULTS.length,
      })),
    ],
  });
  const credential = new StorageSharedKeyCredential(stack.info.accountName, stack.info.accountKey);
  // An account SAS: it may also create the container (through azcp, which trusts the stack's CA).
  const sas = generateAccountSASQueryParameters(
    {
      services: "b",
      resourceTypes: "sco",
      permissions: AccountSASPermissions.parse("rwdlac"),
      expiresOn: new Date(Date.now() + 24 * 3600_000),
    },
    credential,
  ).toString();
  const container = `${proxy.origin}/${stack.info.accountName}/soak`;
  const env = {
    ...process.env,
    ...stack.info.env,
    HOME: home,
    AZCOPY_LOG_LOCATION: join(home, "logs"),
    AZCOPY_JOB_PLAN_LOCATION: join(home, "plans"),
  };

  process.stdout.write(
    `soak: ${FILES} small files and a ${BIG_MIB} MiB file, faults on ${FAULT_SHARE * 100}% of requests\n`,
  );
  const sources = join(home, "sources");
  await writeSources(sources);
  const expected = await hashTree(sources);
  await azcp("make the container", ["make", `${container}?${sas}`], env, home);

  const down = join(home, "down");
  const runs = [
    await azcp(
      "small files up",
      ["copy", join(sources, "small"), `${container}?${sas}`, "--recursive", "--put-md5"],
      env,
      home,
    ),
    await azcp(
      "big file up",
      ["copy", join(sources, "big.bin"), `${container}/big.bin?${sas}`, "--put-md5"],
      env,
      home,
    ),
    await azcp(
      "small files down",
      ["copy", `${container}/small?${sas}`, down, "--recursive", "--check-md5", "FailIfDifferent"],
      env,
      home,
    ),
    await azcp(
      "big file down",
      ["copy", `${container}/big.bin?${sas}`, join(down, "big.bin"), "--check-md5", "FailIfDifferent"],
      env,
      home,
    ),
  ];
  const received = await hashTree(down);
  const mismatched = [...expected]
    .filter(([path, hash]) => received.get(path) !== hash)
    .map(([path]) => path);
  const faults = proxy.log.filter((entry) => entry.fault).length;
  process.stdout.write(`faults injected: ${faults} of ${proxy.log.length} requests\n`);
  process.stdout.write(`files checked: ${expected.size}, mismatched or missing: ${mismatched.length}\n`);
  failed = runs.some((run) => run.code !== 0) || mismatched.length > 0 || received.size !== expected.size;
  await proxy.close();
} finally {
  await stack.stop();
  await rm(home, { recursive: true, force: true });
}
process.stdout.write(`\n== Soak ${failed ? "FAILED" : "passed"}\n`);
process.exit(failed ? 1 : 0);
