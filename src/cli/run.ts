// Run a command body, render any failure as one line (cause and fix), and settle the exit code.
import type { Command } from "commander";
import { EXIT_CANNOT_HEAL, isAzcpError, redactSecrets as redactAll } from "../api.js";
import { type GlobalOptions, outputFor, readGlobalOptions } from "./global-flags.js";
import { Output } from "./output.js";
import { awaitLine } from "./stdin-control.js";

export interface CommandContext {
  globals: GlobalOptions;
  output: Output;
}

/** The body returns the exit code (0 when omitted). */
export async function runCommand(
  command: Command,
  body: (context: CommandContext) => Promise<number | undefined>,
) {
  let output = new Output("text", "default");
  let code: number;
  try {
    const globals = readGlobalOptions(command);
    output = outputFor(globals);
    if (globals.awaitContinue) await awaitLine("continue", 60_000);
    code = (await body({ globals, output })) ?? 0;
  } catch (error) {
    if (isAzcpError(error) && error.errorCode === "EPIPE") process.exit(EXIT_BROKEN_PIPE);
    // As AzCopy: a command that cannot run says why in one Error message (no EndOfJob), exit 1.
    // Only the top-level commands carry AzCopy's prefix ("jobs remove" is not "remove").
    const prefix = command.parent?.parent ? "" : failurePrefix(command.name());
    output.error(`${prefix}${describeFailure(error)}`);
    code = inShard(command) && cannotHeal(error) ? EXIT_CANNOT_HEAL : 1;
  }
  await finish(code);
}

/** How AzCopy begins the error of a job that could not start (scripts and programs look for it). */
const FAILURE_PREFIX: Record<string, string> = {
  copy: "Cannot perform copy due to error: ",
  sync: "Cannot perform sync due to error: ",
  remove: "failed to perform remove command due to error: ",
};

export function failurePrefix(command: string): string {
  return FAILURE_PREFIX[command] ?? "";
}

/**
 * Whether this is a shard (--shard, AZCP_SHARD): a failure that running again cannot mend (bad
 * input, a failed sign-in, a missing role) then exits with EXIT_CANNOT_HEAL, on which a Kubernetes
 * podFailurePolicy fails the index at once. Without a shard every failure exits 1, as AzCopy's.
 */
export function inShard(command: Command): boolean {
  return command.opts().shard !== undefined || Boolean(process.env.AZCP_SHARD);
}

export function cannotHeal(error: unknown): boolean {
  return isAzcpError(error) && ["bad-input", "authentication", "permission"].includes(error.kind);
}

/** The exit code of a process that SIGPIPE ended (128 + 13), as AzCopy's ends. */
export const EXIT_BROKEN_PIPE = 141;

export function describeFailure(error: unknown): string {
  if (isAzcpError(error)) return redactAll(error.describe());
  const text = error instanceof Error ? error.message : String(error);
  return redactAll(
    `azcp failed unexpectedly: ${text.split("\n")[0]}. Run again with --log-level DEBUG, and report it if it persists.`,
  );
}

/** Exit as soon as the work is done, once what was written has been flushed. */
export async function finish(code: number): Promise<never> {
  Output.flushAll();
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
  process.exit(code);
}
