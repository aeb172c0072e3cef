// The local file system as a source (a streaming, sorted walk) and as a destination (writes go
// to a temporary name beside the target and are renamed only when complete and verified).
import { createHash } from "node:crypto";
import {
  type BigIntStats,
  close,
  closeSync,
  constants,
  createReadStream,
  createWriteStream,
  type Dirent,
  fdatasync,
  fstatSync,
  fsyncSync,
  open as openFd,
  openSync,
  read as readFd,
  readSync,
  renameSync,
  rmSync,
  statSync,
  write as writeFd,
  writeSync,
} from "node:fs";
import {
  chmod,
  link,
  lstat,
  mkdir,
  open,
  opendir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  utimes,
} from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip, createInflate } from "node:zlib";
import { AzcpError } from "../../errors.js";
import {
  type ChunkSink,
  type Destination,
  type ExistingObject,
  type FolderOptions,
  ObjectExistsError,
  type ObjectWriter,
  type PosixStyle,
  type Source,
  SourceChangedError,
  type SourceObject,
  type WriteOptions,
} from "../backend.js";
import { compareNames } from "../name-order.js";
import { posixMetadata } from "../posix-metadata.js";
import { HASH_FILE_SUFFIX } from "./hash-files.js";

// Small files are read and written with synchronous calls: from the page cache they take
// microseconds, while each trip through libuv's thread pool costs far more CPU (on these VMs
// several times more), and that cost dominates jobs of many small files. Large chunks use the
// callback API with plain descriptors (the promise API's FileHandle is slower still). Flushes to
// disk always go to the pool: they wait for the disk, and the main thread waited in them for
// 2.5 s of a 5,000 × 16 KiB download (0.5-0.8 s of submitting them remains).
export const SMALL_IO = 1024 * 1024;
const openAsync = promisify(openFd);
function readAsync(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) =>
    readFd(fd, buffer, offset, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes))),
  );
}
function writeAsync(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) =>
    writeFd(fd, buffer, offset, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes))),
  );
}
/** Bytes a chunk sink gathers from the network before one write of them all. */
const SINK_BATCH = 1024 * 1024;
/** How much a large download writes between flushes to disk started along the way. */
const WRITEBACK_BYTES = 64 * 1024 * 1024;
const closeAsync = promisify(close);
const fdatasyncAsync = promisify(fdatasync);

export interface LocalSourceOptions {
  /** Absolute path of a file, or of a directory to walk. */
  path: string;
  /** Prefix for relative paths (the directory's own name with --as-subdir). */
  prefix: string;
  recursive: boolean;
  followSymlinks: boolean;
  /** Keep only top-level names this accepts (a wildcard in the last path segment). */
  nameFilter?: ((name: string) => boolean) | undefined;
  /** Called for what the walk leaves out (symlinks not followed, special files). */
  onSkipped?: (path: string, reason: "symlink" | "special" | "unreadable") => void;
  /** Yield directories too (before what they hold), for destinations with real folders. */
  withFolders?: boolean | undefined;
  /** Give each file its POSIX properties as AzCopy's metadata (--preserve-posix-properties). */
  withPosix?: PosixStyle | undefined;
  /** Yield symbolic links as objects whose data is their target (--preserve-symlinks). */
  preserveSymlinks?: boolean | undefined;
  /** Leave out sync's hash files (.<name>.azcopysyncmeta), as AzCopy does when it compares MD5s. */
  skipHashFiles?: boolean | undefined;
}

export class LocalSource implements Source {
  readonly description: string;
  private readonly descriptors = new Map<string, Promise<number>>();

  constructor(private readonly options: LocalSourceOptions) {
    this.description = options.path;
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    const info = await stat(this.options.path, { bigint: true });
    if (!info.isDirectory()) {
      yield fileObject(basename(this.options.path), this.options.path, info, this.options.withPosix);
      return;
    }
    const visited = new Set<string>([await realpath(this.options.path)]);
    // The directory itself is a folder too (--as-subdir), so that it arrives even when empty.
    if (this.options.withFolders && this.options.prefix)
      yield {
        relativePath: this.options.prefix,
        size: 0,
        lastModified: undefined,
        key: this.options.path,
        folder: true,
      };
    yield* this.walk(this.options.path, this.options.prefix, true, visited);
  }

