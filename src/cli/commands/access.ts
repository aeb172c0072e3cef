// azcp access: who azcp signs in as for a URL, and what that identity may do there.
import type { Command } from "commander";
import { describePrincipal } from "../../api.js";
import { addFlags, type FlagSpec } from "../flags.js";
import { canPrompt } from "../prompt.js";
import { runCommand } from "../run.js";

const ACCESS_FLAGS: readonly FlagSpec[] = [
  {
    name: "write",
    help: "Also check write and delete, by creating and removing a uniquely named empty marker blob.",
  },
  {
    name: "location",
    value: "<service>",
    help: "The service, for URLs whose host does not name one: Blob, File or BlobFS.",
    choices: ["Blob", "File", "BlobFS"],
  },
];

export function registerAccess(program: Command): void {
  const command = program
    .command("access")
    .summary("Check which data operations your sign-in allows at a URL")
    .description(
      "Sign in as any command would, say who you are, and try each data operation at the URL with harmless requests (list, read; with --write, write and delete a marker it removes again). For each operation that is denied, name the role that grants it and where to assign it. Exit 0 only when everything tried is allowed.",
    )
    .argument("<url>", "container, directory or account URL");
  addFlags(command, ACCESS_FLAGS).action(
    async (url: string, flags: { write?: boolean; location?: "Blob" | "File" | "BlobFS" }, self: Command) =>
      runCommand(self, async ({ globals, output }) => {
        const { checkAccess } = await import("../../api.js");
        const report = await checkAccess(url, {
          write: flags.write ?? false,
          ...(flags.location ? { location: flags.location } : {}),
          ...(globals.trustedMicrosoftSuffixes
            ? { trustedMicrosoftSuffixes: globals.trustedMicrosoftSuffixes }
            : {}),
          onDeviceCode: (prompt) => output.notice(prompt.message),
          interactive: canPrompt(),
        });
        const identity =
          report.method === "sas"
            ? "a SAS token in the URL"
            : report.method === "anonymous"
              ? "no credentials (anonymous access)"
              : `${report.principal ? describePrincipal(report.principal) : "a token"}${report.principal?.tenantId ? `, tenant ${report.principal.tenantId}` : ""}, signed in with ${report.signIn}`;
        output.result(`INFO: Location: ${report.location}`);
        output.result(`INFO: Authorized by: ${identity}`);
        for (const check of report.checks) {
          const text = check.allowed
            ? `${check.action}: allowed`
            : `${check.action}: denied. ${check.error?.describe() ?? ""}`.trim();
          output.result(text, "Info", {
            Operation: check.action,
            Allowed: check.allowed,
            ...(check.error
              ? {
                  StatusCode: check.error.statusCode,
                  ErrorCode: check.error.errorCode,
                  Message: check.error.describe(),
                }
              : {}),
          });
        }
        output.endOfJob();
        return report.allowed ? 0 : 1;
      }),
  );
}
