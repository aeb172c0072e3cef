// Job plan files: one append-only journal per job under AZCOPY_JOB_PLAN_LOCATION. The first line
// says what the job is (its locations without any SAS, its options without any secret); each
// later line records a finished transfer. Lines are appended as whole lines and flushed often,
// so a kill -9 at any moment leaves a journal that resumes (a torn last line is ignored).
// Which blocks of a half-done upload are on the service is not journaled: blocks have stable
// ids, and resume asks the service (Get Block List) instead.
import {
  appendFileSync,
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { AzcpError, badInput } from "../errors.js";
import { redactAll } from "../location/redact.js";
import { type Environment, readSetting } from "../settings.js";

export interface PlanHeader {
  kind: "header";
  version: 1;
  jobId: string;
  command: "copy" | "sync" | "remove";
  /** Locations as typed, with the SAS query removed. */
  source: string;
  destination: string;
  /** The command's options (no secrets are ever among them). */
  options: Record<string, unknown>;
  startedAt: string;
}

export interface PlanEntry {
  kind: "done" | "failed" | "skipped";
  /** Relative path of the object in the job. */
  path: string;
}

export interface PlanEnd {
  kind: "end";
  status: string;
  completed: number;
  failed: number;
  skipped: number;
  bytes: number;
  endedAt: string;
}

type PlanLine = PlanHeader | PlanEntry | PlanEnd;

export function planDirectory(env: Environment): string {
  return readSetting("AZCOPY_JOB_PLAN_LOCATION", env) ?? join(env.HOME || homedir(), ".azcopy", "plans");
}

/** Strip the query (SAS) from a URL; local paths pass unchanged. */
export function withoutSas(location: string): string {
  return /^https?:\/\//i.test(location) ? location.split("?")[0]! : location;
}

export class PlanWriter {
  readonly path: string;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** A new plan (with `header`), or, for a resumed job, its existing plan continued. */
  constructor(directory: string, jobId: string, header?: PlanHeader) {
    this.path = join(directory, `${jobId}.plan`);
    try {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      if (header) {
        // Written 0600 beside it and renamed into place: a job killed at once has a whole plan
        // (its header) or none, never an empty file that no one can resume.
        const draft = `${this.path}.new`;
        writeFileSync(draft, `${redactAll(JSON.stringify(header))}\n`, { mode: 0o600 });
        renameSync(draft, this.path);
      } else {
        this.endTornLine();
      }
    } catch (error) {
      throw planFailure(directory, error);
    }
  }

  /** A kill during an append can leave a last line without its newline: end it, so the next entry stands alone. */
  private endTornLine(): void {
    let fd: number | undefined;
    try {
      fd = openSync(this.path, "r");
      const size = fstatSync(fd).size;
      const last = Buffer.alloc(1);
      if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a)
        appendFileSync(this.path, "\n");
    } catch {
      // No plan to continue: the first append creates it.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  record(entry: PlanEntry | PlanEnd): void {
    this.pending.push(`${JSON.stringify(entry)}\n`);
    // Small batches keep a kill -9 from losing more than a moment of progress.
    this.timer ??= setTimeout(() => this.flush(), 100).unref();
    if (this.pending.length >= 256) this.flush();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    try {
      appendFileSync(this.path, this.pending.join(""));
    } catch (error) {
      throw planFailure(dirname(this.path), error);
    }
    this.pending = [];
  }
}

function planFailure(directory: string, error: unknown): AzcpError {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const why = code === "ENOSPC" ? "the disk is full" : code === "EACCES" ? "permission denied" : code;
  return new AzcpError("bad-input", `azcp cannot write the job's plan file in ${directory} (${why}).`, {
    remedy: "Point AZCOPY_JOB_PLAN_LOCATION at a folder you can write to, with free space.",
    errorCode: code,
  });
}

/** The plan of job `id`, or an error that says whether it is missing or damaged. */
export function findPlan(directory: string, id: string): PlanState {
  const path = join(directory, `${id}.plan`);
  const plan = readPlan(path);
  if (!plan && planExists(path))
    throw badInput(
      `The plan file of job ${id} (${path}) is damaged: its first line, which says what the job is, cannot be read.`,
      "Run the copy again as a new job; azcp jobs remove deletes the damaged plan.",
    );
  if (!plan) throw badInput(`There is no job ${id}.`, "Run azcp jobs list to see the jobs azcp knows.");
  return plan;
}

/** Whether a plan file is there at all (readPlan is undefined for a missing and a damaged one). */
export function planExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export interface PlanState {
  header: PlanHeader;
  /** Paths finished (copied, or skipped as existing) in earlier runs. */
  done: Set<string>;
  failed: Set<string>;
  end: PlanEnd | undefined;
  path: string;
  modified: Date;
  size: number;
}

export function readPlan(path: string): PlanState | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const lines = text.split("\n");
  let header: PlanHeader | undefined;
  const done = new Set<string>();
  const failed = new Set<string>();
  let end: PlanEnd | undefined;
  for (const line of lines) {
    if (!line) continue;
    let parsed: PlanLine;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue; // a line torn by a kill
    }
    if (parsed.kind === "header") header = parsed;
    else if (parsed.kind === "end") end = parsed;
    else if (parsed.kind === "failed") failed.add(parsed.path);
    else {
      done.add(parsed.path);
      failed.delete(parsed.path);
    }
  }
  if (!header) return undefined;
  const info = statSync(path);
  return { header, done, failed, end, path, modified: info.mtime, size: info.size };
}

