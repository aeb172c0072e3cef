// Vitest global setup: one local Azure stack for the whole test run.
import type { TestProject } from "vitest/node";
import { type StackInfo, startStack } from "./stack.js";

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

export default async function setup(project: TestProject) {
  const stack = await startStack();
  // Test workers start after this and inherit the CA, so that they can reach the stack too.
  process.env.NODE_EXTRA_CA_CERTS = stack.info.caCertPath;
  project.provide("stack", stack.info);
  return async () => {
    await stack.stop();
  };
}
