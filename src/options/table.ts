// Every flag of copy, sync, remove, set-properties, list and make, declared once, as data:
// the command line's flags and --help, the library's option types, value checks and what a plan
// file keeps all come from this table. A flag that commands describe differently has one entry
// per wording. The value kinds are read by one parser each (options/values.ts).

export type CommandName = "copy" | "sync" | "remove" | "set-properties" | "list" | "make" | "bench";

/** How a flag's value is read: each kind has one parser, and a library type. */
export type ValueKind =
  /** A switch: --flag, --flag=true, --flag=false. */
  | "switch"
  /** Free text, or one of `choices`. */
  | "text"
  /** Mebibytes, decimals allowed ("0.25" is 262144 bytes); read as bytes, at most `max`. */
  | "mebibytes"
  /** An ISO 8601 date or time, as AzCopy reads it. */
  | "date"
  /** A whole number above 0. */
  | "count";

export interface OptionSpec {
  /** As AzCopy spells it, without dashes. The library's option name is its camelCase. */
  readonly flag: string;
  readonly commands: readonly CommandName[];
  readonly kind: ValueKind;
  /** Placeholder shown in help for a flag that takes a value. */
  readonly value?: string;
  readonly choices?: readonly string[];
  readonly defaultValue?: string | boolean;
  readonly help: string;
  /** A value people write, for help and docs. */
  readonly example?: string;
  /** The largest value (mebibytes), in bytes. */
  readonly max?: number;
  /** Left out of a plan file (prompts, things that only make sense once). */
  readonly transient?: boolean;
  readonly hidden?: boolean;
}

const MIB = 1024 * 1024;
const PAGE_TIERS = ["None", "P4", "P6", "P10", "P15", "P20", "P30", "P40", "P50"] as const;
const COPYING = ["copy", "sync"] as const;
const SELECTING = ["copy", "sync", "remove", "set-properties"] as const;
const IN_PLACE = ["remove", "set-properties"] as const;

