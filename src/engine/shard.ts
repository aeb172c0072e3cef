// One job split over N machines (--shard I/N): each object belongs to exactly one shard, decided
// from its relative path alone, so that every shard decides alike on every run with no
// coordinator, and a sync's source and destination listings agree on who owns a name.
import { createHash } from "node:crypto";
import { badInput } from "../errors.js";
import { type Environment, readSetting } from "../settings.js";
import type { BlockSplit } from "./transfer.js";

export interface Shard {
  /** 0-based, below `count`. */
  index: number;
  count: number;
}

const MAX_SHARDS = 100_000;

/**
 * The shard from --shard or AZCP_SHARD: "I/N", or "N" alone inside a Kubernetes Indexed Job,
 * whose pods each get their index as JOB_COMPLETION_INDEX.
 */
export function shardFrom(flag: string | undefined, env: Environment): Shard | undefined {
  const text = flag ?? readSetting("AZCP_SHARD", env);
  if (text === undefined) return undefined;
  const source = flag !== undefined ? "--shard" : "AZCP_SHARD";
  const match = /^\s*(?:(\d+)\s*\/\s*)?(\d+)\s*$/.exec(text);
  if (!match)
    throw badInput(
      `${source} is "${text}", which is not <index>/<count>.`,
      `Give the shard as 3/8 (the fourth of eight), or as 8 inside a Kubernetes Indexed Job.`,
    );
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS)
    throw badInput(
      `${source} asks for ${count} shards.`,
      `Use from 1 to ${MAX_SHARDS.toLocaleString("en-US")} shards.`,
    );
  let indexText = match[1];
  if (indexText === undefined) {
    indexText = readSetting("JOB_COMPLETION_INDEX", env);
    if (indexText === undefined || !/^\d+$/.test(indexText))
      throw badInput(
        `${source} is "${text}" without an index, and JOB_COMPLETION_INDEX is ${indexText === undefined ? "not set" : `"${indexText}"`}.`,
        `Give the index too (${source === "--shard" ? "--shard" : "AZCP_SHARD="} 0/${count}), or run in a Kubernetes Indexed Job, which sets JOB_COMPLETION_INDEX.`,
      );
  }
  const index = Number(indexText);
  if (index >= count)
    throw badInput(
      `The shard index ${index} is not below the shard count ${count}.`,
      `Number the shards from 0 to ${count - 1}.`,
    );
  return { index, count };
}

/**
 * The shard that owns a path: FNV-1a (32 bits) of its UTF-8 bytes in Unicode NFC, modulo the
 * count. The path is relative to the job's source (to the destination's root for a sync's
 * destination), with "/" between names.
 */
export function shardOf(relativePath: string, count: number): number {
  const bytes = Buffer.from(relativePath.normalize("NFC"), "utf8");
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return (hash >>> 0) % count;
}

export function shardText(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

const MIB = 1024 * 1024;

/**
 * How a sharded job shares large copies to block blobs by block: files of AZCP_SHARD_SPLIT_MB or
 * more (default 256), the owner waiting AZCP_SHARD_WAIT_SECONDS (default 600) for the others'
 * blocks. `job` names the job alike on every shard (source and destination, no SAS): it seeds
 * the block ids.
 */
export function blockSplit(shard: Shard, env: Environment, job: string): BlockSplit {
  const number = (name: "AZCP_SHARD_SPLIT_MB" | "AZCP_SHARD_WAIT_SECONDS", fallback: number) => {
    const raw = readSetting(name, env);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      throw badInput(
        `${name} is "${raw}", which is not a positive number.`,
        `Set ${name} to a number such as ${fallback}.`,
      );
    return value;
  };
  return {
    index: shard.index,
    count: shard.count,
    minSize: Math.ceil(number("AZCP_SHARD_SPLIT_MB", 256) * MIB),
    waitMs: Math.ceil(number("AZCP_SHARD_WAIT_SECONDS", 600) * 1000),
    seed: createHash("sha256").update(`${job}\0${shard.count}`).digest("hex").slice(0, 16),
  };
}
