// A copy job: enumeration streams into transfers (copying starts before listing ends), at most
// `fileConcurrency` objects are in progress, every chunk waits its turn in the memory budget, and
// the job settles as soon as the last transfer does. It reports through typed events.
import { AzcpError } from "../errors.js";
import type { JobLog } from "../jobs/job-log.js";
import type { Destination, Source, SourceObject } from "../storage/backend.js";
import type { TransportStats } from "../transport/http.js";
import { Semaphore } from "../transport/limits.js";
import type { BufferPool, ByteBudget } from "./concurrency.js";
import type { ObjectFilter } from "./filters.js";
import {
  azcopySummary,
  JobCounters,
  type JobSummary,
  type SyncCounts,
  type TransferResult,
} from "./summary.js";
import { type TransferContext, type TransferSettings, transferObject } from "./transfer.js";

export type CopyEvent =
  | { type: "started"; jobId: string; logFile: string | undefined }
  | { type: "transfer"; result: TransferResult }
  | { type: "progress"; summary: JobSummary }
  | { type: "dryrun"; action: "copy" | "remove" | "set-properties"; source: string; destination: string }
  | { type: "notice"; text: string };

export type CopyListener = (event: CopyEvent) => void;

/**
 * One unit of work of a job: copy an object, or delete one (remove, and sync's deletions).
 * A copy job's tasks are its source's objects; sync and remove make their own.
 */
export type JobTask =
  | { kind: "copy"; object: SourceObject }
  /** Blocks of a file another shard owns and commits (--shard): neither counted nor reported. */
  | { kind: "part"; object: SourceObject }
  | {
      kind: "operation";
      verb: "remove" | "set-properties";
      object: SourceObject;
      target: string;
      run: () => Promise<void>;
    };

export interface CopyJobParts {
  /** Aborted when the job is cancelled or fails; the transports listen to it. */
  cancel: AbortController;
  jobId: string;
  source: Source;
  /** Where copies go; absent for jobs that only operate on objects in place (remove). */
  destination?: Destination | undefined;
  settings?: TransferSettings | undefined;
  filter: ObjectFilter;
  /** Objects the filter leaves to another shard but whose blocks this shard stages too. */
  help?: ((object: SourceObject) => boolean) | undefined;
  dryRun: boolean;
  memory: ByteBudget;
  pool: BufferPool;
  fileConcurrency: number;
  log: JobLog;
  /** Counters of every transport the job uses. */
  transportStats: () => TransportStats[];
  explain(error: unknown, object: SourceObject | undefined, destinationKey: string): Promise<AzcpError>;
  /** Errors that stop the whole job at once (a missing role, a firewall, a missing container). */
  isFatal(error: AzcpError): boolean;
  /** Records each finished transfer and the end of the job (the plan file). */
  journal?: { record(result: TransferResult): void; finish(summary: JobSummary): void } | undefined;
  /** What the source's walk left out (symbolic links not followed, special files), counted as it goes. */
  skippedEntries?: { symlinks: number; special: number } | undefined;
  /** Paths finished in an earlier run of this job (resume): not done again. */
  alreadyDone?: ReadonlySet<string> | undefined;
  /** What a sync has scanned on each side, for its summary. */
  syncCounts?: SyncCounts | undefined;
  /** The work, as a stream; default: copy every source object the filter keeps. */
  tasks?: () => AsyncIterable<JobTask>;
  /** The bytes of deleted objects count as transferred (a remove job, as AzCopy reports it). */
  countDeletedBytes?: boolean | undefined;
  /** Changes the bandwidth cap while the job runs (0: none). */
  setCapMbps?: ((megabitsPerSecond: number) => void) | undefined;
  /** Runs before enumeration, for example a check that writing is allowed. */
  preflight?: () => Promise<void>;
  /** Runs once every task settled, when none failed (a remove's clean-up of emptied folders). */
  afterwards?: () => Promise<void>;
  /** Given the final summary (a shard's report); a failure to take it fails the job. */
  report?: (summary: JobSummary) => Promise<void>;
  progressIntervalMs?: number;
  /** Waited for once, before the first transfer starts (--await-open). */
  beforeFirstTransfer?: (() => Promise<void>) | undefined;
  /** Relative paths whose transfers are cancelled instead of run (--debug-skip-files). */
  skipPaths?: ReadonlySet<string> | undefined;
}

