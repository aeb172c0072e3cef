// AzCopy's stdin protocol, for the programs that drive it (Storage Explorer's client library and
// others): a line is the answer to a pending prompt; otherwise "cancel" (with
// --cancel-from-stdin) stops the job, and a JSON request may cancel it or change --cap-mbps
// while it runs (answered with a Response message). Anything else is ignored with a note.
import { createInterface, type Interface } from "node:readline";
import type { Output, PromptDetails } from "./output.js";

/** What the controller may do to a running job. */
export interface ControlledJob {
  cancel(): void;
  /** Changes the bandwidth cap (0: none). */
  setCapMbps(megabitsPerSecond: number): void;
}

export type PromptKind = "Overwrite" | "DeleteDestination";

const ANSWERS = [
  { ResponseType: "Yes", UserFriendlyResponseType: "Yes", ResponseString: "y" },
  { ResponseType: "No", UserFriendlyResponseType: "No", ResponseString: "n" },
  { ResponseType: "YesForAll", UserFriendlyResponseType: "Yes for all", ResponseString: "a" },
  { ResponseType: "NoForAll", UserFriendlyResponseType: "No for all", ResponseString: "l" },
] as const;

export type Answer = (typeof ANSWERS)[number]["ResponseType"] | "Unrecognized";

/** AzCopy waits this long after a successful cap change before it takes another. */
const ADJUSTMENT_INTERVAL_MS = 60_000;

export class StdinControl {
  private reader: Interface | undefined;
  private waiting: ((line: string) => void) | undefined;
  private prompts: Promise<unknown> = Promise.resolve();
  private job: ControlledJob | undefined;
  private cancelRequested = false;
  private nextAdjustment = 0;

  constructor(
    private readonly output: Output,
    /** Whether a plain "cancel" line stops the job (--cancel-from-stdin). */
    private readonly cancelFromStdin: boolean,
    private readonly onCancel: () => void,
  ) {}

  start(input: NodeJS.ReadableStream = process.stdin): this {
    this.reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    this.reader.on("line", (line) => this.onLine(line));
    return this;
  }

  /** The job that cancel and cap changes act on (a cancel that came first applies now). */
  attach(job: ControlledJob): void {
    this.job = job;
    if (this.cancelRequested) job.cancel();
  }

  stop(): void {
    this.reader?.close();
    this.waiting?.("");
  }

  /** Asks in a Prompt message and waits for the next line; prompts are asked one at a time. */
  ask(kind: PromptKind, text: string, target: string): Promise<Answer> {
    const asked = this.prompts.then(
      () =>
        new Promise<Answer>((resolve) => {
          const details: PromptDetails = {
            PromptType: kind,
            ResponseOptions: [...ANSWERS],
            PromptTarget: target,
          };
          this.waiting = (line) => {
            this.waiting = undefined;
            const said = line.trim().toLowerCase();
            const answer = ANSWERS.find(
              (option) =>
                option.ResponseString === said || option.UserFriendlyResponseType.toLowerCase() === said,
            );
            resolve(answer?.ResponseType ?? "Unrecognized");
          };
          if (this.output.json) this.output.message("Prompt", text, details);
          else
            this.output.info(
              `${text} Please confirm with: ${ANSWERS.map((option) => ` [${option.ResponseString.toUpperCase()}] ${option.UserFriendlyResponseType} `).join("")}`,
            );
          if (!this.reader) this.waiting("");
        }),
    );
    this.prompts = asked.catch(() => undefined);
    return asked;
  }

  private onLine(line: string): void {
    if (this.waiting) {
      this.waiting(line);
      return;
    }
    const text = line.trim();
    if (text === "") return;
    if (text.toLowerCase() === "cancel") {
      if (this.cancelFromStdin) this.cancel();
      else this.output.info("INFO: Discarding incorrectly formatted input message");
      return;
    }
    let request: Record<string, unknown>;
    try {
      request = lowerKeys(JSON.parse(text));
    } catch {
      this.output.info("INFO: Discarding incorrectly formatted input message");
      return;
    }
    const type = String(request.requesttype ?? "");
    this.output.info(`INFO: Received request for ${type} with timeStamp ${String(request.timestamp ?? "")}`);
    switch (type.toLowerCase()) {
      case "canceljob":
        this.cancel();
        return;
      case "performanceadjustment":
        this.adjust(type, request.value);
        return;
      default:
        this.output.info(`INFO: Discarding incorrect message: ${type}.`);
    }
  }

