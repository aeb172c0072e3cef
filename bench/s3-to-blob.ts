// The S3 → Blob rows of `npm run bench`: s3rver (HTTPS) as the source and Azurite (HTTPS) as the
// destination. azcp copies through this machine (Azurite cannot fetch from a URL, so azcp falls
// back after its first Put Block From URL is refused) and service-side, through the test proxy's
// copy-from-URL shim, which does what Azure Storage does with a presigned URL; rclone copies
// through the machine. AzCopy reads S3 only from *.amazonaws.com hosts and always copies
// service-side: it is given https://s3.amazonaws.com/bench/..., which a tunnelling proxy sends
// to s3rver, and writes through the same shim.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import {
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { sharedKeyAuthorization } from "../src/transport/shared-key.js";
import { azcopyPath } from "../test/support/azcopy.js";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY, startAzurite } from "../test/support/azurite.js";
import { createCertificateAuthority } from "../test/support/certs.js";
import { CLOUD_TEST_HOSTS, startCloudHostsProxy } from "../test/support/cloud-hosts-proxy.js";
import { S3_KEY, startS3 } from "../test/support/s3-server.js";
import { startStorageProxy } from "../test/support/storage-proxy.js";

const BIG_MIB = 256;
const SMALL_COUNT = 1000;

export interface S3Sample {
  wall: number;
  cpu: number;
  rssMb: number;
  ok: boolean;
}

type Measure = (command: string) => Promise<S3Sample>;

