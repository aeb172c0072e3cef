// Build a copy (or sync) job from what the caller asked: locations, authorization, limits from
// the environment, the transports, and every flag checked before anything moves.
import type { Authorizer } from "../auth/authorize.js";
import { type AzcpError, badInput } from "../errors.js";
import type { LogLevel } from "../jobs/job-log.js";
import { openJournal } from "../jobs/journal.js";
import { intoContainerOfSourceName } from "../location/container-names.js";
import { locationFor, splitFromTo } from "../location/from-to.js";
import { placeName } from "../location/location.js";
import { bytesOption, customerKeyOption, dateOption, trailingDotOption } from "../options/read.js";
import type { OptionsFor } from "../options/table.js";
import { checkTags, parseMetadata, TIERS } from "../options/values.js";
import { type Environment, readSetting } from "../settings.js";
import type {
  BackendFeatures,
  ContentHeaders,
  Destination,
  LocalHashStorage,
  Source,
  SourceObject,
} from "../storage/backend.js";
import { featuresOf, openBackend } from "../storage/registry.js";
import { compileFilter, type FilterOptions, objectFilter } from "./filters.js";
import { CopyJob } from "./job.js";
import { type JobDebugOptions, JobEnvironment } from "./job-environment.js";
import { memoryBudgetFrom } from "./limits.js";
import { includedPaths, ListOfFilesSource, linesOfFile } from "./list-of-files.js";
import { MIB } from "./planner.js";
import { blockSplit, shardFrom } from "./shard.js";
import { reportFolderOpener, shardReporter } from "./shard-report.js";
import { type CompareHash, type DeleteDestination, syncTasks } from "./sync.js";
import { splitAmongShards, type TransferSettings } from "./transfer.js";

/** A copy's options: its flags, as the option table declares them, and what only a program gives. */
export type CopyJobOptions = OptionsFor<"copy"> & {
  authorizer: Authorizer;
  env: Environment;
  /** Answers --overwrite prompt for one destination. */
  askOverwrite?: ((destination: string) => Promise<boolean>) | undefined;
  capMbps?: number | undefined;
  logLevel?: LogLevel | undefined;
  /** The command as typed, for the log (secrets are redacted when written). */
  commandLine?: string | undefined;
  /** Continue an earlier job: its id, and the paths it finished. */
  resume?: { jobId: string; done: ReadonlySet<string> } | undefined;
  /** Make it a sync: compare both sides and copy (and delete) only what differs. */
  sync?: SyncSettings | undefined;
  /** AzCopy's testing knobs (--await-open, --debug-skip-files). */
  debug?: JobDebugOptions | undefined;
};

export interface SyncSettings {
  deleteDestination: DeleteDestination;
  compareHash: CompareHash;
  mirrorMode: boolean;
  askDelete?: ((target: string) => Promise<boolean>) | undefined;
  /** Where local MD5s are kept between runs (--local-hash-storage-mode, --hash-meta-dir). */
  hashStorage?: LocalHashStorage | undefined;
}

/** Which way data flows, from what each side can keep: a disk keeps no content headers. */
function directionOf(source: BackendFeatures, destination: BackendFeatures): TransferSettings["direction"] {
  if (!source.objectProperties) return "upload";
  return destination.objectProperties ? "s2s" : "download";
}