  private async *walk(
    directory: string,
    prefix: string,
    top: boolean,
    visited: Set<string>,
  ): AsyncGenerator<SourceObject> {
    const entries: Dirent[] = [];
    for await (const entry of await opendir(directory)) entries.push(entry);
    // Directories sort as "name/", so walking in this order lists paths in byte order overall.
    const sortKey = (entry: Dirent) => (entry.isDirectory() ? `${entry.name}/` : entry.name);
    entries.sort((a, b) => compareNames(sortKey(a), sortKey(b)));
    for (const entry of entries) {
      if (top && this.options.nameFilter && !this.options.nameFilter(entry.name)) continue;
      if (this.options.skipHashFiles && entry.name.endsWith(HASH_FILE_SUFFIX)) continue;
      const path = join(directory, entry.name);
      const relativePath = prefix ? `${prefix}/${entry.name}` : entry.name;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink() && this.options.preserveSymlinks) {
        const link = await symlinkObject(relativePath, path);
        if (link) yield link;
        else this.options.onSkipped?.(path, "unreadable");
        continue;
      }
      if (entry.isSymbolicLink()) {
        if (!this.options.followSymlinks) {
          this.options.onSkipped?.(path, "symlink");
          continue;
        }
        const target = await stat(path).catch(() => undefined);
        if (!target) {
          this.options.onSkipped?.(path, "unreadable");
          continue;
        }
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDirectory) {
        if (!this.options.recursive) continue;
        const real = await realpath(path);
        if (visited.has(real)) continue;
        visited.add(real);
        if (this.options.withFolders)
          yield { relativePath, size: 0, lastModified: undefined, key: path, folder: true };
        yield* this.walk(path, relativePath, false, visited);
      } else if (isFile) {
        let info: BigIntStats | undefined;
        try {
          info = statSync(path, { bigint: true });
        } catch {
          info = undefined;
        }
        if (!info) {
          if (entry.name.includes("\uFFFD")) {
            // The name is not valid UTF-8 (Node read it with a replacement character, so the
            // path no longer names the file): no blob can be named after it. Fail it, as AzCopy does.
            yield {
              relativePath,
              key: path,
              size: 0,
              lastModified: undefined,
              failure: new AzcpError("bad-input", `The name of a file in ${directory} is not valid UTF-8.`, {
                remedy: "Rename it (convmv can convert names to UTF-8), or move it out of the source.",
              }),
            };
            continue;
          }
          this.options.onSkipped?.(path, "unreadable");
          continue;
        }
        yield fileObject(relativePath, path, info, this.options.withPosix);
      } else {
        this.options.onSkipped?.(path, "special");
      }
    }
  }

  private descriptor(object: SourceObject): Promise<number> {
    const known = this.descriptors.get(object.key);
    if (known) return known;
    const fd = openAsync(object.key, constants.O_RDONLY);
    this.descriptors.set(object.key, fd);
    return fd;
  }

  async read(object: SourceObject, offset: number, length: number, into: Buffer): Promise<void> {
    if (object.symlink !== undefined) {
      Buffer.from(object.symlink).copy(into, 0, offset, offset + length);
      return;
    }
    if (offset === 0 && length === object.size && length <= SMALL_IO && !this.descriptors.has(object.key)) {
      return this.readWhole(object, length, into);
    }
    const fd = await this.descriptor(object).catch((error: NodeJS.ErrnoException) => {
      this.descriptors.delete(object.key);
      throw cannotRead(object.key, error);
    });
    let done = 0;
    while (done < length) {
      const bytesRead = await readAsync(fd, into, done, length - done, offset + done);
      if (bytesRead === 0) {
        throw new SourceChangedError(object.key, "it became shorter");
      }
      done += bytesRead;
    }
  }

  private readWhole(object: SourceObject, length: number, into: Buffer): void {
    let fd: number;
    try {
      fd = openSync(object.key, constants.O_RDONLY);
    } catch (error) {
      throw cannotRead(object.key, error as NodeJS.ErrnoException);
    }
    try {
      let done = 0;
      while (done < length) {
        const bytesRead = readSync(fd, into, done, length - done, done);
        if (bytesRead === 0) {
          throw new SourceChangedError(object.key, "it became shorter");
        }
        done += bytesRead;
      }
    } finally {
      closeSync(fd);
    }
  }

  async checkUnchanged(object: SourceObject): Promise<void> {
    if (object.pin === undefined || object.folder) return;
    if (object.symlink !== undefined) {
      const now = await readlink(object.key).catch((error: NodeJS.ErrnoException) => {
        throw cannotRead(object.key, error);
      });
      if (now !== object.symlink) throw new SourceChangedError(object.key, "the link now points elsewhere");
      return;
    }
    const open = this.descriptors.get(object.key);
    const fd = open ? await open.catch(() => undefined) : undefined;
    let now: BigIntStats;
    try {
      now = fd !== undefined ? fstatSync(fd, { bigint: true }) : statSync(object.key, { bigint: true });
    } catch (error) {
      throw cannotRead(object.key, error as NodeJS.ErrnoException);
    }
    const was = object.pin.split(":");
    const [size, modified, changed] = [now.size, now.mtimeNs, now.ctimeNs].map(String);
    if (size !== was[0])
      throw new SourceChangedError(object.key, `its size went from ${was[0]} to ${size} bytes`);
    if (modified !== was[1] || changed !== was[2])
      throw new SourceChangedError(object.key, "its modification time changed");
  }

  async release(object: SourceObject): Promise<void> {
    const fd = this.descriptors.get(object.key);
    this.descriptors.delete(object.key);
    const opened = await fd?.catch(() => undefined);
    if (opened !== undefined) await closeAsync(opened).catch(() => undefined);
  }

  display(object: SourceObject): string {
    return object.key;
  }
}