const q = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function s3ToBlobRows(
  azcpBin: string,
  work: string,
  runs: number,
  measure: Measure,
): Promise<string[]> {
  const ca = createCertificateAuthority("azcp bench CA");
  const server = ca.issueServerCertificate(["127.0.0.1", "localhost", ...CLOUD_TEST_HOSTS]);
  mkdirSync(work, { recursive: true });
  const caFile = join(work, "s3-bench-ca.pem");
  const certFile = join(work, "s3-bench-cert.pem");
  const keyFile = join(work, "s3-bench-key.pem");
  writeFileSync(caFile, ca.certPem);
  writeFileSync(certFile, server.certPem + ca.certPem);
  writeFileSync(keyFile, server.keyPem);
  const bigFile = join(work, "s3-big.bin");
  if (!existsSync(bigFile) || statSync(bigFile).size !== BIG_MIB * 1024 * 1024)
    writeFileSync(bigFile, randomBytes(BIG_MIB * 1024 * 1024));

  const s3 = await startS3({
    keyPem: server.keyPem,
    certPem: server.certPem + ca.certPem,
    caPem: ca.certPem,
  });
  await s3.createBucket("bench");
  await s3.putFile("bench", "big.bin", bigFile);
  for (let start = 0; start < SMALL_COUNT; start += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, SMALL_COUNT - start) }, (_, i) =>
        s3.put("bench", `small/f${String(start + i).padStart(5, "0")}`, randomBytes(16 * 1024)),
      ),
    );
  const azurite = await startAzurite({ certPath: certFile, keyPath: keyFile });
  const proxy = await startStorageProxy({
    target: azurite.origin,
    tls: { keyPem: server.keyPem, certPem: server.certPem + ca.certPem },
    ca: ca.certPem,
    copyFromUrl: true,
    sourceRoutes: { ".amazonaws.com": s3.origin },
  });
  const hosts = await startCloudHostsProxy({ ".amazonaws.com": s3.origin });
  const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY);
  // This process does not trust the bench's CA: a container is made with one signed request.
  const createContainer = (name: string) =>
    new Promise<void>((resolve, reject) => {
      const path = `/${DEV_ACCOUNT}/${name}`;
      const headers: Record<string, string> = {
        "x-ms-date": new Date().toUTCString(),
        "x-ms-version": "2025-11-05",
        "content-length": "0",
      };
      headers.authorization = sharedKeyAuthorization(
        { account: DEV_ACCOUNT, key: DEV_ACCOUNT_KEY },
        "PUT",
        path,
        { restype: "container" },
        headers,
      );
      const url = new URL(`${azurite.origin}${path}?restype=container`);
      const req = request(url, { method: "PUT", headers, ca: ca.certPem }, (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 201 ? resolve() : reject(new Error(`create ${name}: ${res.statusCode}`)),
        );
      });
      req.on("error", reject);
      req.end();
    });
  const sasFor = (container: string) =>
    generateBlobSASQueryParameters(
      {
        containerName: container,
        permissions: ContainerSASPermissions.parse("racwdl"),
        expiresOn: new Date(Date.now() + 86_400_000),
      },
      credential,
    ).toString();
  const env = `NODE_EXTRA_CA_CERTS=${caFile} AWS_ACCESS_KEY_ID=${S3_KEY.accessKeyId} AWS_SECRET_ACCESS_KEY=${S3_KEY.secretAccessKey} AZCOPY_LOG_LOCATION=${work}/azcp-logs AZCOPY_JOB_PLAN_LOCATION=${work}/azcp-plans`;
  const rcloneEnv = (container: string) =>
    [
      "RCLONE_CONFIG_SRC_TYPE=s3",
      "RCLONE_CONFIG_SRC_PROVIDER=Other",
      `RCLONE_CONFIG_SRC_ENDPOINT=${s3.origin}`,
      `RCLONE_CONFIG_SRC_ACCESS_KEY_ID=${S3_KEY.accessKeyId}`,
      `RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY=${S3_KEY.secretAccessKey}`,
      "RCLONE_CONFIG_SRC_FORCE_PATH_STYLE=true",
      "RCLONE_CONFIG_DST_TYPE=azureblob",
      `RCLONE_CONFIG_DST_SAS_URL=${q(`${azurite.blobEndpoint}/${container}?${sasFor(container)}`)}`,
    ].join(" ");
  const workloads = [
    {
      title: `S3 → Blob, one ${BIG_MIB} MiB object`,
      amount: BIG_MIB * 1.048576,
      unit: "MB/s",
      source: "big.bin",
      many: false,
    },
    {
      title: `S3 → Blob, ${SMALL_COUNT} × 16 KiB objects`,
      amount: SMALL_COUNT,
      unit: "files/s",
      source: "small",
      many: true,
    },
  ];
  const tools: Record<string, (container: string, workload: (typeof workloads)[number]) => string> = {
    "azcp (through this machine)": (c, w) =>
      `${env} ${azcpBin} copy ${q(s3.url("bench", w.source))} ${q(`${azurite.blobEndpoint}/${c}/${w.source}?${sasFor(c)}`)} --from-to S3Blob ${w.many ? "--recursive --as-subdir=false" : ""} --output-level quiet`,
    "azcp (service-side, shim)": (c, w) =>
      `${env} ${azcpBin} copy ${q(s3.url("bench", w.source))} ${q(`${proxy.origin}/${DEV_ACCOUNT}/${c}/${w.source}?${sasFor(c)}`)} --from-to S3Blob ${w.many ? "--recursive --as-subdir=false" : ""} --output-level quiet`,
    "AzCopy (service-side, shim)": (c, w) =>
      `SSL_CERT_FILE=${caFile} HTTPS_PROXY=${hosts.url} NO_PROXY=127.0.0.1 AWS_ACCESS_KEY_ID=${S3_KEY.accessKeyId} AWS_SECRET_ACCESS_KEY=${S3_KEY.secretAccessKey} AZCOPY_LOG_LOCATION=${work}/azcopy-logs AZCOPY_JOB_PLAN_LOCATION=${work}/azcopy-plans ${azcopyPath()} copy ${q(`https://s3.amazonaws.com/bench/${w.source}`)} ${q(`${proxy.origin}/${DEV_ACCOUNT}/${c}/${w.source}?${sasFor(c)}`)} --from-to S3Blob ${w.many ? "--recursive --as-subdir=false" : ""} --output-level quiet`,
    rclone: (c, w) =>
      `env -u AWS_CA_BUNDLE SSL_CERT_FILE=${caFile} ${rcloneEnv(c)} rclone ${w.many ? "copy" : "copyto"} src:bench/${w.source} dst:${c}/${w.source} ${w.many ? "--transfers 32 --checkers 32" : ""}`,
  };
  const lines = [
    "",
    `S3 → Blob (s3rver 3.7.1 and Azurite 3.35.0, both over HTTPS on this machine; medians of ${runs} runs after a warm-up). The service-side rows go through the test proxy's copy-from-URL shim, so their wall time is mostly the shim's; their client CPU is each tool's own. AzCopy reads S3 only from *.amazonaws.com hosts and always copies service-side: it is given https://s3.amazonaws.com/..., which a tunnelling proxy sends to s3rver.`,
    "",
    "| workload | tool | wall s | rate | client CPU s | peak RSS MB |",
    "|---|---|---|---|---|---|",
  ];
  try {
    for (const workload of workloads) {
      process.stderr.write(`\n${workload.title}\n`);
      const samples: Record<string, S3Sample[]> = {};
      for (let run = 0; run <= runs; run++) {
        const names = Object.keys(tools);
        for (const tool of run % 2 === 0 ? names : names.reverse()) {
          const container = `s3${run}${Object.keys(tools).indexOf(tool)}${Date.now()}`;
          await createContainer(container);
          const sample = await measure(tools[tool]!(container, workload));
          process.stderr.write(
            `  ${run === 0 ? "warm-up" : `run ${run}`} ${tool}: ${sample.wall.toFixed(2)} s, cpu ${sample.cpu.toFixed(2)} s${sample.ok ? "" : " FAILED"}\n`,
          );
          if (!sample.ok)
            process.stderr.write(
              `    ${readFileSync(join(work, "stderr.txt"), "utf8").trim().split("\n").slice(-3).join("\n    ")}\n`,
            );
          if (run > 0) {
            samples[tool] ??= [];
            samples[tool].push(sample);
          }
        }
      }
      for (const [tool, runsOf] of Object.entries(samples)) {
        const wall = median(runsOf.map((s) => s.wall));
        const failed = runsOf.some((s) => !s.ok) ? " (some runs FAILED)" : "";
        lines.push(
          `| ${workload.title} | ${tool}${failed} | ${wall.toFixed(2)} | ${(workload.amount / wall).toFixed(0)} ${workload.unit} | ${median(runsOf.map((s) => s.cpu)).toFixed(2)} | ${median(runsOf.map((s) => s.rssMb)).toFixed(0)} |`,
        );
      }
    }
  } finally {
    await proxy.close();
    await hosts.close();
    await azurite.stop();
    await s3.close();
  }
  return lines;
}
