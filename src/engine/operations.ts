// Jobs that act on objects where they are: remove, and set-properties (tier, metadata, tags);
// and make, which creates a container.
import type { Authorizer } from "../auth/authorize.js";
import { badInput } from "../errors.js";
import type { LogLevel } from "../jobs/job-log.js";
import { containerLocation, serviceLocation } from "../location/from-to.js";
import type { RemoteLocation, ServiceKind } from "../location/location.js";
import { customerKeyOption, dateOption, trailingDotOption } from "../options/read.js";
import { checkTags, parseMetadata, TIERS } from "../options/values.js";
import type { Environment } from "../settings.js";
import type { RemoteService, SnapshotOption, SoftDeleted, Source, SourceObject } from "../storage/backend.js";
import { featuresOf, openService } from "../storage/registry.js";
import { compileFilter, type FilterOptions, objectFilter } from "./filters.js";
import { CopyJob, type JobTask } from "./job.js";
import { type Explain, type JobDebugOptions, JobEnvironment } from "./job-environment.js";
import { includedPaths, ListOfFilesSource, linesOfFile } from "./list-of-files.js";
import { type Shard, shardFrom } from "./shard.js";
import { reportFolderOpener, shardReporter } from "./shard-report.js";

export interface InPlaceOptions extends Omit<FilterOptions, "includeBefore" | "includeAfter" | "shard"> {
  includeBefore?: string | Date | undefined;
  includeAfter?: string | Date | undefined;
  authorizer: Authorizer;
  env: Environment;
  /** The service, for URLs whose host does not name one (emulators): from --from-to or --location. */
  service?: ServiceKind | undefined;
  recursive?: boolean | undefined;
  listOfFiles?: string | undefined;
  /** ";"-separated paths relative to the URL to act on, as --list-of-files lists them. */
  includePath?: string | undefined;
  dryRun?: boolean | undefined;
  logLevel?: LogLevel | undefined;
  /** --trailing-dot: keep trailing dots in Azure Files names (default Enable). */
  trailingDot?: string | undefined;
  cpkByName?: string | undefined;
  cpkByValue?: boolean | undefined;
  commandLine?: string | undefined;
  /** AzCopy's testing knobs (--await-open, --debug-skip-files). */
  debug?: JobDebugOptions | undefined;
  /** This machine's share of the job (--shard): "I/N", or "N" with JOB_COMPLETION_INDEX. */
  shard?: string | undefined;
  /** A folder to write this shard's report in (--shard-report). */
  shardReport?: string | undefined;
}

export interface RemoveOptions extends InPlaceOptions {
  deleteSnapshots?: SnapshotOption | undefined;
  /** A file of version ids of the one blob the URL names: those versions are deleted. */
  listOfVersions?: string | undefined;
  /** Permanently delete soft-deleted snapshots and/or versions (Blob); "None" by default. */
  permanentDelete?: "None" | SoftDeleted | undefined;
  /** Azure Files: delete read-only files too, clearing the attribute. */
  forceIfReadOnly?: boolean | undefined;
}

export interface SetPropertiesOptions extends InPlaceOptions {
  /** BlobNone, FileNone or BlobFSNone: the service, for URLs whose host does not say. */
  fromTo?: string | undefined;
  blockBlobTier?: string | undefined;
  pageBlobTier?: string | undefined;
  rehydratePriority?: string | undefined;
  metadata?: string | undefined;
  blobTags?: string | undefined;
}

/** Whether a remove takes everything under a directory, with no filter to leave some behind. */
function removesWholeTree(options: RemoveOptions, shard: Shard | undefined): boolean {
  return (
    (options.recursive ?? false) &&
    shard === undefined &&
    !options.listOfFiles &&
    !options.includePath &&
    !options.dryRun &&
    [
      options.includePattern,
      options.excludePattern,
      options.excludePath,
      options.includeRegex,
      options.excludeRegex,
      options.includeBefore,
      options.includeAfter,
    ].every((value) => value === undefined || value === "")
  );
}

type Operate = (service: RemoteService, object: SourceObject) => Promise<void>;

