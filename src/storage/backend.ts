// The interfaces every storage backend (local disk, Blob, Files, Data Lake) implements. The
// engine and the commands are written against these and ask for capabilities, never for a type.
import type { ChunkPlan } from "../engine/planner.js";

export interface ObjectProperties {
  versionId?: string | undefined;
  blobType?: string | undefined;
  accessTier?: string | undefined;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  /** Base64, as the service reports it. */
  contentMd5?: string | undefined;
  leaseState?: string | undefined;
  leaseDuration?: string | undefined;
  leaseStatus?: string | undefined;
  archiveStatus?: string | undefined;
}

/** What `list` shows for one object. */
export interface ListedObject {
  /** Path relative to the listed root, "/"-separated. */
  path: string;
  size: number;
  lastModified: Date | undefined;
  properties: ObjectProperties;
}

/** HTTP content headers an object carries (and a copy can preserve). */
export interface ContentHeaders {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  contentLanguage?: string | undefined;
  contentDisposition?: string | undefined;
  cacheControl?: string | undefined;
}

/** One object a source enumerated. */
export interface SourceObject {
  /** "/"-separated path relative to the transfer root; it becomes the destination's relative path. */
  relativePath: string;
  size: number;
  lastModified: Date | undefined;
  /** Base64 MD5 the source knows for the whole object. */
  contentMd5?: string | undefined;
  headers?: ContentHeaders | undefined;
  metadata?: Record<string, string> | undefined;
  blobType?: string | undefined;
  accessTier?: string | undefined;
  /** Backend-specific address of the object (absolute path, blob name). */
  key: string;
}

/** Where the destination service can fetch an object itself (server-side copy). */
export interface CopySource {
  url: string;
  /** Value for x-ms-copy-source-authorization, when the source is authorized by a token. */
  authorization?: string | undefined;
}

export interface Source {
  /** The root as a user may see it (SAS hidden). */
  readonly description: string;
  /** Objects under the root, streamed as they are found. */
  enumerate(): AsyncIterable<SourceObject>;
  /** Fill `into[0..length)` with the object's bytes from `offset`. */
  read(
    object: SourceObject,
    offset: number,
    length: number,
    into: Buffer,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Done reading this object (close files). */
  release?(object: SourceObject): Promise<void>;
  display(object: SourceObject): string;
  /** Present when a service can read the object by URL (Blob sources). */
  copySource?(object: SourceObject): Promise<CopySource>;
}

export interface ExistingObject {
  size: number;
  lastModified: Date | undefined;
}

export interface WriteOptions {
  plan: ChunkPlan;
  /** Headers to set; contentType may also be decided from the first chunk (see guessContentType). */
  headers: ContentHeaders;
  metadata?: Record<string, string> | undefined;
  /** "k=v&k2=v2", as --blob-tags takes it. */
  tags?: string | undefined;
  tier?: string | undefined;
  blobType?: "BlockBlob" | "PageBlob" | "AppendBlob" | undefined;
  /** Fail with "exists" instead of replacing an object already there (--overwrite false). */
  ifNotExists?: boolean | undefined;
  /** Set the file's modification time (downloads, --preserve-last-modified-time). */
  lastModified?: Date | undefined;
  /** Stable id of this transfer, for block ids that a resumed job can recognise. */
  transferId: string;
  /** Resuming: check which blocks the service already holds and skip them. */
  resume?: boolean | undefined;
}

export interface ObjectWriter {
  /** Whether chunks may be written in any order and at once (false for append blobs). */
  readonly parallelChunks: boolean;
  /** The whole object in one request (plan "single"); `contentMd5` is stored with it when given. */
  writeAll(data: Buffer, contentMd5?: Buffer): Promise<void>;
  /** One chunk of a chunked plan. */
  writeChunk(index: number, offset: number, data: Buffer): Promise<void>;
  /** Server-side copies, when the destination supports reading from a URL. */
  copyAll?(source: CopySource, size: number): Promise<void>;
  copyChunk?(index: number, offset: number, length: number, source: CopySource): Promise<void>;
  /**
   * Make the object visible under its final name. `storeMd5` is saved as the object's MD5;
   * `verifyMd5` (base64) is compared with what was written, and a mismatch fails the commit.
   */
  commit(options?: { storeMd5?: Buffer | undefined; verifyMd5?: string | undefined }): Promise<void>;
  /** Throw away what was written; leaves nothing under the final name. */
  abort(): Promise<void>;
}

export interface Destination {
  readonly description: string;
  /** Backend key for a source-relative path (throws for paths that would escape the root). */
  keyFor(relativePath: string): string;
  display(key: string): string;
  stat(key: string): Promise<ExistingObject | undefined>;
  writer(key: string, options: WriteOptions): Promise<ObjectWriter>;
  /** Whether writers can copy from a URL (Put Blob/Block From URL). Cleared when the service says no. */
  copyFromUrl: boolean;
  /** Optional check before a job that writes: is writing allowed here? */
  probeWrite?(): Promise<void>;
}

/** A writer failed because the object exists and ifNotExists was asked for. */
export class ObjectExistsError extends Error {
  constructor(readonly key: string) {
    super(`${key} already exists`);
    this.name = "ObjectExistsError";
  }
}