/** A listed file, pinned by its size and its modification and change times (nanoseconds). */
function fileObject(
  relativePath: string,
  path: string,
  info: BigIntStats,
  withPosix?: PosixStyle,
): SourceObject {
  return {
    relativePath,
    size: Number(info.size),
    lastModified: new Date(Number(info.mtimeMs)),
    key: path,
    pin: `${info.size}:${info.mtimeNs}:${info.ctimeNs}`,
    contentTime: rfc3339Nano(info.mtimeNs),
    posix: withPosix ? posixMetadata(info, withPosix) : undefined,
  };
}

/** A symbolic link as AzCopy's --preserve-symlinks uploads it: its target is its data. */
async function symlinkObject(relativePath: string, path: string): Promise<SourceObject | undefined> {
  try {
    const target = await readlink(path);
    const info = await lstat(path);
    return {
      relativePath,
      key: path,
      size: Buffer.byteLength(target),
      lastModified: info.mtime,
      symlink: target,
      pin: `symlink:${target}`,
    };
  } catch {
    return undefined;
  }
}

/** Nanoseconds since the epoch as RFC 3339 in UTC, with as many fraction digits as needed. */
export function rfc3339Nano(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = ns % 1_000_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "");
  const digits = fraction === 0n ? "" : `.${fraction.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${whole}${digits}Z`;
}

/** A relative path from a service, as local path segments; refuses anything that would leave the root. */
export function safeSegments(relativePath: string): string[] {
  const segments = relativePath.split("/");
  for (const segment of segments) {
    if (
      segment === "" ||
      segment === "." ||
      segment === ".." ||
      segment.includes("\0") ||
      segment.includes("\\")
    ) {
      throw new AzcpError(
        "bad-input",
        `The name "${relativePath}" cannot be saved safely: it has an empty, "." or ".." part, a backslash or a NUL, and could write outside the destination folder.`,
        { remedy: "Rename the blob, or exclude it with --exclude-path or --exclude-regex." },
      );
    }
  }
  return segments;
}

