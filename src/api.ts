// The azcp library: what `import { list } from "azcp"` gives. The CLI is a shell over these.
import type { TokenCredential } from "@azure/core-auth";
import { Authorizer } from "./auth/authorize.js";
import { type DeviceCodePrompt, STORAGE_SCOPE } from "./auth/credentials.js";
import type { DataAction } from "./auth/diagnose.js";
import { type Principal, principalOf } from "./auth/token-claims.js";
import { TrustedHosts } from "./auth/trusted-hosts.js";
import type { CopyJobOptions } from "./engine/copy-job.js";
import type { CopyJob } from "./engine/job.js";
import { type AzcpError, badInput } from "./errors.js";
import { serviceLocation } from "./location/from-to.js";
import { displayLocation, type RemoteLocation, type ServiceKind } from "./location/location.js";
import { countOption } from "./options/read.js";
import type { OptionsFor } from "./options/table.js";
import { type Environment, readSetting } from "./settings.js";
import type { ListedObject } from "./storage/backend.js";

export type { DeviceCodePrompt } from "./auth/credentials.js";
export type { DataAction } from "./auth/diagnose.js";
export type { LoginRequest, LoginStatus } from "./auth/login.js";
export type { Principal } from "./auth/token-claims.js";
export { describePrincipal } from "./auth/token-claims.js";
export type { CopyEvent, CopyJob, CopyListener } from "./engine/job.js";
export type { JobStatus, JobSummary, TransferResult, TransferStatus } from "./engine/summary.js";
export { AzcpError, badInput, type ErrorKind, isAzcpError } from "./errors.js";
export type { PlanState as JobPlan } from "./jobs/plan.js";
export { redactAll as redactSecrets, redactDeep as redactSecretsIn } from "./location/redact.js";
export { ENVIRONMENT, type EnvironmentSetting } from "./settings.js";
export type { ListedObject, ObjectProperties } from "./storage/backend.js";
export { VERSION } from "./version.js";

/** Options every operation takes. */
export interface CommonOptions {
  /** Variables to read AZCOPY_* settings from (default: process.env). */
  env?: Environment;
  /**
   * Sign in with this credential (any @azure/core-auth TokenCredential, such as
   * `new DefaultAzureCredential()`) instead of the environment or a saved login.
   */
  credential?: TokenCredential;
  /** Where job logs go (default: AZCOPY_LOG_LOCATION, else ~/.azcopy). */
  logLocation?: string;
  /** Where job plans go (default: AZCOPY_JOB_PLAN_LOCATION, else ~/.azcopy/plans). */
  planLocation?: string;
  /** More host suffixes that may receive Microsoft Entra tokens (semicolon-separated). */
  trustedMicrosoftSuffixes?: string;
  /** Called when a device code sign-in needs the person to visit a page and enter a code. */
  onDeviceCode?: (prompt: DeviceCodePrompt) => void;
  /** Whether a person can answer a new device code prompt when a saved login has expired. */
  interactive?: boolean;
}

export type LocationKind = "Blob" | "File" | "BlobFS";

export interface ListOptions extends CommonOptions {
  /** The service, for URLs whose host does not say (emulators, IP addresses). */
  location?: LocationKind;
  /** Keep trailing dots in Azure Files names (default "Enable"). */
  trailingDot?: "Enable" | "Disable";
}

const SERVICE_OF_LOCATION: Record<LocationKind, ServiceKind> = { Blob: "blob", File: "file", BlobFS: "dfs" };

/** The variables an operation reads: the caller's (or the process's), with the locations it gave. */
function environmentOf(options: CommonOptions): Environment {
  const env = options.env ?? process.env;
  if (options.logLocation === undefined && options.planLocation === undefined) return env;
  return {
    ...env,
    ...(options.logLocation !== undefined ? { AZCOPY_LOG_LOCATION: options.logLocation } : {}),
    ...(options.planLocation !== undefined ? { AZCOPY_JOB_PLAN_LOCATION: options.planLocation } : {}),
  };
}

