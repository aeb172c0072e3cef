// What a shard leaves behind for the others (--shard-report): its summary as AzCopy's EndOfJob
// message has it, with its failed transfers, in a file named for the shard, in a local folder or
// under a container URL; and the merge of such a folder into one summary that names the shards
// missing or failed. Both go through the backends, as a copy's one file would.
import type { Authorizer } from "../auth/authorize.js";
import { badInput, isAzcpError } from "../errors.js";
import { locationFor } from "../location/from-to.js";
import type { Backend } from "../storage/backend.js";
import { openBackend } from "../storage/registry.js";
import type { JobEnvironment } from "./job-environment.js";
import type { Shard } from "./shard.js";
import { azcopySummary, type JobSummary } from "./summary.js";

/** Opens the report folder (a local path or a URL) with the job's sign-in. */
export type ReportFolderOpener = (folder: string) => Promise<Backend>;

export function reportFolderOpener(job: JobEnvironment, authorizer: Authorizer): ReportFolderOpener {
  return (folder) =>
    openBackend(
      locationFor(folder, undefined, "report"),
      job.openContext(authorizer, "destination", "report"),
    );
}

export interface ShardReport {
  ShardIndex: number;
  ShardCount: number;
  Command: string;
  FinishedAt: string;
  EndOfJob: ReturnType<typeof azcopySummary>;
}

export function shardReportName(shard: Shard): string {
  const digits = Math.max(5, String(shard.count - 1).length);
  const pad = (value: number) => String(value).padStart(digits, "0");
  return `shard-${pad(shard.index)}-of-${pad(shard.count)}.json`;
}

