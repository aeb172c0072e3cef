// azcp sync (sc): make the destination match the source.
import type { Command } from "commander";
import { addFlags, type FlagSpec } from "../flags.js";
import { runJob } from "../job-output.js";
import { jobOptions, signInOptions } from "../library-options.js";
import { askYesNo } from "../overwrite-prompt.js";
import { canPrompt } from "../prompt.js";
import { runCommand } from "../run.js";
import { FILTER_FLAGS } from "./copy.js";

const SYNC_FLAGS: readonly FlagSpec[] = [
  { name: "recursive", help: "Include subdirectories (default true).", defaultValue: true },
  {
    name: "delete-destination",
    value: "<mode>",
    help: "Delete destination objects the source does not have: true, false (default) or prompt.",
    defaultValue: "false",
    choices: ["true", "false", "prompt"],
  },
  {
    name: "compare-hash",
    value: "<kind>",
    help: "Compare contents by MD5 instead of last-modified times: None (default) or MD5.",
    defaultValue: "None",
    choices: ["None", "MD5"],
  },
  { name: "mirror-mode", help: "Copy every source object, whatever the destination holds." },
  // AzCopy's sync has no --include-path (nor --list-of-files or the date filters).
  ...FILTER_FLAGS.filter((flag) => flag.name !== "include-path"),
  {
    name: "from-to",
    value: "<pair>",
    help: "Source and destination types, e.g. LocalBlob, BlobLocal, BlobBlob, LocalFile, FileFile, BlobFSLocal.",
  },
  {
    name: "preserve-info",
    help: "Keep SMB times and attributes (Azure Files), or a local file's modification time, on the copy.",
  },
  {
    name: "preserve-permissions",
    help: "Keep POSIX ACLs when copying between Data Lake Storage locations.",
  },
  {
    name: "put-md5",
    help: "Store each uploaded file's MD5 as Content-MD5 (lets later syncs compare hashes).",
  },
  { name: "block-size-mb", value: "<MiB>", help: "Block size for uploads and range size for downloads." },
  { name: "dry-run", help: "Print what would be copied and deleted, and change nothing." },
];

interface SyncFlags {
  recursive?: boolean;
  deleteDestination?: "true" | "false" | "prompt";
  compareHash?: "None" | "MD5";
  mirrorMode?: boolean;
  includePattern?: string;
  excludePattern?: string;
  excludePath?: string;
  includeRegex?: string;
  excludeRegex?: string;
  fromTo?: string;
  putMd5?: boolean;
  blockSizeMb?: string;
  dryRun?: boolean;
}

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
  addFlags(command, SYNC_FLAGS).action(
    async (source: string, destination: string, flags: SyncFlags, self: Command) =>
      runCommand(self, async ({ globals, output }) => {
        const { sync } = await import("../../api.js");
        const { deleteDestination = "false", compareHash = "None", mirrorMode = false, ...rest } = flags;
        const job = await sync(source, destination, {
          ...rest,
          deleteDestination,
          compareHash,
          mirrorMode,
          askDelete: deleteDestination === "prompt" && canPrompt() ? askYesNo("Delete") : undefined,
          capMbps: globals.capMbps,
          ...jobOptions(globals),
          ...signInOptions(globals, output),
        });
        return runJob(job, output);
      }),
  );
}
