// Turn what the user typed into a source and a destination: one file or a directory, the
// directory's own name kept (--as-subdir) or not (dir/*), wildcards in the last path segment,
// --list-of-files, and whether the destination names an object or a folder.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { AzcpError, badInput, isAzcpError } from "../errors.js";
import type { LocalLocation, Location } from "../location/location.js";
import type { Destination, RemoteEndpoint, Source, SourceObject } from "../storage/backend.js";
import { LocalDestination, LocalSource } from "../storage/local/local.js";
import { remoteService } from "../storage/registry.js";
import { splitList, wildcardRegExp } from "./filters.js";

/** A remote side, authorized and with its transport. */
export type Endpoint = RemoteEndpoint;

export interface SourceOptions {
  recursive: boolean;
  asSubdir: boolean;
  followSymlinks: boolean;
  /** A file listing paths (relative to the source) to copy, one per line. */
  listOfFiles?: string | undefined;
  /** --include-path: ";"-separated paths (relative to the source) to copy, as --list-of-files lists them. */
  includePath?: string | undefined;
  /** Told of each listed path that names nothing (it is skipped, as AzCopy skips it). */
  onMissing?: ((line: string, error: unknown) => void) | undefined;
  /** The listing must carry metadata (service-to-service copies preserving properties). */
  withMetadata: boolean;
  /** Each object must carry its MD5 (a download check, a hash comparison). */
  withMd5?: boolean | undefined;
  /** List directories too, for a destination with real folders (empty ones are created). */
  withFolders?: boolean | undefined;
  /** Read each object's ACL (--preserve-permissions). */
  withAcl?: boolean | undefined;
  onSkipped?: (path: string, reason: "symlink" | "special" | "unreadable") => void;
}

export interface ResolvedSource {
  source: Source;
  /** One object (true) or a tree (false): decides how the destination is read. */
  single: boolean;
  /**
   * What relative paths start with beyond the source's contents: the source directory's own
   * name with --as-subdir, or "". Filters see paths without it.
   */
  rootName: string;
}

const DIRECTORY_WITHOUT_RECURSIVE = (what: string) =>
  badInput(
    `${what} is a directory, and copying a directory needs --recursive.`,
    "Add --recursive, or end the path with /* to copy only the files directly in it.",
  );

/** A wildcard in the last segment of a location (it has a "*"), as a test on names. */
function wildcard(segment: string): ((name: string) => boolean) | undefined {
  if (!segment.includes("*")) return undefined;
  let regex: RegExp;
  try {
    regex = wildcardRegExp(segment);
  } catch {
    throw badInput(`"${segment}" is not a valid wildcard.`, "Use *, ?, [abc] or [a-z] in the last segment.");
  }
  return (name) => regex.test(name);
}

export async function resolveSource(
  location: Location,
  endpoint: Endpoint | undefined,
  options: SourceOptions,
): Promise<ResolvedSource> {
  if (options.listOfFiles || options.includePath) {
    const lines = options.listOfFiles
      ? linesOfFile(options.listOfFiles)
      : listed(splitList(options.includePath).map((path) => path.replace(/\/+$/, "")));
    // "dir/*" lists inside dir and leaves its name out, as a plain directory keeps it (--as-subdir).
    const contentsOnly = location.path.endsWith("/*");
    const root = contentsOnly ? { ...location, path: location.path.slice(0, -2) } : location;
    const rootEndpoint = endpoint && root.type === "remote" ? { ...endpoint, location: root } : endpoint;
    const rootName = options.asSubdir && !contentsOnly ? await directoryName(root, rootEndpoint) : "";
    return {
      source: new ListOfFilesSource(root, rootEndpoint, options, lines, rootName),
      single: false,
      rootName,
    };
  }
  return location.type === "local"
    ? resolveLocalSource(location, options)
    : resolveRemoteSource(endpoint!, options);
}

async function resolveLocalSource(location: LocalLocation, options: SourceOptions): Promise<ResolvedSource> {
  const last = basename(location.path);
  const nameFilter = wildcard(last);
  const path = nameFilter ? dirname(location.path) : location.path;
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw badInput(
      `The source ${location.original} ${error.code === "ENOENT" ? "does not exist" : `cannot be read (${error.code})`}.`,
      "Check the path.",
    );
  });
  const common = {
    followSymlinks: options.followSymlinks,
    onSkipped: options.onSkipped,
    withFolders: options.withFolders ?? false,
  };
  if (!info.isDirectory()) {
    if (nameFilter)
      throw badInput(`${path} is not a directory, so ${last} matches nothing in it.`, "Check the path.");
    return {
      source: new LocalSource({ path, prefix: "", recursive: false, ...common }),
      single: true,
      rootName: "",
    };
  }
  if (!nameFilter && !options.recursive) throw DIRECTORY_WITHOUT_RECURSIVE(location.original);
  const rootName = !nameFilter && options.asSubdir ? basename(path) : "";
  return {
    source: new LocalSource({
      path,
      prefix: rootName,
      recursive: options.recursive,
      nameFilter,
      ...common,
    }),
    single: false,
    rootName,
  };
}