/** Writes the report whole or not at all (a local file is renamed into place, a blob put at once). */
export async function writeShardReport(
  open: ReportFolderOpener,
  folder: string,
  shard: Shard,
  command: string,
  summary: JobSummary,
): Promise<void> {
  const report: ShardReport = {
    ShardIndex: shard.index,
    ShardCount: shard.count,
    Command: command,
    FinishedAt: new Date().toISOString(),
    EndOfJob: azcopySummary(summary, { failed: summary.failedTransfers, skipped: null }),
  };
  const content = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
  const destination = await (await open(folder)).destination(false);
  const key = destination.keyFor(shardReportName(shard));
  const writer = await destination.writer(key, {
    plan: { kind: "single", size: content.length },
    headers: { contentType: "application/json" },
    jobId: `shard-report-${shard.index}`,
    transferId: "",
  });
  try {
    await writer.writeAll(content);
    await writer.commit();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

/** The reports in a folder, by name. */
async function readReports(open: ReportFolderOpener, folder: string): Promise<Map<string, Buffer>> {
  const backend = await open(folder);
  let source: Awaited<ReturnType<Backend["resolveSource"]>>["source"];
  try {
    ({ source } = await backend.resolveSource({
      recursive: true,
      asSubdir: false,
      followSymlinks: false,
      withMetadata: false,
    }));
  } catch (error) {
    if (isAzcpError(error) && error.kind === "not-found")
      throw badInput(
        `The report folder ${folder} does not exist.`,
        "Pass the folder given to --shard-report.",
      );
    throw error;
  }
  const reports = new Map<string, Buffer>();
  for await (const object of source.enumerate()) {
    // The reports sit in the folder itself: anything deeper is not this job's.
    const name = object.relativePath;
    if (object.folder || !/^shard-\d+-of-\d+\.json$/.test(name)) continue;
    const content = Buffer.alloc(object.size);
    await source.read(object, 0, object.size, content);
    await source.release?.(object);
    reports.set(name, content);
  }
  return reports;
}

/** Counters of EndOfJob that add up over shards. */
const SUMMED = [
  "TotalTransfers",
  "FileTransfers",
  "FolderPropertyTransfers",
  "FoldersCompleted",
  "TransfersCompleted",
  "FoldersFailed",
  "TransfersFailed",
  "FoldersSkipped",
  "TransfersSkipped",
  "BytesOverWire",
  "TotalBytesTransferred",
  "TotalBytesEnumerated",
  "DeleteTotalTransfers",
  "DeleteTransfersCompleted",
] as const;

export interface ShardsSummary {
  ShardCount: number;
  ShardsReported: number;
  /** Indexes with no report. */
  ShardsMissing: number[];
  /** Indexes whose job did not complete (failed transfers, a failed or cancelled job). */
  ShardsFailed: number[];
  JobStatus: string;
  Totals: Record<(typeof SUMMED)[number], string>;
  FailedTransfers: NonNullable<ShardReport["EndOfJob"]["FailedTransfers"]>;
}

/** Whether a shard's job counts as done (as azcp's exit code 0). */
function completed(report: ShardReport): boolean {
  return report.EndOfJob.JobStatus === "Completed" || report.EndOfJob.JobStatus === "CompletedWithSkipped";
}

export async function summarizeShards(open: ReportFolderOpener, folder: string): Promise<ShardsSummary> {
  const files = await readReports(open, folder);
  const reports = new Map<number, ShardReport>();
  const counts = new Set<number>();
  for (const [name, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let report: ShardReport;
    try {
      report = JSON.parse(content.toString("utf8")) as ShardReport;
    } catch (error) {
      throw badInput(
        `${name} in ${folder} is not a shard report (${(error as Error).message}).`,
        "Remove the file, or run that shard again to write it anew.",
      );
    }
    counts.add(report.ShardCount);
    reports.set(report.ShardIndex, report);
  }
  if (counts.size === 0)
    throw badInput(`${folder} holds no shard reports.`, "Pass the folder given to --shard-report.");
  if (counts.size > 1)
    throw badInput(
      `${folder} holds reports of jobs split ${[...counts].sort((a, b) => a - b).join(" and ")} ways.`,
      "Give each job its own report folder.",
    );
  const count = [...counts][0]!;
  const missing: number[] = [];
  const failed: number[] = [];
  const totals = Object.fromEntries(SUMMED.map((field) => [field, 0n])) as Record<
    (typeof SUMMED)[number],
    bigint
  >;
  const failedTransfers: ShardsSummary["FailedTransfers"] = [];
  for (let index = 0; index < count; index++) {
    const report = reports.get(index);
    if (!report) {
      missing.push(index);
      continue;
    }
    if (!completed(report)) failed.push(index);
    for (const field of SUMMED) {
      const value = (report.EndOfJob as Record<string, unknown>)[field];
      if (typeof value === "string" && /^\d+$/.test(value)) totals[field] += BigInt(value);
    }
    failedTransfers.push(...(report.EndOfJob.FailedTransfers ?? []));
  }
  const anyFailed = totals.TransfersFailed + totals.FoldersFailed > 0n;
  const anySkipped = totals.TransfersSkipped + totals.FoldersSkipped > 0n;
  const status =
    missing.length > 0 || [...reports.values()].some((r) => /^(Failed|Cancelled)$/.test(r.EndOfJob.JobStatus))
      ? "Failed"
      : anyFailed && anySkipped
        ? "CompletedWithErrorsAndSkipped"
        : anyFailed
          ? "CompletedWithErrors"
          : anySkipped
            ? "CompletedWithSkipped"
            : "Completed";
  return {
    ShardCount: count,
    ShardsReported: reports.size,
    ShardsMissing: missing,
    ShardsFailed: failed,
    JobStatus: status,
    Totals: Object.fromEntries(
      Object.entries(totals).map(([field, value]) => [field, String(value)]),
    ) as Record<(typeof SUMMED)[number], string>,
    FailedTransfers: failedTransfers,
  };
}

/** The job's `report` step for --shard-report, or undefined without one. */
export function shardReporter(
  folder: string | undefined,
  shard: Shard | undefined,
  command: string,
  open: ReportFolderOpener,
): ((summary: JobSummary) => Promise<void>) | undefined {
  if (folder === undefined) return undefined;
  if (!shard)
    throw badInput(
      "--shard-report writes a shard's report, and no shard is given.",
      "Give the shard too: --shard 3/8, or AZCP_SHARD.",
    );
  return (summary) => writeShardReport(open, folder, shard, command, summary);
}
