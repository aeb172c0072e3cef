// Rough figures for one job on each service of the local stack (Blob on Azurite; Files and Data
// Lake on the test server): time and requests per file for many small files and one larger file,
// both ways. The test server is an emulator, so the times say little about the real services;
// the request counts are what azcp itself costs.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack } from "../test/support/stack.js";

const SMALL = Number(process.env.MEASURE_FILES ?? 500);
const BIG_MIB = Number(process.env.MEASURE_BIG_MIB ?? 64);
const RUNS = Number(process.env.RUNS ?? 3);
const stack = await startStack();
const home = await mkdtemp(join(tmpdir(), "azcp-measure-"));
try {
  const source = join(home, "src");
  for (let index = 0; index < SMALL; index++) {
    const dir = join(source, "small", `d${index % 10}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `f${index}.bin`), randomBytes(16 * 1024));
  }
  await writeFile(join(source, "big.bin"), randomBytes(BIG_MIB * 1024 * 1024));
  const { info } = stack;
  const env = {
    ...process.env,
    ...info.env,
    HOME: home,
    AZCP_LOGIN_STORE: "file",
    AZCOPY_AUTO_LOGIN_TYPE: "SPN",
    AZCOPY_SPA_APPLICATION_ID: info.spn.clientId,
    AZCOPY_SPA_CLIENT_SECRET: info.spn.secret,
    AZCOPY_TENANT_ID: info.tenantId,
    AZCP_TRUSTED_MICROSOFT_SUFFIXES: "127.0.0.1",
  };
  // Asynchronous: the identity emulator and the test server answer from this very process.
  const azcp = async (args: string[]) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(import.meta.dirname, "..", "bin", "azcp.js"), ...args], {
      env,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    if (code !== 0) throw new Error(`azcp ${args.join(" ")} failed:\n${output}`);
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const services = [
    { name: "Blob", endpoint: info.blobEndpoint, kind: "Blob", location: "Blob" },
    { name: "Files", endpoint: info.filesEndpoint, kind: "File", location: "File" },
    { name: "Data Lake", endpoint: info.dfsEndpoint, kind: "BlobFS", location: "BlobFS" },
  ];
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const requestCount = async (_origin: string) => {
    return stack.restServer.log.lastSeq;
  };
  process.stdout.write(`${SMALL} x 16 KiB and one ${BIG_MIB} MiB file, medians of ${RUNS}, SPN sign-in\n`);
  for (const service of services) {
    const times: Record<string, number[]> = {
      "small up": [],
      "small down": [],
      "big up": [],
      "big down": [],
    };
    const requests: Record<string, number[]> = { "small up": [], "small down": [] };
    for (let run = 0; run < RUNS; run++) {
      const container = `${service.endpoint}/m${randomBytes(4).toString("hex")}`;
      await azcp(["make", container, "--location", service.location]);
      const fromTo = (a: string, b: string) => ["--from-to", `${a}${b}`];
      const counted = async (label: string, args: string[]) => {
        const before = service.name === "Blob" ? 0 : await requestCount(info.filesOrigin);
        times[label]!.push(await azcp(args));
        if (service.name !== "Blob")
          requests[label]?.push(((await requestCount(info.filesOrigin)) - before) / SMALL);
      };
      await counted("small up", [
        "copy",
        join(source, "small"),
        container,
        "--recursive",
        ...fromTo("Local", service.kind),
      ]);
      await counted("big up", [
        "copy",
        join(source, "big.bin"),
        `${container}/big.bin`,
        ...fromTo("Local", service.kind),
      ]);
      const down = join(home, `down-${run}-${service.kind}`);
      await counted("small down", [
        "copy",
        `${container}/small`,
        down,
        "--recursive",
        ...fromTo(service.kind, "Local"),
      ]);
      await counted("big down", [
        "copy",
        `${container}/big.bin`,
        join(down, "big.bin"),
        ...fromTo(service.kind, "Local"),
      ]);
      await rm(down, { recursive: true, force: true });
    }
    const row = Object.entries(times)
      .map(([label, values]) => `${label} ${median(values).toFixed(2)} s`)
      .join(", ");
    const perFile = Object.entries(requests)
      .filter(([, values]) => values.length > 0)
      .map(([label, values]) => `${label} ${median(values).toFixed(2)} requests/file`)
      .join(", ");
    process.stdout.write(`${service.name}: ${row}${perFile ? `; ${perFile}` : ""}\n`);
  }
} finally {
  await stack.stop();
  await rm(home, { recursive: true, force: true });
}
