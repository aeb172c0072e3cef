// What every job runs with: its id and log, the request and memory limits from the
// environment, one transport per remote side, a cancel signal that reaches every request, and
// the translation of failures into explained errors.
import { setMaxListeners } from "node:events";
import type { Access, Authorizer, LocationRole } from "../auth/authorize.js";
import { AzcpError, isAzcpError } from "../errors.js";
import { JobLog, type LogLevel, newJobId } from "../jobs/job-log.js";
import type { RemoteLocation } from "../location/location.js";
import { type Environment, readSetting } from "../settings.js";
import type { RemoteEndpoint as Endpoint, SourceObject } from "../storage/backend.js";
import {
  type CustomerKey,
  objectHeadersFor,
  serviceHeadersFor,
  tokenHeadersFor,
} from "../storage/registry.js";
import { storageFailure } from "../storage/rest/failure.js";
import { type HttpAuth, RestTransport } from "../transport/http.js";
import { RateLimiter, Semaphore } from "../transport/limits.js";
import { BufferPool, ByteBudget } from "./concurrency.js";
import type { CopyJobParts } from "./job.js";
import { concurrencyFrom, memoryBudgetFrom, positiveInteger, retryPolicyFrom } from "./limits.js";

export interface JobEnvironmentOptions {
  env: Environment;
  logLevel?: LogLevel | undefined;
  commandLine: string;
  capMbps?: number | undefined;
  /** Keep this id (a resumed job). */
  jobId?: string | undefined;
  /** --trailing-dot: keep trailing dots in Azure Files names (default Enable). */
  trailingDot?: "Enable" | "Disable" | undefined;
  /** --cpk-by-name / --cpk-by-value: how Blob objects are encrypted. */
  customerKey?: CustomerKey | undefined;
  /** AzCopy's testing knobs (--await-open, --debug-skip-files). */
  debug?: JobDebugOptions | undefined;
}

/** AzCopy's knobs for testing a job from outside. */
export interface JobDebugOptions {
  /** Waited for after the listing started and before the first file is opened (--await-open). */
  beforeFirstTransfer?: (() => Promise<void>) | undefined;
  /** Relative paths (";"-separated) whose transfers are cancelled rather than run (--debug-skip-files). */
  skipFiles?: string | undefined;
}

export type Explain = (error: unknown, object: SourceObject | undefined, key: string) => Promise<AzcpError>;

export function transportAuth(location: RemoteLocation, access: Access): HttpAuth {
  switch (access.kind) {
    case "sas":
      return { kind: "sas", sas: location.sas! };
    case "token":
      return { kind: "token", credential: access.credential };
    case "sharedKey":
      return { kind: "sharedKey", credential: access.credential };
    case "anonymous":
      return { kind: "anonymous" };
    case "foreign":
      return { kind: "signed", sign: access.sign };
  }
}

export class JobEnvironment {
  readonly jobId: string;
  readonly log: JobLog;
  readonly cancel = new AbortController();
  readonly transports: RestTransport[] = [];
  readonly memory: ByteBudget;
  readonly pool: BufferPool;
  readonly fileConcurrency: number;
  private readonly requests: Semaphore;
  private readonly connections: number;
  readonly rateLimiter: RateLimiter;
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(private readonly options: JobEnvironmentOptions) {
    const { env } = options;
    this.jobId = options.jobId ?? newJobId();
    // Every request in flight listens to the job's cancel signal.
    setMaxListeners(0, this.cancel.signal);
    const concurrency = concurrencyFrom(env);
    this.requests = new Semaphore(concurrency.limit);
    this.connections = Math.max(concurrency.limit, 64);
    // Always there, so that a driving program can set a cap while the job runs (0: none).
    this.rateLimiter = new RateLimiter(options.capMbps ?? 0);
    const memoryLimit = memoryBudgetFrom(env);
    this.memory = new ByteBudget(memoryLimit);
    this.pool = new BufferPool(memoryLimit);
    this.fileConcurrency = positiveInteger(
      "AZCOPY_CONCURRENT_FILES",
      env,
      Math.max(64, concurrency.limit * 2),
    );
    this.log = new JobLog(this.jobId, options.logLevel ?? "INFO", env, options.commandLine);
  }