/** Called after each task is queued: a promise holds the listing back until it resolves. */
export type Pacer = () => Promise<void> | undefined;

export class CopyJob {
  readonly id: string;
  private readonly listeners = new Set<CopyListener>();
  private readonly counters = new JobCounters();
  private readonly controller: AbortController;
  private cancelled = false;
  /** Set when every transfer settled: until then the status is InProgress (or Cancelling). */
  private finished = false;
  private fatal: AzcpError | undefined;
  private bytesInFlight = 0;
  private pacer: Pacer | undefined;

  constructor(private readonly parts: CopyJobParts) {
    this.id = parts.jobId;
    this.counters.countDeletedBytes = parts.countDeletedBytes ?? false;
    this.controller = parts.cancel;
  }

  on(listener: CopyListener): this {
    this.listeners.add(listener);
    return this;
  }

  private emit(event: CopyEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Say something on the job's output and in its log ("INFO: ..."). */
  notice(text: string): void {
    this.parts.log.write("INFO", text.replace(/^INFO: /, ""));
    this.emit({ type: "notice", text });
  }

  /**
   * Lets whoever shows the job's events hold the listing back while it catches up (a slow reader
   * of the output), so events never pile up in memory.
   */
  pace(pacer: Pacer): this {
    this.pacer = pacer;
    return this;
  }

  /** Changes the bandwidth cap while the job runs (0: none); false when this job has none to change. */
  setCapMbps(megabitsPerSecond: number): boolean {
    if (!this.parts.setCapMbps) return false;
    this.parts.setCapMbps(megabitsPerSecond);
    return true;
  }

  /** Stop starting transfers, cancel those running, and settle as Cancelled. */
  cancel(): void {
    this.cancelled = true;
    this.controller.abort();
  }

  private totals(): TransportStats {
    const total: TransportStats = {
      requests: 0,
      retries: 0,
      throttled: 0,
      networkErrors: 0,
      bytesSent: 0,
      bytesReceived: 0,
    };
    for (const stats of this.parts.transportStats()) {
      for (const key of Object.keys(total) as (keyof TransportStats)[]) total[key] += stats[key];
    }
    return total;
  }

  summary(): JobSummary {
    const stats = this.totals();
    const wire = stats.bytesSent + stats.bytesReceived;
    this.counters.sample(wire);
    this.counters.bytesInProgress = this.bytesInFlight;
    this.counters.symlinksSkipped = this.parts.skippedEntries?.symlinks ?? 0;
    this.counters.specialFilesSkipped = this.parts.skippedEntries?.special ?? 0;
    const status = this.finished
      ? this.counters.status({ cancelled: this.cancelled, fatal: this.fatal !== undefined })
      : this.cancelled
        ? "Cancelling"
        : "InProgress";
    return {
      ...this.counters.summary(this.id, status, wire, stats),
      ...(this.fatal ? { error: this.fatal } : {}),
      ...(this.parts.syncCounts ? { sync: { ...this.parts.syncCounts } } : {}),
    };
  }

  /**
   * AzCopy's summary object for this job (counters as strings). A Progress message lists the
   * failed and skipped transfers not listed before; the EndOfJob message lists none, as AzCopy's.
   */
  azcopySummary(kind: "progress" | "end") {
    const summary = this.summary();
    if (kind === "end") return azcopySummary(summary, { failed: [], skipped: [] });
    const failed = summary.failedTransfers.slice(this.listedFailures);
    const skipped = summary.skippedTransfers.slice(this.listedSkips);
    this.listedFailures += failed.length;
    this.listedSkips += skipped.length;
    return azcopySummary(summary, {
      failed: failed.length ? failed : null,
      skipped: skipped.length ? skipped : null,
    });
  }

  /**
   * Whether a Progress may be shown: AzCopy reports a copy or remove only once it has ordered
   * transfers (its first job part), so a driving program never sees one with nothing counted.
   * A sync reports its scan.
   */
  private ordered(): boolean {
    return Boolean(this.parts.syncCounts) || !this.counters.scanning || this.counters.total > 0;
  }

  private listedFailures = 0;
  private listedSkips = 0;

  async run(): Promise<JobSummary> {
    const { parts } = this;
    this.emit({ type: "started", jobId: this.id, logFile: parts.log.path });
    const timer = setInterval(() => {
      if (this.ordered()) this.emit({ type: "progress", summary: this.summary() });
    }, parts.progressIntervalMs ?? 2000);
    timer.unref();
    try {
      await parts.preflight?.();
      await this.transferAll();
      await parts.destination?.flush?.();
      if (parts.afterwards && !this.cancelled && !this.fatal && this.summary().failed === 0)
        await parts.afterwards();
    } catch (error) {
      this.fatal ??= await parts.explain(error, undefined, "");
    } finally {
      clearInterval(timer);
      this.counters.scanning = false;
      this.finished = true;
    }
    let summary = this.summary();
    if (parts.report) {
      try {
        await parts.report(summary);
      } catch (error) {
        this.fatal ??= await parts.explain(error, undefined, "");
        summary = this.summary();
      }
    }
    parts.journal?.finish(summary);
    parts.log.write(
      summary.status === "Completed" ? "INFO" : "WARNING",
      `Job ${this.id} ended ${summary.status}: ${summary.completed} completed, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.bytesTransferred} bytes${this.fatal ? `; ${this.fatal.describe()}` : ""}`,
    );
    await parts.log.close();
    return summary;
  }

  private async transferAll(): Promise<void> {
    const { parts } = this;
    const slots = new Semaphore(parts.fileConcurrency);
    const running = new Set<Promise<void>>();
    const context: TransferContext = {
      source: parts.source,
      // Only copy tasks use these, and only jobs with a destination make copy tasks.
      destination: parts.destination!,
      settings: parts.settings!,
      memory: parts.memory,
      pool: parts.pool,
      signal: this.controller.signal,
      onBytes: () => undefined,
      notice: (text) => this.notice(text),
      warn: (text) => parts.log.write("WARNING", text),
      explain: (error, object, key) => parts.explain(error, object, key),
    };
    try {
      await this.startAll(context, slots, running);
    } finally {
      // A listing that fails part-way still lets the transfers it started finish (and be recorded).
      this.counters.scanning = false;
      await Promise.allSettled(running);
    }
  }

  private async startAll(
    context: TransferContext,
    slots: Semaphore,
    running: Set<Promise<void>>,
  ): Promise<void> {
    const { parts } = this;
    let first = true;
    for await (const task of this.tasks()) {
      if (this.controller.signal.aborted) break;
      const { object } = task;
      if (task.kind === "part") {
        if (parts.dryRun) continue;
        const release = await slots.acquire();
        const work = this.helpWith(context, object).finally(release);
        running.add(work);
        void work.then(() => running.delete(work));
        continue;
      }
      if (parts.alreadyDone?.has(object.relativePath)) continue;
      this.counters.total++;
      if (task.kind === "copy" && object.folder) this.counters.folders.total++;
      if (task.kind === "copy") this.counters.bytesEnumerated += object.size;
      const waiting = this.pacer?.();
      if (waiting) await waiting;
      if (parts.dryRun) {
        this.emit(await this.dryRunEvent(task));
        continue;
      }
      if (first) {
        first = false;
        await parts.beforeFirstTransfer?.();
      }
      if (parts.skipPaths?.has(object.relativePath)) {
        this.finishTask(this.cancelledByDebugKnob(task));
        continue;
      }
      const release = await slots.acquire();
      if (this.controller.signal.aborted) {
        release();
        break;
      }
      const work = (task.kind === "copy" ? this.transferOne(context, object) : this.operateOn(task)).finally(
        release,
      );
      running.add(work);
      void work.then(() => running.delete(work));
    }
  }

  /** A transfer --debug-skip-files names: not run, and counted as failed so the job does not pass. */
  private cancelledByDebugKnob(task: Exclude<JobTask, { kind: "part" }>): TransferResult {
    const source = task.kind === "copy" ? this.parts.source.display(task.object) : task.target;
    return {
      source,
      destination: "",
      size: task.object.size,
      status: "Failed",
      action: task.kind === "copy" ? "copy" : task.verb === "remove" ? "delete" : "set-properties",
      path: task.object.relativePath,
      error: new AzcpError("cancelled", `${task.object.relativePath}: cancelled by --debug-skip-files.`, {
        remedy: "Leave --debug-skip-files out to transfer it.",
      }),
    };
  }

  private async *tasks(): AsyncGenerator<JobTask> {
    if (this.parts.tasks) {
      yield* this.parts.tasks();
      return;
    }
    for await (const object of this.parts.source.enumerate()) {
      if (this.parts.filter(object)) yield { kind: "copy", object };
      else if (this.parts.help?.(object)) yield { kind: "part", object };
    }
  }

  private async dryRunEvent(task: Exclude<JobTask, { kind: "part" }>): Promise<CopyEvent> {
    const { parts } = this;
    if (task.kind === "operation")
      return { type: "dryrun", action: task.verb, source: task.target, destination: "" };
    let destination: string;
    try {
      destination = parts.destination!.display(parts.destination!.keyFor(task.object.relativePath));
    } catch (error) {
      destination = (await parts.explain(error, task.object, "")).describe();
    }
    return { type: "dryrun", action: "copy", source: parts.source.display(task.object), destination };
  }

  private async operateOn(task: Extract<JobTask, { kind: "operation" }>): Promise<void> {
    const action = task.verb === "remove" ? "delete" : "set-properties";
    let result: TransferResult;
    try {
      await task.run();
      result = { source: task.target, destination: "", size: task.object.size, status: "Success", action };
    } catch (error) {
      const explained = await this.parts.explain(error, task.object, task.object.key);
      result = {
        source: task.target,
        destination: "",
        size: task.object.size,
        status: "Failed",
        action,
        error: explained,
        statusCode: explained.statusCode,
        errorCode: explained.errorCode,
      };
    }
    this.finishTask(result);
  }

  /** Stages this shard's blocks of a file another shard owns; that shard reports the file. */
  private async helpWith(shared: TransferContext, object: SourceObject): Promise<void> {
    const result = await transferObject({ ...shared, helper: true, onBytes: () => undefined }, object);
    if (result.status === "Failed")
      this.parts.log.write(
        "WARNING",
        `Blocks of ${result.source} for the shard that owns it: ${result.error?.describe() ?? "failed"}`,
      );
  }

  private async transferOne(shared: TransferContext, object: SourceObject): Promise<void> {
    let moved = 0;
    const context: TransferContext = {
      ...shared,
      onBytes: (delta) => {
        moved += delta;
        this.bytesInFlight += delta;
      },
    };
    const result = await transferObject(context, object);
    // This transfer's bytes now count as done (or not at all), no longer as in flight.
    this.bytesInFlight -= moved;
    this.finishTask(result);
  }

  private finishTask(result: TransferResult): void {
    // A transfer cut short by a cancel did not fail: it stays to do, and a resume does it.
    if (this.cancelled && result.status === "Failed") {
      this.parts.log.write("INFO", `Cancelled: ${result.source}`);
      return;
    }
    this.counters.record(result);
    this.parts.journal?.record(result);
    const log = this.parts.log;
    if (result.status === "Failed") {
      log.write(
        "ERROR",
        `Failed: ${result.source} -> ${result.destination}: ${result.error?.describe() ?? "unknown error"}`,
      );
      if (result.error && this.parts.isFatal(result.error) && !this.fatal) {
        this.fatal = result.error;
        this.controller.abort();
      }
    } else {
      log.write(
        "INFO",
        result.action === "delete"
          ? `Deleted ${result.source}`
          : result.action === "set-properties"
            ? `Set properties of ${result.source}`
            : `${result.status}: ${result.source} -> ${result.destination} (${result.size} bytes)`,
      );
    }
    this.emit({ type: "transfer", result });
  }
}
