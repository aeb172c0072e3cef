// One log file per job under AZCOPY_LOG_LOCATION, written through redaction: no SAS signature,
// token or registered secret ever reaches it.
import { randomUUID } from "node:crypto";
import { closeSync, createWriteStream, mkdirSync, openSync, type WriteStream } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { AzcpError } from "../errors.js";
import { redactAll } from "../location/redact.js";
import { type Environment, readSetting } from "../settings.js";
import { VERSION } from "../version.js";

export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "NONE";

const RANK: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, NONE: 4 };

export function newJobId(): string {
  return randomUUID();
}

export function logDirectory(env: Environment): string {
  return readSetting("AZCOPY_LOG_LOCATION", env) ?? join(env.HOME || homedir(), ".azcopy");
}

export class JobLog {
  readonly path: string | undefined;
  private readonly stream: WriteStream | undefined;
  private pending: string[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    jobId: string,
    private readonly level: LogLevel,
    env: Environment,
    command: string,
  ) {
    if (level === "NONE") return;
    const directory = logDirectory(env);
    this.path = join(directory, `${jobId}.log`);
    try {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      // Opened here, so a folder that cannot take the log is said now, not found missing later.
      closeSync(openSync(this.path, "a", 0o600));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      throw new AzcpError("bad-input", `azcp cannot write its log file in ${directory} (${code}).`, {
        remedy:
          "Point AZCOPY_LOG_LOCATION at a folder you can write to, or turn logging off with --log-level NONE.",
        errorCode: code,
      });
    }
    this.stream = createWriteStream(this.path, { flags: "a", mode: 0o600 });
    this.stream.on("error", () => undefined);
    this.write(
      "INFO",
      `azcp version ${VERSION}, node ${process.version}, ${process.platform}-${process.arch}`,
    );
    this.write("INFO", `Command: ${command}`);
  }

  enabled(level: LogLevel): boolean {
    return this.stream !== undefined && RANK[level] >= RANK[this.level];
  }

  write(level: Exclude<LogLevel, "NONE">, message: string): void {
    if (!this.enabled(level)) return;
    // Lines are gathered and written together: one write per line would cost a thread-pool
    // round trip per transfer.
    this.pending.push(`${new Date().toISOString()} ${level}: ${escapeControls(redactAll(message))}\n`);
    this.flushTimer ??= setTimeout(() => this.flush(), 200).unref();
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    this.stream?.write(this.pending.join(""));
    this.pending = [];
  }

  close(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flush();
    const stream = this.stream;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => stream.end(() => resolve()));
  }
}

/** Control characters (a newline in a file name) written visibly, so a name cannot forge log lines. */
export function escapeControls(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : char;
  }
  return out;
}