export function listPlans(directory: string): PlanState[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(".plan"))
    .map((name) => readPlan(join(directory, name)))
    .filter((plan): plan is PlanState => plan !== undefined)
    .sort((a, b) => b.modified.getTime() - a.modified.getTime());
}

export function removePlan(directory: string, logDirectory: string, jobId: string): boolean {
  const plan = join(directory, `${jobId}.plan`);
  let existed = false;
  try {
    statSync(plan);
    existed = true;
  } catch {
    // not there
  }
  rmSync(plan, { force: true });
  rmSync(join(logDirectory, `${jobId}.log`), { force: true });
  return existed;
}

/**
 * Keep plans and logs bounded: drop those older than AZCP_JOB_RETENTION_DAYS (default 30) and,
 * oldest first, those beyond AZCP_JOB_MAX_MB (default 512) in total. Runs at every job's start,
 * so it looks only at names, sizes and times: reading every plan cost a start 0.3 s once a few
 * hundred large plans had gathered.
 */
export function prunePlans(directory: string, logDirectory: string, env: Environment, keep?: string): number {
  const days = Number(readSetting("AZCP_JOB_RETENTION_DAYS", env) ?? 30);
  const maxBytes = Number(readSetting("AZCP_JOB_MAX_MB", env) ?? 512) * 1024 * 1024;
  const cutoff = Date.now() - days * 86_400_000;
  const sizeOf = (path: string) => {
    try {
      const info = statSync(path);
      return { size: info.size, modified: info.mtimeMs };
    } catch {
      return undefined;
    }
  };
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return 0;
  }
  const plans = names
    .filter((name) => name.endsWith(".plan"))
    .flatMap((name) => {
      const jobId = name.slice(0, -".plan".length);
      const plan = sizeOf(join(directory, name));
      if (!plan) return [];
      const log = sizeOf(join(logDirectory, `${jobId}.log`));
      return [{ jobId, bytes: plan.size + (log?.size ?? 0), modified: plan.modified }];
    })
    .sort((a, b) => b.modified - a.modified);
  let removed = 0;
  let total = 0;
  for (const plan of plans) {
    total += plan.bytes;
    if (plan.jobId === keep) continue;
    if (plan.modified < cutoff || total > maxBytes) {
      removePlan(directory, logDirectory, plan.jobId);
      removed++;
    }
  }
  return removed;
}
