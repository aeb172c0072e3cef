// What the CLI prints. Text goes to the terminal as AzCopy prints it; JSON is one object per
// line on stdout in AzCopy's envelope, and nothing else reaches stdout in that mode.
import { redactSecrets as redactAll, redactSecretsIn as redactDeep } from "../api.js";

export type OutputType = "text" | "json";
export type OutputLevel = "default" | "essential" | "quiet";

export type MessageType =
  | "Init"
  | "Info"
  | "Progress"
  | "EndOfJob"
  | "Error"
  | "Prompt"
  | "Dryrun"
  | "ListObject"
  | "ListSummary"
  | "LoginStatusInfo"
  | "Response"
  | "ListJobTransfers"
  // azcp addition: one per finished transfer in JSON mode.
  | "Transfer";

export interface PromptDetails {
  PromptType: string;
  ResponseOptions: unknown[] | null;
  PromptTarget: string;
}

const NO_PROMPT: PromptDetails = { PromptType: "", ResponseOptions: null, PromptTarget: "" };

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export class Output {
  constructor(
    readonly type: OutputType,
    readonly level: OutputLevel,
    private readonly streams: Streams = { stdout: process.stdout, stderr: process.stderr },
  ) {}

  get json(): boolean {
    return this.type === "json";
  }

  /**
   * Lines for stdout wait here until the event loop turns or 64 KiB gather: a million-line dry
   * run is then a few thousand writes instead of a million (a write a line was a quarter of its
   * CPU time). Anything written to stderr, a prompt or the end of the command flushes first.
   */
  private pending = "";
  private scheduled = false;
  private static readonly waiting = new Set<Output>();

  /** Writes what every Output holds for stdout (before the process exits). */
  static flushAll(): void {
    for (const output of Output.waiting) output.flush();
  }

  /** Text for stdout as it is (progress lines), in order with everything else printed. */
  write(text: string): void {
    this.pending += text;
    Output.waiting.add(this);
    if (this.pending.length >= 64 * 1024) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private toStderr(text: string): void {
    this.flush();
    this.streams.stderr.write(text);
  }

  /** Writes what is waiting for stdout. */
  flush(): void {
    this.scheduled = false;
    Output.waiting.delete(this);
    if (this.pending === "") return;
    const text = this.pending;
    this.pending = "";
    this.streams.stdout.write(text);
  }

  /**
   * Undefined while stdout keeps up; otherwise resolves when what was written has drained. A
   * reader slower than azcp (a program reading JSON lines, a pager) would otherwise make the lines
   * of a million-object job pile up in memory.
   */
  drained(): Promise<void> | undefined {
    const stdout = this.streams.stdout as NodeJS.WritableStream & { writableNeedDrain?: boolean };
    if (!stdout.writableNeedDrain) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        stdout.off("drain", done);
        stdout.off("close", done);
        stdout.off("error", done);
        resolve();
      };
      stdout.on("drain", done);
      stdout.on("close", done);
      stdout.on("error", done);
    });
  }

  /** One envelope line on stdout (JSON mode only). */
  message(
    messageType: MessageType,
    content: string | object,
    promptDetails: PromptDetails = NO_PROMPT,
  ): void {
    const line = JSON.stringify({
      TimeStamp: new Date().toISOString(),
      MessageType: messageType,
      MessageContent: typeof content === "string" ? redactAll(content) : JSON.stringify(redactDeep(content)),
      PromptDetails: promptDetails,
    });
    this.write(`${line}\n`);
  }

  /** A result line: the thing the command was asked for (list entries, env values). */
  result(text: string, messageType: MessageType = "Info", content?: string | object): void {
    if (this.json) this.message(messageType, content ?? text);
    else if (this.level !== "quiet") this.write(`${redactAll(text)}\n`);
  }

  /** Informational chatter, hidden by --output-level essential or quiet. */
  info(text: string): void {
    if (this.level !== "default") return;
    if (this.json) this.message("Info", text);
    else this.write(`${redactAll(text)}\n`);
  }

  /**
   * Something the user must see even in JSON mode without breaking stdout for parsers, such as
   * a device code: a Prompt message on stderr in JSON mode, plain text on stderr otherwise.
   */
  notice(text: string, messageType: MessageType = "Prompt"): void {
    if (this.json) {
      const line = JSON.stringify({
        TimeStamp: new Date().toISOString(),
        MessageType: messageType,
        MessageContent: redactAll(text),
        PromptDetails: NO_PROMPT,
      });
      this.toStderr(`${line}\n`);
    } else {
      this.toStderr(`${redactAll(text)}\n`);
    }
  }

  error(text: string): void {
    if (this.json) this.message("Error", text);
    else this.toStderr(`${redactAll(text)}\n`);
  }

  endOfJob(content: string | object = ""): void {
    if (this.json) this.message("EndOfJob", content);
  }
}
