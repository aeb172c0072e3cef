// azcp remove (rm), azcp set-properties, azcp make (mk).
import type { Command } from "commander";
import { badInput } from "../../api.js";
import { addFlags, type FlagSpec } from "../flags.js";
import { runJob } from "../job-output.js";
import { jobOptions, signInOptions } from "../library-options.js";
import { runCommand } from "../run.js";
import { FILTER_FLAGS } from "./copy.js";

const TRASH_LOCATIONS: Record<string, "Blob" | "File" | "BlobFS"> = {
  BlobTrash: "Blob",
  FileTrash: "File",
  BlobFSTrash: "BlobFS",
};

const IN_PLACE_FLAGS: readonly FlagSpec[] = [
  { name: "recursive", help: "Include everything under a virtual directory or container." },
  ...FILTER_FLAGS.filter((flag) => !flag.name.endsWith("regex")),
  {
    name: "list-of-files",
    value: "<file>",
    help: "Act on the paths listed in this file, one per line, relative to the URL.",
  },
  { name: "dry-run", help: "Print what would be changed, and change nothing." },
];

interface InPlaceFlags {
  recursive?: boolean;
  includePattern?: string;
  excludePattern?: string;
  includePath?: string;
  excludePath?: string;
  listOfFiles?: string;
  dryRun?: boolean;
}

export function registerRemove(program: Command): void {
  const remove = program
    .command("remove")
    .alias("rm")
    .summary("Delete blobs, files and directories")
    .description(
      "Delete a blob or file, or with --recursive everything under a directory, container or share that the filters keep.",
    )
    .argument("<url>", "blob, file, directory, container or share URL");
  addFlags(remove, [
    ...IN_PLACE_FLAGS,
    {
      name: "from-to",
      value: "<pair>",
      help: "The service, for URLs whose host does not name one (emulators): BlobTrash, FileTrash or BlobFSTrash.",
      choices: ["BlobTrash", "FileTrash", "BlobFSTrash"],
    },
    {
      name: "delete-snapshots",
      value: "<which>",
      help: "For blobs with snapshots: include (delete the blob and its snapshots) or only (just the snapshots).",
      choices: ["include", "only"],
    },
  ]).action(
    async (
      url: string,
      flags: InPlaceFlags & { deleteSnapshots?: "include" | "only"; fromTo?: string },
      self: Command,
    ) =>
      runCommand(self, async ({ globals, output }) => {
        const { remove: removeBlobs } = await import("../../api.js");
        const { fromTo, ...rest } = flags;
        const job = await removeBlobs(url, {
          ...rest,
          ...(fromTo ? { location: TRASH_LOCATIONS[fromTo]! } : {}),
          ...jobOptions(globals),
          ...signInOptions(globals, output),
        });
        return runJob(job, output);
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
  addFlags(setProperties, [
    ...IN_PLACE_FLAGS,
    {
      name: "block-blob-tier",
      value: "<tier>",
      help: "Access tier to set: Hot, Cool, Cold or Archive.",
      choices: ["Hot", "Cool", "Cold", "Archive"],
    },
    {
      name: "metadata",
      value: "<pairs>",
      help: 'Metadata to set (replacing what is there), as "key=value;key2=value2"; "" clears it.',
    },
    {
      name: "blob-tags",
      value: "<pairs>",
      help: 'Index tags to set (replacing what is there), as "key=value&key2=value2"; "" clears them.',
    },
  ]).action(
    async (
      url: string,
      flags: InPlaceFlags & { blockBlobTier?: string; metadata?: string; blobTags?: string },
      self: Command,
    ) =>
      runCommand(self, async ({ globals, output }) => {
        const { setProperties: set } = await import("../../api.js");
        const job = await set(url, {
          ...flags,
          ...jobOptions(globals),
          ...signInOptions(globals, output),
        });
        return runJob(job, output);
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
  addFlags(make, [
    { name: "quota-gb", value: "<gb>", help: "Quota of a file share, in GB (shares only)." },
    {
      name: "location",
      value: "<service>",
      help: "The service, for URLs whose host does not name one (emulators, IP addresses): Blob, File or BlobFS.",
      choices: ["Blob", "File", "BlobFS"],
    },
  ]).action(
    async (url: string, flags: { quotaGb?: string; location?: "Blob" | "File" | "BlobFS" }, self: Command) =>
      runCommand(self, async ({ globals, output }) => {
        const { make: makeContainer } = await import("../../api.js");
        const quotaGb = flags.quotaGb === undefined ? undefined : Number(flags.quotaGb);
        if (quotaGb !== undefined && !(Number.isInteger(quotaGb) && quotaGb > 0)) {
          throw badInput(
            `--quota-gb "${flags.quotaGb}" is not a whole number of GB.`,
            "Pass a quota such as 100.",
          );
        }
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
