// azcp shards: one job spread over several machines. `summary` merges the shards' reports,
// `manifest` prints a Kubernetes Indexed Job (or an Azure Batch job) that runs the shards.
import type { Command } from "commander";
import { addFlags } from "../flags.js";
import { signInOptions } from "../library-options.js";
import { runCommand } from "../run.js";

export function registerShards(program: Command): void {
  const shards = program
    .command("shards")
    .summary("Run one job as shards on several machines, and merge their reports")
    .description(
      "A copy, sync or remove given --shard <index>/<count> takes only the objects whose path hashes to its index, so that <count> machines share one job with no coordinator. These commands make the manifest that runs them and merge what they report.",
    );

  const summary = shards
    .command("summary")
    .description(
      "Merge the reports in a --shard-report folder into one summary; name the shards missing or failed. Exits 1 when any is.",
    )
    .argument("<folder>", "the folder or container URL given to --shard-report");
  summary.action(async (folder: string, _flags: object, self: Command) =>
    runCommand(self, async ({ globals, output }) => {
      const { shards: api } = await import("../../api.js");
      const merged = await api.summarize(folder, signInOptions(globals, output));
      if (output.json) output.endOfJob(merged);
      else {
        const { Totals: totals } = merged;
        const list = (indexes: number[]) => (indexes.length ? indexes.join(", ") : "none");
        output.result(
          [
            `Shards: ${merged.ShardCount} (${merged.ShardsReported} reported)`,
            `Missing shards: ${list(merged.ShardsMissing)}`,
            `Failed shards: ${list(merged.ShardsFailed)}`,
            `Total Number of Transfers: ${totals.TotalTransfers}`,
            `Number of File Transfers Completed: ${totals.TransfersCompleted}`,
            `Number of File Transfers Failed: ${totals.TransfersFailed}`,
            `Number of File Transfers Skipped: ${totals.TransfersSkipped}`,
            ...(totals.DeleteTotalTransfers !== "0"
              ? [`Total Number of Deletions: ${totals.DeleteTransfersCompleted}`]
              : []),
            `Total Number of Bytes Transferred: ${totals.TotalBytesTransferred}`,
            ...merged.FailedTransfers.slice(0, 20).map((failed) => `Failed: ${failed.Src} -> ${failed.Dst}`),
            `Final Job Status: ${merged.JobStatus}`,
          ].join("\n"),
        );
      }
      const done = merged.JobStatus === "Completed" || merged.JobStatus === "CompletedWithSkipped";
      return done && merged.ShardsFailed.length === 0 ? 0 : 1;
    }),
  );

  const manifest = shards
    .command("manifest")
    .description(
      "Print a Kubernetes Indexed Job (YAML) that runs an azcp command as --shards pods, each with --shard <count> and its JOB_COMPLETION_INDEX; with --engine batch, an Azure Batch job and its tasks (JSON). Put the command after --.",
    )
    .argument("<command...>", "-- copy|sync|remove <arguments and flags>");
  addFlags(manifest, [
    { name: "shards", value: "<count>", help: "How many shards (pods or tasks)." },
    { name: "engine", value: "<engine>", help: "kubernetes (default) or batch." },
    { name: "name", value: "<name>", help: 'The job\'s name (default "azcp").' },
    { name: "image", value: "<image>", help: "The container image with azcp in it (Kubernetes)." },
    {
      name: "service-account",
      value: "<name>",
      help: "The Kubernetes service account federated with an Entra ID identity: pods sign in with workload identity.",
    },
    { name: "parallelism", value: "<pods>", help: "Pods at once (default: every shard)." },
    {
      name: "backoff-limit-per-index",
      value: "<tries>",
      help: "Runs again of a failed shard before it counts as failed (default 3).",
    },
    {
      name: "report-folder",
      value: "<folder>",
      help: "Where each shard writes its report (--shard-report): a container or directory URL, or a shared volume mounted in the pods.",
    },
  ]).action(async (command: string[], flags: Record<string, string | undefined>, self: Command) =>
    runCommand(self, async ({ output }) => {
      const { badInput, shards: api } = await import("../../api.js");
      const whole = (name: string, value: string | undefined, fallback?: number) => {
        if (value === undefined && fallback !== undefined) return fallback;
        if (value === undefined || !/^\d+$/.test(value))
          throw badInput(
            `--${name} is ${value === undefined ? "missing" : `"${value}"`}.`,
            `Give --${name} a whole number.`,
          );
        return Number(value);
      };
      const engine = flags.engine ?? "kubernetes";
      if (engine !== "kubernetes" && engine !== "batch")
        throw badInput(`--engine is "${engine}".`, "Use kubernetes or batch.");
      const built = await api.manifest({
        engine,
        shards: whole("shards", flags.shards),
        parallelism: flags.parallelism === undefined ? undefined : whole("parallelism", flags.parallelism),
        name: flags.name ?? "azcp",
        image: flags.image ?? "<your registry>/azcp:latest",
        serviceAccount: flags.serviceAccount,
        backoffLimitPerIndex: whole("backoff-limit-per-index", flags.backoffLimitPerIndex, 3),
        command,
        bufferGb: process.env.AZCOPY_BUFFER_GB ? Number(process.env.AZCOPY_BUFFER_GB) : undefined,
        reportFolder: flags.reportFolder,
      });
      if (engine === "batch") output.result(JSON.stringify(built, null, 2));
      else {
        const yaml = await import("yaml");
        const stringify = yaml.stringify ?? (yaml as unknown as { default: typeof yaml }).default.stringify;
        output.result(stringify(built).trimEnd());
      }
      return 0;
    }),
  );
}
