import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prunePlans } from "./plan.js";

const DAY = 86_400_000;

/** A plan of `bytes` (and its log) last written `daysAgo` days ago. */
function addJob(plans: string, logs: string, jobId: string, bytes: number, daysAgo: number) {
  const when = new Date(Date.now() - daysAgo * DAY);
  writeFileSync(join(plans, `${jobId}.plan`), Buffer.alloc(bytes, 0x61));
  writeFileSync(join(logs, `${jobId}.log`), "log");
  utimesSync(join(plans, `${jobId}.plan`), when, when);
}

describe("prunePlans", () => {
  it("drops plans past their days and, oldest first, past the size cap, with their logs", () => {
    const root = mkdtempSync(join(tmpdir(), "azcp-plans-"));
    const plans = join(root, "plans");
    const logs = join(root, "logs");
    mkdirSync(plans);
    mkdirSync(logs);
    addJob(plans, logs, "newest", 600_000, 0);
    addJob(plans, logs, "running", 600_000, 1);
    addJob(plans, logs, "older", 600_000, 2);
    addJob(plans, logs, "expired", 10, 40);
    addJob(plans, logs, "empty", 0, 0.5);
    const env = { AZCP_JOB_RETENTION_DAYS: "30", AZCP_JOB_MAX_MB: "1" };
    expect(prunePlans(plans, logs, env, "running")).toBe(2);
    expect(readdirSync(plans).sort()).toEqual(["empty.plan", "newest.plan", "running.plan"]);
    expect(readdirSync(logs).sort()).toEqual(["empty.log", "newest.log", "running.log"]);
  });

  it("keeps everything within the limits, and a missing folder is nothing to prune", () => {
    const root = mkdtempSync(join(tmpdir(), "azcp-plans-"));
    mkdirSync(join(root, "plans"));
    addJob(join(root, "plans"), root, "a", 100, 1);
    expect(prunePlans(join(root, "plans"), root, {})).toBe(0);
    expect(prunePlans(join(root, "none"), root, {})).toBe(0);
    expect(readdirSync(join(root, "plans"))).toEqual(["a.plan"]);
  });
});
