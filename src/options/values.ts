// One parser per kind of flag value, each with AzCopy's rules and an error that says the fix.
import { badInput } from "../errors.js";

const MIB = 1024 * 1024;

/** "--block-size-mb 0.25" -> 262144 bytes; the result must be a positive whole number of bytes. */
export function parseMebibytes(value: string, flag: string, max: number): number {
  const mebibytes = Number(value);
  const bytes = mebibytes * MIB;
  if (value.trim() === "" || !Number.isFinite(mebibytes) || mebibytes <= 0) {
    throw badInput(
      `${flag} "${value}" is not a positive number of MiB.`,
      `Pass a size such as 8 or 0.25 (MiB).`,
    );
  }
  if (!Number.isInteger(bytes)) {
    throw badInput(
      `${flag} ${value} MiB is ${bytes} bytes, which is not a whole number of bytes.`,
      `Pick a size that is a whole number of bytes, such as 0.25 (262144 bytes).`,
    );
  }
  if (bytes > max) {
    throw badInput(
      `${flag} ${value} MiB is larger than the service allows (${max / MIB} MiB).`,
      `Pass ${max / MIB} or less.`,
    );
  }
  return bytes;
}

/**
 * An ISO 8601 date or time as AzCopy reads it: 2006-01-02, 2006-01-02T15, 2006-01-02T15:04,
 * 2006-01-02T15:04:05[.fraction], each in local time, or with Z or an offset (RFC 3339).
 */
export function parseFlagDate(value: string, flag: string): Date {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
      value.trim(),
    );
  let date = new Date(Number.NaN);
  if (match && !(match[8] && match[6] === undefined)) {
    const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "", zone] = match;
    const ms = Math.floor(Number(`0${fraction || ".0"}`) * 1000);
    const parts = [
      Number(year),
      Number(month) - 1,
      Number(day),
      Number(hour),
      Number(minute),
      Number(second),
      ms,
    ] as const;
    if (zone) {
      const offset =
        zone === "Z"
          ? 0
          : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
      date = new Date(Date.UTC(...parts) - offset * 60_000);
    } else {
      date = new Date(...parts);
    }
  }
  if (Number.isNaN(date.getTime())) {
    throw badInput(
      `${flag} "${value}" is not an ISO 8601 date or time.`,
      "Write it like 2020-08-19T15:04:00Z (UTC), 2020-08-19T15:04:00 (local time) or 2020-08-19 (local midnight).",
    );
  }
  return date;
}

export function parseMetadata(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const metadata: Record<string, string> = {};
  for (const pair of text.split(";")) {
    if (!pair.trim()) continue;
    const equals = pair.indexOf("=");
    const key = equals < 0 ? "" : pair.slice(0, equals).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw badInput(
        `--metadata "${pair}" is not key=value with a valid name (letters, digits, _).`,
        'Write it like --metadata "project=alpha;owner=me".',
      );
    }
    metadata[key] = pair.slice(equals + 1);
  }
  return metadata;
}

export function checkTags(tags: string | undefined): string | undefined {
  if (!tags) return undefined;
  const pairs = tags.split("&");
  if (pairs.length > 10 || pairs.some((pair) => !/^[^=]{1,128}=[^=]{0,256}$/.test(pair))) {
    throw badInput(
      `--blob-tags "${tags}" is not up to 10 key=value pairs joined by &.`,
      'Write it like --blob-tags "team=data&env=test".',
    );
  }
  return pairs
    .map((pair) =>
      pair
        .split("=")
        .map((part) => encodeURIComponent(part))
        .join("="),
    )
    .join("&");
}

/** "250M", "12k", "2G": a whole number of KiB, MiB or GiB, as bench --size-per-file takes it. */
export function parseSizeWithUnit(value: string, flag: string): number {
  const match = /^(\d+)([KMG])$/i.exec(value.trim());
  if (!match || Number(match[1]) === 0)
    throw badInput(
      `${flag} "${value}" is not a size such as 100K, 250M or 2G.`,
      "Write a whole number followed by K, M or G.",
    );
  return Number(match[1]) * 1024 ** ("KMG".indexOf(match[2]!.toUpperCase()) + 1);
}

/** Access tiers a block blob can be set to. */
export const TIERS = ["Hot", "Cool", "Cold", "Archive"];
