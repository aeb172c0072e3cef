// azcp jobs list | show | resume | clean | remove: what past jobs did, and finishing one that
// stopped (killed, cancelled, or with failures) without redoing what it finished.
import type { Command } from "commander";
import { badInput, type JobPlan } from "../../api.js";
import { addFlags } from "../flags.js";
import { cancellationNotice, runJob } from "../job-output.js";
import { signInOptions } from "../library-options.js";
import { runCommand } from "../run.js";
import { stdinControlFor } from "../stdin-control.js";

const STATUS_FLAG = {
  name: "with-status",
  value: "<status>",
  help: "Only jobs (list) or transfers (show) with this status: All, Completed, Failed, InProgress, Cancelled...",
};

const JOB_STATUSES = [
  "All",
  "InProgress",
  "Cancelling",
  "Cancelled",
  "Completed",
  "CompletedWithErrors",
  "CompletedWithSkipped",
  "CompletedWithErrorsAndSkipped",
  "Failed",
];

/** A --with-status value in its canonical spelling (AzCopy reads it case-insensitively). */
function canonicalStatus(value: string): string {
  const found = JOB_STATUSES.find((status) => status.toLowerCase() === value.toLowerCase());
  if (!found)
    throw badInput(
      `Failed to parse --with-status due to error: couldn't parse "${value}" into a "JobStatus".`,
      `Use one of ${JOB_STATUSES.join(", ")}.`,
    );
  return found;
}

function statusOf(plan: JobPlan): string {
  return plan.end?.status ?? "InProgress";
}

