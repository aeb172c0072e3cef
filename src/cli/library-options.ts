// What every command passes from the global flags to the library: how to sign in (trusted
// suffixes, where a device code prompt goes, whether a person can answer one) and, for jobs,
// the log level, bandwidth cap and the command line for the log.
import type { GlobalOptions } from "./global-flags.js";
import type { Output } from "./output.js";
import { canPrompt } from "./prompt.js";
import { awaitLine } from "./stdin-control.js";

export function signInOptions(globals: GlobalOptions, output: Output) {
  return {
    ...(globals.trustedMicrosoftSuffixes
      ? { trustedMicrosoftSuffixes: globals.trustedMicrosoftSuffixes }
      : {}),
    onDeviceCode: (prompt: { message: string }) => output.notice(prompt.message),
    interactive: canPrompt(),
  };
}

export function jobOptions(globals: GlobalOptions) {
  return {
    logLevel: globals.logLevel,
    commandLine: process.argv.slice(2).join(" "),
    debug: {
      beforeFirstTransfer: globals.awaitOpen ? () => awaitLine("open", 5 * 60_000) : undefined,
      skipFiles: globals.debugSkipFiles,
    },
  };
}
