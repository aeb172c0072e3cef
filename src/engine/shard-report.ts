// What a shard leaves behind for the others (--shard-report): its summary as AzCopy's EndOfJob
// message has it, with its failed transfers, in a file named for the shard; and the merge of a
// folder of them into one summary that names the shards missing or failed.
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { badInput } from "../errors.js";
import type { Shard } from "./shard.js";
import { azcopySummary, type JobSummary } from "./summary.js";

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

/** Writes the report whole or not at all: a temporary name, flushed, then renamed. */
export async function writeShardReport(
  folder: string,
  shard: Shard,
  command: string,
  summary: JobSummary,
): Promise<string> {
  const report: ShardReport = {
    ShardIndex: shard.index,
    ShardCount: shard.count,
    Command: command,
    FinishedAt: new Date().toISOString(),
    EndOfJob: azcopySummary(summary, { failed: summary.failedTransfers, skipped: null }),
  };
  await mkdir(folder, { recursive: true });
  const path = join(folder, shardReportName(shard));
  const temporary = `${path}.${process.pid}.partial`;
  const file = await open(temporary, "w");
  try {
    await file.writeFile(`${JSON.stringify(report, null, 2)}\n`);
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temporary, path).catch(async (error) => {
    await rm(temporary, { force: true });
    throw error;
  });
  return path;
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

export async function summarizeShards(folder: string): Promise<ShardsSummary> {
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT")
      throw badInput(
        `The report folder ${folder} does not exist.`,
        "Pass the folder given to --shard-report.",
      );
    throw error;
  });
  const reports = new Map<number, ShardReport>();
  const counts = new Set<number>();
  for (const name of names.filter((entry) => /^shard-\d+-of-\d+\.json$/.test(entry)).sort()) {
    let report: ShardReport;
    try {
      report = JSON.parse(await readFile(join(folder, name), "utf8")) as ShardReport;
    } catch (error) {
      throw badInput(
        `${join(folder, name)} is not a shard report (${(error as Error).message}).`,
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
): ((summary: JobSummary) => Promise<void>) | undefined {
  if (folder === undefined) return undefined;
  if (!shard)
    throw badInput(
      "--shard-report writes a shard's report, and no shard is given.",
      "Give the shard too: --shard 3/8, or AZCP_SHARD.",
    );
  return async (summary) => {
    await writeShardReport(folder, shard, command, summary);
  };
}
