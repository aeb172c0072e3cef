// Limits a job takes from the environment: request concurrency, memory for data, files in
// progress, and the retry policy.
import { cpus } from "node:os";
import { badInput } from "../errors.js";
import { type Environment, readSetting } from "../settings.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../transport/retry.js";
import { MIB } from "./planner.js";

export function positiveInteger(
  name: "AZCOPY_CONCURRENT_FILES" | "AZCP_MAX_TRIES" | "AZCP_RETRY_DELAY_MS",
  env: Environment,
  fallback: number,
): number {
  const raw = readSetting(name, env);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw badInput(
      `${name} is "${raw}", which is not a positive whole number.`,
      `Set ${name} to a number such as ${fallback}.`,
    );
  return value;
}

export function concurrencyFrom(env: Environment): { limit: number; auto: boolean } {
  const raw = readSetting("AZCOPY_CONCURRENCY_VALUE", env);
  const byCores = Math.min(64, Math.max(32, 16 * cpus().length));
  if (raw === undefined) return { limit: byCores, auto: false };
  if (raw.toUpperCase() === "AUTO") return { limit: 16, auto: true };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 3000) {
    throw badInput(
      `AZCOPY_CONCURRENCY_VALUE is "${raw}", which is neither a number from 1 to 3000 nor AUTO.`,
      "Set it to a number such as 32, or to AUTO.",
    );
  }
  return { limit: value, auto: false };
}

/** Bytes of data a job may hold in memory at once (AZCOPY_BUFFER_GB; default 64 MiB). */
export function memoryBudgetFrom(env: Environment): number {
  const raw = readSetting("AZCOPY_BUFFER_GB", env);
  if (raw === undefined) return 64 * MIB;
  const gigabytes = Number(raw);
  if (!Number.isFinite(gigabytes) || gigabytes <= 0) {
    throw badInput(
      `AZCOPY_BUFFER_GB is "${raw}", which is not a positive number of GB.`,
      "Set it to a number such as 0.5.",
    );
  }
  return Math.max(MIB, Math.floor(gigabytes * 1024 * MIB));
}

export function retryPolicyFrom(env: Environment): RetryPolicy {
  return {
    ...DEFAULT_RETRY_POLICY,
    maxTries: positiveInteger("AZCP_MAX_TRIES", env, DEFAULT_RETRY_POLICY.maxTries),
    baseDelayMs: positiveInteger("AZCP_RETRY_DELAY_MS", env, DEFAULT_RETRY_POLICY.baseDelayMs),
  };
}
