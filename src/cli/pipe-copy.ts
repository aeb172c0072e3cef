// azcp copy with --from-to PipeBlob (stdin to a blob) or BlobPipe (a blob to stdout). With
// BlobPipe stdout carries the data, so every message goes to stderr.
import type { GlobalOptions } from "./global-flags.js";
import { Output } from "./output.js";
import { canPrompt } from "./prompt.js";

export async function runPipeCopy(
  direction: "upload" | "download",
  url: string,
  flags: { blockSizeMb?: string | number | undefined; contentType?: string | undefined },
  globals: GlobalOptions,
  output: Output,
): Promise<number> {
  const messages =
    direction === "download"
      ? new Output(output.type, output.level, { stdout: process.stderr, stderr: process.stderr })
      : output;
  const { pipe } = await import("../api.js");
  const bytes = await pipe(direction, url, {
    ...(globals.trustedMicrosoftSuffixes
      ? { trustedMicrosoftSuffixes: globals.trustedMicrosoftSuffixes }
      : {}),
    onDeviceCode: (prompt) => messages.notice(prompt.message),
    interactive: canPrompt(),
    ...(flags.blockSizeMb !== undefined ? { blockSizeMb: flags.blockSizeMb } : {}),
    ...(flags.contentType !== undefined ? { contentType: flags.contentType } : {}),
    ...(globals.capMbps !== undefined ? { capMbps: globals.capMbps } : {}),
  });
  if (direction === "upload") messages.info(`INFO: Uploaded ${bytes} bytes from standard input.`);
  messages.endOfJob({ JobStatus: "Completed", TotalBytesTransferred: String(bytes) });
  return 0;
}
