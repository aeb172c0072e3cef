// Flags that apply to every command (AzCopy's "Flags Applying to All Commands").
import type { Command } from "commander";
import { badInput } from "../api.js";
import type { FlagSpec } from "./flags.js";
import { Output, type OutputLevel, type OutputType } from "./output.js";

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  {
    name: "output-type",
    value: "<type>",
    help: "Format of the command's output: text or json (one JSON object per line).",
    defaultValue: "text",
    choices: ["text", "json"],
  },
  {
    name: "output-level",
    value: "<level>",
    help: "How much to print: default, essential (results, summaries and errors only) or quiet.",
    defaultValue: "default",
    choices: ["default", "essential", "quiet"],
  },
  {
    name: "log-level",
    value: "<level>",
    help: "How much the job log file records: DEBUG, INFO, WARNING, ERROR or NONE.",
    defaultValue: "INFO",
    choices: ["DEBUG", "INFO", "WARNING", "ERROR", "NONE"],
  },
  {
    name: "trusted-microsoft-suffixes",
    value: "<suffixes>",
    help: "More host suffixes (semicolon-separated) that may receive Microsoft Entra tokens, added to *.core.windows.net and the other Azure clouds. Only list hosts you trust.",
  },
  {
    name: "cap-mbps",
    value: "<megabits>",
    help: "Cap the transfer rate, in megabits per second (0 or absent: no cap).",
  },
  {
    name: "await-continue",
    help: "For debugging: wait for a line saying continue on standard input (at most a minute) before doing anything.",
  },
  {
    name: "await-open",
    help: "For testing: wait for a line saying open on standard input (at most five minutes) after the listing starts and before the first file is opened.",
  },
  {
    name: "debug-skip-files",
    value: "<paths>",
    help: "For testing: cancel the transfers of these relative paths (separated by ';'); they count as failed.",
  },
  {
    name: "check-version",
    help: "Accepted for AzCopy compatibility; azcp never calls home.",
  },
  {
    name: "cancel-from-stdin",
    help: "Stop the job when a line saying cancel arrives on standard input (for programs that drive azcp).",
    hidden: true,
  },
];

export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "NONE";

export interface GlobalOptions {
  outputType: OutputType;
  outputLevel: OutputLevel;
  logLevel: LogLevel;
  trustedMicrosoftSuffixes: string | undefined;
  capMbps: number | undefined;
  cancelFromStdin: boolean;
  awaitContinue: boolean;
  awaitOpen: boolean;
  debugSkipFiles: string | undefined;
}

export function readGlobalOptions(command: Command): GlobalOptions {
  const all = command.optsWithGlobals() as Record<string, string | undefined>;
  let capMbps: number | undefined;
  if (all.capMbps !== undefined) {
    capMbps = Number(all.capMbps);
    if (!Number.isFinite(capMbps) || capMbps < 0) {
      throw badInput(
        `--cap-mbps "${all.capMbps}" is not a number of megabits per second.`,
        "Pass a number such as 100, or 0 for no cap.",
      );
    }
  }
  return {
    outputType: (all.outputType ?? "text") as OutputType,
    outputLevel: (all.outputLevel ?? "default") as OutputLevel,
    logLevel: (all.logLevel ?? "INFO") as LogLevel,
    trustedMicrosoftSuffixes: all.trustedMicrosoftSuffixes,
    capMbps: capMbps === 0 ? undefined : capMbps,
    cancelFromStdin: (all.cancelFromStdin as unknown) === true,
    awaitContinue: (all.awaitContinue as unknown) === true,
    awaitOpen: (all.awaitOpen as unknown) === true,
    debugSkipFiles: all.debugSkipFiles,
  };
}

export function outputFor(options: GlobalOptions): Output {
  return new Output(options.outputType, options.outputLevel);
}
