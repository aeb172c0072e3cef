// --list-of-files and --include-path: each line a file or directory relative to the source,
// copied as one job, as AzCopy reads them. A line naming nothing is skipped and reported; a
// line that climbs out of the source ("..") fails, and is never followed.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { AzcpError, badInput, isAzcpError } from "../errors.js";
import type {
  Backend,
  CopySource,
  ResolvedSource,
  Source,
  SourceObject,
  SourceOptions,
} from "../storage/backend.js";
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

export class ListOfFilesSource implements Source {
  readonly description: string;
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly root: Backend,
    private readonly options: SourceOptions,
    private readonly lines: AsyncIterable<string>,
    /** The source directory's own name to keep in front (--as-subdir), or "". */
    private readonly rootName: string,
    private readonly onMissing: (line: string, error: AzcpError) => void,
  ) {
    this.description = root.description;
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    const prefix = this.rootName ? `${this.rootName}/` : "";
    for await (const line of this.lines) {
      const relative = line.replace(/^\/+/, "");
      if (climbsOut(relative)) {
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
      let resolved: ResolvedSource;
      try {
        resolved = await this.root.child(relative).resolveSource({ ...this.options, asSubdir: false });
      } catch (error) {
        // A directory without --recursive is skipped too, as AzCopy skips it.
        if (isAzcpError(error) && (error.kind === "not-found" || error.kind === "bad-input")) {
          this.onMissing(line, error);
          continue;
        }
        throw error;
      }
      for await (const object of resolved.source.enumerate()) {
        const relativePath = resolved.single ? relative : `${relative}/${object.relativePath}`;
        this.sources.set(object.key, resolved.source);
        yield { ...object, relativePath: `${prefix}${relativePath}` };
      }
    }
  }

  private sourceOf(object: SourceObject): Source {
    const source = this.sources.get(object.key);
    if (!source) throw new AzcpError("service", `internal: no source for ${object.key}`);
    return source;
  }

  read(
    object: SourceObject,
    offset: number,
    length: number,
    into: Buffer,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.sourceOf(object).read(object, offset, length, into, signal);
  }

  async checkUnchanged(object: SourceObject): Promise<void> {
    await this.sources.get(object.key)?.checkUnchanged?.(object);
  }

  async release(object: SourceObject): Promise<void> {
    await this.sources.get(object.key)?.release?.(object);
    this.sources.delete(object.key);
  }

  display(object: SourceObject): string {
    return this.sources.get(object.key)?.display(object) ?? object.key;
  }

  copySource(object: SourceObject): Promise<CopySource> {
    const source = this.sourceOf(object);
    if (!source.copySource) throw new AzcpError("service", "internal: the source cannot be read by URL");
    return source.copySource(object);
  }
}