export function createAuthorizer(options: CommonOptions): Authorizer {
  const env = environmentOf(options);
  const suffixes = [options.trustedMicrosoftSuffixes, readSetting("AZCP_TRUSTED_MICROSOFT_SUFFIXES", env)]
    .filter((value): value is string => Boolean(value))
    .join(";");
  return new Authorizer({
    env,
    trustedHosts: new TrustedHosts(suffixes),
    hooks: options.onDeviceCode ? { onDeviceCode: options.onDeviceCode } : {},
    interactive: options.interactive ?? false,
    ...(options.credential ? { credential: options.credential } : {}),
  });
}

export interface AccessOptions extends ListOptions {
  /** Also try to write and delete (a uniquely named empty marker blob, removed again). */
  write?: boolean;
}

export interface AccessReport {
  /** The location, with any SAS signature hidden. */
  location: string;
  /** How the location was authorized. */
  method: "sas" | "token" | "sharedKey" | "anonymous" | "foreign";
  /** The sign-in, for a token (e.g. "device code sign-in (tenant ...)"). */
  signIn?: string;
  principal?: Principal;
  checks: { action: DataAction; allowed: boolean; error?: AzcpError }[];
  /** True when every operation tried was allowed. */
  allowed: boolean;
}

export type CopyOptions = CommonOptions & Omit<CopyJobOptions, "authorizer" | "env" | "sync">;

/**
 * Prepares a copy between a local path and Blob Storage, or between two Blob locations: signs
 * in, checks every option and resolves both locations. Nothing moves until `run()`; listen with
 * `on()` for typed events (started, transfer, progress, dryrun, notice).
 *
 * ```ts
 * const job = await copy("./photos", "https://acct.blob.core.windows.net/backup", { recursive: true });
 * job.on((event) => event.type === "transfer" && console.log(event.result.status, event.result.source));
 * const summary = await job.run();
 * ```
 */
export async function copy(source: string, destination: string, options: CopyOptions = {}): Promise<CopyJob> {
  const { createCopyJob } = await import("./engine/copy-job.js");
  return createCopyJob(source, destination, {
    ...options,
    authorizer: createAuthorizer(options),
    env: environmentOf(options),
  });
}

export type SyncOptions = CopyOptions & {
  /** Delete destination objects the source does not have (default "false"). */
  deleteDestination?: "true" | "false" | "prompt";
  compareHash?: "None" | "MD5";
  mirrorMode?: boolean;
  askDelete?: (target: string) => Promise<boolean>;
  /** With compareHash MD5, where local files' MD5s are kept between runs (default "XAttr": not kept). */
  localHashStorageMode?: "XAttr" | "HiddenFiles";
  /** With localHashStorageMode HiddenFiles: keep the hash files under this folder. */
  hashMetaDir?: string;
  /** Also carry the root folder's own properties (azcp's sync compares files only: no effect). */
  includeRoot?: boolean;
};

/**
 * Prepares a sync: the destination is made to match the source (new and newer objects copied;
 * destination-only objects deleted when `deleteDestination` is "true").
 */
export async function sync(source: string, destination: string, options: SyncOptions = {}): Promise<CopyJob> {
  const { createCopyJob } = await import("./engine/copy-job.js");
  const {
    deleteDestination = "false",
    compareHash = "None",
    mirrorMode = false,
    askDelete,
    localHashStorageMode = "XAttr",
    hashMetaDir,
    includeRoot: _includeRoot,
    ...rest
  } = options;
  if (rest.followSymlinks) {
    // AzCopy 10.32 takes the flag on sync, then refuses it with these words.
    throw badInput(
      "the '--follow-symlinks' flag is not applicable for sync operations",
      "Use azcp copy --follow-symlinks to copy what links point to.",
    );
  }
  if (deleteDestination === "prompt" && !askDelete) {
    throw badInput(
      "--delete-destination prompt needs a terminal to ask on.",
      "Use --delete-destination true or false in scripts.",
    );
  }
  return createCopyJob(source, destination, {
    ...rest,
    overwrite: "true",
    authorizer: createAuthorizer(options),
    env: environmentOf(options),
    sync: {
      deleteDestination,
      compareHash,
      mirrorMode,
      askDelete,
      hashStorage: { mode: localHashStorageMode, folder: hashMetaDir },
    },
  });
}