export const OPTIONS = [
  // What is copied.
  {
    flag: "recursive",
    commands: ["copy", ...IN_PLACE],
    kind: "switch",
    help: "Include directories with everything under them.",
  },
  {
    flag: "recursive",
    commands: ["sync"],
    kind: "switch",
    defaultValue: true,
    help: "Include subdirectories.",
  },
  {
    flag: "as-subdir",
    commands: ["copy"],
    kind: "switch",
    defaultValue: true,
    help: "Put a directory source under the destination as a subdirectory (dir/* copies only its contents).",
  },
  {
    flag: "from-to",
    commands: ["copy", "sync"],
    kind: "text",
    value: "<pair>",
    help: "Source and destination kinds, for URLs whose host does not say: LocalBlob, BlobLocal, BlobBlob, LocalFile, FileLocal, FileFile, BlobFile, FileBlob, LocalBlobFS, BlobFSLocal, BlobFSBlobFS, PipeBlob, BlobPipe, and azcp's HttpLocal, HttpBlob, ...",
    example: "LocalBlob",
  },
  {
    flag: "from-to",
    commands: ["remove"],
    kind: "text",
    value: "<pair>",
    choices: ["BlobTrash", "FileTrash", "BlobFSTrash"],
    help: "The service, for URLs whose host does not name one (emulators): BlobTrash, FileTrash or BlobFSTrash.",
  },
  {
    flag: "from-to",
    commands: ["set-properties"],
    kind: "text",
    value: "<pair>",
    choices: ["BlobNone", "FileNone", "BlobFSNone"],
    help: "The service, for URLs whose host does not name one (emulators): BlobNone, FileNone or BlobFSNone (Data Lake goes through its Blob endpoint).",
  },
  {
    flag: "include-pattern",
    commands: SELECTING,
    kind: "text",
    value: "<patterns>",
    example: "*.jpg;*.pdf;exactName",
    help: "Only files whose name matches one of these ';'-separated patterns (*, ?, [abc], [a-z], [^a]; case-sensitive). With it, folders are not copied.",
  },
  {
    flag: "exclude-pattern",
    commands: SELECTING,
    kind: "text",
    value: "<patterns>",
    example: "*.tmp;~*",
    help: "Leave out files whose name matches one of these ';'-separated patterns (as --include-pattern).",
  },
  {
    flag: "include-path",
    commands: ["copy", ...IN_PLACE],
    kind: "text",
    value: "<paths>",
    example: "photos;docs/report.pdf",
    help: "Only these ';'-separated paths, each a file or (with --recursive) a folder, relative to the source.",
  },
  {
    flag: "exclude-path",
    commands: SELECTING,
    kind: "text",
    value: "<paths>",
    example: "tmp/;cache",
    help: 'Leave out what starts with one of these \';\'-separated paths, relative to the source ("foo" also leaves out "foobar"; write "foo/" for the folder only).',
  },
  {
    flag: "include-regex",
    commands: COPYING,
    kind: "text",
    value: "<regexes>",
    example: "^2024/.*\\.csv$",
    help: "Only what has a relative path in which one of these ';'-separated RE2 regular expressions matches.",
  },
  {
    flag: "exclude-regex",
    commands: COPYING,
    kind: "text",
    value: "<regexes>",
    example: "\\.bak\\z",
    help: "Leave out what has a relative path in which one of these ';'-separated RE2 regular expressions matches.",
  },
  {
    flag: "exclude-blob-type",
    commands: ["copy"],
    kind: "text",
    value: "<types>",
    example: "PageBlob;AppendBlob",
    help: "Leave out blobs of these ';'-separated types (BlockBlob, PageBlob, AppendBlob) when copying from Blob Storage.",
  },
  {
    flag: "s2s-preserve-blob-tags",
    commands: COPYING,
    kind: "switch",
    help: "Keep blob index tags when copying between Blob accounts.",
  },
  {
    flag: "s2s-detect-source-changed",
    commands: ["copy"],
    kind: "switch",
    help: "Fail a transfer whose source changes while it is read (always on: azcp pins every source's size, time or ETag).",
  },
  {
    flag: "include-before",
    commands: ["copy", "remove"],
    kind: "date",
    value: "<time>",
    example: "2024-06-30T18:00:00Z",
    help: "Only files modified on or before this ISO 8601 time (no time zone: local time).",
  },
  {
    flag: "include-after",
    commands: ["copy", "remove"],
    kind: "date",
    value: "<time>",
    example: "2024-06-01",
    help: "Only files modified on or after this ISO 8601 time (no time zone: local time).",
  },
  {
    flag: "list-of-files",
    commands: ["copy", ...IN_PLACE],
    kind: "text",
    value: "<file>",
    help: "Only the paths listed in this file, one per line, relative to the source.",
  },
  {
    flag: "decompress",
    commands: ["copy"],
    kind: "switch",
    help: "Decompress downloads whose Content-Encoding is gzip or deflate (names are kept, as AzCopy 10.32 keeps them).",
  },
  {
    flag: "list-of-versions",
    commands: ["copy", "remove"],
    kind: "text",
    value: "<file>",
    help: "Versions of the one blob the source names, one version id per line: each is downloaded as <version>-<name> into the destination folder (copy) or deleted (remove).",
  },
  // How it is copied.
  {
    flag: "overwrite",
    commands: ["copy"],
    kind: "text",
    value: "<mode>",
    defaultValue: "true",
    choices: ["true", "false", "prompt", "ifSourceNewer"],
    help: "What to do with objects that exist at the destination: true (replace), false (skip), prompt, or ifSourceNewer.",
  },
  {
    flag: "block-size-mb",
    commands: COPYING,
    kind: "mebibytes",
    value: "<MiB>",
    max: 4000 * MIB,
    example: "16",
    help: "Block size for uploads and range size for downloads (default 8 MiB, grown for files over 390 GiB); decimals allowed.",
  },
  {
    flag: "put-blob-size-mb",
    commands: ["copy", "sync"],
    kind: "mebibytes",
    value: "<MiB>",
    max: 5000 * MIB,
    help: "Upload files up to this size in a single request (default: the block size).",
  },
  {
    flag: "blob-type",
    commands: ["copy"],
    kind: "text",
    value: "<type>",
    defaultValue: "Detect",
    choices: ["Detect", "BlockBlob", "PageBlob", "AppendBlob"],
    help: "Blob type to create: Detect (block blobs; page blobs for .vhd/.vhdx; the source's type between accounts), BlockBlob, PageBlob or AppendBlob.",
  },
  {
    flag: "block-blob-tier",
    commands: ["copy"],
    kind: "text",
    value: "<tier>",
    choices: ["None", "Hot", "Cool", "Cold", "Archive"],
    help: "Access tier for uploaded block blobs: Hot, Cool, Cold or Archive.",
  },
  {
    flag: "block-blob-tier",
    commands: ["set-properties"],
    kind: "text",
    value: "<tier>",
    choices: ["Hot", "Cool", "Cold", "Archive"],
    help: "Access tier to set on block blobs: Hot, Cool, Cold or Archive.",
  },
  {
    flag: "page-blob-tier",
    commands: ["copy", "set-properties"],
    kind: "text",
    value: "<tier>",
    choices: PAGE_TIERS,
    defaultValue: "None",
    help: "Access tier for page blobs (premium accounts): P4, P6, P10, P15, P20, P30, P40 or P50.",
  },
  {
    flag: "rehydrate-priority",
    commands: ["set-properties"],
    kind: "text",
    value: "<priority>",
    choices: ["Standard", "High"],
    defaultValue: "Standard",
    help: "How fast an archived blob whose tier is changed comes back: Standard or High (sent with every tier change).",
  },
  {
    flag: "metadata",
    commands: ["copy"],
    kind: "text",
    value: "<pairs>",
    example: "project=alpha;owner=me",
    help: 'Metadata to set, as "key=value;key2=value2".',
  },
  {
    flag: "metadata",
    commands: ["set-properties"],
    kind: "text",
    value: "<pairs>",
    help: 'Metadata to set (replacing what is there), as "key=value;key2=value2"; "" clears it.',
  },
  {
    flag: "content-type",
    commands: ["copy"],
    kind: "text",
    value: "<type>",
    help: "Content type to set (turns off guessing).",
  },
  {
    flag: "content-encoding",
    commands: ["copy"],
    kind: "text",
    value: "<value>",
    help: "Content-Encoding header to set.",
  },
  {
    flag: "content-language",
    commands: ["copy"],
    kind: "text",
    value: "<value>",
    help: "Content-Language header to set.",
  },
  {
    flag: "content-disposition",
    commands: ["copy"],
    kind: "text",
    value: "<value>",
    help: "Content-Disposition header to set.",
  },
  {
    flag: "cache-control",
    commands: ["copy"],
    kind: "text",
    value: "<value>",
    help: "Cache-Control header to set.",
  },
  {
    flag: "no-guess-mime-type",
    commands: ["copy"],
    kind: "switch",
    help: "Do not guess the content type from the file name and contents.",
  },
  {
    flag: "blob-tags",
    commands: ["copy"],
    kind: "text",
    value: "<pairs>",
    example: "team=data&env=test",
    help: 'Blob index tags to set, as "key=value&key2=value2".',
  },
  {
    flag: "blob-tags",
    commands: ["set-properties"],
    kind: "text",
    value: "<pairs>",
    help: 'Index tags to set (replacing what is there), as "key=value&key2=value2"; "" clears them.',
  },
  {
    flag: "put-md5",
    commands: ["copy"],
    kind: "switch",
    help: "Compute each file's MD5 and store it as the blob's Content-MD5 (uploads).",
  },
  {
    flag: "put-md5",
    commands: ["sync"],
    kind: "switch",
    help: "Store each uploaded file's MD5 as Content-MD5 (lets later syncs compare hashes).",
  },
  {
    flag: "check-md5",
    commands: ["copy", "sync"],
    kind: "text",
    value: "<mode>",
    defaultValue: "FailIfDifferent",
    choices: ["NoCheck", "LogOnly", "FailIfDifferent", "FailIfDifferentOrMissing"],
    help: "How downloads are checked against the stored MD5: NoCheck, LogOnly, FailIfDifferent or FailIfDifferentOrMissing.",
  },
  {
    flag: "check-length",
    commands: ["copy"],
    kind: "switch",
    defaultValue: true,
    help: "Check that every transfer moved exactly the source's length (always on; azcp checks it without extra requests).",
  },
  {
    flag: "preserve-last-modified-time",
    commands: ["copy"],
    kind: "switch",
    help: "Give downloaded files the blob's last-modified time.",
  },
  {
    flag: "s2s-preserve-properties",
    commands: ["copy"],
    kind: "switch",
    defaultValue: true,
    help: "Keep content headers and metadata when copying between accounts.",
  },
  {
    flag: "s2s-preserve-access-tier",
    commands: ["copy", "sync"],
    kind: "switch",
    defaultValue: true,
    help: "Keep the access tier when copying between accounts.",
  },
  {
    flag: "preserve-info",
    commands: COPYING,
    kind: "switch",
    help: "Keep SMB times and attributes (Azure Files), or a local file's modification time, on the copy.",
  },
  {
    flag: "preserve-permissions",
    commands: COPYING,
    kind: "switch",
    help: "Keep permissions between two Data Lake Storage locations (POSIX ACLs) or two Azure Files locations (SDDL).",
  },
  {
    flag: "preserve-posix-properties",
    commands: COPYING,
    kind: "switch",
    help: "Keep local files' POSIX properties (mode, owner, group, times, inode) in blob metadata as AzCopy does, and give mode and times back on download.",
  },
  {
    flag: "posix-properties-style",
    commands: COPYING,
    kind: "text",
    value: "<style>",
    choices: ["standard", "amlfs"],
    defaultValue: "standard",
    help: "How --preserve-posix-properties names them in metadata: standard (AzCopy's) or amlfs (Azure Managed Lustre's: owner, group, octal permissions, a readable modtime).",
  },
  {
    flag: "preserve-owner",
    commands: ["copy"],
    kind: "switch",
    defaultValue: true,
    help: "With --preserve-permissions on downloads from Azure Files to Windows, keep owner and group. No effect on Linux, as with AzCopy there.",
  },
  {
    flag: "hardlinks",
    commands: COPYING,
    kind: "text",
    value: "<how>",
    choices: ["follow", "skip"],
    defaultValue: "follow",
    help: "Hard links on NFS shares: follow (copied as independent files) or skip. Elsewhere hard links are ordinary files, as with AzCopy.",
  },
  {
    flag: "include-attributes",
    commands: COPYING,
    kind: "text",
    value: "<attributes>",
    help: "Windows only (file attributes such as R;A;S;H): refused on Linux, as AzCopy cannot apply it there either.",
  },
  {
    flag: "exclude-attributes",
    commands: COPYING,
    kind: "text",
    value: "<attributes>",
    help: "Windows only (file attributes such as R;A;S;H): refused on Linux, as AzCopy cannot apply it there either.",
  },
  {
    flag: "backup",
    commands: ["copy"],
    kind: "switch",
    help: "Windows only (SeBackupPrivilege/SeRestorePrivilege): refused on Linux with AzCopy's words.",
  },
  {
    flag: "disable-auto-decoding",
    commands: ["copy"],
    kind: "switch",
    help: "Keep %XX sequences in Azure Files names as they are on download; azcp never decodes them, so this changes nothing.",
  },
  {
    flag: "force-if-read-only",
    commands: [...COPYING, "remove"],
    kind: "switch",
    help: "Azure Files targets: clear a file's read-only attribute when overwriting or deleting it would fail on it.",
  },
  {
    flag: "exclude-container",
    commands: ["copy"],
    kind: "text",
    value: "<names>",
    help: "Containers (exact names, ';'-separated) to leave out of a copy of a whole account.",
  },
  {
    flag: "s2s-handle-invalid-metadata",
    commands: ["copy"],
    kind: "text",
    value: "<how>",
    choices: ["ExcludeIfInvalid", "FailIfInvalid", "RenameIfInvalid"],
    defaultValue: "ExcludeIfInvalid",
    help: "Copies between services: what to do with a metadata key Azure does not accept: ExcludeIfInvalid, FailIfInvalid or RenameIfInvalid (kept as rename_<key>, with rename_key_<key> holding the original name).",
  },
  {
    flag: "trailing-dot",
    commands: ["copy", "sync", "remove", "list", "set-properties"],
    kind: "text",
    value: "<mode>",
    defaultValue: "Enable",
    choices: ["Enable", "Disable"],
    help: 'Enable keeps trailing dots in Azure Files names ("name." and "name" stay two files); Disable lets the service trim them, as older versions did.',
  },
  {
    flag: "include-directory-stub",
    commands: COPYING,
    kind: "switch",
    help: "Copy Blob directory stubs (empty blobs with metadata hdi_isfolder=true) as blobs; by default they are folders and left out.",
  },
  {
    flag: "cpk-by-name",
    commands: ["copy", "sync", "remove"],
    kind: "text",
    value: "<scope>",
    help: "Encrypt what is written to Blob Storage with this encryption scope (sent as x-ms-encryption-scope).",
  },
  {
    flag: "cpk-by-value",
    commands: ["copy", "sync", "remove"],
    kind: "switch",
    help: "Encrypt and decrypt blobs with the customer-provided key in CPK_ENCRYPTION_KEY (and CPK_ENCRYPTION_KEY_SHA256); the key is read from the environment only.",
  },
  {
    flag: "preserve-symlinks",
    commands: COPYING,
    kind: "switch",
    help: "Upload symbolic links as blobs that hold their target (metadata is_symlink=true), and make links of those on download, as AzCopy does. Links pointing out of the destination are not made.",
  },
  {
    flag: "follow-symlinks",
    commands: ["copy", "sync"],
    kind: "switch",
    help: "Follow symbolic links when uploading (default: skip them).",
  },
  // Sync only.
  {
    flag: "delete-destination",
    commands: ["sync"],
    kind: "text",
    value: "<mode>",
    defaultValue: "false",
    choices: ["true", "false", "prompt"],
    help: "Delete destination objects the source does not have: true, false or prompt.",
  },
  {
    flag: "compare-hash",
    commands: ["sync"],
    kind: "text",
    value: "<kind>",
    defaultValue: "None",
    choices: ["None", "MD5"],
    help: "Compare contents by MD5 instead of last-modified times: None or MD5.",
  },
  {
    flag: "mirror-mode",
    commands: ["sync"],
    kind: "switch",
    help: "Copy every source object, whatever the destination holds.",
  },
  {
    flag: "local-hash-storage-mode",
    commands: ["sync"],
    kind: "text",
    value: "<mode>",
    choices: ["XAttr", "HiddenFiles"],
    defaultValue: "XAttr",
    help: "With --compare-hash MD5, where local files' MD5s are kept between runs: HiddenFiles (.<name>.azcopysyncmeta beside each file, or under --hash-meta-dir) or XAttr (not kept: azcp has no extended attributes, so they are computed each run).",
  },
  {
    flag: "hash-meta-dir",
    commands: ["sync"],
    kind: "text",
    value: "<folder>",
    help: "With --local-hash-storage-mode HiddenFiles: keep the hash files under this folder instead of beside the files.",
  },
  {
    flag: "include-root",
    commands: ["sync"],
    kind: "switch",
    help: "Also carry the root folder's own properties where folder properties are preserved; azcp's sync compares files only, so this changes nothing.",
  },
  // Remove only.
  {
    flag: "delete-snapshots",
    commands: ["remove"],
    kind: "text",
    value: "<which>",
    choices: ["include", "only"],
    help: "For blobs with snapshots: include (delete the blob and its snapshots) or only (just the snapshots).",
  },
  {
    flag: "permanent-delete",
    commands: ["remove"],
    kind: "text",
    value: "<which>",
    choices: ["None", "Snapshots", "Versions", "SnapshotsAndVersions"],
    defaultValue: "None",
    help: "Blob: permanently delete soft-deleted snapshots, versions or both (the base blobs stay).",
  },
  // One job over several machines.
  {
    flag: "shard",
    commands: ["copy", "sync", "remove"],
    kind: "text",
    value: "<index>/<count>",
    help: "Take only this machine's share of the job: the objects whose path hashes to <index> of <count> shards (0-based). Inside a Kubernetes Indexed Job, <count> alone takes the index from JOB_COMPLETION_INDEX. Also AZCP_SHARD.",
    example: "3/8",
  },
  {
    flag: "shard-report",
    commands: ["copy", "sync", "remove"],
    kind: "text",
    value: "<folder or URL>",
    help: "With --shard: write this shard's summary and failed transfers as shard-<index>-of-<count>.json into a local folder or under a container or directory URL (signed in as the job is); `azcp shards summary <folder or URL>` merges them.",
    example: "/reports/job-42",
  },
  // Everything that moves or changes objects.
  {
    flag: "dry-run",
    commands: SELECTING,
    kind: "switch",
    transient: true,
    help: "Print what would be copied, deleted or changed, and change nothing.",
  },
  // List and make.
  {
    flag: "location",
    commands: ["list", "make"],
    kind: "text",
    value: "<service>",
    choices: ["Blob", "File", "BlobFS"],
    help: "The service, for URLs whose host does not name one (emulators, IP addresses): Blob, File or BlobFS.",
  },
  {
    flag: "properties",
    commands: ["list"],
    kind: "text",
    value: "<names>",
    example: "LastModifiedTime;ContentType;ContentMD5",
    help: "Properties to show, separated by ';': LastModifiedTime, VersionId, BlobType, BlobAccessTier, ContentType, ContentEncoding, ContentMD5, LeaseState, LeaseDuration, LeaseStatus, ArchiveStatus.",
  },
  { flag: "machine-readable", commands: ["list"], kind: "switch", help: "Show sizes in bytes." },
  {
    flag: "running-tally",
    commands: ["list"],
    kind: "switch",
    help: "Finish with the number of files and their total size.",
  },
  {
    flag: "mega-units",
    commands: ["list"],
    kind: "switch",
    help: "Show sizes in units of 1000 (KB, MB) instead of 1024 (KiB, MiB).",
  },
  {
    flag: "quota-gb",
    commands: ["make"],
    kind: "count",
    value: "<gb>",
    help: "Quota of a file share, in GB (shares only).",
  },
  // Bench.
  {
    flag: "mode",
    commands: ["bench"],
    kind: "text",
    value: "<mode>",
    defaultValue: "Upload",
    choices: ["Upload", "Download"],
    help: "Upload generated files to the target, or download what the target holds (nothing is written locally).",
  },
  {
    flag: "file-count",
    commands: ["bench"],
    kind: "count",
    value: "<n>",
    defaultValue: "100",
    help: "How many files to generate (Upload).",
  },
  {
    flag: "size-per-file",
    commands: ["bench"],
    kind: "text",
    value: "<size>",
    defaultValue: "250M",
    example: "100K",
    help: "Size of each generated file: a number followed by K, M or G (Upload).",
  },
  {
    flag: "number-of-folders",
    commands: ["bench"],
    kind: "text",
    value: "<n>",
    defaultValue: "0",
    help: "Spread the generated files over this many folders (Upload).",
  },
  {
    flag: "delete-test-data",
    commands: ["bench"],
    kind: "switch",
    defaultValue: true,
    help: "Delete the generated files at the end of an upload benchmark.",
  },
  {
    flag: "put-md5",
    commands: ["bench"],
    kind: "switch",
    help: "Compute each file's MD5 and store it, as copy --put-md5 does.",
  },
  {
    flag: "check-length",
    commands: ["bench"],
    kind: "switch",
    defaultValue: true,
    help: "Check that every transfer moved exactly the source's length (always on).",
  },
  {
    flag: "blob-type",
    commands: ["bench"],
    kind: "text",
    value: "<type>",
    defaultValue: "Detect",
    choices: ["Detect", "BlockBlob", "PageBlob", "AppendBlob"],
    help: "Blob type to create, as copy --blob-type.",
  },
  {
    flag: "block-size-mb",
    commands: ["bench"],
    kind: "mebibytes",
    value: "<MiB>",
    max: 4000 * MIB,
    help: "Block size, as copy --block-size-mb.",
  },
  {
    flag: "put-blob-size-mb",
    commands: ["bench"],
    kind: "mebibytes",
    value: "<MiB>",
    max: 5000 * MIB,
    help: "Files up to this size go in a single request, as copy --put-blob-size-mb.",
  },
] as const satisfies readonly OptionSpec[];

type Spec = (typeof OPTIONS)[number];

/** "block-size-mb" -> "blockSizeMb". */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type ValueOf<S extends Spec> = S extends { readonly choices: readonly (infer C)[] }
  ? C
  : S["kind"] extends "switch"
    ? boolean
    : S["kind"] extends "mebibytes" | "count"
      ? string | number
      : S["kind"] extends "date"
        ? string | Date
        : string;

/** The options a command takes, as the library takes them: each flag by its camelCase name. */
export type OptionsFor<C extends CommandName> = {
  [S in Spec as C extends S["commands"][number] ? CamelCase<S["flag"]> : never]?: ValueOf<S> | undefined;
};

export function camelCase(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** The table's entries for one command, in the table's order. */
export function optionsOf(command: CommandName): readonly OptionSpec[] {
  return (OPTIONS as readonly OptionSpec[]).filter((spec) => spec.commands.includes(command));
}

/** The entry that declares `key` (camelCase) for a command. */
export function optionSpec(command: CommandName, key: string): OptionSpec | undefined {
  return optionsOf(command).find((spec) => camelCase(spec.flag) === key);
}