async function resolveRemoteSource(endpoint: Endpoint, options: SourceOptions): Promise<ResolvedSource> {
  const { location } = endpoint;
  if (location.container === undefined) {
    throw badInput(
      "Copying a whole storage account is not supported yet.",
      "Copy one container, share or file system at a time: https://<account>.<service>.core.windows.net/<container>.",
    );
  }
  const service = remoteService(endpoint);
  const common = {
    withMetadata: options.withMetadata,
    withMd5: options.withMd5 ?? false,
    withFolders: (options.withFolders ?? false) && service.realFolders,
    withAcl: options.withAcl ?? false,
  };
  const segments = location.path.split("/");
  const last = segments.at(-1) ?? "";
  const nameFilter = wildcard(last);
  if (nameFilter) {
    const parent = segments.slice(0, -1).join("/");
    return {
      source: service.source({
        ...common,
        prefix: parent ? `${parent}/` : "",
        relativePrefix: "",
        recursive: options.recursive,
        nameFilter,
      }),
      single: false,
      rootName: "",
    };
  }
  if (await service.isObject(location.path)) {
    return {
      source: service.source({
        ...common,
        single: location.path,
        prefix: "",
        relativePrefix: "",
        recursive: false,
      }),
      single: true,
      rootName: "",
    };
  }
  const directory = location.path.replace(/\/+$/, "");
  if (directory !== "" && !location.path.endsWith("/") && !(await service.isDirectory(directory))) {
    throw new AzcpError("not-found", `${service.display(location.path)}: The specified file was not found.`, {
      remedy: "Check the name: no file, blob or directory has it.",
      statusCode: 404,
    });
  }
  const what = location.path === "" ? `The container ${location.container}` : `${location.path}`;
  if (!options.recursive) throw DIRECTORY_WITHOUT_RECURSIVE(what);
  const rootName = options.asSubdir
    ? directory === ""
      ? location.container
      : directory.slice(directory.lastIndexOf("/") + 1)
    : "";
  return {
    source: service.source({
      ...common,
      prefix: directory ? `${directory}/` : "",
      relativePrefix: rootName,
      recursive: true,
    }),
    single: false,
    rootName,
  };
}

export async function resolveDestination(
  location: Location,
  endpoint: Endpoint | undefined,
  single: boolean,
  options: { durable?: boolean | undefined } = {},
): Promise<Destination> {
  if (location.type === "local") {
    const info = await stat(location.path).catch(() => undefined);
    if (single && !(info?.isDirectory() || location.original.endsWith("/"))) {
      return new LocalDestination({ path: location.path, mode: "file", durable: options.durable });
    }
    if (info && !info.isDirectory()) {
      throw badInput(
        `The destination ${location.original} is a file, but the source is a directory.`,
        "Copy into a directory.",
      );
    }
    return new LocalDestination({ path: location.path, mode: "directory", durable: options.durable });
  }
  const remote = endpoint!.location;
  if (remote.container === undefined) {
    throw badInput(
      "The destination URL names no container.",
      "Add a container, share or file system to the URL: https://<account>.<service>.core.windows.net/<container>.",
    );
  }
  const service = remoteService(endpoint!);
  if (
    single &&
    remote.path !== "" &&
    !remote.path.endsWith("/") &&
    !(await service.isDirectory(remote.path))
  ) {
    return service.destination("file");
  }
  return service.destination("directory");
}

/** The lines of a --list-of-files file, as AzCopy reads them: a BOM and "\r" dropped, nothing trimmed. */
async function* linesOfFile(path: string): AsyncGenerator<string> {
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
      throw badInput(`The list of files ${path} does not exist.`, "Check the --list-of-files path.");
    throw error;
  }
}

async function* listed(paths: string[]): AsyncGenerator<string> {
  yield* paths.filter((path) => path.length > 0);
}

/** The name a directory source keeps under the destination (--as-subdir), "" for a file. */
async function directoryName(location: Location, endpoint: Endpoint | undefined): Promise<string> {
  if (location.type === "local") {
    const info = await stat(location.path).catch(() => undefined);
    return info?.isDirectory() ? basename(location.path) : "";
  }
  const directory = location.path.replace(/\/+$/, "");
  if (directory === "") return location.container ?? "";
  if (endpoint && (await remoteService(endpoint).isObject(directory))) return "";
  return directory.slice(directory.lastIndexOf("/") + 1);
}

/** A listed path that climbs out of the source (".." segments) is refused, never followed. */
function climbsOut(line: string): boolean {
  return line.split(/[\\/]/).some((segment) => segment === "..");
}

/**
 * --list-of-files and --include-path: each line a file or directory relative to the source,
 * copied as one job. A line naming nothing is skipped and reported, as AzCopy does.
 */
class ListOfFilesSource implements Source {
  readonly description: string;
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly root: Location,
    private readonly endpoint: Endpoint | undefined,
    private readonly options: SourceOptions,
    private readonly lines: AsyncIterable<string>,
    private readonly rootName: string,
  ) {
    this.description = root.type === "local" ? root.path : root.accountUrl;
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
      const entry = this.entryLocation(relative);
      let resolved: ResolvedSource;
      try {
        resolved = await resolveSource(
          entry,
          entry.type === "remote" ? { ...this.endpoint!, location: entry } : undefined,
          { ...this.options, listOfFiles: undefined, includePath: undefined, asSubdir: false },
        );
      } catch (error) {
        if (isAzcpError(error) && (error.kind === "not-found" || error.kind === "bad-input")) {
          // A directory without --recursive is skipped too, as AzCopy skips it.
          this.options.onMissing?.(line, error);
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

  private entryLocation(line: string): Location {
    if (this.root.type === "local")
      return { type: "local", path: join(this.root.path, line), original: line };
    const base = this.root.path.replace(/\/+$/, "");
    return { ...this.root, path: base ? `${base}/${line}` : line };
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

  async release(object: SourceObject): Promise<void> {
    await this.sources.get(object.key)?.release?.(object);
    this.sources.delete(object.key);
  }

  display(object: SourceObject): string {
    return this.sources.get(object.key)?.display(object) ?? object.key;
  }

  copySource(object: SourceObject) {
    const source = this.sourceOf(object);
    if (!source.copySource) throw new AzcpError("service", "internal: the source cannot be read by URL");
    return source.copySource(object);
  }
}
