// azcp copy with --from-to PipeBlob (stdin to a blob) or BlobPipe (a blob to stdout). With
// BlobPipe stdout carries the data, so every message goes to stderr.
import { createAuthorizer } from "../api.js";
import { runPipe } from "../engine/setup.js";
import type { GlobalOptions } from "./global-flags.js";
import { Output } from "./output.js";
import { canPrompt } from "./prompt.js";

export async function runPipeCopy(
  direction: "upload" | "download",
  url: string,
  flags: { blockSizeMb?: string; contentType?: string },
  globals: GlobalOptions,
  output: Output,
): Promise<number> {
  const messages =
    direction === "download"
      ? new Output(output.type, output.level, { stdout: process.stderr, stderr: process.stderr })
      : output;
  const bytes = await runPipe(direction, url, {
    authorizer: createAuthorizer({
      ...(globals.trustedMicrosoftSuffixes
        ? { trustedMicrosoftSuffixes: globals.trustedMicrosoftSuffixes }
        : {}),
      onDeviceCode: (prompt) => messages.notice(prompt.message),
      interactive: canPrompt(),
    }),
    env: process.env,
    blockSizeMb: flags.blockSizeMb,
    contentType: flags.contentType,
    capMbps: globals.capMbps,
  });
  if (direction === "upload") messages.info(`INFO: Uploaded ${bytes} bytes from standard input.`);
  messages.endOfJob({ JobStatus: "Completed", TotalBytesTransferred: String(bytes) });
  return 0;
}
