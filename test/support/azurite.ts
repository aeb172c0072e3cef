// Azurite (Blob only) as a child process: in memory, HTTPS with the stack's certificate, OAuth
// on, on a free port that it reports in its output.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  certPath?: string;
  keyPath?: string;
  /** OAuth needs HTTPS; without certificates Azurite serves plain HTTP (benchmarks). */
  oauth?: boolean;
  /** A fixed port (tools that only know the emulator's default, 10000); 0 picks a free one. */
  port?: number;
  /** The address to listen on (default 127.0.0.1; 0.0.0.0 for clients in other network namespaces). */
  host?: string;
}

export interface RunningAzurite {
  /** https://127.0.0.1:PORT (no account). */
  origin: string;
  blobEndpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function azuriteBlobMain(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("azurite/package.json")), "dist", "src", "blob", "main.js");
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const args = [
    azuriteBlobMain(),
    "--blobHost",
    options.host ?? "127.0.0.1",
    "--blobPort",
    String(options.port ?? 0),
    "--inMemoryPersistence",
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--loose",
    "--silent",
  ];
  if (options.certPath && options.keyPath) args.push("--cert", options.certPath, "--key", options.keyPath);
  if (options.oauth) args.push("--oauth", "basic");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const origin = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`Azurite did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /successfully listens on (https?:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace(/\/$/, ""));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code}:\n${output}`));
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    origin,
    blobEndpoint: `${origin}/${DEV_ACCOUNT}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}