export async function createCopyJob(
  sourceText: string,
  destinationText: string,
  options: CopyJobOptions,
): Promise<CopyJob> {
  const [fromKind, toKind] = options.fromTo ? splitFromTo(options.fromTo) : [undefined, undefined];
  // "dir/*" with a list of paths lists inside dir and leaves its name out.
  const listed = options.listOfFiles !== undefined || options.includePath !== undefined;
  const contentsOnly = listed && sourceText.endsWith("/*");
  const source = locationFor(contentsOnly ? sourceText.slice(0, -2) : sourceText, fromKind, "source");
  const named = locationFor(destinationText, toKind, "destination");
  // A container or bucket copied to an account URL lands in a container of its own name.
  const destination =
    source.type === "remote" && named.type === "remote" ? intoContainerOfSourceName(source, named) : named;
  const intoOwnContainer = destination !== named;
  // A whole container (bucket, share) copied to a whole container arrives without its own name,
  // as with AzCopy: --as-subdir applies below the container level only.
  const containerToContainer =
    source.type === "remote" &&
    destination.type === "remote" &&
    source.container !== undefined &&
    source.path === "" &&
    destination.container !== undefined &&
    destination.path === "";
  const sourceFeatures = featuresOf(source);
  const destinationFeatures = featuresOf(destination);
  if (!sourceFeatures.objectProperties && !destinationFeatures.objectProperties) {
    throw badInput(
      "Both locations are local: azcp copies to or from Azure Storage.",
      "Use cp or rsync for local copies.",
    );
  }
  if (options.sync && [source, destination].some((location) => location.path.includes("*"))) {
    // A wildcard would narrow the source but not the destination, and --delete-destination would
    // then delete everything the wildcard left out.
    throw badInput(
      "azcp sync does not take wildcards in its locations.",
      'Sync the directory and narrow it with --include-pattern (for example --include-pattern "*.txt").',
    );
  }
  const direction = directionOf(sourceFeatures, destinationFeatures);
  const env = options.env;

  const overwrite = options.overwrite ?? "true";
  const blockSize = bytesOption("copy", "blockSizeMb", options.blockSizeMb);
  const putBlobSize = bytesOption("copy", "putBlobSizeMb", options.putBlobSizeMb);
  const memoryLimit = memoryBudgetFrom(env);
  if (blockSize !== undefined && blockSize > 0.75 * memoryLimit && blockSize > 8 * MIB) {
    throw badInput(
      `--block-size-mb ${blockSize / MIB} is more than 3/4 of the memory budget (AZCOPY_BUFFER_GB = ${(memoryLimit / 1024 / MIB).toFixed(3)}).`,
      "Use a smaller block size, or raise AZCOPY_BUFFER_GB.",
    );
  }
  if (options.blockBlobTier && !TIERS.includes(options.blockBlobTier)) {
    throw badInput(
      `--block-blob-tier "${options.blockBlobTier}" is not a tier.`,
      `Use one of ${TIERS.join(", ")}.`,
    );
  }
  if (options.putMd5 && direction !== "upload")
    throw badInput("--put-md5 applies to uploads only.", "Leave it out for this copy.");
  if (options.preserveLastModifiedTime && direction !== "download") {
    throw badInput("--preserve-last-modified-time applies to downloads only.", "Leave it out for this copy.");
  }
  if (
    options.preservePermissions &&
    !(sourceFeatures.permissions && sourceFeatures.permissions === destinationFeatures.permissions)
  ) {
    throw badInput(
      "--preserve-permissions carries permissions between two Data Lake Storage locations (ACLs) or two Azure Files locations (SDDL) only.",
      "Copy between two dfs or two file URLs, or leave the flag out.",
    );
  }
  if (
    options.preservePosixProperties &&
    !(direction === "upload" ? destinationFeatures : sourceFeatures).posixMetadata
  ) {
    throw badInput(
      "--preserve-posix-properties works between a local disk and Blob Storage or Data Lake Storage only.",
      "Copy between a local path and a blob or dfs URL, or leave the flag out.",
    );
  }
  refuseWhatLinuxCannotDo(options, direction);
  if (options.forceIfReadOnly && !destinationFeatures.readOnlyAttribute) {
    throw badInput(
      "force-if-read-only is only supported when the target is Azure Files or a Windows file system.",
      "Leave out --force-if-read-only for this destination.",
    );
  }
  const posixStyle = options.posixPropertiesStyle ?? "standard";
  if (posixStyle !== "standard" && !options.preservePosixProperties) {
    throw badInput(
      "to use --posix-properties-style flag, it has to be used with preserve-posix-properties.",
      "Please include this preserve flag in your AzCopy command (--preserve-posix-properties).",
    );
  }
  const invalidMetadata = options.s2sHandleInvalidMetadata ?? "ExcludeIfInvalid";
  if (invalidMetadata !== "ExcludeIfInvalid" && direction !== "s2s") {
    throw badInput(
      `s2s-handle-invalid-metadata is not supported while ${direction === "download" ? "downloading" : "uploading"}.`,
      "It applies to copies between services only; leave it out.",
    );
  }
  if (options.preserveSymlinks && options.followSymlinks)
    throw badInput(
      "--preserve-symlinks and --follow-symlinks ask for opposite things.",
      "Use one: --follow-symlinks copies what links point to, --preserve-symlinks copies the links.",
    );
  if (
    options.preserveSymlinks &&
    !(direction === "upload" ? destinationFeatures : sourceFeatures).posixMetadata
  ) {
    throw badInput(
      "--preserve-symlinks works between a local disk and Blob Storage or Data Lake Storage only.",
      "Copy between a local path and a blob or dfs URL, or leave the flag out.",
    );
  }
  if (overwrite === "prompt" && !options.askOverwrite) {
    throw badInput(
      "--overwrite prompt needs a terminal to ask on.",
      "Use --overwrite true, false or ifSourceNewer in scripts.",
    );
  }
  const filterOptions: FilterOptions = {
    includePattern: options.includePattern,
    excludePattern: options.excludePattern,
    excludePath: options.excludePath,
    includeRegex: options.includeRegex,
    excludeRegex: options.excludeRegex,
    includeBefore: dateOption("copy", "includeBefore", options.includeBefore),
    includeAfter: dateOption("copy", "includeAfter", options.includeAfter),
    excludeBlobType: options.excludeBlobType,
    shard: shardFrom(options.shard, env),
  };
  if (options.listOfFiles && options.includePath) {
    throw badInput(
      "--list-of-files cannot be combined with --include-path.",
      "Use one way of choosing files.",
    );
  }
  if (options.decompress && !(direction === "download" && sourceFeatures.listsContentEncoding)) {
    throw badInput(
      "automatic decompression is only supported for downloads from Blob and Azure Files.",
      "Leave out --decompress, or download from a blob or file URL.",
    );
  }
  const versions = options.listOfVersions;
  if (
    versions !== undefined &&
    (options.sync ||
      listed ||
      direction !== "download" ||
      !sourceFeatures.versions ||
      source.path === "" ||
      /[/*]$/.test(source.path))
  ) {
    throw badInput(
      "--list-of-versions: either source is not a blob or destination is not a local folder.",
      "Name one blob as the source and a local folder as the destination.",
    );
  }
  if (listed && source.path.includes("*")) {
    throw badInput(
      `${options.listOfFiles ? "--list-of-files" : "--include-path"} cannot be combined with a wildcard in the source.`,
      "Name the source directory (or dir/* to leave its name out), and list the paths inside it.",
    );
  }
  const headers: ContentHeaders = {
    contentType: options.contentType,
    contentEncoding: options.contentEncoding,
    contentLanguage: options.contentLanguage,
    contentDisposition: options.contentDisposition,
    cacheControl: options.cacheControl,
  };
  const settings: TransferSettings = {
    jobId: "",
    direction,
    overwrite,
    askOverwrite: options.askOverwrite,
    blockSize,
    putBlobSize,
    blobType: options.blobType ?? "Detect",
    tier: options.blockBlobTier,
    pageTier: options.pageBlobTier === "None" ? undefined : options.pageBlobTier,
    decompress: options.decompress ?? false,
    invalidMetadata,
    forceIfReadOnly: options.forceIfReadOnly ?? false,
    metadata: parseMetadata(options.metadata),
    tags: checkTags(options.blobTags),
    headers,
    guessMimeType: !options.noGuessMimeType && !options.contentType,
    putMd5: options.putMd5 ?? false,
    checkMd5: options.checkMd5 ?? "FailIfDifferent",
    preserveLastModifiedTime: options.preserveLastModifiedTime ?? false,
    s2sPreserveProperties: options.s2sPreserveProperties ?? true,
    s2sPreserveAccessTier: options.s2sPreserveAccessTier ?? true,
    preserveInfo: options.preserveInfo ?? false,
    preservePermissions: options.preservePermissions ?? false,
    preservePosix: options.preservePosixProperties ?? false,
    preserveSymlinks: options.preserveSymlinks ?? false,
    s2sPreserveBlobTags: options.s2sPreserveBlobTags ?? false,
  };

  const job = new JobEnvironment({
    env,
    logLevel: options.logLevel,
    commandLine: options.commandLine ?? `copy ${sourceText} ${destinationText}`,
    capMbps: options.capMbps,
    jobId: options.resume?.jobId,
    trailingDot: trailingDotOption(options.trailingDot),
    customerKey: customerKeyOption(options.cpkByName, options.cpkByValue, env),
    debug: options.debug,
  });
  const { log, explain } = job;
  // Both sides sign in before anything else, so a sign-in problem is the first thing said.
  const from = await openBackend(source, job.openContext(options.authorizer, "source"));
  const to = await openBackend(destination, job.openContext(options.authorizer, "destination"));

  const skipped = { symlinks: 0, special: 0 };
  // A sync comparing MD5s keeps local hashes between runs where it can (--local-hash-storage-mode).
  const hashStorage =
    options.sync?.compareHash === "MD5"
      ? (options.sync.hashStorage ?? { mode: "XAttr" as const })
      : undefined;
  // Listed paths that name nothing are reported on the job's output once the job exists.
  const notices = { emit: (text: string) => log.write("INFO", text.replace(/^INFO: /, "")) };
  const sourceOptions = {
    recursive: options.recursive ?? options.sync !== undefined,
    asSubdir: options.sync || intoOwnContainer || containerToContainer ? false : (options.asSubdir ?? true),
    followSymlinks: options.followSymlinks ?? false,
    withMetadata:
      (direction === "s2s" && settings.s2sPreserveProperties) ||
      (direction === "download" && (settings.preservePosix === true || settings.preserveSymlinks === true)),
    withPosix: direction === "upload" && settings.preservePosix ? posixStyle : undefined,
    preserveSymlinks: direction === "upload" && settings.preserveSymlinks,
    // AzCopy writes no file for a stub on a download, with the flag or without.
    includeDirectoryStubs: direction === "s2s" && (options.includeDirectoryStub ?? false),
    withTags: direction === "s2s" && settings.s2sPreserveBlobTags,
    withMd5:
      (direction === "download" && settings.checkMd5 !== "NoCheck") || options.sync?.compareHash === "MD5",
    // Real folders are copied as folders (so empty ones arrive too); a sync compares files only.
    withFolders: !options.sync && destinationFeatures.realFolders,
    withAcl: settings.preservePermissions,
    versionIds: versions === undefined ? undefined : linesOfFile(versions, "--list-of-versions"),
    hashStorage,
    onSkipped: (path: string, reason: "symlink" | "special" | "unreadable") => {
      if (reason === "symlink") skipped.symlinks++;
      else skipped.special++;
      log.write(
        "INFO",
        `Skipped ${reason === "symlink" ? "symbolic link" : reason === "special" ? "special file" : "unreadable entry"} ${path}`,
      );
    },
  };
  const resolved = await (async () => {
    if (!listed) return from.resolveSource(sourceOptions);
    const rootName = sourceOptions.asSubdir && !contentsOnly ? await from.ownName() : "";
    const lines = options.listOfFiles
      ? linesOfFile(options.listOfFiles)
      : includedPaths(options.includePath ?? "");
    const onMissing = (line: string, error: AzcpError) =>
      notices.emit(`INFO: Skipping ${line} as it cannot be scanned due to error: ${error.message}`);
    return {
      source: new ListOfFilesSource(from, sourceOptions, lines, rootName, onMissing) as Source,
      single: false,
      rootName,
    };
  })().catch(async (error) => {
    throw await explain(error, undefined, "");
  });
  if (options.sync && resolved.single) {
    throw badInput(
      "azcp sync compares directories, and the source is one file.",
      "Use azcp copy --overwrite ifSourceNewer for a single file.",
    );
  }
  if (options.sync) await to.prepareSyncDestination?.();
  const durable = readSetting("AZCP_DOWNLOAD_FSYNC", env)?.toLowerCase() !== "false";
  // Versions land side by side in the destination folder, however many there are.
  const singleDestination = resolved.single && versions === undefined;
  const target: Destination = await to
    .destination(singleDestination, { durable, accountWide: resolved.accountWide })
    .catch(async (error) => {
      // A missing container is made (as AzCopy makes it) before the destination is read again.
      if ((error as { code?: string }).code !== "ContainerNotFound" || options.dryRun || !to.ensureContainer)
        throw error;
      await to.ensureContainer();
      return to.destination(singleDestination, { durable, accountWide: resolved.accountWide });
    })
    .catch(async (error) => {
      throw await explain(error, undefined, "");
    });
  if (
    job.endpointOf("source")?.access.kind === "token" &&
    to.serviceUrl &&
    !mayReceiveToken(options, to.serviceUrl)
  ) {
    // A server-side copy hands the source's token to the destination service: never to a host
    // that may not receive tokens. The data goes through this machine instead.
    target.copyFromUrl = false;
  }

  settings.jobId = job.jobId;
  settings.resume = options.resume !== undefined;
  // A sync keeps each file's exact time beside its copy where the destination can, and compares
  // with it next time: no re-upload of a file changed in the second of its upload, no miss.
  const exactTimes = options.sync !== undefined && target.recordsContentTime === true;
  settings.recordContentTime = exactTimes;
  const journal = options.dryRun
    ? undefined
    : openJournal({
        jobId: job.jobId,
        command: options.sync ? "sync" : "copy",
        source: sourceText,
        destination: destinationText,
        env,
        options,
        sync: options.sync,
        resumed: options.resume !== undefined,
      });
  const filter = objectFilter(await compileFilter(filterOptions), resolved);
  const shard = filterOptions.shard;
  settings.split = shard && blockSplit(shard, env, `${placeName(source)}\0${placeName(destination)}`);
  let help: ((object: SourceObject) => boolean) | undefined;
  if (settings.split) {
    // What the job's filters keep and another shard owns, large enough to be shared by block.
    const kept = objectFilter(await compileFilter({ ...filterOptions, shard: undefined }), resolved);
    help = (object) => kept(object) && !filter(object) && splitAmongShards(settings, target, object);
  }
  const sync = options.sync && {
    plan: {
      source: resolved.source,
      destinationListing: to.syncListing({
        hashStorage,
        recursive: options.recursive ?? true,
        withMd5: options.sync.compareHash === "MD5",
        withMetadata: exactTimes,
      }),
      exactTimes,
      wholeSecondSource: sourceFeatures.wholeSecondTimes && !destinationFeatures.wholeSecondTimes,
      deleteObject: (object: SourceObject) =>
        to.deleteListed(object, { forceIfReadOnly: options.forceIfReadOnly ?? false }),
      displayDestination: (object: SourceObject) => target.display(object.key),
      filter,
      help,
      deleteDestination: options.sync.deleteDestination,
      askDelete: options.sync.askDelete,
      compareHash: options.sync.compareHash,
      mirrorMode: options.sync.mirrorMode,
      preserveInfo: settings.preserveInfo,
      sourceMd5: from.md5 ? (object: SourceObject) => from.md5!(object) : undefined,
      destinationMd5: to.md5 ? (object: SourceObject) => to.md5!(object) : undefined,
      // As AzCopy: with hash files, every local file's hash is kept, copied or compared.
      hashEverySource: hashStorage?.mode === "HiddenFiles",
      counts: { scannedAtSource: 0, scannedAtDestination: 0 },
    },
  };
  const destinationEndpoint = job.endpointOf("destination");
  const copyJob = new CopyJob({
    ...job.copyJobParts(),
    source: resolved.source,
    destination: target,
    skippedEntries: skipped,
    settings,
    filter,
    help,
    journal,
    alreadyDone: options.resume?.done,
    ...(sync ? { tasks: () => syncTasks(sync.plan), syncCounts: sync.plan.counts } : {}),
    dryRun: options.dryRun ?? false,
    report: shardReporter(
      options.shardReport,
      filterOptions.shard,
      options.sync ? "sync" : "copy",
      reportFolderOpener(job, options.authorizer),
    ),
    // Before anything is listed: may this identity write here (a refusal ends the job at once),
    // then the container a copy writes to is made if it is missing.
    ...(options.dryRun
      ? {}
      : {
          preflight: async () => {
            if (destinationEndpoint?.access.kind === "token") await probeWrite(to, explain);
            await to.ensureContainer?.();
            await dropTiersTheAccountCannotHold(settings, target, notices.emit);
          },
        }),
  });
  notices.emit = (text) => copyJob.notice(text);
  return copyJob;
}

/** As AzCopy: a tier the destination account cannot hold is said once and left out. */
async function dropTiersTheAccountCannotHold(
  settings: TransferSettings,
  target: Destination,
  say: (text: string) => void,
): Promise<void> {
  if (!target.tierAllowed) return;
  for (const which of ["tier", "pageTier"] as const) {
    const tier = settings[which];
    if (tier === undefined || (await target.tierAllowed(tier))) continue;
    say(
      `INFO: Destination could not accommodate the tier ${tier}. Going ahead with the default tier. In case of service to service transfer, consider setting the flag --s2s-preserve-access-tier=false.`,
    );
    settings[which] = undefined;
  }
}

/** AzCopy's flags for Windows, refused with its reasons (it refuses or cannot apply them on Linux). */
function refuseWhatLinuxCannotDo(options: CopyJobOptions, direction: TransferSettings["direction"]): void {
  if (options.backup)
    throw badInput(
      "backup mode is only supported on Windows.",
      "Leave out --backup: on Linux azcp reads and writes what the account running it may.",
    );
  if (options.includeAttributes || options.excludeAttributes) {
    throw badInput(
      direction === "upload"
        ? "'include-attributes' and 'exclude-attributes' are not supported on this OS."
        : "cannot check file attributes on remote objects.",
      "Leave them out: they filter by Windows file attributes. Use --include-pattern or --exclude-pattern instead.",
    );
  }
}

function mayReceiveToken(options: CopyJobOptions, url: string): boolean {
  try {
    options.authorizer.trustedHosts.assertMaySendToken(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * Before a long listing, check that the signed-in identity may write at the destination, where
 * the service has a way to try that leaves nothing behind.
 */
export async function probeWrite(
  target: { probeWrite?: (() => Promise<void>) | undefined },
  explain: (error: unknown, object: undefined, key: string) => Promise<AzcpError>,
) {
  if (!target.probeWrite) return;
  try {
    await target.probeWrite();
  } catch (error) {
    const explained = await explain(error, undefined, (error as { probed?: string }).probed ?? "");
    if (
      explained.kind === "permission" ||
      explained.kind === "authentication" ||
      explained.kind === "network-rules"
    )
      throw explained;
  }
}
