// A job's counters and what they add up to: progress, the final status, and AzCopy's summary
// object (the JSON that Progress and EndOfJob messages carry).
import type { AzcpError } from "../errors.js";

export type TransferStatus =
  | "Success"
  | "Failed"
  | "SkippedEntityAlreadyExists"
  | "SkippedIfSourceNotNewer"
  | "SkippedByUser";

export type JobStatus =
  | "InProgress"
  | "Completed"
  | "CompletedWithErrors"
  | "CompletedWithSkipped"
  | "CompletedWithErrorsAndSkipped"
  | "Cancelling"
  | "Cancelled"
  | "Failed";

export interface TransferResult {
  /** "delete" for a removal (remove, and sync's deletions); a copy otherwise. */
  action?: "copy" | "delete" | "set-properties";
  /** The object's path relative to the job's root (what a plan file records). */
  path?: string;
  /** A folder (its existence and properties), counted apart from files as AzCopy counts it. */
  folder?: boolean | undefined;
  source: string;
  destination: string;
  size: number;
  status: TransferStatus;
  /** HTTP status of the failure, when the service answered. */
  statusCode?: number | undefined;
  errorCode?: string | undefined;
  error?: AzcpError | undefined;
}

/** What a sync scanned on each side. */
export interface SyncCounts {
  scannedAtSource: number;
  scannedAtDestination: number;
}

export interface JobSummary {
  jobId: string;
  status: JobStatus;
  /** Set when the job could not run at all, or stopped: what went wrong, with the fix. */
  error?: AzcpError | undefined;
  scanning: boolean;
  elapsedMs: number;
  totalTransfers: number;
  completed: number;
  failed: number;
  skipped: number;
  bytesTransferred: number;
  bytesEnumerated: number;
  bytesOverWire: number;
  percentComplete: number;
  /** Megabits per second over the last interval. */
  throughputMbps: number;
  failedTransfers: TransferResult[];
  skippedTransfers: TransferResult[];
  /** Of the transfers above, those of folders (folder property transfers). */
  folders: { total: number; completed: number; failed: number; skipped: number };
  serverBusyPercentage: number;
  networkErrorPercentage: number;
  symlinksSkipped: number;
  specialFilesSkipped: number;
  /** Deletions done and failed (remove, sync). */
  deleted: number;
  deleteFailed: number;
  /** For a sync: what was scanned on each side. */
  sync?: { scannedAtSource: number; scannedAtDestination: number } | undefined;
}

const MAX_LISTED = 1000;

export class JobCounters {
  readonly started = Date.now();
  scanning = true;
  total = 0;
  completed = 0;
  failed = 0;
  skipped = 0;
  bytesTransferred = 0;
  bytesEnumerated = 0;
  /** Bytes done of transfers still running, for a smooth percentage. */
  bytesInProgress = 0;
  symlinksSkipped = 0;
  specialFilesSkipped = 0;
  readonly failures: TransferResult[] = [];
  readonly skips: TransferResult[] = [];
  private lastSampleAt = Date.now();
  private lastSampleBytes = 0;
  private throughput = 0;

  deleted = 0;
  deleteFailed = 0;
  readonly folders = { total: 0, completed: 0, failed: 0, skipped: 0 };
  /** A remove job reports the bytes it deleted as transferred, as AzCopy's does. */
  countDeletedBytes = false;

  record(result: TransferResult): void {
    if (result.action === "delete") {
      if (result.status === "Success") this.deleted++;
      else this.deleteFailed++;
    }
    if (result.folder) {
      if (result.status === "Success") this.folders.completed++;
      else if (result.status === "Failed") this.folders.failed++;
      else this.folders.skipped++;
    }
    if (result.status === "Success") {
      this.completed++;
      if (
        result.action === undefined ||
        result.action === "copy" ||
        (result.action === "delete" && this.countDeletedBytes)
      )
        this.bytesTransferred += result.size;
    } else if (result.status === "Failed") {
      this.failed++;
      if (this.failures.length < MAX_LISTED) this.failures.push(result);
    } else {
      this.skipped++;
      if (this.skips.length < MAX_LISTED) this.skips.push(result);
    }
  }

  /** Throughput since the last sample, in megabits per second. */
  sample(bytesOverWire: number): number {
    const now = Date.now();
    const seconds = (now - this.lastSampleAt) / 1000;
    if (seconds >= 0.5) {
      this.throughput = ((bytesOverWire - this.lastSampleBytes) * 8) / 1_000_000 / seconds;
      this.lastSampleAt = now;
      this.lastSampleBytes = bytesOverWire;
    }
    return this.throughput;
  }

