// azcp copy (cp): upload, download, or copy between Blob locations.
import type { Command } from "commander";
import { badInput } from "../../api.js";
import { addFlags, type FlagSpec } from "../flags.js";
import { runJob } from "../job-output.js";
import { jobOptions, signInOptions } from "../library-options.js";
import { askOverwrite } from "../overwrite-prompt.js";
import { canPrompt } from "../prompt.js";
import { runCommand } from "../run.js";

export const FILTER_FLAGS: readonly FlagSpec[] = [
  {
    name: "include-pattern",
    value: "<patterns>",
    help: "Copy only files whose name matches one of these ';'-separated patterns (*, ?, [abc], [a-z], [^a]; case-sensitive), e.g. \"*.jpg;*.pdf;exactName\". With it, folders are not copied.",
  },
  {
    name: "exclude-pattern",
    value: "<patterns>",
    help: "Skip files whose name matches one of these ';'-separated patterns (as --include-pattern).",
  },
  {
    name: "include-path",
    value: "<paths>",
    help: "Copy only these ';'-separated paths, each a file or (with --recursive) a folder, relative to the source.",
  },
  {
    name: "exclude-path",
    value: "<paths>",
    help: 'Skip what starts with one of these \';\'-separated paths, relative to the source ("foo" also skips "foobar"; write "foo/" for the folder only).',
  },
  {
    name: "include-regex",
    value: "<regexes>",
    help: "Copy only what has a relative path in which one of these ';'-separated RE2 regular expressions matches.",
  },
  {
    name: "exclude-regex",
    value: "<regexes>",
    help: "Skip what has a relative path in which one of these ';'-separated RE2 regular expressions matches.",
  },
];

const COPY_FLAGS: readonly FlagSpec[] = [
  { name: "recursive", help: "Copy directories with everything under them." },
  {
    name: "as-subdir",
    help: "Put a directory source under the destination as a subdirectory (default true; dir/* copies only its contents).",
    defaultValue: true,
  },
  {
    name: "overwrite",
    value: "<mode>",
    help: "What to do with objects that exist at the destination: true (replace), false (skip), prompt, or ifSourceNewer.",
    defaultValue: "true",
    choices: ["true", "false", "prompt", "ifSourceNewer"],
  },
  {
    name: "from-to",
    value: "<pair>",
    help: "Source and destination types, for URLs azcp cannot read them from: LocalBlob, BlobLocal, BlobBlob, PipeBlob, BlobPipe.",
  },
  ...FILTER_FLAGS,
  {
    name: "include-before",
    value: "<time>",
    help: "Copy only files modified on or before this ISO 8601 time (no time zone: local time).",
  },
  {
    name: "include-after",
    value: "<time>",
    help: "Copy only files modified on or after this ISO 8601 time (no time zone: local time).",
  },
  {
    name: "list-of-files",
    value: "<file>",
    help: "Copy the paths listed in this file, one per line, relative to the source.",
  },
  {
    name: "block-size-mb",
    value: "<MiB>",
    help: "Block size for uploads and range size for downloads (default 8 MiB, grown for files over 390 GiB); decimals allowed.",
  },
  {
    name: "put-blob-size-mb",
    value: "<MiB>",
    help: "Upload files up to this size in a single request (default: the block size).",
  },
  {
    name: "blob-type",
    value: "<type>",
    help: "Blob type to create: Detect (block blobs; page blobs for .vhd/.vhdx; the source's type between accounts), BlockBlob, PageBlob or AppendBlob.",
    defaultValue: "Detect",
    choices: ["Detect", "BlockBlob", "PageBlob", "AppendBlob"],
  },
  {
    name: "block-blob-tier",
    value: "<tier>",
    help: "Access tier for uploaded block blobs: Hot, Cool, Cold or Archive.",
    choices: ["None", "Hot", "Cool", "Cold", "Archive"],
  },
  { name: "metadata", value: "<pairs>", help: 'Metadata to set, as "key=value;key2=value2".' },
  { name: "content-type", value: "<type>", help: "Content type to set (turns off guessing)." },
  { name: "content-encoding", value: "<value>", help: "Content-Encoding header to set." },
  { name: "content-language", value: "<value>", help: "Content-Language header to set." },
  { name: "content-disposition", value: "<value>", help: "Content-Disposition header to set." },
  { name: "cache-control", value: "<value>", help: "Cache-Control header to set." },
  { name: "no-guess-mime-type", help: "Do not guess the content type from the file name and contents." },
  { name: "blob-tags", value: "<pairs>", help: 'Blob index tags to set, as "key=value&key2=value2".' },
  { name: "put-md5", help: "Compute each file's MD5 and store it as the blob's Content-MD5 (uploads)." },
  {
    name: "check-md5",
    value: "<mode>",
    help: "How downloads are checked against the stored MD5: NoCheck, LogOnly, FailIfDifferent (default), FailIfDifferentOrMissing.",
    defaultValue: "FailIfDifferent",
    choices: ["NoCheck", "LogOnly", "FailIfDifferent", "FailIfDifferentOrMissing"],
  },
  {
    name: "check-length",
    help: "Check that every transfer moved exactly the source's length (always on; azcp checks it without extra requests).",
    defaultValue: true,
  },
  { name: "preserve-last-modified-time", help: "Give downloaded files the blob's last-modified time." },
  {
    name: "s2s-preserve-properties",
    help: "Keep content headers and metadata when copying between accounts (default true).",
    defaultValue: true,
  },
  {
    name: "s2s-preserve-access-tier",
    help: "Keep the access tier when copying between accounts (default true).",
    defaultValue: true,
  },
  {
    name: "preserve-info",
    help: "Keep SMB times and attributes (Azure Files), or a local file's modification time, on the copy.",
  },
  {
    name: "preserve-permissions",
    help: "Keep POSIX ACLs when copying between Data Lake Storage locations.",
  },
  { name: "dry-run", help: "Print what would be copied, and copy nothing." },
  { name: "follow-symlinks", help: "Follow symbolic links when uploading (default: skip them)." },
];