export type RemoveOptions = CommonOptions &
  Omit<import("./engine/operations.js").RemoveOptions, "authorizer" | "env" | "service"> & {
    /** The service, for URLs whose host does not say (emulators, IP addresses). */
    location?: LocationKind;
  };
export type SetPropertiesOptions = CommonOptions &
  Omit<import("./engine/operations.js").SetPropertiesOptions, "authorizer" | "env">;

/** Prepares the removal of a blob, or (recursive) of the blobs under a directory or container. */
export async function remove(url: string, options: RemoveOptions = {}): Promise<CopyJob> {
  const { createRemoveJob } = await import("./engine/operations.js");
  const { location, ...rest } = options;
  return createRemoveJob(url, {
    ...rest,
    ...(location ? { service: SERVICE_OF_LOCATION[location] } : {}),
    authorizer: createAuthorizer(options),
    env: environmentOf(options),
  });
}

/** Prepares setting the tier, metadata or tags of a blob, or (recursive) of many. */
export async function setProperties(url: string, options: SetPropertiesOptions = {}): Promise<CopyJob> {
  const { createSetPropertiesJob } = await import("./engine/operations.js");
  return createSetPropertiesJob(url, {
    ...options,
    authorizer: createAuthorizer(options),
    env: environmentOf(options),
  });
}

/** make's options: the service of an emulator URL, and a new share's quota in GB (--quota-gb). */
export type MakeOptions = CommonOptions & OptionsFor<"make">;

/**
 * Creates a container, file share or file system; resolves "exists" (and changes nothing) when
 * it is already there.
 */
export async function make(url: string, options: MakeOptions = {}): Promise<"created" | "exists"> {
  const { makeContainer } = await import("./engine/operations.js");
  return makeContainer(url, {
    authorizer: createAuthorizer(options),
    env: environmentOf(options),
    service: options.location ? SERVICE_OF_LOCATION[options.location] : undefined,
    quotaGb: countOption("make", "quotaGb", options.quotaGb),
  });
}

/**
 * Says who azcp signs in as for a URL and which data operations that identity may do there:
 * list and read, and with `write`, write and delete. Fails only when sign-in itself fails.
 */
export async function checkAccess(url: string, options: AccessOptions = {}): Promise<AccessReport> {
  const location = serviceUrl(url, options, "azcp access");
  const authorizer = createAuthorizer(options);
  const access = await authorizer.accessFor(location, "source");
  const token = access.kind === "token" ? await access.credential.getToken(STORAGE_SCOPE) : null;
  const principal = token ? principalOf(token.token) : undefined;
  const { probeAccess } = await import("./engine/list.js");
  const checks = await probeAccess(location, authorizer, environmentOf(options), options.write ?? false);
  if (!checks) {
    throw badInput(
      "azcp access checks Blob locations only.",
      "Use the account's Blob endpoint (https://<account>.blob.core.windows.net/...).",
    );
  }
  return {
    location: displayLocation(location),
    method: access.kind,
    ...(access.kind === "token" ? { signIn: access.login.description } : {}),
    ...(principal ? { principal } : {}),
    checks,
    allowed: checks.every((check) => check.allowed),
  };
}

function serviceUrl(url: string, options: ListOptions, what: string): RemoteLocation {
  return serviceLocation(url, what, options.location ? SERVICE_OF_LOCATION[options.location] : undefined, {
    containerOptional: true,
  });
}

/**
 * Lists the objects under a container, directory or (Blob) account URL, as a stream: entries
 * arrive while the listing runs. Paths are relative to the URL.
 */
export async function* list(url: string, options: ListOptions = {}): AsyncGenerator<ListedObject> {
  const location = serviceUrl(url, options, "azcp list");
  const { listLocation } = await import("./engine/list.js");
  yield* listLocation(location, createAuthorizer(options), environmentOf(options), options.trailingDot);
}

/** What `login` says: the sign-in it made, who it speaks for, and where the login is kept. */
export interface LoginResult {
  description: string;
  principal?: string | undefined;
  store: string;
}

/**
 * Signs in to Microsoft Entra ID and keeps the login for later operations, once a storage token
 * was obtained with it. `request` is what `azcp login` takes (type, tenant, identity ...); the
 * client secret and certificate password may come in it or from the environment.
 */
