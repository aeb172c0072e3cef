// azcp jobs list | show | resume | clean | remove: what past jobs did, and finishing one that
// stopped (killed, cancelled, or with failures) without redoing what it finished.
import type { Command } from "commander";
import { badInput } from "../../errors.js";
import { logDirectory } from "../../jobs/job-log.js";
import {
  listPlans,
  type PlanState,
  planDirectory,
  planExists,
  readPlan,
  removePlan,
} from "../../jobs/plan.js";
import { addFlags } from "../flags.js";
import { runJob } from "../job-output.js";
import { signInOptions } from "../library-options.js";
import { runCommand } from "../run.js";

const STATUS_FLAG = {
  name: "with-status",
  value: "<status>",
  help: "Only jobs (list) or transfers (show) with this status: All, Completed, Failed, InProgress, Cancelled...",
};

function statusOf(plan: PlanState): string {
  return plan.end?.status ?? "InProgress";
}

function findPlan(id: string): PlanState {
  const path = `${planDirectory(process.env)}/${id}.plan`;
  const plan = readPlan(path);
  if (!plan && planExists(path))
    throw badInput(
      `The plan file of job ${id} (${path}) is damaged: its first line, which says what the job is, cannot be read.`,
      "Run the copy again as a new job; azcp jobs remove deletes the damaged plan.",
    );
  if (!plan) throw badInput(`There is no job ${id}.`, "Run azcp jobs list to see the jobs azcp knows.");
  return plan;
}

function addSas(location: string, sas: string | undefined): string {
  if (!sas || !/^https?:\/\//i.test(location)) return location;
  return `${location}?${sas.replace(/^\?/, "")}`;
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
        const plans = listPlans(planDirectory(process.env)).filter(
          (plan) => !wanted || statusOf(plan) === wanted,
        );
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
      const plan = findPlan(id);
      if (flags.withStatus) {
        const status = flags.withStatus.toLowerCase();
        const paths =
          status === "failed"
            ? [...plan.failed]
            : status === "success" || status === "completed"
              ? [...plan.done]
              : [...plan.done, ...plan.failed];
        for (const path of paths)
          output.result(`Path: ${path}; Status: ${plan.failed.has(path) ? "Failed" : "Success"}`, "Info", {
            Path: path,
          });
        output.endOfJob();
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
    ],
  ).action(async (id: string, flags: { sourceSas?: string; destinationSas?: string }, self: Command) =>
    runCommand(self, async ({ globals, output }) => {
      const plan = findPlan(id);
      const { copy, sync } = await import("../../api.js");
      const options = {
        ...(plan.header.options as Record<string, never>),
        resume: { jobId: plan.header.jobId, done: plan.done },
        capMbps: globals.capMbps,
        logLevel: globals.logLevel,
        commandLine: `jobs resume ${id}`,
        ...signInOptions(globals, output),
      };
      const source = addSas(plan.header.source, flags.sourceSas);
      const destination = addSas(plan.header.destination, flags.destinationSas);
      const saved = plan.header.options as {
        sync?: { deleteDestination: "true" | "false"; compareHash: "None" | "MD5"; mirrorMode: boolean };
      };
      const job =
        plan.header.command === "sync" && saved.sync
          ? await sync(source, destination, { ...options, ...saved.sync })
          : await copy(source, destination, options);
      output.info(
        `INFO: Resuming job ${id}: ${plan.done.size} transfers finished earlier are not done again.`,
      );
      return runJob(job, output);
    }),
  );

  jobs
    .command("clean")
    .description("Remove every job's plan and log.")
    .action(async (_flags: unknown, self: Command) =>
      runCommand(self, async ({ output }) => {
        const plans = listPlans(planDirectory(process.env));
        for (const plan of plans)
          removePlan(planDirectory(process.env), logDirectory(process.env), plan.header.jobId);
        output.result(`Successfully removed ${plans.length} jobs.`);
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
        if (!removePlan(planDirectory(process.env), logDirectory(process.env), id)) {
          throw badInput(`There is no job ${id}.`, "Run azcp jobs list to see the jobs azcp knows.");
        }
        output.result(`Successfully removed log and job plan files for job ${id}.`);
        output.endOfJob();
        return 0;
      }),
    );
}