interface CopyFlags {
  recursive?: boolean;
  asSubdir?: boolean;
  overwrite?: "true" | "false" | "prompt" | "ifSourceNewer";
  fromTo?: string;
  includePattern?: string;
  excludePattern?: string;
  includePath?: string;
  excludePath?: string;
  includeRegex?: string;
  excludeRegex?: string;
  includeBefore?: string;
  includeAfter?: string;
  listOfFiles?: string;
  blockSizeMb?: string;
  putBlobSizeMb?: string;
  blobType?: "Detect" | "BlockBlob" | "PageBlob" | "AppendBlob";
  blockBlobTier?: string;
  metadata?: string;
  contentType?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  cacheControl?: string;
  noGuessMimeType?: boolean;
  guessMimeType?: boolean;
  blobTags?: string;
  putMd5?: boolean;
  checkMd5?: "NoCheck" | "LogOnly" | "FailIfDifferent" | "FailIfDifferentOrMissing";
  preserveLastModifiedTime?: boolean;
  s2sPreserveProperties?: boolean;
  s2sPreserveAccessTier?: boolean;
  preserveInfo?: boolean;
  preservePermissions?: boolean;
  dryRun?: boolean;
  followSymlinks?: boolean;
}

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
  addFlags(command, COPY_FLAGS).action(
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
        const { copy } = await import("../../api.js");
        const job = await copy(source, destination, {
          ...flags,
          blockBlobTier: flags.blockBlobTier === "None" ? undefined : flags.blockBlobTier,
          noGuessMimeType: flags.noGuessMimeType ?? (flags.guessMimeType === false ? true : undefined),
          askOverwrite: flags.overwrite === "prompt" && canPrompt() ? askOverwrite() : undefined,
          capMbps: globals.capMbps,
          ...jobOptions(globals),
          ...signInOptions(globals, output),
        });
        return runJob(job, output);
      }),
  );
}
