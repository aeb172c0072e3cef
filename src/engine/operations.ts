// Jobs that act on objects where they are: remove, and set-properties (tier, metadata, tags);
// and make, which creates a container.
import type { Authorizer } from "../auth/authorize.js";
import { badInput } from "../errors.js";
import type { LogLevel } from "../jobs/job-log.js";
import { parseLocation, type RemoteLocation } from "../location/location.js";
import type { Environment } from "../settings.js";
import type { SourceObject } from "../storage/backend.js";
import { blobPath } from "../storage/blob-data.js";
import {
  createContainer,
  deleteBlob,
  type SnapshotOption,
  setMetadata,
  setTags,
  setTier,
} from "../storage/blob-ops.js";
import { compileFilter, type FilterOptions } from "./filters.js";
import { CopyJob, type JobTask } from "./job.js";
import { type Explain, JobEnvironment } from "./job-environment.js";
import { type Endpoint, resolveSource } from "./resolve.js";
import { checkTags, parseMetadata, TIERS } from "./setup.js";

export interface InPlaceOptions extends FilterOptions {
  authorizer: Authorizer;
  env: Environment;
  recursive?: boolean | undefined;
  listOfFiles?: string | undefined;
  dryRun?: boolean | undefined;
  logLevel?: LogLevel | undefined;
  commandLine?: string | undefined;
}

export interface RemoveOptions extends InPlaceOptions {
  deleteSnapshots?: SnapshotOption | undefined;
}

export interface SetPropertiesOptions extends InPlaceOptions {
  blockBlobTier?: string | undefined;
  metadata?: string | undefined;
  blobTags?: string | undefined;
}

function remote(url: string, what: string): RemoteLocation {
  const location = parseLocation(url);
  if (location.type !== "remote")
    throw badInput(
      `${what} works on Azure Storage URLs, and "${url}" is a local path.`,
      "Pass a blob, directory or container URL.",
    );
  if (location.service !== "blob") {
    throw badInput(
      `${location.service === "file" ? "Azure Files" : "Data Lake Storage"} is not supported yet.`,
      "Use the account's Blob endpoint.",
    );
  }
  if (location.container === undefined)
    throw badInput(
      `${what} needs a container in the URL.`,
      "Pass https://<account>.blob.core.windows.net/<container>/...",
    );
  return location;
}

type Operate = (location: RemoteLocation, object: SourceObject) => Promise<void>;

async function inPlaceJob(
  url: string,
  options: InPlaceOptions,
  verb: "remove" | "set-properties",
  command: string,
  operate: (job: JobEnvironment) => Operate,
): Promise<CopyJob> {
  const location = remote(url, `azcp ${command}`);
  const access = await options.authorizer.accessFor(location, "destination");
  const job = new JobEnvironment({
    env: options.env,
    logLevel: options.logLevel,
    commandLine: options.commandLine ?? `${command} ${url}`,
  });
  // The objects are both what is listed and what is changed: one side, labelled for errors.
  const endpoint = job.endpoint(location, access, "source")!;
  const resolved = await resolveSource(location, endpoint, {
    recursive: options.recursive ?? false,
    asSubdir: false,
    followSymlinks: false,
    listOfFiles: options.listOfFiles,
    withMetadata: false,
  }).catch(async (error) => {
    throw await job.explain(error, undefined, "");
  });
  const filter = compileFilter(options);
  const act = operate(job);
  const source = resolved.source;
  async function* tasks(): AsyncGenerator<JobTask> {
    for await (const object of source.enumerate()) {
      if (!filter(object)) continue;
      yield {
        kind: "operation",
        verb,
        object,
        target: source.display(object),
        run: () => act(location, object),
      };
    }
  }
  return new CopyJob({
    cancel: job.cancel,
    jobId: job.jobId,
    source,
    filter,
    tasks,
    dryRun: options.dryRun ?? false,
    memory: job.memory,
    pool: job.pool,
    fileConcurrency: job.fileConcurrency,
    log: job.log,
    transportStats: () => job.transportStats(),
    explain: job.explain,
    isFatal: (error) => job.isFatal(error),
    ...(verb === "remove" && access.kind === "token" && !options.dryRun
      ? { preflight: () => probeDelete(endpoint, job.explain) }
      : {}),
  });
}

/**
 * Before listing what to remove, check that the signed-in identity may delete here: delete a
 * name that does not exist. The service checks the role first, so 404 means "allowed".
 */
async function probeDelete(endpoint: Endpoint, explain: Explain): Promise<void> {
  const { location, transport } = endpoint;
  const directory =
    location.path === "" || location.path.endsWith("/") ? location.path : location.path.replace(/[^/]*$/, "");
  const name = `${directory}.azcp-delete-check-${Date.now().toString(36)}`;
  try {
    await transport.send({ method: "DELETE", path: blobPath(location, name), expect: [202, 404] });
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
  return inPlaceJob(url, options, "remove", "remove", (job) => {
    const transport = job.transports;
    return (location, object) => deleteBlob(transport[0]!, location, object.key, options.deleteSnapshots);
  });
}

export function createSetPropertiesJob(url: string, options: SetPropertiesOptions): Promise<CopyJob> {
  const tier = options.blockBlobTier;
  if (tier !== undefined && !TIERS.includes(tier))
    throw badInput(`--block-blob-tier "${tier}" is not a tier.`, `Use one of ${TIERS.join(", ")}.`);
  const metadata = options.metadata === undefined ? undefined : (parseMetadata(options.metadata) ?? {});
  const tags = options.blobTags === undefined ? undefined : (checkTags(options.blobTags) ?? "");
  if (tier === undefined && metadata === undefined && tags === undefined) {
    throw badInput(
      "set-properties needs something to set.",
      "Pass --block-blob-tier, --metadata or --blob-tags.",
    );
  }
  return inPlaceJob(url, options, "set-properties", "set-properties", (job) => {
    const transport = job.transports;
    return async (location, object) => {
      if (tier !== undefined) await setTier(transport[0]!, location, object.key, tier);
      if (metadata !== undefined) await setMetadata(transport[0]!, location, object.key, metadata);
      if (tags !== undefined) await setTags(transport[0]!, location, object.key, tags);
    };
  });
}

/** Creates a container; says so when it already exists. */
export async function makeContainer(
  url: string,
  options: { authorizer: Authorizer; env: Environment },
): Promise<"created" | "exists"> {
  const location = parseLocation(url);
  if (location.type !== "remote" || location.container === undefined || location.path !== "") {
    throw badInput(
      `"${url}" is not a container URL.`,
      "Pass https://<account>.blob.core.windows.net/<container>.",
    );
  }
  if (location.service !== "blob") {
    throw badInput(
      `${location.service === "file" ? "Azure Files shares" : "Data Lake file systems"} are not supported yet.`,
      "Use the account's Blob endpoint.",
    );
  }
  const access = await options.authorizer.accessFor(location, "destination");
  const job = new JobEnvironment({ env: options.env, logLevel: "NONE", commandLine: `make ${url}` });
  const endpoint = job.endpoint(location, access, "destination")!;
  try {
    return (await createContainer(endpoint.transport, location)) ? "created" : "exists";
  } catch (error) {
    throw await job.explain(Object.assign(error as object, { method: "PUT" }), undefined, "");
  }
}
