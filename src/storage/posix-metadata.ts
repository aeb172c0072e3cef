// --preserve-posix-properties: a local file's stat, kept in blob metadata under AzCopy's names,
// and what a download gives back to the file from it.
import type { BigIntStats } from "node:fs";
import type { PosixProperties, PosixStyle } from "./backend.js";

/**
 * A file's stat as AzCopy writes it into metadata with --preserve-posix-properties: decimal
 * numbers, times in nanoseconds since the epoch. AzCopy also writes statx's attribute masks,
 * which Node cannot read; they are left out rather than made up. The "amlfs" style (Azure
 * Managed Lustre's import) names owner and group without the posix_ prefix, gives permissions
 * as four octal digits and the modification time as "2006-01-02 15:04:05 -0700" (local time).
 */
export function posixMetadata(info: BigIntStats, style: PosixStyle = "standard"): Record<string, string> {
  const amlfs = style === "amlfs";
  const metadata: Record<string, string> = {
    modtime: amlfs ? lustreTime(info.mtimeNs) : String(info.mtimeNs),
    permissions: amlfs ? (info.mode & 0o777n).toString(8).padStart(4, "0") : String(info.mode),
    posix_atime: String(info.atimeNs),
    posix_ctime: String(info.ctimeNs),
    posix_dev: String(info.dev),
    [amlfs ? "group" : "posix_group"]: String(info.gid),
    posix_ino: String(info.ino),
    posix_nlink: String(info.nlink),
    [amlfs ? "owner" : "posix_owner"]: String(info.uid),
  };
  if (info.birthtimeNs > 0n) metadata.linux_btime = String(info.birthtimeNs);
  return metadata;
}

/** A time as Go's "2006-01-02 15:04:05 -0700" layout writes it, in this machine's time zone. */
function lustreTime(ns: bigint): string {
  const time = new Date(Number(ns / 1_000_000n));
  const two = (n: number) => String(n).padStart(2, "0");
  const offset = -time.getTimezoneOffset();
  const zone = `${offset < 0 ? "-" : "+"}${two(Math.floor(Math.abs(offset) / 60))}${two(Math.abs(offset) % 60)}`;
  return `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())} ${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())} ${zone}`;
}

/** What a download takes back from AzCopy's POSIX metadata (either style): the mode bits and the times. */
export function posixFromMetadata(metadata: Record<string, string> | undefined): PosixProperties | undefined {
  if (!metadata) return undefined;
  const number = (key: string) => (/^\d+$/.test(metadata[key] ?? "") ? BigInt(metadata[key]!) : undefined);
  // To the nearest millisecond, as Node reads a file's time back (stat's Dates are rounded).
  const time = (ns: bigint | undefined) =>
    ns === undefined ? undefined : new Date(Number((ns + 500_000n) / 1_000_000n));
  const permissions = metadata.permissions ?? "";
  // "0644" (amlfs) is octal; AzCopy's own style is st_mode in decimal ("33188").
  const mode = /^0[0-7]{3}$/.test(permissions) ? BigInt(`0o${permissions}`) : number("permissions");
  const lustre = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) ([+-]\d\d)(\d\d)$/.exec(metadata.modtime ?? "");
  const posix = {
    mode: mode === undefined ? undefined : Number(mode & 0o7777n),
    accessed: time(number("posix_atime")),
    modified: lustre
      ? new Date(
          `${lustre[1]}-${lustre[2]}-${lustre[3]}T${lustre[4]}:${lustre[5]}:${lustre[6]}${lustre[7]}:${lustre[8]}`,
        )
      : time(number("modtime")),
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
