// How AzCopy writes sizes and times in its text output.

const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
const DECIMAL_UNITS = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];

/** 2000000 -> "1.91 MiB" (or "2.00 MB" with mega units). */
export function formatByteSize(bytes: number, megaUnits = false): string {
  const base = megaUnits ? 1000 : 1024;
  const units = megaUnits ? DECIMAL_UNITS : BINARY_UNITS;
  let value = bytes;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

/** "2026-11-27 16:47:48 +0000 GMT", as AzCopy prints a last-modified time. */
export function formatServiceTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} +0000 GMT`;
}

/** "2026-11-27T16:47:48Z" (RFC 3339, seconds). */
export function formatRfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
