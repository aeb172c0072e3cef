// azcp remove (rm), azcp set-properties, azcp make (mk).
import type { Command } from "commander";
import type { OptionsFor } from "../../options/table.js";
import { addFlags, flagsFor } from "../flags.js";
import { cancellationNotice, runJob } from "../job-output.js";
import { jobOptions, signInOptions } from "../library-options.js";
import { inShard, runCommand } from "../run.js";
import { stdinControlFor } from "../stdin-control.js";

const TRASH_LOCATIONS: Record<string, "Blob" | "File" | "BlobFS"> = {
  BlobTrash: "Blob",
  FileTrash: "File",
  BlobFSTrash: "BlobFS",
};

export function registerRemove(program: Command): void {
  const remove = program
    .command("remove")
    .alias("rm")
    .summary("Delete blobs, files and directories")
    .description(
      "Delete a blob or file, or with --recursive everything under a directory, container or share that the filters keep.",
    )
    .argument("<url>", "blob, file, directory, container or share URL");
  addFlags(remove, flagsFor("remove")).action(
    async (url: string, flags: OptionsFor<"remove">, self: Command) =>
      runCommand(self, async ({ globals, output }) => {
        const stdin = stdinControlFor(output, globals, cancellationNotice(output, "remove"));
        const { remove: removeBlobs } = await import("../../api.js");
        const { fromTo, ...rest } = flags;
        if (flags.permanentDelete && flags.permanentDelete !== "None")
          output.info(
            "INFO: Permanent delete is a PREVIEW feature and soft-deleted snapshots/versions will be deleted PERMANENTLY. Please proceed with caution.",
          );
        const job = await removeBlobs(url, {
          ...rest,
          ...(fromTo ? { location: TRASH_LOCATIONS[fromTo]! } : {}),
          ...jobOptions(globals),
          ...signInOptions(globals, output),
        });
        return runJob(job, output, { stdin, command: "remove", shard: inShard(self) });
      }),
  );

  const setProperties = program
    .command("set-properties")
    .alias("sp")
    .summary("Change the access tier, metadata or tags of blobs")
    .description(
      "Set the access tier, replace the metadata, or replace the index tags of a blob, or with --recursive of every blob under a directory or container.",
    )
    .argument("<url>", "blob, directory or container URL");
  addFlags(setProperties, flagsFor("set-properties")).action(
    async (url: string, flags: OptionsFor<"set-properties">, self: Command) =>
      runCommand(self, async ({ globals, output }) => {
        const stdin = stdinControlFor(output, globals, cancellationNotice(output, "set-properties"));
        const { setProperties: set } = await import("../../api.js");
        const job = await set(url, {
          ...flags,
          ...jobOptions(globals),
          ...signInOptions(globals, output),
        });
        return runJob(job, output, { stdin, command: "set-properties" });
      }),
  );
}

export function registerMake(program: Command): void {
  const make = program
    .command("make")
    .alias("mk")
    .summary("Create a container, file share or file system")
    .description(
      "Create a Blob container, an Azure Files share (with --quota-gb) or a Data Lake file system.",
    )
    .argument("<url>", "container, share or file system URL");
  addFlags(make, flagsFor("make")).action(async (url: string, flags: OptionsFor<"make">, self: Command) =>
    runCommand(self, async ({ globals, output }) => {
      const { make: makeContainer } = await import("../../api.js");
      const quotaGb = flags.quotaGb;
      const outcome = await makeContainer(url, {
        ...signInOptions(globals, output),
        ...(flags.location ? { location: flags.location } : {}),
        ...(quotaGb !== undefined ? { quotaGb } : {}),
      });
      if (outcome === "exists") {
        output.error("The container already exists; nothing was changed.");
        output.endOfJob();
        return 1;
      }
      output.result("Successfully created the resource.");
      output.endOfJob();
      return 0;
    }),
  );
}
