// The local disk as one side of a job: a file or a folder (a "*" in the last segment narrows
// it), written through temporary names, listed for a sync, and hashed where a listing has no MD5.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, mkdir, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { badInput } from "../../errors.js";
import type { LocalLocation } from "../../location/location.js";
import { wildcardTest } from "../../location/wildcard.js";
import {
  type Backend,
  type BackendFeatures,
  type Destination,
  directoryNeedsRecursive,
  type LocalHashStorage,
  type ResolvedSource,
  type Source,
  type SourceObject,
  type SourceOptions,
} from "../backend.js";
import { type HashStorage, mtimeNsOf, storedMd5, storeMd5 } from "./hash-files.js";
import { LocalDestination, LocalSource } from "./local.js";

/** What the local disk can do. */
export const LOCAL_FEATURES: BackendFeatures = {
  objectProperties: false,
  realFolders: true,
  wholeSecondTimes: false,
};

export class LocalBackend implements Backend {
  readonly features = LOCAL_FEATURES;
  readonly description: string;

  constructor(private readonly location: LocalLocation) {
    this.description = location.path;
  }

  child(relativePath: string): Backend {
    return new LocalBackend({
      type: "local",
      path: join(this.location.path, relativePath),
      original: relativePath,
    });
  }

  async resolveSource(options: SourceOptions): Promise<ResolvedSource> {
    const last = basename(this.location.path);
    const nameFilter = wildcardTest(last);
    const path = nameFilter ? dirname(this.location.path) : this.location.path;
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw badInput(
        `The source ${this.location.original} ${error.code === "ENOENT" ? "does not exist" : `cannot be read (${error.code})`}.`,
        "Check the path.",
      );
    });
    this.useHashStorage(options.hashStorage);
    const common = {
      skipHashFiles: options.hashStorage !== undefined,
      followSymlinks: options.followSymlinks,
      onSkipped: options.onSkipped,
      withFolders: options.withFolders ?? false,
      withPosix: options.withPosix,
      preserveSymlinks: options.preserveSymlinks ?? false,
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
    if (!nameFilter && !options.recursive) throw directoryNeedsRecursive(this.location.original);
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

  async ownName(): Promise<string> {
    const info = await stat(this.location.path).catch(() => undefined);
    return info?.isDirectory() ? basename(this.location.path) : "";
  }

  async destination(single: boolean, options: { durable?: boolean | undefined } = {}): Promise<Destination> {
    const { path, original } = this.location;
    const info = await stat(path).catch(() => undefined);
    if (single && !(info?.isDirectory() || original.endsWith("/")))
      return new LocalDestination({ path, mode: "file", durable: options.durable });
    if (info && !info.isDirectory()) {
      throw badInput(
        `The destination ${original} is a file, but the source is a directory.`,
        "Copy into a directory.",
      );
    }
    return new LocalDestination({ path, mode: "directory", durable: options.durable });
  }

  syncListing(options: { recursive: boolean; hashStorage?: LocalHashStorage | undefined }): Source {
    this.useHashStorage(options.hashStorage);
    return new EmptyIfMissing(
      new LocalSource({
        path: this.location.path,
        prefix: "",
        recursive: options.recursive,
        followSymlinks: false,
        skipHashFiles: options.hashStorage !== undefined,
      }),
      this.location.path,
    );
  }

  deleteListed(object: SourceObject): Promise<void> {
    return unlink(object.key);
  }

  /** Where this side's MD5s are kept between syncs (HiddenFiles), if anywhere. */
  private hashFiles: HashStorage | undefined;

  private useHashStorage(storage: LocalHashStorage | undefined): void {
    if (storage?.mode === "HiddenFiles")
      this.hashFiles = { root: this.location.path, folder: storage.folder };
  }

  async md5(object: SourceObject): Promise<string> {
    const storage = this.hashFiles;
    // The time is read before the data, so a file changed while it is read is hashed again next time.
    const mtime = storage ? await mtimeNsOf(object.key) : undefined;
    if (storage && mtime !== undefined) {
      const stored = await storedMd5(storage, object.key, mtime);
      if (stored) return stored;
    }
    const hash = createHash("md5");
    for await (const chunk of createReadStream(object.key, { highWaterMark: 1024 * 1024 }))
      hash.update(chunk as Buffer);
    const md5 = hash.digest("base64");
    if (storage && mtime !== undefined) await storeMd5(storage, object.key, mtime, md5);
    return md5;
  }

  /** A sync's destination folder is made first, so that the copies have a place to go. */
  prepareSyncDestination(): Promise<unknown> {
    return mkdir(this.location.path, { recursive: true });
  }
}

/** A destination folder that does not exist yet lists as empty. */
class EmptyIfMissing implements Source {
  readonly description: string;
  constructor(
    private readonly inner: LocalSource,
    private readonly folder: string,
  ) {
    this.description = inner.description;
  }
  async *enumerate(): AsyncGenerator<SourceObject> {
    // Only a missing top folder means "empty": a folder vanishing mid-walk must fail the sync.
    const exists = await access(this.folder).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    if (exists) yield* this.inner.enumerate();
  }
  read(object: SourceObject, offset: number, length: number, into: Buffer): Promise<void> {
    return this.inner.read(object, offset, length, into);
  }
  display(object: SourceObject): string {
    return this.inner.display(object);
  }
}