export interface LocalDestinationOptions {
  /** Absolute path: a directory to write under, or the file to write. */
  path: string;
  /** "file" when the destination names the one file to write. */
  mode: "directory" | "file";
  /** Flush each file and its folder to disk around the rename (default true). */
  durable?: boolean | undefined;
}

export class LocalDestination implements Destination {
  readonly description: string;
  copyFromUrl = false;
  readonly blobTypes = false;
  readonly createsIfAbsent = true;
  private readonly createdDirectories = new Set<string>();

  /** The destination folder, normalized, ending in the separator. */
  private readonly folderPrefix: string;

  constructor(private readonly options: LocalDestinationOptions) {
    this.description = options.path;
    const folder = join(options.path);
    this.folderPrefix = folder.endsWith(sep) ? folder : folder + sep;
  }

  keyFor(relativePath: string): string {
    if (this.options.mode === "file") return this.options.path;
    // Segments that passed safeSegments are already normal: joining them needs no path.join.
    return this.folderPrefix + safeSegments(relativePath).join(sep);
  }

  display(key: string): string {
    return key;
  }

  async stat(key: string): Promise<ExistingObject | undefined> {
    const info = await stat(key).catch(() => undefined);
    return info ? { size: info.size, lastModified: info.mtime } : undefined;
  }

  private async ensureDirectory(directory: string): Promise<void> {
    if (this.createdDirectories.has(directory)) return;
    await mkdir(directory, { recursive: true });
    this.createdDirectories.add(directory);
  }

  async makeFolder(key: string, options: FolderOptions = {}): Promise<void> {
    await this.ensureDirectory(key);
    const time = options.smb?.lastWriteTime;
    if (time) await utimes(key, time, time);
  }

  async writer(key: string, options: WriteOptions): Promise<ObjectWriter> {
    const directory = dirname(key);
    await this.ensureDirectory(directory);
    const temporary = join(directory, temporaryName(options.jobId, basename(key)));
    // The name is the same when the job is resumed, so a half-written file left by a killed run
    // is replaced, never left behind. O_EXCL after the unlink refuses a link planted there.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
    const small = options.plan.kind === "single" && options.plan.size <= SMALL_IO;
    let fd: number;
    if (small) {
      rmSync(temporary, { force: true });
      fd = openSync(temporary, flags, 0o644);
    } else {
      await rm(temporary, { force: true });
      fd = await openAsync(temporary, flags, 0o644);
    }
    const durable = this.options.durable !== false;
    const root = this.options.mode === "file" ? dirname(this.options.path) : this.options.path;
    return new LocalFileWriter(key, temporary, fd, options, small, durable, root, (folder) =>
      this.renamedIn.add(folder),
    );
  }

  /** Folders with files renamed into them, whose entries flush() makes durable. */
  private readonly renamedIn = new Set<string>();

  /** Makes the renames of this job durable: one sync per folder, when the job's transfers are done. */
  async flush(): Promise<void> {
    for (const folder of this.renamedIn) syncDirectory(folder);
    this.renamedIn.clear();
  }
}

class LocalFileWriter implements ObjectWriter {
  readonly parallelChunks = true;
  private closed = false;

  constructor(
    private readonly key: string,
    private readonly temporary: string,
    private readonly fd: number,
    private readonly options: WriteOptions,
    /** One small write: done with synchronous calls (see SMALL_IO). */
    private readonly small: boolean,
    private readonly durable: boolean,
    /** The destination's root, which links made here must not point out of. */
    private readonly root: string,
    /** Told of the folder a file was renamed into, so that the destination syncs it once. */
    private readonly renamedInto: (folder: string) => void,
  ) {}

  private async writeAt(data: Buffer, offset: number): Promise<void> {
    let done = 0;
    while (done < data.length) {
      done += this.small
        ? writeSync(this.fd, data, done, data.length - done, offset + done)
        : await writeAsync(this.fd, data, done, data.length - done, offset + done);
    }
    if (this.durable && !this.small) this.startWriteback(data.length);
  }

  /** Bytes written since the last flush to disk was started. */
  private unflushed = 0;
  private flushing: Promise<void> | undefined;

