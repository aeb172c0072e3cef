// azcp copy (cp): upload, download, or copy between Blob locations.
import type { Command } from "commander";
import { badInput } from "../../api.js";
import type { OptionsFor } from "../../options/table.js";
import { addFlags, flagsFor } from "../flags.js";
import { cancellationNotice, runJob } from "../job-output.js";
import { jobOptions, signInOptions } from "../library-options.js";
import { askOverwrite } from "../overwrite-prompt.js";
import { canPrompt } from "../prompt.js";
import { inShard, runCommand } from "../run.js";
import { promptThrough, stdinControlFor } from "../stdin-control.js";

/** The copy command's flags as the library takes them, plus the spellings commander adds. */
type CopyFlags = OptionsFor<"copy"> & { guessMimeType?: boolean };

export function registerCopy(program: Command): void {
  const command = program
    .command("copy")
    .alias("cp")
    .summary("Copy files to, from or between Azure Storage locations")
    .description(
      "Upload local files to Blob Storage, Azure Files or Data Lake Storage, download from them, or copy between them (the service copies the data itself when it can). Directories need --recursive.",
    )
    .argument("<source>", "local path or URL (a pipe with --from-to PipeBlob)")
    .argument("[destination]", "local path or URL (a pipe with --from-to BlobPipe)");
  addFlags(command, flagsFor("copy")).action(
    async (source: string, destination: string | undefined, flags: CopyFlags, self: Command) =>
      runCommand(self, async ({ globals, output }) => {
        const fromTo = flags.fromTo?.toLowerCase();
        if (fromTo === "pipeblob" || fromTo === "blobpipe") {
          const { runPipeCopy } = await import("../pipe-copy.js");
          return runPipeCopy(
            fromTo === "pipeblob" ? "upload" : "download",
            destination ?? source,
            flags,
            globals,
            output,
          );
        }
        if (destination === undefined)
          throw badInput("copy needs a source and a destination.", "Run azcp copy <source> <destination>.");
        const stdin = stdinControlFor(output, globals, cancellationNotice(output, "copy"));
        const { copy } = await import("../../api.js");
        const job = await copy(source, destination, {
          ...flags,
          blockBlobTier: flags.blockBlobTier === "None" ? undefined : flags.blockBlobTier,
          noGuessMimeType: flags.noGuessMimeType ?? (flags.guessMimeType === false ? true : undefined),
          askOverwrite:
            flags.overwrite !== "prompt"
              ? undefined
              : canPrompt()
                ? askOverwrite()
                : stdin &&
                  promptThrough(
                    stdin,
                    output,
                    "Overwrite",
                    (target) => `${target} already exists at the destination. Do you wish to overwrite?`,
                  ),
          capMbps: globals.capMbps,
          ...jobOptions(globals),
          ...signInOptions(globals, output),
        });
        return runJob(job, output, { stdin, command: "copy", shard: inShard(self) });
      }),
  );
}