  status(final: { cancelled: boolean; fatal: boolean }): JobStatus {
    if (!final.cancelled && !final.fatal && this.scanning) return "InProgress";
    if (final.cancelled) return "Cancelled";
    if (final.fatal) return "Failed";
    if (this.failed > 0 && this.completed === 0 && this.skipped === 0) return "Failed";
    if (this.failed > 0) return this.skipped > 0 ? "CompletedWithErrorsAndSkipped" : "CompletedWithErrors";
    if (this.skipped > 0) return "CompletedWithSkipped";
    return "Completed";
  }

  summary(
    jobId: string,
    status: JobStatus,
    bytesOverWire: number,
    stats: { requests: number; throttled: number; networkErrors: number },
  ): JobSummary {
    const done = this.bytesTransferred + this.bytesInProgress;
    const percent =
      this.bytesEnumerated > 0
        ? (100 * Math.min(done, this.bytesEnumerated)) / this.bytesEnumerated
        : this.total > 0
          ? (100 * (this.completed + this.failed + this.skipped)) / this.total
          : status === "InProgress"
            ? 0
            : 100;
    return {
      jobId,
      status,
      scanning: this.scanning,
      elapsedMs: Date.now() - this.started,
      totalTransfers: this.total,
      completed: this.completed,
      failed: this.failed,
      skipped: this.skipped,
      bytesTransferred: this.bytesTransferred,
      bytesEnumerated: this.bytesEnumerated,
      bytesOverWire,
      percentComplete: percent,
      throughputMbps: this.throughput,
      failedTransfers: this.failures,
      skippedTransfers: this.skips,
      folders: { ...this.folders },
      serverBusyPercentage: stats.requests ? (100 * stats.throttled) / stats.requests : 0,
      networkErrorPercentage: stats.requests ? (100 * stats.networkErrors) / stats.requests : 0,
      symlinksSkipped: this.symlinksSkipped,
      specialFilesSkipped: this.specialFilesSkipped,
      deleted: this.deleted,
      deleteFailed: this.deleteFailed,
    };
  }
}

/** One failed or skipped transfer as AzCopy lists it (FailedTransfers, SkippedTransfers). */
export function transferDetail(result: TransferResult) {
  return {
    Src: result.source,
    Dst: result.destination,
    IsFolderProperties: false,
    TransferStatus: result.status,
    TransferSize: result.size,
    ErrorCode: String(result.statusCode ?? 0),
  };
}

/**
 * AzCopy's job summary object (ListJobSummaryResponse, fields in its order, counters as strings)
 * for Progress and EndOfJob messages; a sync's adds its deletions at the end. `lists` says which
 * failed and skipped transfers to list (AzCopy lists each once, in a Progress message).
 */
export function azcopySummary(
  summary: JobSummary,
  lists: { failed: TransferResult[] | null; skipped: TransferResult[] | null },
) {
  const list = (results: TransferResult[] | null) => results?.map(transferDetail) ?? null;
  return {
    ErrorMsg: summary.error ? summary.error.describe() : "",
    JobID: summary.jobId,
    ActiveConnections: "0",
    CompleteJobOrdered: !summary.scanning,
    JobStatus: summary.status,
    TotalTransfers: String(summary.totalTransfers),
    FileTransfers: String(summary.totalTransfers - summary.folders.total),
    FolderPropertyTransfers: String(summary.folders.total),
    SymlinkTransfers: "0",
    FoldersCompleted: String(summary.folders.completed),
    TransfersCompleted: String(summary.completed - summary.folders.completed),
    FoldersFailed: String(summary.folders.failed),
    TransfersFailed: String(summary.failed - summary.folders.failed),
    FoldersSkipped: String(summary.folders.skipped),
    TransfersSkipped: String(summary.skipped - summary.folders.skipped),
    BytesOverWire: String(summary.bytesOverWire),
    TotalBytesTransferred: String(summary.bytesTransferred),
    TotalBytesEnumerated: String(summary.bytesEnumerated),
    TotalBytesExpected: String(summary.bytesEnumerated),
    PercentComplete: summary.percentComplete.toFixed(1).replace(/\.0$/, ""),
    AverageIOPS: "0",
    AverageE2EMilliseconds: "0",
    ServerBusyPercentage: summary.serverBusyPercentage.toFixed(0),
    NetworkErrorPercentage: summary.networkErrorPercentage.toFixed(0),
    FailedTransfers: list(lists.failed),
    SkippedTransfers: list(lists.skipped),
    PerfConstraint: 0,
    PerformanceAdvice: [],
    IsCleanupJob: false,
    SkippedSymlinkCount: String(summary.symlinksSkipped),
    HardlinksConvertedCount: "0",
    SkippedHardlinkCount: "0",
    SkippedSpecialFileCount: String(summary.specialFilesSkipped),
    ...(summary.sync
      ? {
          DeleteTotalTransfers: String(summary.deleted + summary.deleteFailed),
          DeleteTransfersCompleted: String(summary.deleted),
        }
      : {}),
  };
}