  /**
   * Flushes to disk while the file is still being written, one flush at a time: the flush before
   * the rename then waits only for the last few writes (0.3 s of a 1 GiB download here).
   */
  private startWriteback(written: number): void {
    this.unflushed += written;
    if (this.unflushed < WRITEBACK_BYTES || this.flushing || this.closed) return;
    this.unflushed = 0;
    this.flushing = fdatasyncAsync(this.fd)
      .catch(() => undefined)
      .finally(() => {
        this.flushing = undefined;
      });
  }

  writeAll(data: Buffer): Promise<void> {
    return this.writeAt(data, 0).catch(diskError(this.key));
  }

  writeChunk(_index: number, offset: number, data: Buffer): Promise<void> {
    return this.writeAt(data, offset).catch(diskError(this.key));
  }

  chunkSink(offset: number): ChunkSink {
    // Pieces are lent (read into again once taken): a whole batch is written as it is, smaller
    // ones are copied together first, so that disk writes stay large.
    let staged: Buffer | undefined;
    // Where the staged bytes start in the chunk, and how many there are.
    let start = 0;
    let held = 0;
    const flush = async (): Promise<void> => {
      if (held === 0 || !staged) return;
      const position = offset + start;
      const length = held;
      start += held;
      held = 0;
      await this.writeAt(staged.subarray(0, length), position).catch(diskError(this.key));
    };
    const stage = (data: Buffer): Promise<void> | undefined => {
      staged ??= Buffer.allocUnsafe(SINK_BATCH);
      const count = Math.min(SINK_BATCH - held, data.length);
      data.copy(staged, held, 0, count);
      held += count;
      if (held < SINK_BATCH) return undefined;
      return flush().then(() => (count < data.length ? stage(data.subarray(count)) : undefined));
    };
    return {
      write: (data, at) => {
        if (at !== start + held) {
          // A retried read starts again: what was staged is sent again.
          start = at;
          held = 0;
        }
        if (held > 0 || data.length < SINK_BATCH) return stage(data);
        start = at + data.length;
        return this.writeAt(data, offset + at).catch(diskError(this.key));
      },
      flush,
    };
  }

  async commit(options: { verifyMd5?: string | undefined } = {}): Promise<void> {
    const expectedMd5 = options.verifyMd5;
    // On disk before it takes the final name: a crash then leaves the old file or the whole new
    // one, never an empty or short file under the name.
    if (this.small) {
      if (this.durable) await fdatasyncAsync(this.fd);
      closeSync(this.fd);
    } else {
      await this.flushing;
      if (this.durable) await fdatasyncAsync(this.fd);
      await closeAsync(this.fd);
    }
    this.closed = true;
    if (expectedMd5 !== undefined) {
      const actual = await md5OfFile(this.temporary);
      if (actual !== expectedMd5) {
        throw Object.assign(
          new AzcpError(
            "service",
            `The downloaded data of ${this.key} does not match the MD5 the service holds for it.`,
            {
              remedy: "Run the copy again; if it repeats, the stored object may be damaged.",
            },
          ),
          { code: "AZCP_CORRUPT" },
        );
      }
    }
    if (this.options.decompress) await this.decompressTemporary(this.options.decompress);
    if (this.options.symlink) return this.commitSymlink();
    const posix = this.options.posix;
    if (posix?.mode !== undefined) await chmod(this.temporary, posix.mode);
    const modified = posix?.modified ?? this.options.lastModified;
    if (modified) await utimes(this.temporary, posix?.accessed ?? modified, modified);
    if (this.options.ifNotExists) {
      try {
        await link(this.temporary, this.key);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new ObjectExistsError(this.key);
        throw error;
      }
      await unlink(this.temporary);
    } else if (this.small) {
      renameSync(this.temporary, this.key);
    } else {
      await rename(this.temporary, this.key);
    }
    if (this.durable) this.renamedInto(dirname(this.key));
  }

