// The azcp command line. Only commander and the small command modules load at start-up; each
// command imports the library (and the Azure SDKs) when it runs.
import { Command } from "commander";
import { VERSION } from "../api.js";
import { registerAccess } from "./commands/access.js";
import { registerBench } from "./commands/bench.js";
import { registerCompletion, registerDoc } from "./commands/completion.js";
import { registerCopy } from "./commands/copy.js";
import { registerEnv } from "./commands/env.js";
import { registerJobs } from "./commands/jobs.js";
import { registerList } from "./commands/list.js";
import { registerLogin, registerLogout } from "./commands/login.js";
import { registerMake, registerRemove } from "./commands/remove.js";
import { registerShards } from "./commands/shards.js";
import { registerSync } from "./commands/sync.js";
import { addExamples } from "./examples.js";
import { addFlags, normalizeBooleanFlags } from "./flags.js";
import { GLOBAL_FLAGS } from "./global-flags.js";
import { EXIT_BROKEN_PIPE } from "./run.js";

export function buildProgram(): Command {
  const program = new Command("azcp")
    .description(
      "azcp copies, syncs, lists and removes data in Azure Blob Storage, Azure Files and Data Lake Storage, authorized with Microsoft Entra ID or SAS. It accepts AzCopy's commands, flags and AZCOPY_* variables.",
    )
    .version(`azcp version ${VERSION}`, "-v, --version", "Show the version.")
    .helpOption("-h, --help", "Show help.")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ outputError: (text, write) => write(text) })
    .configureHelp({ showGlobalOptions: true });
  addFlags(program, GLOBAL_FLAGS);
  registerCopy(program);
  registerSync(program);
  registerList(program);
  registerRemove(program);
  registerMake(program);
  registerJobs(program);
  registerLogin(program);
  registerLogout(program);
  registerAccess(program);
  registerEnv(program);
  registerShards(program);
  registerBench(program);
  registerCompletion(program);
  registerDoc(program);
  for (const command of program.commands) addExamples(command, command.name());
  return program;
}

function booleanFlagNames(program: Command): Set<string> {
  const names = new Set<string>();
  const all = (command: Command): Command[] => [command, ...command.commands.flatMap(all)];
  for (const command of all(program)) {
    for (const option of command.options) {
      if (!option.required && !option.optional && option.long && !option.negate)
        names.add(option.long.slice(2));
    }
  }
  return names;
}

export async function main(argv: readonly string[]): Promise<void> {
  // A reader that went away (`azcp list ... | head`) ends azcp as SIGPIPE ends AzCopy (the shell
  // sees 141); any other failure to write output is said on stderr, without a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(EXIT_BROKEN_PIPE);
      if (stream !== process.stderr)
        process.stderr.write(
          `Could not write to standard output (${error.code === "ENOSPC" ? "no space is left on the device it goes to, ENOSPC" : (error.code ?? error.message)}). Send it somewhere with room.\n`,
        );
      process.exit(1);
    });
  }
  // AzCopy's `--check-version` alone asks the network for a newer release and exits 0 either
  // way; azcp never calls home, so it just succeeds.
  if (argv.length === 3 && argv[2] === "--check-version") return;
  const program = buildProgram();
  await program.parseAsync(normalizeBooleanFlags(argv, booleanFlagNames(program)));
}
