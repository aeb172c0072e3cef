// Which enumerated objects a job keeps, with AzCopy's exact rules, because they decide what
// `remove` and `sync --delete-destination` delete:
// - --include-pattern / --exclude-pattern: Go path.Match wildcards (*, ?, [class], [^class], \
//   escapes) against the object's name only, case-sensitive; files only (a folder passes, and
//   with either flag no folders are copied at all).
// - --exclude-path: a plain string prefix of the relative path (so "foo" also takes "foobar").
// - --include-regex / --exclude-regex: Go RE2, found anywhere in the relative path.
// - --include-before / --include-after: last-modified time, both ends inclusive.
// Includes of one kind are OR'ed, kinds are AND'ed, and any exclude rejects. Relative paths are
// relative to the source's contents: the source folder's own name is never part of them.
// (--include-path is not a filter: like --list-of-files it names what is enumerated.)
import { badInput } from "../errors.js";
import { wildcardRegExp } from "../location/wildcard.js";
import { type Shard, shardOf } from "./shard.js";

export interface FilterOptions {
  includePattern?: string | undefined;
  excludePattern?: string | undefined;
  excludePath?: string | undefined;
  includeRegex?: string | undefined;
  excludeRegex?: string | undefined;
  includeBefore?: Date | undefined;
  includeAfter?: Date | undefined;
  /** ';'-separated blob types to leave out (BlockBlob, PageBlob, AppendBlob). */
  excludeBlobType?: string | undefined;
  /** Keep only what this shard owns (--shard). */
  shard?: Shard | undefined;
}

export interface Filterable {
  /** "/"-separated path relative to the source's contents; "" for the source itself. */
  relativePath: string;
  /** The object's own name (for a single-file source, the file's name). */
  name: string;
  folder?: boolean | undefined;
  lastModified?: Date | undefined;
  blobType?: string | undefined;
}

export type EntryFilter = (entry: Filterable) => boolean;

/** A filter over what a source lists (relative paths as the destination will see them). */
export type ObjectFilter = (object: {
  relativePath: string;
  folder?: boolean | undefined;
  lastModified?: Date | undefined;
  blobType?: string | undefined;
}) => boolean;

/**
 * The filter as a source's objects meet it: without the source directory's own name in front
 * (`rootName`, with --as-subdir), and for a single-file source with the path "" and the file's
 * name, as AzCopy sees them.
 */
export function objectFilter(filter: EntryFilter, root: { single: boolean; rootName: string }): ObjectFilter {
  const strip = root.rootName ? `${root.rootName}/` : "";
  return (object) => {
    const path = object.relativePath;
    const relativePath = root.single
      ? ""
      : strip && path.startsWith(strip)
        ? path.slice(strip.length)
        : path === root.rootName
          ? ""
          : path;
    const name = path.slice(path.lastIndexOf("/", path.length - 2) + 1);
    return filter({
      relativePath,
      name,
      folder: object.folder,
      lastModified: object.lastModified,
      blobType: object.blobType,
    });
  };
}

/** AzCopy splits every list flag on ";" and drops empty items; spaces are kept. */
export function splitList(list: string | undefined): string[] {
  return (list ?? "").split(";").filter((item) => item.length > 0);
}

function patternTest(pattern: string, flag: string): (name: string) => boolean {
  try {
    const regex = wildcardRegExp(pattern);
    return (name) => regex.test(name);
  } catch {
    // AzCopy skips a malformed pattern silently; an ignored exclusion could delete what the
    // user meant to keep, so azcp refuses it instead.
    throw badInput(
      `${flag} "${pattern}" is not a valid pattern.`,
      'Patterns use *, ?, [abc], [a-z], [^abc]; write \\[ for a literal "[" (see the help).',
    );
  }
}

type Matcher = (text: string) => boolean;

async function regexTest(source: string, flag: string): Promise<Matcher> {
  const { RE2JS } = await import("re2js");
  try {
    const compiled = RE2JS.compile(source);
    return (text) => compiled.matcher(text).find();
  } catch (error) {
    // As with patterns: AzCopy lets every object through a malformed exclusion; azcp refuses.
    throw badInput(
      `${flag} "${source}" is not a valid RE2 regular expression (${(error as Error).message}).`,
      "Fix the expression: it uses Go's RE2 syntax (no look-around or back-references).",
    );
  }
}

const BLOB_TYPES = ["BlockBlob", "PageBlob", "AppendBlob"];

function blobTypeName(text: string): string {
  const type = BLOB_TYPES.find((name) => name.toLowerCase() === text.trim().toLowerCase());
  if (!type)
    throw badInput(
      `--exclude-blob-type "${text}" is not a blob type.`,
      `Use ${BLOB_TYPES.join(", ")}, separated by ';'.`,
    );
  return type;
}

export async function compileFilter(options: FilterOptions): Promise<EntryFilter> {
  const includeNames = splitList(options.includePattern).map((p) => patternTest(p, "--include-pattern"));
  const excludeNames = splitList(options.excludePattern).map((p) => patternTest(p, "--exclude-pattern"));
  const excludePaths = splitList(options.excludePath);
  const includeRegexes = await Promise.all(
    splitList(options.includeRegex).map((source) => regexTest(source, "--include-regex")),
  );
  const excludeRegexes = await Promise.all(
    splitList(options.excludeRegex).map((source) => regexTest(source, "--exclude-regex")),
  );
  const { includeBefore, includeAfter } = options;
  const excludedTypes = new Set(splitList(options.excludeBlobType).map(blobTypeName));
  const fileFocused = includeNames.length > 0 || excludeNames.length > 0;
  const { shard } = options;

  return (entry) => {
    if (entry.folder) {
      // With a filter on names, AzCopy transfers no folders at all.
      if (fileFocused) return false;
    } else {
      if (includeNames.length && !includeNames.some((test) => test(entry.name))) return false;
      if (excludeNames.some((test) => test(entry.name))) return false;
    }
    const path = entry.relativePath;
    if (excludePaths.some((prefix) => path.startsWith(prefix))) return false;
    if (includeRegexes.length && !includeRegexes.some((test) => test(path))) return false;
    if (excludeRegexes.some((test) => test(path))) return false;
    const time = entry.lastModified?.getTime();
    if (time !== undefined && includeBefore && time > includeBefore.getTime()) return false;
    if (time !== undefined && includeAfter && time < includeAfter.getTime()) return false;
    if (entry.blobType && excludedTypes.has(entry.blobType)) return false;
    if (shard && shardOf(path || entry.name, shard.count) !== shard.index) return false;
    return true;
  };
}
