// azcp sync (sc): make the destination match the source.
import type { Command } from "commander";
import type { OptionsFor } from "../../options/table.js";
import { addFlags, flagsFor } from "../flags.js";
import { cancellationNotice, runJob } from "../job-output.js";
import { jobOptions, signInOptions } from "../library-options.js";
import { askYesNo } from "../overwrite-prompt.js";
import { canPrompt } from "../prompt.js";
import { inShard, runCommand } from "../run.js";
import { promptThrough, stdinControlFor } from "../stdin-control.js";

/** The sync command's flags as the library takes them. */
type SyncFlags = OptionsFor<"sync">;

export function registerSync(program: Command): void {
  const command = program
    .command("sync")
    .alias("sc")
    .summary("Make a destination match a source")
    .description(
      "Compare a local directory with a Blob container, file share or Data Lake file system (or directories in them), or two such remote locations, and copy what is missing or newer at the source; with --delete-destination, also delete what only the destination has. Both sides are compared as sorted listings in one pass, so copying starts at once.",
    )
    .argument("<source>", "local directory or URL")
    .argument("<destination>", "local directory or URL");
  addFlags(command, flagsFor("sync")).action(
    async (source: string, destination: string, flags: SyncFlags, self: Command) =>
      runCommand(self, async ({ globals, output }) => {
        const stdin = stdinControlFor(output, globals, cancellationNotice(output, "sync"));
        const { sync } = await import("../../api.js");
        const { deleteDestination = "false", compareHash = "None", mirrorMode = false, ...rest } = flags;
        const job = await sync(source, destination, {
          ...rest,
          deleteDestination,
          compareHash,
          mirrorMode,
          askDelete:
            deleteDestination !== "prompt"
              ? undefined
              : canPrompt()
                ? askYesNo("Delete")
                : stdin &&
                  promptThrough(
                    stdin,
                    output,
                    "DeleteDestination",
                    (target) =>
                      `The object '${target}' does not exist at the source. Do you wish to delete it from the destination?`,
                  ),
          capMbps: globals.capMbps,
          ...jobOptions(globals),
          ...signInOptions(globals, output),
        });
        return runJob(job, output, { stdin, command: "sync", shard: inShard(self) });
      }),
  );
}
