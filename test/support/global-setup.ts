// Vitest global setup: one local Azure stack for the whole test run.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type StackInfo, startStack } from "./stack.js";

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

export default async function setup(project: TestProject) {
  // Every test's home folder goes under one folder of this run, removed when the run ends (tests
  // leave homes of up to 200 MB behind them; thousands of runs filled the disk).
  const homes = mkdtempSync(join(tmpdir(), "azcp-run-"));
  // Open to all like the temporary folder: some tests run azcp as an unprivileged user from a home.
  chmodSync(homes, 0o755);
  process.env.AZCP_TEST_HOMES = homes;
  const stack = await startStack();
  // Test workers start after this and inherit the CA, so that they can reach the stack too.
  process.env.NODE_EXTRA_CA_CERTS = stack.info.caCertPath;
  project.provide("stack", stack.info);
  return async () => {
    await stack.stop();
    rmSync(homes, { recursive: true, force: true });
  };
}
