// How a running job looks: AzCopy's banner, a progress line (redrawn in place on a terminal,
// plain lines when piped), failures, and the summary block; in JSON mode AzCopy's Init,
// Progress and EndOfJob messages plus one azcp "Transfer" message per finished transfer.
import { type CopyEvent, type CopyJob, EXIT_CANNOT_HEAL, type JobSummary } from "../api.js";
import type { Output } from "./output.js";
import { cannotHeal, failurePrefix } from "./run.js";
import type { StdinControl } from "./stdin-control.js";

const MAX_FAILURES_SHOWN = 20;

export function progressLine(summary: JobSummary): string {
  const pending = Math.max(0, summary.totalTransfers - summary.completed - summary.failed - summary.skipped);
  return (
    `${summary.percentComplete.toFixed(1)} %, ${summary.completed} Done, ${summary.failed} Failed, ${pending} Pending, ` +
    `${summary.skipped} Skipped, ${summary.totalTransfers} Total, 2-sec Throughput (Mb/s): ${summary.throughputMbps.toFixed(4).replace(/\.?0+$/, "") || "0"}` +
    (summary.scanning ? " (scanning...)" : "")
  );
}

export function summaryBlock(summary: JobSummary): string {
  if (summary.sync) {
    const copies = summary.totalTransfers - summary.deleted - summary.deleteFailed;
    return [
      `Job ${summary.jobId} Summary`,
      `Files Scanned at Source: ${summary.sync.scannedAtSource}`,
      `Files Scanned at Destination: ${summary.sync.scannedAtDestination}`,
      `Elapsed Time (Minutes): ${(summary.elapsedMs / 60_000).toFixed(4)}`,
      `Number of Copy Transfers for Files: ${copies}`,
      "Number of Copy Transfers for Folder Properties: 0",
      `Total Number of Copy Transfers: ${copies}`,
      `Number of Copy Transfers Completed: ${summary.completed - summary.deleted}`,
      `Number of Copy Transfers Failed: ${summary.failed - summary.deleteFailed}`,
      `Number of Deletions at Destination: ${summary.deleted}`,
      `Total Number of Bytes Transferred: ${summary.bytesTransferred}`,
      `Total Number of Bytes Enumerated: ${summary.bytesEnumerated}`,
      `Final Job Status: ${summary.status}`,
    ].join("\n");
  }
  const { folders } = summary;
  return [
    `Job ${summary.jobId} summary`,
    `Elapsed Time (Minutes): ${(summary.elapsedMs / 60_000).toFixed(4)}`,
    `Number of File Transfers: ${summary.totalTransfers - folders.total}`,
    `Number of Folder Property Transfers: ${folders.total}`,
    "Number of Symlink Transfers: 0",
    `Total Number of Transfers: ${summary.totalTransfers}`,
    `Number of File Transfers Completed: ${summary.completed - folders.completed}`,
    `Number of Folder Transfers Completed: ${folders.completed}`,
    `Number of File Transfers Failed: ${summary.failed - folders.failed}`,
    `Number of Folder Transfers Failed: ${folders.failed}`,
    `Number of File Transfers Skipped: ${summary.skipped - folders.skipped}`,
    `Number of Folder Transfers Skipped: ${folders.skipped}`,
    `Number of Symbolic Links Skipped: ${summary.symlinksSkipped}`,
    "Number of Hardlinks Converted: 0",
    "Number of Hardlinks Skipped: 0",
    `Number of Special Files Skipped: ${summary.specialFilesSkipped}`,
    `Total Number of Bytes Transferred: ${summary.bytesTransferred}`,
    `Final Job Status: ${summary.status}`,
  ].join("\n");
}