export function registerJobs(program: Command): void {
  const jobs = program
    .command("jobs")
    .summary("List, show, resume and clean up jobs")
    .description("Work with the jobs azcp has run: their plans and logs.");

  addFlags(jobs.command("list").description("List jobs, newest first."), [STATUS_FLAG]).action(
    async (flags: { withStatus?: string }, self: Command) =>
      runCommand(self, async ({ output }) => {
        const wanted = flags.withStatus && flags.withStatus !== "All" ? flags.withStatus : undefined;
        const { jobs } = await import("../../api.js");
        const plans = (await jobs.list()).filter((plan) => !wanted || statusOf(plan) === wanted);
        if (output.json) {
          output.message("Info", {
            JobIDDetails: plans.map((plan) => ({
              JobId: plan.header.jobId,
              StartTime: Date.parse(plan.header.startedAt),
              CommandString: `${plan.header.command} ${plan.header.source} ${plan.header.destination}`,
              JobStatus: statusOf(plan),
            })),
          });
          output.endOfJob();
          return 0;
        }
        output.result("Existing Jobs ");
        for (const plan of plans) {
          output.result(
            `JobId: ${plan.header.jobId}\nStart Time: ${new Date(plan.header.startedAt).toUTCString()}\nStatus: ${statusOf(plan)}\nCommand: ${plan.header.command} ${plan.header.source} ${plan.header.destination}\n`,
          );
        }
        return 0;
      }),
  );

  addFlags(jobs.command("show").description("Show what a job did.").argument("<job-id>"), [
    STATUS_FLAG,
  ]).action(async (id: string, flags: { withStatus?: string }, self: Command) =>
    runCommand(self, async ({ output }) => {
      const { jobs } = await import("../../api.js");
      const plan = await jobs.show(id);
      if (flags.withStatus) {
        // AzCopy's listing of one job's transfers with a status (All, Success, Failed).
        const status = flags.withStatus;
        if (!["All", "Success", "Failed"].includes(status))
          throw badInput(`cannot parse the given Transfer Status ${status}`, "Use All, Success or Failed.");
        const paths = [
          ...(status !== "Failed" ? [...plan.done].map((path) => ({ path, status: "Success" })) : []),
          ...(status !== "Success" ? [...plan.failed].map((path) => ({ path, status: "Failed" })) : []),
        ];
        const join = (root: string, path: string) => `${root.replace(/\/+$/, "")}/${path}`;
        const details = paths.map(({ path, status: each }) => ({
          Src: join(plan.header.source, path),
          Dst: join(plan.header.destination, path),
          IsFolderProperties: false,
          TransferStatus: each,
          TransferSize: 0,
          ErrorCode: "0",
        }));
        if (output.json) {
          const content = { ErrorMsg: "", JobID: plan.header.jobId, Details: details };
          output.message("ListJobTransfers", content);
          output.endOfJob(content);
          return 0;
        }
        output.result(`\n----------- Transfers for JobId ${plan.header.jobId} -----------`);
        for (const detail of details)
          output.result(
            `transfer--> source: ${detail.Src} destination: ${detail.Dst} status ${detail.TransferStatus}`,
          );
        return 0;
      }
      const summary = {
        JobID: plan.header.jobId,
        JobStatus: statusOf(plan),
        TransfersCompleted: String(plan.end?.completed ?? plan.done.size),
        TransfersFailed: String(plan.end?.failed ?? plan.failed.size),
        TransfersSkipped: String(plan.end?.skipped ?? 0),
        TotalBytesTransferred: String(plan.end?.bytes ?? 0),
      };
      if (output.json) output.message("EndOfJob", summary);
      else {
        output.result(
          [
            `Job ${plan.header.jobId} summary`,
            `Command: ${plan.header.command} ${plan.header.source} ${plan.header.destination}`,
            `Number of File Transfers Completed: ${summary.TransfersCompleted}`,
            `Number of File Transfers Failed: ${summary.TransfersFailed}`,
            `Number of File Transfers Skipped: ${summary.TransfersSkipped}`,
            `Total Number of Bytes Transferred: ${summary.TotalBytesTransferred}`,
            `Final Job Status: ${summary.JobStatus}`,
          ].join("\n"),
        );
      }
      return 0;
    }),
  );

  addFlags(
    jobs
      .command("resume")
      .description("Finish a job: redo only what it did not finish.")
      .argument("<job-id>"),
    [
      { name: "source-sas", value: "<sas>", help: "The source's SAS (plans never keep one)." },
      { name: "destination-sas", value: "<sas>", help: "The destination's SAS (plans never keep one)." },
      {
        name: "include",
        value: "<patterns>",
        help: "Resume only the files whose name matches one of these ';'-separated patterns.",
      },
      {
        name: "exclude",
        value: "<patterns>",
        help: "Leave out the files whose name matches one of these patterns.",
      },
    ],
  ).action(
    async (
      id: string,
      flags: { sourceSas?: string; destinationSas?: string; include?: string; exclude?: string },
      self: Command,
    ) =>
      runCommand(self, async ({ globals, output }) => {
        const stdin = stdinControlFor(output, globals, cancellationNotice(output, "copy"));
        const { jobs } = await import("../../api.js");
        const { job, finishedEarlier } = await jobs.resume(id, {
          sourceSas: flags.sourceSas,
          destinationSas: flags.destinationSas,
          includePattern: flags.include,
          excludePattern: flags.exclude,
          capMbps: globals.capMbps,
          logLevel: globals.logLevel,
          ...signInOptions(globals, output),
        });
        output.info(
          `INFO: Resuming job ${id}: ${finishedEarlier} transfers finished earlier are not done again.`,
        );
        return runJob(job, output, { stdin, command: "copy" });
      }),
  );

  addFlags(
    jobs.command("clean").description("Remove the plans and logs of every job (or of those with a status)."),
    [STATUS_FLAG],
  ).action(async (flags: { withStatus?: string }, self: Command) =>
    runCommand(self, async ({ output }) => {
      const { jobs } = await import("../../api.js");
      const status = canonicalStatus(flags.withStatus ?? "All");
      const removed = await jobs.clean({ withStatus: status });
      if (status === "All") {
        output.info(`INFO: Removed ${removed.length} files.`);
        output.result("\nSuccessfully removed all jobs.");
      } else {
        for (const job of removed) output.info(`INFO: Removing files for job ${job}`);
        output.result(`\nSuccessfully removed jobs with status: ${status}.`);
      }
      output.endOfJob();
      return 0;
    }),
  );

  jobs
    .command("remove")
    .alias("rm")
    .description("Remove one job's plan and log.")
    .argument("<job-id>")
    .action(async (id: string, _flags: unknown, self: Command) =>
      runCommand(self, async ({ output }) => {
        const { jobs } = await import("../../api.js");
        if (!(await jobs.remove(id))) {
          // AzCopy's words exactly: wrappers compare them.
          throw badInput(
            `failed to remove log and job plan files for job ${id} due to error: cannot find any log or job plan file with the specified ID`,
          );
        }
        output.result(`\nSuccessfully removed log and job plan files for job ${id}.`);
        output.endOfJob();
        return 0;
      }),
    );
}