export async function login(
  request: import("./auth/login.js").LoginRequest,
  options: CommonOptions = {},
): Promise<LoginResult> {
  const env = environmentOf(options);
  const { loginSpecFromRequest, performLogin } = await import("./auth/login.js");
  const outcome = await performLogin(loginSpecFromRequest(request, env), env, {
    ...(options.onDeviceCode ? { onDeviceCode: options.onDeviceCode } : {}),
  });
  return {
    description: outcome.login.description,
    principal: outcome.principal,
    store: outcome.store.describe(),
  };
}

/** Which kind of sign-in a login request asks for (DEVICE, SPN, MSI, AZCLI, PSCRED, WORKLOAD). */
export async function loginTypeOf(request: import("./auth/login.js").LoginRequest): Promise<string> {
  const { loginTypeOf } = await import("./auth/login.js");
  return loginTypeOf(request);
}

/** Whether a kept login exists and still gets a storage token, with its tenant, authority and method. */
export async function loginStatus(
  options: CommonOptions = {},
): Promise<import("./auth/login.js").LoginStatus> {
  const { checkLogin } = await import("./auth/login.js");
  return checkLogin(environmentOf(options));
}

/** Removes everything `login` kept; resolves the stores it was removed from (none: not logged in). */
export async function logout(options: CommonOptions = {}): Promise<string[]> {
  const { removeLogin } = await import("./auth/login.js");
  return (await removeLogin(environmentOf(options))).map((store) => store.describe());
}

export interface PipeOptions extends CommonOptions {
  blockSizeMb?: string | number;
  contentType?: string;
  capMbps?: number;
}

/**
 * Streams standard input into a blob ("upload"), or a blob to standard output ("download"), as
 * --from-to PipeBlob / BlobPipe do. Resolves the number of bytes moved.
 */
export async function pipe(
  direction: "upload" | "download",
  url: string,
  options: PipeOptions = {},
): Promise<number> {
  const { runPipe } = await import("./engine/pipe.js");
  return runPipe(direction, url, {
    authorizer: createAuthorizer(options),
    env: environmentOf(options),
    blockSizeMb: options.blockSizeMb,
    contentType: options.contentType,
    capMbps: options.capMbps,
  });
}

export interface ResumeOptions extends CommonOptions {
  /** Resume only the files whose name matches (jobs resume --include / --exclude). */
  includePattern?: string;
  excludePattern?: string;
  /** The SAS of the source and of the destination: plans never keep one. */
  sourceSas?: string;
  destinationSas?: string;
  capMbps?: number;
  logLevel?: CopyOptions["logLevel"];
}