  /** The transport for one side of the job ("source", "destination"), made once per side. */
  transport(location: RemoteLocation, access: Access, label: string): RestTransport {
    const log = this.log;
    const transport = new RestTransport(
      new URL(location.accountUrl).origin,
      transportAuth(location, access),
      {
        label,
        connections: this.connections,
        requests: this.requests,
        signal: this.cancel.signal,
        retry: retryPolicyFrom(this.options.env),
        rateLimiter: this.rateLimiter,
        tokenHeaders: tokenHeadersFor(location.service),
        serviceHeaders: serviceHeadersFor(location.service, { trailingDot: this.options.trailingDot }),
        objectHeaders: objectHeadersFor(location, this.options.customerKey),
        userAgentPrefix: readSetting("AZCOPY_USER_AGENT_PREFIX", this.options.env)?.trim(),
        onRetry: (notice) =>
          log.write(
            "WARNING",
            `Retry ${notice.attempt} of ${notice.method} ${notice.path} in ${Math.round(notice.delayMs)} ms: ${notice.reason}`,
          ),
        ...(log.enabled("DEBUG") ? { onResponse: (line: string) => log.write("DEBUG", line) } : {}),
      },
    );
    this.transports.push(transport);
    this.endpoints.set(label, { location, access, transport });
    return transport;
  }

  /** How opening a side signs in and gets its transport, for storage/registry's openBackend. */
  openContext(authorizer: Authorizer, role: LocationRole, label: string = role) {
    return {
      authorize: (location: RemoteLocation) => authorizer.accessFor(location, role),
      transport: (location: RemoteLocation, access: Access) => this.transport(location, access, label),
    };
  }

  /** The endpoint made for a side ("source", "destination"). */
  endpointOf(label: string): Endpoint | undefined {
    return this.endpoints.get(label);
  }

  /** Turn a failure into an explained error, naming the side and the kind of operation. */
  readonly explain: Explain = async (error, object, key) => {
    if (isAzcpError(error)) return error;
    const side = (error as { side?: string }).side;
    const target = side ? this.endpoints.get(side) : undefined;
    if (target) {
      const method = (error as { method?: string }).method ?? "";
      // A check at the destination (does it exist, is it a folder) needs what the job needs
      // there: the role to write, which the role to read alone would not give.
      const action =
        method === "DELETE"
          ? "delete"
          : side === "source" || ((method === "HEAD" || method === "GET") && side !== "destination")
            ? "read"
            : "write";
      return storageFailure(error, {
        location: target.location,
        access: target.access,
        operation:
          action === "delete" ? "delete" : side === "source" ? "read" : method === "HEAD" ? "check" : "write",
        action,
        path: side === "source" ? (object?.key ?? target.location.path) : key || target.location.path,
      });
    }
    const code = (error as NodeJS.ErrnoException).code;
    const message = error instanceof Error ? error.message : String(error);
    return new AzcpError(
      code?.startsWith("E") ? "bad-input" : "service",
      `${object ? `${object.key}: ` : ""}${message}`,
      {
        remedy:
          code === "EACCES" || code === "EPERM"
            ? "Check the file permissions."
            : "Run again with --log-level DEBUG for details.",
        errorCode: code,
      },
    );
  };

  /** Failures that stop a whole job at once (a missing role, a firewall, a missing container). */
  /** What every CopyJob takes from its environment: cancel, budgets, log, explanations, the cap. */
  copyJobParts(): Pick<
    CopyJobParts,
    | "cancel"
    | "jobId"
    | "memory"
    | "pool"
    | "fileConcurrency"
    | "log"
    | "transportStats"
    | "explain"
    | "isFatal"
    | "setCapMbps"
    | "beforeFirstTransfer"
    | "skipPaths"
  > {
    const { beforeFirstTransfer, skipFiles } = this.options.debug ?? {};
    return {
      cancel: this.cancel,
      jobId: this.jobId,
      memory: this.memory,
      pool: this.pool,
      fileConcurrency: this.fileConcurrency,
      log: this.log,
      transportStats: () => this.transportStats(),
      explain: this.explain,
      isFatal: (error) => this.isFatal(error),
      setCapMbps: (megabitsPerSecond) => this.rateLimiter.setRate(megabitsPerSecond),
      beforeFirstTransfer,
      skipPaths: skipFiles
        ? new Set(
            skipFiles
              .split(";")
              .map((path) => path.replace(/^\/+/, ""))
              .filter(Boolean),
          )
        : undefined,
    };
  }

  isFatal(error: AzcpError): boolean {
    return (
      error.kind === "authentication" ||
      error.kind === "permission" ||
      error.kind === "network-rules" ||
      (error.kind === "not-found" &&
        /ContainerNotFound|ShareNotFound|FilesystemNotFound/.test(error.errorCode ?? ""))
    );
  }

  transportStats() {
    return this.transports.map((transport) => transport.stats);
  }
}
