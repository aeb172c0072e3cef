// azcp bench (ben, benchmark): AzCopy's benchmark, with what azcp adds (client CPU, peak memory).
import type { Command } from "commander";
import type { OptionsFor } from "../../options/table.js";
import { addFlags, flagsFor } from "../flags.js";
import { cancellationNotice, runJob } from "../job-output.js";
import { jobOptions, signInOptions } from "../library-options.js";
import { runCommand } from "../run.js";
import { stdinControlFor } from "../stdin-control.js";

export function registerBench(program: Command): void {
  const command = program
    .command("bench")
    .aliases(["ben", "benchmark"])
    .summary("Measure upload or download speed to a container, share or file system")
    .description(
      "Upload files generated in memory to the target (and delete them afterwards), or download what the target holds without saving it, and report the speed, as AzCopy's bench does, plus the client's CPU time and peak memory.",
    )
    .argument("<target>", "container, share or file system URL (with a SAS, or signed in)");
  addFlags(command, flagsFor("bench")).action(
    async (target: string, flags: OptionsFor<"bench">, self: Command) =>
      runCommand(self, async ({ globals, output }) => {
        const stdin = stdinControlFor(output, globals, cancellationNotice(output, "bench"));
        const { bench } = await import("../../api.js");
        const started = process.cpuUsage();
        const { job, cleanUp } = await bench(target, {
          ...flags,
          capMbps: globals.capMbps,
          ...jobOptions(globals),
          ...signInOptions(globals, output),
        });
        let throughput = 0;
        job.on((event) => {
          if (event.type === "progress") throughput = Math.max(throughput, event.summary.throughputMbps);
        });
        const code = await runJob(job, output, { stdin, command: "bench" });
        const summary = job.summary();
        if ((flags.mode ?? "Upload") === "Upload" && flags.deleteTestData !== false) {
          output.info("INFO: Deleting the benchmark's test data...");
          await cleanUp();
        }
        const cpu = process.cpuUsage(started);
        const seconds = summary.elapsedMs / 1000;
        const average = seconds > 0 ? (summary.bytesTransferred * 8) / 1_000_000 / seconds : 0;
        const results = {
          Mode: flags.mode ?? "Upload",
          FilesTransferred: summary.completed,
          BytesTransferred: summary.bytesTransferred,
          ElapsedSeconds: Number(seconds.toFixed(2)),
          ThroughputMbps: Number(average.toFixed(1)),
          ClientCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
          PeakMemoryMB: Math.round(process.resourceUsage().maxRSS / 1024),
          Advice:
            summary.serverBusyPercentage > 1
              ? "The service throttled requests (server busy): the account's limits, not this machine, set the pace."
              : summary.networkErrorPercentage > 1
                ? "Requests failed on the network and were retried: check the network path."
                : average > 0 && cpuBound(cpu, seconds)
                  ? "The client's CPU was busy most of the time: a faster machine, or fewer, larger files, would go faster."
                  : "No constraint found on this side: the network or the service set the pace.",
        };
        if (output.json) output.message("Info", results);
        else
          output.result(
            [
              "",
              "Benchmark results",
              ...Object.entries(results).map(
                ([name, value]) => `${name.replace(/([a-z])([A-Z])/g, "$1 $2")}: ${value}`,
              ),
            ].join("\n"),
          );
        return code;
      }),
  );
}

function cpuBound(cpu: NodeJS.CpuUsage, seconds: number): boolean {
  return (cpu.user + cpu.system) / 1e6 > 0.8 * seconds;
}
