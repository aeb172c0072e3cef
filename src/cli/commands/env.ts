// azcp env: every environment variable azcp reads, with its value (secrets masked).
import type { Command } from "commander";
import { ENVIRONMENT } from "../../api.js";
import { addFlags } from "../flags.js";
import { runCommand } from "../run.js";

export function registerEnv(program: Command): void {
  const command = program
    .command("env")
    .summary("Show the environment variables azcp reads")
    .description(
      "Show every environment variable azcp reads, with its current value and what it does. Secrets are shown as REDACTED unless --show-sensitive.",
    );
  addFlags(command, [{ name: "show-sensitive", help: "Show the values of secrets too." }]).action(
    async (flags: { showSensitive?: boolean }, self: Command) =>
      runCommand(self, async ({ output }) => {
        for (const setting of ENVIRONMENT) {
          const raw = process.env[setting.name] ?? "";
          const sensitive = "sensitive" in setting && setting.sensitive;
          const value = sensitive && !flags.showSensitive && raw !== "" ? "REDACTED" : raw;
          output.result(
            `INFO: Name: ${setting.name}\nCurrent Value: ${value}\nDescription: ${setting.help}\n`,
          );
        }
        output.endOfJob();
        return 0;
      }),
  );
}