  private cancel(): void {
    this.onCancel();
    this.cancelRequested = true;
    this.job?.cancel();
  }

  private adjust(type: string, value: unknown): void {
    const now = Date.now();
    const answer = (status: boolean, capMbps: number, error: string) =>
      this.output.message("Response", {
        TimeStamp: new Date().toISOString(),
        ResponseType: type,
        Value: {
          status,
          "cap-mbps": capMbps,
          NextAdjustmentAfter: new Date(this.nextAdjustment).toISOString(),
          error,
        },
      });
    if (now < this.nextAdjustment) {
      answer(
        false,
        -1,
        `Performance Adjustment already in progress. Please try after ${new Date(this.nextAdjustment).toISOString()}`,
      );
      return;
    }
    let capMbps: number;
    try {
      const parsed = lowerKeys(JSON.parse(String(value)));
      capMbps = Number(parsed["cap-mbps"]);
      if (!Number.isInteger(capMbps))
        throw new Error(`"${String(parsed["cap-mbps"])}" is not a whole number`);
    } catch (error) {
      answer(false, -1, `parsing ${String(value)} failed with ${(error as Error).message}`);
      return;
    }
    if (capMbps < 0) {
      answer(false, -1, `invalid value ${capMbps} for cap-mbps. cap-mbps should be greater than 0`);
      return;
    }
    this.job?.setCapMbps(capMbps);
    this.nextAdjustment = now + ADJUSTMENT_INTERVAL_MS;
    answer(true, capMbps, "");
    if (!this.output.json) this.output.info(`INFO: Successfully adjust throughput to ${capMbps} Mbps.`);
  }
}

function lowerKeys(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key.toLowerCase(), entry]));
}

/**
 * A job's control over stdin, where a program drives azcp: in JSON mode, or with
 * --cancel-from-stdin. Undefined for a person at a terminal.
 */
export function stdinControlFor(
  output: Output,
  options: { cancelFromStdin: boolean },
  onCancel: () => void,
): StdinControl | undefined {
  if (!output.json && !options.cancelFromStdin) return undefined;
  return new StdinControl(output, options.cancelFromStdin, onCancel).start();
}

/**
 * Asks through the stdin protocol whether to go ahead for each target, remembering "all" and
 * "none", and saying what was decided as AzCopy says it.
 */
export function promptThrough(
  control: StdinControl,
  output: Output,
  kind: PromptKind,
  question: (target: string) => string,
): (target: string) => Promise<boolean> {
  let always: boolean | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const overwrite = kind === "Overwrite";
  // One question at a time, and a question waiting behind an "all" or "none" is never asked.
  return (target) => {
    const decided = queue.then(() => decide(target));
    queue = decided.catch(() => undefined);
    return decided;
  };
  async function decide(target: string): Promise<boolean> {
    if (always !== undefined) return always;
    switch (await control.ask(kind, question(target), target)) {
      case "Yes":
        if (overwrite) output.info(`INFO: Confirmed. ${target} will be overwritten.`);
        return true;
      case "YesForAll":
        always = true;
        output.info(
          overwrite
            ? "INFO: Confirmed. All future file conflicts will be overwritten."
            : "INFO: Confirmed. All the extra objects will be deleted.",
        );
        return true;
      case "No":
        output.info(overwrite ? `INFO: ${target} will be skipped` : `INFO: Keeping extra object: ${target}`);
        return false;
      case "NoForAll":
        always = false;
        output.info(
          overwrite
            ? "INFO: No file will be overwritten from now onwards."
            : "INFO: No deletions will happen from now onwards.",
        );
        return false;
      default:
        output.info(
          overwrite
            ? `INFO: Unrecognizable answer, skipping ${target}.`
            : `INFO: Unrecognizable answer, keeping extra object: ${target}.`,
        );
        return false;
    }
  }
}

/**
 * Waits for a line saying `word` (any case) on standard input, or `timeoutMs`, whichever comes
 * first, as AzCopy's --await-continue and --await-open do.
 */
export function awaitLine(word: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const reader = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    const done = () => {
      clearTimeout(timer);
      reader.close();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    reader.on("line", (line) => {
      if (line.trim().toLowerCase() === word) done();
    });
    reader.on("close", done);
  });
}
