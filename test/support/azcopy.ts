// The real AzCopy (npm @azure-tools/azcopy-linux, pinned) as an oracle: same emulator, same
// trees, compare what each tool stores and prints.
import { chmod } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type RunOptions, type RunResult, runProcess, stack } from "./harness.js";

export function azcopyPath(): string {
  const require = createRequire(import.meta.url);
  return join(
    dirname(require.resolve("@azure-tools/azcopy-linux/package.json")),
    "dist",
    "bin",
    "azcopy_linux_amd64",
  );
}

/** Runs AzCopy with its logs in `home`, the stack's CA trusted, and a stdin that stays open. */
export async function runAzcopy(args: string[], home: string, options: RunOptions = {}): Promise<RunResult> {
  const path = azcopyPath();
  await chmod(path, 0o755);
  return runProcess(path, args, home, {
    ...options,
    keepStdinOpen: true,
    env: {
      SSL_CERT_FILE: stack().caCertPath,
      AZCOPY_LOG_LOCATION: join(home, "azcopy-logs"),
      AZCOPY_JOB_PLAN_LOCATION: join(home, "azcopy-plans"),
      ...options.env,
    },
  });
}

/**
 * Runs AzCopy again when a run hangs: some of its paths (--decompress, --preserve-symlinks
 * downloads) now and then stop with one transfer pending forever. Each hang is reported on stderr.
 */
export async function runAzcopyPastHangs(
  args: string[],
  home: string,
  options: RunOptions & { tries?: number; beforeRetry?: () => Promise<unknown> } = {},
): Promise<RunResult> {
  const { tries = 3, beforeRetry, ...rest } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await runAzcopy(args, home, { timeoutMs: 20_000, ...rest });
    } catch (error) {
      if (attempt >= tries || !/did not finish/.test((error as Error).message)) throw error;
      process.stderr.write(
        `AzCopy hung (try ${attempt} of ${tries}): ${args[0]} ${args.slice(-4).join(" ")}\n`,
      );
      await beforeRetry?.();
    }
  }
}
