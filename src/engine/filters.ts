// Which enumerated files a job keeps: include/exclude by name pattern, by path, by regular
// expression, and by last-modified time. Includes of one kind are OR'ed, kinds are AND'ed, and
// any exclude rejects.
import { badInput } from "../errors.js";

export interface FilterOptions {
  includePattern?: string | undefined;
  excludePattern?: string | undefined;
  includePath?: string | undefined;
  excludePath?: string | undefined;
  includeRegex?: string | undefined;
  excludeRegex?: string | undefined;
  includeBefore?: Date | undefined;
  includeAfter?: Date | undefined;
}

export interface Filterable {
  /** "/"-separated path relative to the source root. */
  relativePath: string;
  lastModified?: Date | undefined;
}

export type EntryFilter = (entry: Filterable) => boolean;

function split(list: string | undefined): string[] {
  return (list ?? "")
    .split(";")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** "*.pdf" -> a test on a file name; only * is a wildcard. */
function namePattern(pattern: string): (name: string) => boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  const regex = new RegExp(`^${source}$`, "s");
  return (name) => regex.test(name);
}

/** "dir/sub" -> matches that path and everything under it, by whole path components. */
function pathPrefix(path: string): (relativePath: string) => boolean {
  const prefix = path.replace(/\\/g, "/").replace(/^\/+|\/+$/g, "");
  return (relativePath) => relativePath === prefix || relativePath.startsWith(`${prefix}/`);
}

function regex(source: string, flag: string): (relativePath: string) => boolean {
  try {
    const compiled = new RegExp(source);
    return (relativePath) => compiled.test(relativePath);
  } catch (error) {
    throw badInput(
      `${flag} "${source}" is not a valid regular expression (${(error as Error).message}).`,
      "Fix the expression.",
    );
  }
}

function baseName(relativePath: string): string {
  return relativePath.slice(relativePath.lastIndexOf("/") + 1);
}

export function compileFilter(options: FilterOptions): EntryFilter {
  const includeNames = split(options.includePattern).map(namePattern);
  const excludeNames = split(options.excludePattern).map(namePattern);
  const includePaths = split(options.includePath).map(pathPrefix);
  const excludePaths = split(options.excludePath).map(pathPrefix);
  const includeRegexes = split(options.includeRegex).map((source) => regex(source, "--include-regex"));
  const excludeRegexes = split(options.excludeRegex).map((source) => regex(source, "--exclude-regex"));
  const { includeBefore, includeAfter } = options;

  return (entry) => {
    const name = baseName(entry.relativePath);
    if (includeNames.length && !includeNames.some((test) => test(name))) return false;
    if (includePaths.length && !includePaths.some((test) => test(entry.relativePath))) return false;
    if (includeRegexes.length && !includeRegexes.some((test) => test(entry.relativePath))) return false;
    if (excludeNames.some((test) => test(name))) return false;
    if (excludePaths.some((test) => test(entry.relativePath))) return false;
    if (excludeRegexes.some((test) => test(entry.relativePath))) return false;
    if (includeBefore && entry.lastModified && entry.lastModified.getTime() > includeBefore.getTime())
      return false;
    if (includeAfter && entry.lastModified && entry.lastModified.getTime() < includeAfter.getTime())
      return false;
    return true;
  };
}

/**
 * An ISO 8601 date or date-time; without a time zone it is local time, as AzCopy reads it
 * ("2020-08-19" is local midnight).
 */
export function parseFlagDate(value: string, flag: string): Date {
  const text = value.trim();
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = dateOnly
    ? new Date(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3]))
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)
      ? new Date(text)
      : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw badInput(
      `${flag} "${value}" is not an ISO 8601 date or time.`,
      "Write it like 2020-08-19T15:04:00Z (UTC), or 2020-08-19 (local midnight).",
    );
  }
  return date;
}