function withSas(location: string, sas: string | undefined): string {
  if (!sas || !/^https?:\/\//i.test(location)) return location;
  return `${location}?${sas.replace(/^\?/, "")}`;
}

/** The jobs azcp has run: their plans (under AZCOPY_JOB_PLAN_LOCATION) and logs. */
export const jobs = {
  /** Every job with a plan, newest first. */
  async list(options: CommonOptions = {}): Promise<import("./jobs/plan.js").PlanState[]> {
    const { listPlans, planDirectory } = await import("./jobs/plan.js");
    return listPlans(planDirectory(environmentOf(options)));
  },
  /** One job's plan: what it is, what it finished and what failed; an error when missing or damaged. */
  async show(id: string, options: CommonOptions = {}): Promise<import("./jobs/plan.js").PlanState> {
    const { findPlan, planDirectory } = await import("./jobs/plan.js");
    return findPlan(planDirectory(environmentOf(options)), id);
  },
  /** Prepares the rest of a job: what it finished is not done again (blocks already staged included). */
  async resume(id: string, options: ResumeOptions = {}): Promise<{ job: CopyJob; finishedEarlier: number }> {
    const plan = await jobs.show(id, options);
    const { sourceSas, destinationSas, ...common } = options;
    const saved = plan.header.options as CopyOptions & {
      sync?: { deleteDestination: "true" | "false"; compareHash: "None" | "MD5"; mirrorMode: boolean };
    };
    const resumed = {
      ...saved,
      // Only what this resume sets replaces what the job was started with.
      ...Object.fromEntries(Object.entries(common).filter(([, value]) => value !== undefined)),
      resume: { jobId: plan.header.jobId, done: plan.done },
      commandLine: `jobs resume ${id}`,
    };
    const source = withSas(plan.header.source, sourceSas);
    const destination = withSas(plan.header.destination, destinationSas);
    const job =
      plan.header.command === "sync" && saved.sync
        ? await sync(source, destination, { ...resumed, ...saved.sync })
        : await copy(source, destination, resumed);
    return { job, finishedEarlier: plan.done.size };
  },
  /** Removes one job's plan and log; false when there was no such job. */
  async remove(id: string, options: CommonOptions = {}): Promise<boolean> {
    const { planDirectory, removePlan } = await import("./jobs/plan.js");
    const { logDirectory } = await import("./jobs/job-log.js");
    const env = environmentOf(options);
    return removePlan(planDirectory(env), logDirectory(env), id);
  },
  /** Removes the plans and logs of every job (or of those whose status is `withStatus`); resolves their ids. */
  async clean(options: CommonOptions & { withStatus?: string } = {}): Promise<string[]> {
    const plans = (await jobs.list(options)).filter(
      (plan) =>
        !options.withStatus ||
        options.withStatus === "All" ||
        (plan.end?.status ?? "InProgress") === options.withStatus,
    );
    for (const plan of plans) await jobs.remove(plan.header.jobId, options);
    return plans.map((plan) => plan.header.jobId);
  },
};

export type BenchOptions = CommonOptions &
  import("./options/table.js").OptionsFor<"bench"> & {
    capMbps?: number;
    logLevel?: CopyOptions["logLevel"];
    commandLine?: string;
  };

/**
 * Prepares AzCopy's benchmark at a container, share or file system: `mode` Upload sends files
 * generated in memory (then `cleanUp()` deletes them unless `deleteTestData` is false), Download
 * reads what is there and keeps none of it.
 */
export async function bench(
  target: string,
  options: BenchOptions = {},
): Promise<{ job: CopyJob; cleanUp: () => Promise<void> }> {
  const { createBenchJob } = await import("./engine/bench.js");
  const authorizer = createAuthorizer(options);
  const env = environmentOf(options);
  const prepared = await createBenchJob(target, { ...options, authorizer, env });
  return {
    job: prepared.job,
    cleanUp: async () => {
      if (!prepared.folder || options.deleteTestData === false) return;
      const [url, query] = target.split("?");
      const folderUrl = `${url!.replace(/\/+$/, "")}/${prepared.folder}${query ? `?${query}` : ""}`;
      const { createRemoveJob } = await import("./engine/operations.js");
      await (await createRemoveJob(folderUrl, { authorizer, env, recursive: true, logLevel: "NONE" })).run();
    },
  };
}

export type { ManifestEngine, ManifestOptions } from "./engine/shard-manifest.js";
export { EXIT_CANNOT_HEAL } from "./engine/shard-manifest.js";
export type { ShardReport, ShardsSummary } from "./engine/shard-report.js";

/** One job over several machines (--shard): the reports' merge, and manifests that run the shards. */
export const shards = {
  /** Merges the reports in a --shard-report folder (a local path or a URL); names the shards missing or failed. */
  async summarize(
    folder: string,
    options: CommonOptions = {},
  ): Promise<import("./engine/shard-report.js").ShardsSummary> {
    const [{ summarizeShards, reportFolderOpener }, { JobEnvironment }] = await Promise.all([
      import("./engine/shard-report.js"),
      import("./engine/job-environment.js"),
    ]);
    const job = new JobEnvironment({
      env: environmentOf(options),
      logLevel: "NONE",
      commandLine: "shards summary",
    });
    return summarizeShards(reportFolderOpener(job, createAuthorizer(options)), folder);
  },
  /** A Kubernetes Indexed Job, or an Azure Batch job and its tasks, that runs `options.command` as shards. */
  async manifest(
    options: import("./engine/shard-manifest.js").ManifestOptions,
  ): Promise<Record<string, unknown>> {
    const { batchJob, kubernetesJob } = await import("./engine/shard-manifest.js");
    return options.engine === "batch" ? batchJob(options) : kubernetesJob(options);
  },
};
