// --preserve-posix-properties: a local file's stat, kept in blob metadata under AzCopy's names,
// and what a download gives back to the file from it.
import type { BigIntStats } from "node:fs";
import type { PosixProperties } from "./backend.js";

/**
 * A file's stat as AzCopy writes it into metadata with --preserve-posix-properties: decimal
 * numbers, times in nanoseconds since the epoch. AzCopy also writes statx's attribute masks,
 * which Node cannot read; they are left out rather than made up.
 */
export function posixMetadata(info: BigIntStats): Record<string, string> {
  const metadata: Record<string, string> = {
    modtime: String(info.mtimeNs),
    permissions: String(info.mode),
    posix_atime: String(info.atimeNs),
    posix_ctime: String(info.ctimeNs),
    posix_dev: String(info.dev),
    posix_group: String(info.gid),
    posix_ino: String(info.ino),
    posix_nlink: String(info.nlink),
    posix_owner: String(info.uid),
  };
  if (info.birthtimeNs > 0n) metadata.linux_btime = String(info.birthtimeNs);
  return metadata;
}

/** What a download takes back from AzCopy's POSIX metadata: the mode bits and the times. */
export function posixFromMetadata(metadata: Record<string, string> | undefined): PosixProperties | undefined {
  if (!metadata) return undefined;
  const number = (key: string) => (/^\d+$/.test(metadata[key] ?? "") ? BigInt(metadata[key]!) : undefined);
  const time = (ns: bigint | undefined) => (ns === undefined ? undefined : new Date(Number(ns / 1_000_000n)));
  const mode = number("permissions");
  const posix = {
    mode: mode === undefined ? undefined : Number(mode & 0o7777n),
    accessed: time(number("posix_atime")),
    modified: time(number("modtime")),
  };
  return posix.mode === undefined && !posix.accessed && !posix.modified ? undefined : posix;
}

/** Whether metadata sets `name` to true; the service keeps keys as written, AzCopy reads them in any case. */
export function metadataFlag(metadata: Record<string, string> | undefined, name: string): boolean {
  return Object.entries(metadata ?? {}).some(
    ([key, value]) => key.toLowerCase() === name && value.toLowerCase() === "true",
  );
}

/** AzCopy marks a blob that holds a symbolic link's target with is_symlink=true. */
export function isSymlinkMetadata(metadata: Record<string, string> | undefined): boolean {
  return metadataFlag(metadata, "is_symlink");
}
