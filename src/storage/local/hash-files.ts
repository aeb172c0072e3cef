// sync --compare-hash MD5 with --local-hash-storage-mode HiddenFiles: a local file's MD5 kept
// beside it (or under --hash-meta-dir) as AzCopy keeps it, in .<name>.azcopysyncmeta holding
// {"Mode":1,"Data":"<base64 MD5>","LMT":"<modification time, RFC 3339 with nanoseconds>"}. A
// stored hash counts only while the file's modification time is still LMT, so files that did not
// change are not read again on the next run, by azcp or by AzCopy.
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";

export const HASH_FILE_SUFFIX = ".azcopysyncmeta";

/** Mode 1 is MD5 in AzCopy's SyncHashType. */
const MD5_MODE = 1;

export interface HashStorage {
  /** The sync's local root: hash files under `folder` mirror the paths below it. */
  root: string;
  /** --hash-meta-dir; beside each file when absent. */
  folder?: string | undefined;
}

export function hashFilePath(storage: HashStorage, file: string): string {
  const where = storage.folder ? join(storage.folder, relative(storage.root, dirname(file))) : dirname(file);
  return join(where, `.${basename(file)}${HASH_FILE_SUFFIX}`);
}

/** A time in nanoseconds since the epoch as RFC 3339 with nanoseconds, in UTC. */
export function rfc3339Nano(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = String(ns % 1_000_000_000n)
    .padStart(9, "0")
    .replace(/0+$/, "");
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}${fraction ? `.${fraction}` : ""}Z`;
}

/** Nanoseconds since the epoch of an RFC 3339 time with up to nine fraction digits and any offset. */
export function nanosOf(text: string): bigint | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** The stored MD5 of `file` while its modification time is the one stored with it; undefined otherwise. */
export async function storedMd5(
  storage: HashStorage,
  file: string,
  mtimeNs: bigint,
): Promise<string | undefined> {
  try {
    const stored = JSON.parse(await readFile(hashFilePath(storage, file), "utf8")) as Record<string, unknown>;
    if (stored.Mode !== MD5_MODE || typeof stored.Data !== "string" || typeof stored.LMT !== "string")
      return undefined;
    return nanosOf(stored.LMT) === mtimeNs ? stored.Data : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `md5` for `file` as of modification time `mtimeNs`; a hash file that cannot be written is only a lost shortcut. */
export async function storeMd5(
  storage: HashStorage,
  file: string,
  mtimeNs: bigint,
  md5: string,
): Promise<boolean> {
  const path = hashFilePath(storage, file);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify({ Mode: MD5_MODE, Data: md5, LMT: rfc3339Nano(mtimeNs) }));
    return true;
  } catch {
    return false;
  }
}

/** The file's modification time in nanoseconds. */
export async function mtimeNsOf(file: string): Promise<bigint> {
  return (await stat(file, { bigint: true })).mtimeNs;
}