async function inPlaceJob(
  url: string,
  options: InPlaceOptions,
  verb: "remove" | "set-properties",
  command: string,
  operate: Operate,
  versions?: string,
  softDeleted?: SoftDeleted,
): Promise<CopyJob> {
  const location = serviceLocation(url, `azcp ${command}`, options.service);
  const shard = shardFrom(options.shard, options.env);
  if (
    versions !== undefined &&
    (!featuresOf(location).versions ||
      options.listOfFiles ||
      options.includePath ||
      location.path === "" ||
      /[/*]$/.test(location.path))
  ) {
    throw badInput(
      "--list-of-versions: the source is not a blob.",
      "Name one blob: https://<account>.blob.core.windows.net/<container>/<blob>.",
    );
  }
  if (verb === "set-properties" && !featuresOf(location).setProperties) {
    throw badInput(
      "azcp set-properties changes blobs (tier, metadata, tags) and Azure Files files (metadata), and this URL is neither.",
      "Pass https://<account>.blob.core.windows.net/<container>/... or https://<account>.file.core.windows.net/<share>/...",
    );
  }
  const job = new JobEnvironment({
    env: options.env,
    logLevel: options.logLevel,
    commandLine: options.commandLine ?? `${command} ${url}`,
    trailingDot: trailingDotOption(options.trailingDot),
    customerKey: customerKeyOption(options.cpkByName, options.cpkByValue, options.env),
    debug: options.debug,
  });
  // The objects are both what is listed and what is changed: one side, labelled for errors.
  const { backend, service } = await openService(
    location,
    job.openContext(options.authorizer, "destination", "source"),
  );
  const resolved = await (options.listOfFiles || options.includePath
    ? Promise.resolve({
        source: new ListOfFilesSource(
          backend,
          {
            recursive: options.recursive ?? false,
            asSubdir: false,
            followSymlinks: false,
            withMetadata: false,
          },
          options.listOfFiles ? linesOfFile(options.listOfFiles) : includedPaths(options.includePath ?? ""),
          "",
          (line, error) =>
            job.log.write("INFO", `Skipping ${line} as it cannot be scanned due to error: ${error.message}`),
        ) as Source,
        single: false,
        rootName: "",
      })
    : backend.resolveSource({
        recursive: options.recursive ?? false,
        asSubdir: false,
        followSymlinks: false,
        withMetadata: false,
        versionIds: versions === undefined ? undefined : linesOfFile(versions, "--list-of-versions"),
        softDeleted,
      })
  ).catch(async (error) => {
    throw await job.explain(error, undefined, "");
  });
  const filter = objectFilter(
    await compileFilter({
      ...options,
      shard,
      includeBefore: dateOption("remove", "includeBefore", options.includeBefore),
      includeAfter: dateOption("remove", "includeAfter", options.includeAfter),
    }),
    resolved,
  );
  const source = resolved.source;
  // A wildcard in the URL narrows what goes, as a filter does.
  const wholeTree =
    verb === "remove" &&
    !resolved.single &&
    !location.path.includes("*") &&
    !softDeleted &&
    removesWholeTree(options, shard);
  const oneRequest =
    wholeTree && service.deleteTree !== undefined && location.path.replace(/\/+$/, "") !== "";
  async function* tasks(): AsyncGenerator<JobTask> {
    if (oneRequest) {
      // Data Lake deletes a directory with everything in it in one request.
      const directory = location.path.replace(/\/+$/, "");
      yield {
        kind: "operation",
        verb,
        object: { relativePath: directory, key: directory, size: 0, lastModified: undefined, folder: true },
        target: service.display(directory),
        run: () => service.deleteTree!(directory),
      };
      return;
    }
    for await (const object of source.enumerate()) {
      if (!filter(object)) continue;
      yield {
        kind: "operation",
        verb,
        object,
        target: source.display(object),
        run: () => operate(service, object),
      };
    }
  }
  const signedIn = job.endpointOf("source")?.access.kind === "token";
  return new CopyJob({
    ...job.copyJobParts(),
    source,
    filter,
    tasks,
    dryRun: options.dryRun ?? false,
    report: shardReporter(options.shardReport, shard, verb, reportFolderOpener(job, options.authorizer)),
    countDeletedBytes: verb === "remove",
    ...(verb === "remove" && signedIn && !options.dryRun
      ? { preflight: () => probeDelete(location, service, job.explain) }
      : {}),
    // Real folders emptied by a recursive remove go too (Azure Files), deepest first.
    ...(wholeTree && !oneRequest && service.deleteEmptyFolders
      ? { afterwards: () => service.deleteEmptyFolders!(location.path) }
      : {}),
  });
}

/**
 * Before listing what to remove, check that the signed-in identity may delete here: delete a
 * name that does not exist. The service checks the role first, so 404 means "allowed".
 */
async function probeDelete(
  location: RemoteLocation,
  service: RemoteService,
  explain: Explain,
): Promise<void> {
  const directory =
    location.path === "" || location.path.endsWith("/") ? location.path : location.path.replace(/[^/]*$/, "");
  const name = `${directory}.azcp-delete-check-${Date.now().toString(36)}`;
  try {
    await service.deleteObject(name);
  } catch (error) {
    const explained = await explain(error, undefined, name);
    if (
      explained.kind === "permission" ||
      explained.kind === "authentication" ||
      explained.kind === "network-rules"
    )
      throw explained;
  }
}

export function createRemoveJob(url: string, options: RemoveOptions): Promise<CopyJob> {
  const features = featuresOf(serviceLocation(url, "azcp remove", options.service));
  if (options.forceIfReadOnly && !features.readOnlyAttribute) {
    throw badInput(
      "force-if-read-only is only supported when the target is Azure Files or a Windows file system.",
      "Leave out --force-if-read-only for this URL.",
    );
  }
  const permanent = options.permanentDelete === "None" ? undefined : options.permanentDelete;
  if (permanent && !features.versions) {
    // AzCopy ignores it on Azure Files (and removes the files); azcp says so rather than surprise.
    throw badInput(
      "--permanent-delete removes soft-deleted blob snapshots and versions, and this URL is not a Blob URL.",
      "Leave out --permanent-delete to remove files, or pass a blob, directory or container URL.",
    );
  }
  return inPlaceJob(
    url,
    options,
    "remove",
    "remove",
    (service, object) =>
      service.deleteObject(object.key, {
        snapshots: permanent ? undefined : options.deleteSnapshots,
        versionId: object.versionId,
        snapshot: object.snapshot,
        permanent: permanent !== undefined,
        forceIfReadOnly: options.forceIfReadOnly,
      }),
    options.listOfVersions,
    permanent,
  );
}

const SERVICE_OF_PAIR: Record<string, ServiceKind> = {
  blobnone: "blob",
  filenone: "file",
  blobfsnone: "blob",
};

export function createSetPropertiesJob(url: string, options: SetPropertiesOptions): Promise<CopyJob> {
  const tier = options.blockBlobTier;
  if (tier !== undefined && !TIERS.includes(tier))
    throw badInput(`--block-blob-tier "${tier}" is not a tier.`, `Use one of ${TIERS.join(", ")}.`);
  const pageTier = options.pageBlobTier === "None" ? undefined : options.pageBlobTier;
  const metadata = options.metadata === undefined ? undefined : (parseMetadata(options.metadata) ?? {});
  const tags = options.blobTags === undefined ? undefined : (checkTags(options.blobTags) ?? "");
  if (tier === undefined && pageTier === undefined && metadata === undefined && tags === undefined) {
    throw badInput(
      "set-properties needs something to set.",
      "Pass --block-blob-tier, --page-blob-tier, --metadata or --blob-tags.",
    );
  }
  const pair = options.fromTo?.toLowerCase();
  if (pair !== undefined && !(pair in SERVICE_OF_PAIR)) {
    throw badInput(
      `invalid destination "${options.fromTo}" for --from-to.`,
      "Please enter a valid destination, i.e. BlobNone, FileNone, BlobFSNone.",
    );
  }
  // As AzCopy: Data Lake's properties are set through the account's Blob endpoint.
  const target = url.replace(/^(https?:\/\/[^/?]*)\.dfs\./i, "$1.blob.");
  const service = pair ? SERVICE_OF_PAIR[pair] : options.service;
  const can = featuresOf(serviceLocation(target, "azcp set-properties", service)).setProperties ?? [];
  if ((tier !== undefined || pageTier !== undefined) && !can.includes("tier"))
    throw badInput(
      "changing tier is not available for File Storage.",
      "Leave out the tier flags for Azure Files.",
    );
  if (tags !== undefined && !can.includes("tags"))
    throw badInput("blob tags are not available for File Storage.", "Leave out --blob-tags for Azure Files.");
  if (tier === "Archive" && metadata !== undefined)
    throw badInput(
      "metadata can't be set if blob is set to be archived.",
      "Set the metadata first, then archive.",
    );
  const rehydratePriority = options.rehydratePriority ?? "Standard";
  return inPlaceJob(target, { ...options, service }, "set-properties", "set-properties", (backend, object) =>
    backend.setProperties!(object.key, {
      // Each blob type takes its own tier; append blobs have none.
      tier: object.blobType === "PageBlob" ? pageTier : object.blobType === "AppendBlob" ? undefined : tier,
      rehydratePriority,
      metadata,
      tags,
    }),
  );
}

/** Creates a container, share (with an optional quota) or file system; says so when it already exists. */
export async function makeContainer(
  url: string,
  options: {
    authorizer: Authorizer;
    env: Environment;
    service?: ServiceKind | undefined;
    quotaGb?: number | undefined;
  },
): Promise<"created" | "exists"> {
  const location = containerLocation(url, options.service);
  if (options.quotaGb !== undefined && !featuresOf(location).quota) {
    throw badInput("--quota-gb applies to Azure Files shares only.", "Leave it out for this URL.");
  }
  const job = new JobEnvironment({ env: options.env, logLevel: "NONE", commandLine: `make ${url}` });
  const { service } = await openService(location, job.openContext(options.authorizer, "destination"));
  try {
    return (await service.createContainer({ quotaGb: options.quotaGb })) ? "created" : "exists";
  } catch (error) {
    throw await job.explain(Object.assign(error as object, { method: "PUT" }), undefined, "");
  }
}
