// --list-of-files and --include-path: each line a file or directory relative to the source,
// copied as one job, as AzCopy reads them. A line naming nothing is skipped and reported; a
// line that climbs out of the source ("..") fails, and is never followed.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { type AzcpError, badInput, isAzcpError } from "../errors.js";
import type { Backend, ResolvedSource, SourceObject, SourceOptions } from "../storage/backend.js";
import { RoutedSource, routedTo } from "../storage/rest/routed-source.js";
import { splitList } from "./filters.js";

/** The lines of a --list-of-files file: a BOM and "\r" dropped, nothing trimmed, empty lines skipped. */
export async function* linesOfFile(path: string, flag = "--list-of-files"): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let first = true;
  try {
    for await (const raw of lines) {
      const line = first ? raw.replace(/^\uFEFF/, "") : raw;
      first = false;
      if (line) yield line;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw badInput(
        `cannot open ${path} file passed with the ${flag.slice(2)} flag (it does not exist).`,
        `Check the ${flag} path.`,
      );
    throw error;
  }
}

/** The paths of --include-path, as lines. */
export async function* includedPaths(value: string): AsyncGenerator<string> {
  for (const path of splitList(value)) {
    const trimmed = path.replace(/\/+$/, "");
    if (trimmed) yield trimmed;
  }
}

function climbsOut(line: string): boolean {
  return line.split(/[\\/]/).some((segment) => segment === "..");
}

/** Lines looked up at once. */
const LINES_AHEAD = 32;

type LineOutcome = { line: string; relative: string } & (
  | { resolved: ResolvedSource; found: SourceObject[] | undefined }
  | { missing: AzcpError }
  | { climbsOut: true }
  | { error: unknown }
);

export class ListOfFilesSource extends RoutedSource {
  readonly description: string;

  constructor(
    private readonly root: Backend,
    private readonly options: SourceOptions,
    private readonly lines: AsyncIterable<string>,
    /** The source directory's own name to keep in front (--as-subdir), or "". */
    private readonly rootName: string,
    private readonly onMissing: (line: string, error: AzcpError) => void,
  ) {
    super();
    this.description = root.description;
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    const prefix = this.rootName ? `${this.rootName}/` : "";
    // Lines are looked up (a HEAD each on a service) several at once, and reported in order.
    const ahead: Promise<LineOutcome>[] = [];
    const lines = this.lines[Symbol.asyncIterator]();
    let more = true;
    for (;;) {
      while (more && ahead.length < LINES_AHEAD) {
        const next = await lines.next();
        if (next.done) more = false;
        else ahead.push(this.lookUp(next.value));
      }
      const outcome = await ahead.shift();
      if (!outcome) return;
      const { line, relative } = outcome;
      if ("error" in outcome) throw outcome.error;
      if ("missing" in outcome) {
        this.onMissing(line, outcome.missing);
        continue;
      }
      if ("climbsOut" in outcome) {
        yield {
          relativePath: `${prefix}${relative}`,
          key: relative,
          size: 0,
          lastModified: undefined,
          failure: badInput(
            `The listed path "${line}" leaves the source folder ("..").`,
            "List paths inside the source, relative to it.",
          ),
        };
        continue;
      }
      const { resolved, found } = outcome;
      for await (const object of found ?? resolved.source.enumerate()) {
        const relativePath = resolved.single ? relative : `${relative}/${object.relativePath}`;
        yield routedTo({ ...object, relativePath: `${prefix}${relativePath}` }, resolved.source);
      }
    }
  }

  /** What one line names; never rejects, so that lines waiting their turn hold no unhandled failure. */
  private async lookUp(line: string): Promise<LineOutcome> {
    const relative = line.replace(/^\/+/, "");
    if (climbsOut(relative)) return { line, relative, climbsOut: true };
    try {
      const resolved = await this.root.child(relative).resolveSource({ ...this.options, asSubdir: false });
      // One file is looked at now (its properties), a directory is listed in its turn.
      let found: SourceObject[] | undefined;
      if (resolved.single) {
        found = [];
        for await (const object of resolved.source.enumerate()) found.push(object);
      }
      return { line, relative, resolved, found };
    } catch (error) {
      // A directory without --recursive is skipped too, as AzCopy skips it.
      if (isAzcpError(error) && (error.kind === "not-found" || error.kind === "bad-input"))
        return { line, relative, missing: error };
      return { line, relative, error };
    }
  }
}