/** Attach the renderer to a job; returns a function that prints the end of the job. */
export function renderJob(
  job: CopyJob,
  output: Output,
  stream: NodeJS.WriteStream = process.stdout,
  command = "copy",
) {
  const redraw = stream.isTTY === true && !output.json;
  let failuresShown = 0;
  let lastLineLength = 0;
  const showProgress = (summary: JobSummary) => {
    if (output.level !== "default") return;
    if (output.json) {
      output.message("Progress", job.azcopySummary("progress"));
      return;
    }
    const line = progressLine(summary);
    if (redraw) {
      output.write(`\r${line}${" ".repeat(Math.max(0, lastLineLength - line.length))}`);
      lastLineLength = line.length;
    } else {
      output.write(`${line}\n`);
    }
  };

  job.on((event: CopyEvent) => {
    switch (event.type) {
      case "started":
        if (output.json) {
          output.message("Init", {
            LogFileLocation: event.logFile ?? "",
            JobID: event.jobId,
            IsCleanupJob: false,
          });
        } else {
          output.info(`\nJob ${event.jobId} has started`);
          if (event.logFile) output.info(`Log file is located at: ${event.logFile}\n`);
        }
        break;
      case "progress":
        showProgress(event.summary);
        break;
      case "notice":
        output.info(event.text);
        break;
      case "dryrun":
        if (event.action !== "copy") {
          output.result(`DRYRUN: ${event.action} ${event.source}`, "Dryrun", {
            Source: event.source,
            EntityType: "File",
          });
        } else {
          output.result(`DRYRUN: copy ${event.source} to ${event.destination}`, "Dryrun", {
            Source: event.source,
            Destination: event.destination,
            EntityType: "File",
          });
        }
        break;
      case "transfer": {
        const { result } = event;
        if (output.json) {
          output.message("Transfer", {
            Source: result.source,
            Destination: result.destination,
            Bytes: result.size,
            Status: result.status,
            ErrorCode: result.errorCode ?? (result.statusCode ? String(result.statusCode) : ""),
            ...(result.error ? { Error: result.error.describe() } : {}),
          });
        } else if (result.status === "Failed" && output.level !== "quiet") {
          failuresShown++;
          if (failuresShown <= MAX_FAILURES_SHOWN) {
            if (redraw) output.write("\n");
            output.error(`Failed: ${result.source}: ${result.error?.describe() ?? "unknown error"}`);
          }
        }
        break;
      }
    }
  });

  return (summary: JobSummary) => {
    if (output.json) {
      // A job that could not run ends as AzCopy's does: its Error, and no EndOfJob, so that a
      // driving program shows the reason rather than "unexpected quit".
      if (summary.error) {
        output.message("Error", `${failurePrefix(command)}${summary.error.describe()}`);
        return;
      }
      // The last Progress carries the final status and the failures not listed yet; then EndOfJob.
      if (output.level === "default") output.message("Progress", job.azcopySummary("progress"));
      output.message("EndOfJob", job.azcopySummary("end"));
      return;
    }
    if (summary.totalTransfers > 0 || summary.status !== "Failed") showProgress(summary);
    if (redraw && output.level === "default") output.write("\n");
    if (failuresShown > MAX_FAILURES_SHOWN) {
      output.error(
        `... and ${failuresShown - MAX_FAILURES_SHOWN} more failed transfers; the log file lists them all.`,
      );
    }
    if (summary.error) output.error(`${failurePrefix(command)}${summary.error.describe()}`);
    if (output.level !== "quiet") output.result(`\n${summaryBlock(summary)}\n`);
  };
}

/** What a command says when a cancel starts (AzCopy's sync leaves out the first line). */
export function cancellationNotice(output: Output, command: string): () => void {
  let said = false;
  return () => {
    if (said) return;
    said = true;
    if (command !== "sync") output.info("INFO: Cancellation requested");
    output.info("INFO: Cancellation requested. Beginning clean shutdown...");
  };
}

/**
 * Render a job, run it, and print its end. Ctrl-C, SIGTERM and a driving program's cancel on
 * stdin stop it cleanly (what finished is kept and the job can be resumed); a cap change on stdin
 * applies at once. Returns the exit code.
 */
export async function runJob(
  job: CopyJob,
  output: Output,
  control?: { stdin: StdinControl | undefined; command: string; shard?: boolean },
): Promise<number> {
  const finish = renderJob(job, output, process.stdout, control?.command);
  job.pace(() => output.drained());
  const notice = cancellationNotice(output, control?.command ?? "copy");
  const cancel = () => {
    notice();
    job.cancel();
  };
  process.once("SIGINT", cancel);
  process.once("SIGTERM", cancel);
  control?.stdin?.attach({ cancel: () => job.cancel(), setCapMbps: (mbps) => job.setCapMbps(mbps) });
  try {
    const summary = await job.run();
    finish(summary);
    if (control?.shard && summary.error && cannotHeal(summary.error)) return EXIT_CANNOT_HEAL;
    return exitCodeOf(summary);
  } finally {
    process.off("SIGINT", cancel);
    process.off("SIGTERM", cancel);
    control?.stdin?.stop();
  }
}

export function exitCodeOf(summary: JobSummary): number {
  return summary.status === "Completed" || summary.status === "CompletedWithSkipped" ? 0 : 1;
}
