// A job's plan file as the job writes it: the header (what the job is, its options from the
// option table, no SAS), each finished transfer, and how the job ended.
import { planOptions } from "../options/read.js";
import type { Environment } from "../settings.js";
import { logDirectory } from "./job-log.js";
import { PlanWriter, planDirectory, prunePlans, withoutSas } from "./plan.js";

export interface JournalRequest {
  jobId: string;
  command: "copy" | "sync";
  source: string;
  destination: string;
  env: Environment;
  /** The job's options: only the option table's copy options are kept. */
  options: Record<string, unknown>;
  /** A sync's own settings. */
  sync?: { deleteDestination: string; compareHash: string; mirrorMode: boolean } | undefined;
  /** Continuing an earlier job: its plan is appended to, not begun again. */
  resumed: boolean;
}

/** What the journal needs of a finished transfer and of the job's end. */
export interface JournalResult {
  path?: string | undefined;
  action?: string | undefined;
  status: string;
}
export interface JournalEnd {
  status: string;
  completed: number;
  failed: number;
  skipped: number;
  bytesTransferred: number;
}

export function openJournal(request: JournalRequest) {
  const directory = planDirectory(request.env);
  prunePlans(directory, logDirectory(request.env), request.env, request.jobId);
  const { sync } = request;
  const writer = new PlanWriter(
    directory,
    request.jobId,
    request.resumed
      ? undefined
      : {
          kind: "header",
          version: 1,
          jobId: request.jobId,
          command: request.command,
          source: withoutSas(request.source),
          destination: withoutSas(request.destination),
          // The table's options only, so callbacks and secrets never reach the file.
          options: {
            ...planOptions("copy", request.options),
            ...(sync
              ? {
                  sync: {
                    deleteDestination: sync.deleteDestination,
                    compareHash: sync.compareHash,
                    mirrorMode: sync.mirrorMode,
                  },
                }
              : {}),
          },
          startedAt: new Date().toISOString(),
        },
  );
  return {
    record(result: JournalResult) {
      if (!result.path || result.action === "delete") return;
      writer.record({
        kind: result.status === "Success" ? "done" : result.status === "Failed" ? "failed" : "skipped",
        path: result.path,
      });
    },
    finish(summary: JournalEnd) {
      writer.record({
        kind: "end",
        status: summary.status,
        completed: summary.completed,
        failed: summary.failed,
        skipped: summary.skipped,
        bytes: summary.bytesTransferred,
        endedAt: new Date().toISOString(),
      });
      writer.flush();
    },
  };
}