  /**
   * Replaces the downloaded (compressed, checked) temporary file with its decompressed bytes,
   * still under a temporary name: a stream that is not valid gzip or deflate leaves nothing.
   */
  private async decompressTemporary(compression: "gzip" | "deflate"): Promise<void> {
    const inflated = `${this.temporary}.inflated`;
    try {
      await pipeline(
        createReadStream(this.temporary),
        compression === "gzip" ? createGunzip() : createInflate(),
        createWriteStream(inflated),
      );
      if (this.durable) {
        const file = await open(inflated, "r");
        await file.datasync().finally(() => file.close());
      }
      await rename(inflated, this.temporary);
    } catch (error) {
      await rm(inflated, { force: true });
      throw new AzcpError(
        "service",
        `${this.key} could not be decompressed as ${compression} (its Content-Encoding): ${(error as Error).message}.`,
        { remedy: "Download it without --decompress to keep the bytes as stored." },
      );
    }
  }

  /**
   * The data is a link's target. AzCopy makes any link it is given; a link that points out of
   * the destination would let a later object in the same download be written through it, outside
   * the destination, so azcp refuses those.
   */
  private async commitSymlink(): Promise<void> {
    const target = await readFile(this.temporary, "utf8");
    await unlink(this.temporary);
    const inside = relative(this.root, resolve(dirname(this.key), target));
    if (
      target === "" ||
      isAbsolute(target) ||
      isAbsolute(inside) ||
      inside === ".." ||
      inside.startsWith(`..${sep}`)
    )
      throw new AzcpError(
        "bad-input",
        `${this.key} would be a symbolic link to ${target}, outside the destination ${this.root}; azcp does not create it, so that nothing in this download can be written through it.`,
        { remedy: "Create that link yourself if you trust it, or download without --preserve-symlinks." },
      );
    await symlink(target, this.temporary);
    if (this.options.ifNotExists) {
      try {
        await link(this.temporary, this.key);
      } finally {
        await unlink(this.temporary).catch(() => undefined);
      }
    } else await rename(this.temporary, this.key);
    if (this.durable) this.renamedInto(dirname(this.key));
  }

  async abort(): Promise<void> {
    await this.flushing;
    if (!this.closed) await closeAsync(this.fd).catch(() => undefined);
    this.closed = true;
    await rm(this.temporary, { force: true });
  }
}

/**
 * Where a download is written until it is complete: beside its final name, named after the job
 * (as AzCopy names it), so a resumed job finds and replaces what a killed run left.
 */
export function temporaryName(jobId: string, name: string): string {
  const shown =
    Buffer.byteLength(name) > 180 ? createHash("sha256").update(name).digest("hex").slice(0, 32) : name;
  return `.azDownload-${jobId}-${shown}`;
}

/** Makes the renames in `directory` durable. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // Some file systems cannot sync a directory; the file itself is on disk.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function md5OfFile(path: string): Promise<string> {
  const hash = createHash("md5");
  const handle = await open(path, constants.O_RDONLY);
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest("base64");
}

function diskError(key: string) {
  return (error: NodeJS.ErrnoException): never => {
    if (error.code === "ENOSPC" || error.code === "EDQUOT" || error.code === "EFBIG") {
      throw new AzcpError(
        "bad-input",
        `Could not write ${key}: ${error.code === "EFBIG" ? "the file is larger than this system allows" : "the disk is full"} (${error.code}).`,
        { remedy: "Free space (or raise the file size limit) where you download, or download elsewhere." },
      );
    }
    throw error;
  };
}

function cannotRead(path: string, error: NodeJS.ErrnoException): AzcpError {
  const denied = error.code === "EACCES" || error.code === "EPERM";
  const gone = error.code === "ENOENT";
  const cause = denied ? "permission denied" : gone ? "it no longer exists" : "the system refused";
  return new AzcpError("bad-input", `Cannot read ${path}: ${cause} (${error.code ?? error.message}).`, {
    remedy: denied
      ? "Give your user read access to the file (chmod or chown), or exclude it with --exclude-path."
      : gone
        ? "It was removed after it was listed; copy again if it comes back."
        : "Check that the file exists and that you may read it.",
  });
}
