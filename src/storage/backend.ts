// The interfaces every storage backend (local disk, Blob, Files, Data Lake) implements. The
// engine and the commands are written against these and ask for capabilities, never for a type.
import type { Access } from "../auth/authorize.js";
import type { DataAction } from "../auth/diagnose.js";
import { AzcpError } from "../errors.js";
import type { RemoteLocation } from "../location/location.js";
import type { BodySink, RestTransport } from "../transport/http.js";
import type { ChunkPlan } from "./chunks.js";

/** SMB properties of a file (Azure Files), or what a local file can offer for them. */
export interface SmbProperties {
  creationTime?: Date | undefined;
  lastWriteTime?: Date | undefined;
  /** As Files writes them, e.g. "ReadOnly | Archive". */
  attributes?: string | undefined;
}

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
  /** A directory, listed so that a destination with real folders creates it (even when empty). */
  folder?: boolean | undefined;
  /** SMB times and attributes (--preserve-info). */
  smb?: SmbProperties | undefined;
  /** Permissions (--preserve-permissions): a Data Lake path's POSIX ACL, or an Azure Files SDDL. */
  acl?: string | undefined;
  /** A local file's POSIX properties as AzCopy stores them in metadata (--preserve-posix-properties). */
  posix?: Record<string, string> | undefined;
  /** A local symbolic link's target: the object's data (--preserve-symlinks). */
  symlink?: string | undefined;
  /** Blob index tags, "k=v&k2=v2" URL-encoded (--s2s-preserve-blob-tags). */
  tags?: string | undefined;
  /**
   * What the object was when it was first seen, so that a change during its copy is caught: a
   * remote object's ETag (every read is conditional on it), or a local file's size, modification
   * and change times (compared again before the copy is committed).
   */
  pin?: string | undefined;
  /**
   * Set when the object was found but cannot be copied (a name that is not valid UTF-8, a
   * listed path that climbs out of the source): its copy fails with this, nothing is read.
   */
  failure?: AzcpError | undefined;
  /**
   * The exact modification time of the content as its origin had it (RFC 3339 with
   * nanoseconds): a local file's own time, or on a remote object the `mtime` recorded in its
   * metadata when it was uploaded (the key rclone uses too). Sync compares it where both have it.
   */
  contentTime?: string | undefined;
  /** The blob version this object is (--list-of-versions): reads and deletes address it. */
  versionId?: string | undefined;
  /** The blob snapshot this object is (--permanent-delete). */
  snapshot?: string | undefined;
}

/** Where the destination service can fetch an object itself (server-side copy). */
export interface CopySource {
  url: string;
  /** Value for x-ms-copy-source-authorization, when the source is authorized by a token. */
  authorization?: string | undefined;
  /** More headers the copy request needs for this source (Azure Files: the backup intent). */
  headers?: Record<string, string> | undefined;
  /** The source's ETag as first seen: a destination that can make the copy conditional sends it. */
  ifMatch?: string | undefined;
  /**
   * The MD5 (base64) the source states for the object's bytes. A copy of the whole object in
   * one request sends it for the service to check what it read (x-ms-source-content-md5).
   */
  contentMd5?: string | undefined;
  /**
   * Fails with a SourceChangedError when the source no longer has that ETag; for destinations
   * whose copy requests cannot carry the condition (Azure Files ranges).
   */
  checkUnchanged?: (() => Promise<void>) | undefined;
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
  /**
   * Hand the object's bytes from `offset` to `sink` as they arrive, holding none (remote sources).
   * A retried read starts again at 0.
   */
  stream?(
    object: SourceObject,
    offset: number,
    length: number,
    sink: BodySink,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Done reading this object (close files). */
  release?(object: SourceObject): Promise<void>;
  /**
   * Fails with a SourceChangedError when the object is no longer what `pin` recorded. Called
   * before a copy through this machine is committed; sources whose reads are all conditional on
   * the pin (the remote ones) need none.
   */
  checkUnchanged?(object: SourceObject): Promise<void>;
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
  /** The job's id (a resumed job keeps it): names a download's temporary file. */
  jobId: string;
  /** Stable id of this transfer, for block ids that a resumed job can recognise. */
  transferId: string;
  /** Resuming: check which blocks the service already holds and skip them. */
  resume?: boolean | undefined;
  /** SMB times and attributes to set (--preserve-info). */
  smb?: SmbProperties | undefined;
  /** Permissions to set (--preserve-permissions): a POSIX ACL, or an SDDL on Azure Files. */
  acl?: string | undefined;
  /** POSIX mode and times to give a downloaded file (--preserve-posix-properties). */
  posix?: PosixProperties | undefined;
  /** Make a symbolic link to the path the data holds, not a file (--preserve-symlinks). */
  symlink?: boolean | undefined;
  /** Replace a file even when its read-only attribute is set (Azure Files: --force-if-read-only). */
  forceIfReadOnly?: boolean | undefined;
  /** The data is compressed so; the file gets it decompressed (--decompress). */
  decompress?: "gzip" | "deflate" | undefined;
}

/** How POSIX properties are named in metadata (--posix-properties-style): AzCopy's own, or Azure Managed Lustre's. */
export type PosixStyle = "standard" | "amlfs";

/** What a local file takes back from the POSIX properties AzCopy keeps in metadata. */
export interface PosixProperties {
  mode?: number | undefined;
  accessed?: Date | undefined;
  modified?: Date | undefined;
}

export interface ChunkSink extends BodySink {
  flush(): Promise<void>;
}

export interface ObjectWriter {
  /** Whether chunks may be written in any order and at once (false for append blobs). */
  readonly parallelChunks: boolean;
  /**
   * The whole object (plan "single"); `contentMd5` is stored with it when given. Like every
   * write, it is visible under the final name only after commit(), and abort() leaves nothing.
   */
  writeAll(data: Buffer, contentMd5?: Buffer): Promise<void>;
  /** One chunk of a chunked plan. */
  writeChunk(index: number, offset: number, data: Buffer): Promise<void>;
  /**
   * Takes the chunk at `offset` piece by piece as a source streams it (local files); all of it is
   * written once `flush()` settles.
   */
  chunkSink?(offset: number): ChunkSink;
  /**
   * How many of the plan's blocks the service does not hold yet (staged, uncommitted, of the
   * right size): block blobs, whose blocks several machines may stage for one commit.
   */
  missingBlocks?(): Promise<number>;
  /** Whether copyAll/copyChunk make the service check `CopySource.ifMatch` and `contentMd5` (Blob does). */
  readonly pinsCopySource?: boolean | undefined;
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
  /**
   * Whether the destination keeps the source's exact modification time in each object's metadata
   * (`mtime`, read back by its listing at no extra cost), so a sync can compare it exactly.
   */
  readonly recordsContentTime?: boolean | undefined;
  /** Whether objects have a blob type (block, page, append) to choose. */
  readonly blobTypes: boolean;
  /** Whether a writer's ifNotExists is atomic; without it, existence is checked first. */
  readonly createsIfAbsent: boolean;
  /** The largest chunk one request may carry (Azure Files: 4 MiB ranges). */
  readonly maxChunkSize?: number | undefined;
  /** Create a directory (destinations with real folders); existing ones are fine. */
  makeFolder?(key: string, options?: FolderOptions): Promise<void>;
  /** Makes what the job wrote durable where that is done once at the end (a disk's folder entries). */
  flush?(): Promise<void>;
  /** Optional check before a job that writes: is writing allowed here? */
  probeWrite?(): Promise<void>;
  /** Whether the account can hold an access tier (Blob: asked once before tiers are set). */
  tierAllowed?(tier: string): Promise<boolean>;
}

/** What a copied folder carries over (--preserve-info, --preserve-permissions). */
export interface FolderOptions {
  smb?: SmbProperties | undefined;
  acl?: string | undefined;
}

/** What a side of a job can do. The engine asks these; it never asks which backend it holds. */
export interface BackendFeatures {
  /** Objects carry content headers, metadata and an MD5 of their own (a storage service). */
  readonly objectProperties: boolean;
  /** Directories exist on their own, so empty ones can be copied (a disk, Files, Data Lake). */
  readonly realFolders: boolean;
  /** Modification times are whole seconds (a service's Last-Modified). */
  readonly wholeSecondTimes: boolean;
  /** What --preserve-permissions carries between two such sides: POSIX ACLs or SDDL. */
  readonly permissions?: "acl" | "sddl" | undefined;
  /** Streams of unknown length can be written and read (Blob: --from-to PipeBlob / BlobPipe). */
  readonly pipes?: boolean | undefined;
  /** What set-properties can change on objects in place: tier, metadata and tags on Blob, metadata on Files. */
  readonly setProperties?: readonly ("tier" | "metadata" | "tags")[] | undefined;
  /** A new container takes a size quota (Azure Files shares: make --quota-gb). */
  readonly quota?: boolean | undefined;
  /** A copy creates its destination container when it is missing (AzCopy does on Blob and Data Lake, not Files). */
  readonly createsContainer?: boolean | undefined;
  /** A local file's POSIX properties can live in its object's metadata (Blob, Data Lake). */
  readonly posixMetadata?: boolean | undefined;
  /** Files carry a read-only attribute that blocks overwriting and deleting (Azure Files: --force-if-read-only). */
  readonly readOnlyAttribute?: boolean | undefined;
  /** Its listing gives each object's Content-Encoding (Blob, Files: what --decompress needs). */
  readonly listsContentEncoding?: boolean | undefined;
  /** Objects keep earlier versions, addressed by id (Blob: --list-of-versions). */
  readonly versions?: boolean | undefined;
}

/** Where a sync that compares MD5s keeps local files' hashes (XAttr: nowhere azcp can write). */
export interface LocalHashStorage {
  mode: "XAttr" | "HiddenFiles";
  /** --hash-meta-dir. */
  folder?: string | undefined;
}

/** Which soft-deleted entries --permanent-delete removes. */
export type SoftDeleted = "Snapshots" | "Versions" | "SnapshotsAndVersions";

/** How an object is deleted. */
export interface DeleteOptions {
  /** Blob: which snapshots go with it (--delete-snapshots). */
  snapshots?: SnapshotOption | undefined;
  /** Blob: delete this version only (--list-of-versions). */
  versionId?: string | undefined;
  /** Blob: this snapshot only (--permanent-delete). */
  snapshot?: string | undefined;
  /** Blob: remove a soft-deleted snapshot or version for good (--permanent-delete). */
  permanent?: boolean | undefined;
  /** Azure Files: clear the read-only attribute when it blocks the delete (--force-if-read-only). */
  forceIfReadOnly?: boolean | undefined;
}

/** Which snapshots a blob delete takes with it (--delete-snapshots). */
export type SnapshotOption = "include" | "only";

/** What set-properties changes on an object. */
export interface PropertyChanges {
  tier?: string | undefined;
  /** Sent with a tier change: how fast an archived blob comes back (Standard, High). */
  rehydratePriority?: string | undefined;
  metadata?: Record<string, string> | undefined;
  /** "k=v&k2=v2", URL-encoded parts. */
  tags?: string | undefined;
}

/** How to read a location as a copy's source. */
export interface SourceOptions {
  recursive: boolean;
  /** Keep a directory's own name under the destination (--as-subdir). */
  asSubdir: boolean;
  followSymlinks: boolean;
  /** The listing must carry metadata (copies between services preserving properties). */
  withMetadata: boolean;
  /** Each object must carry its MD5 (a download check, a hash comparison). */
  withMd5?: boolean | undefined;
  /** List directories too, for a destination with real folders (empty ones are created). */
  withFolders?: boolean | undefined;
  /** Read each local file's POSIX properties (--preserve-posix-properties). */
  withPosix?: PosixStyle | undefined;
  /** List symbolic links as objects whose data is their target (--preserve-symlinks). */
  preserveSymlinks?: boolean | undefined;
  /** List Blob directory stubs (hdi_isfolder=true) as objects (--include-directory-stub). */
  includeDirectoryStubs?: boolean | undefined;
  /** Each blob must carry its index tags (--s2s-preserve-blob-tags). */
  withTags?: boolean | undefined;
  /** Read each object's permissions (--preserve-permissions). */
  withAcl?: boolean | undefined;
  /** These versions of the one blob the location names, each as an object (--list-of-versions). */
  versionIds?: AsyncIterable<string> | undefined;
  /** List only soft-deleted snapshots and/or versions, each as an object (--permanent-delete). */
  softDeleted?: SoftDeleted | undefined;
  /** A sync comparing MD5s: where local hashes are kept between runs (--local-hash-storage-mode). */
  hashStorage?: LocalHashStorage | undefined;
  onSkipped?: ((path: string, reason: "symlink" | "special" | "unreadable") => void) | undefined;
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
  /** Every container of an account: relative paths start with the container each lands in. */
  accountWide?: boolean | undefined;
}

/**
 * One side of a job, a local path or a URL, opened by its backend: what a copy reads there,
 * where it writes, and how a sync lists and deletes. Made by storage/registry.ts.
 */
export interface Backend {
  readonly features: BackendFeatures;
  /** The location as people may see it (no SAS). */
  readonly description: string;
  /** The service's URL, for a backend that is one: a token may go only to trusted hosts. */
  readonly serviceUrl?: string | undefined;
  /** The same backend at a path under this one (a --list-of-files line, known not to climb out). */
  child(relativePath: string): Backend;
  /** What a copy reads here: one object, or a tree (a "*" in the last segment narrows it). */
  resolveSource(options: SourceOptions): Promise<ResolvedSource>;
  /** The name a directory here keeps under a destination (--as-subdir); "" for one object. */
  ownName(): Promise<string>;
  /** Where a copy writes here; `single` says the source is one object. */
  destination(
    single: boolean,
    options?: { durable?: boolean | undefined; accountWide?: boolean | undefined },
  ): Promise<Destination>;
  /** The tree here as a sync compares it, relative to here; empty while it does not exist. */
  syncListing(options: {
    recursive: boolean;
    withMd5: boolean;
    withMetadata: boolean;
    hashStorage?: LocalHashStorage | undefined;
  }): Source;
  /** Deletes an object that syncListing gave. */
  deleteListed(object: SourceObject, options?: DeleteOptions): Promise<void>;
  /** What `list` shows here, where the backend can list (a storage service). */
  list?(): AsyncIterable<ListedObject>;
  /** MD5 (base64) of an object whose listing carries none (a disk hashes the file). */
  md5?(object: SourceObject): Promise<string>;
  /** Makes a sync's destination exist before it starts (a folder on a disk). */
  prepareSyncDestination?(): Promise<unknown>;
  /**
   * Creates the container, share or file system a copy writes to when it is missing, as AzCopy
   * does; a refusal (no permission to create, a SAS for the container only) is not an error.
   */
  ensureContainer?(): Promise<void>;
  /**
   * Checks that writing is allowed without leaving anything behind, where the service has a way
   * (Blob: stage a block that is never committed). A failure carries the probed name as `probed`.
   */
  probeWrite?(): Promise<void>;
}

export function directoryNeedsRecursive(what: string): AzcpError {
  return new AzcpError("bad-input", `${what} is a directory, and copying a directory needs --recursive.`, {
    remedy: "Add --recursive, or end the path with /* to copy only the files directly in it.",
  });
}

/** A remote side of a job: where it is, how it is authorized, and its transport. */
export interface RemoteEndpoint {
  location: RemoteLocation;
  access: Access;
  transport: RestTransport;
}

/** How to enumerate a remote tree (or one object of it). */
export interface TreeSourceOptions {
  /** One object to copy (its full path), or undefined to list `prefix`. */
  single?: string | undefined;
  /** Listing prefix ("" or ending in "/"). */
  prefix: string;
  /** Prefix for relative paths (the directory's name with --as-subdir). */
  relativePrefix: string;
  recursive: boolean;
  nameFilter?: ((name: string) => boolean) | undefined;
  /** Ask the listing for metadata (server-side copies that preserve properties). */
  withMetadata: boolean;
  /** Each object must carry its MD5 (listings that lack it read it per object). */
  withMd5?: boolean | undefined;
  /** List directories too (for destinations with real folders). */
  withFolders?: boolean | undefined;
  /** Read each object's ACL (--preserve-permissions between Data Lake accounts). */
  withAcl?: boolean | undefined;
  /** List Blob directory stubs (empty blobs with hdi_isfolder=true) as objects, for remove. */
  keepDirectoryStubs?: boolean | undefined;
  /** Each blob must carry its index tags (--s2s-preserve-blob-tags). */
  withTags?: boolean | undefined;
  /** These versions of `single`, each as an object named "<version>-<name>" (--list-of-versions). */
  versionIds?: AsyncIterable<string> | undefined;
  /** List only soft-deleted snapshots and/or versions (--permanent-delete). */
  softDeleted?: SoftDeleted | undefined;
}

/** One remote service (Blob, Files, Data Lake) seen through what the commands need of it. */
export interface RemoteService {
  /** Whether directories exist on their own (Files, Data Lake) or only as name prefixes (Blob). */
  readonly realFolders: boolean;
  /** What --preserve-permissions carries on this service, if anything. */
  readonly permissions?: "acl" | "sddl" | undefined;
  /** Whether streams of unknown length go in and out (--from-to PipeBlob / BlobPipe). */
  readonly pipes?: boolean | undefined;
  /** Whether `path` names one object (not a directory). */
  isObject(path: string): Promise<boolean>;
  /** Whether `path` names a directory (real, or a prefix blobs share). */
  isDirectory(path: string): Promise<boolean>;
  source(options: TreeSourceOptions): Source;
  destination(mode: "directory" | "file"): Destination;
  /** The URL of an object as people may see it (no SAS). */
  display(key: string): string;
  deleteObject(key: string, options?: DeleteOptions): Promise<void>;
  /** Deletes a directory and all it holds in one request (Data Lake). */
  deleteTree?(path: string): Promise<void>;
  /** Deletes the directories under `path` that hold nothing, deepest first (after a recursive remove). */
  deleteEmptyFolders?(path: string): Promise<void>;
  /**
   * Checks that writing is allowed without leaving anything behind, where the service has a way
   * (Blob: stage a block that is never committed). A failure carries the probed name as `probed`.
   */
  probeWrite?(): Promise<void>;
  /**
   * Tries each data operation with requests that change nothing a user keeps (azcp access):
   * list one entry, read a name that does not exist, and with `write`, write and delete a
   * uniquely named empty marker. Each attempt says what it tried and how it failed, if it did.
   */
  probeAccess?(write: boolean): Promise<AccessAttempt[]>;
  /** What `list` shows for the location: the objects under it, or the one object it names. */
  list(): AsyncIterable<ListedObject>;
  /** Sets tier, metadata or tags in place (where features.setProperties says it can). */
  setProperties?(key: string, changes: PropertyChanges): Promise<void>;
  /** Creates the container, share or file system; false when it already existed. */
  createContainer(options: { quotaGb?: number | undefined }): Promise<boolean>;
  /** The containers (buckets) of the account, for a copy of all of them (S3, Cloud Storage). */
  listContainers?(): AsyncIterable<string>;
}

/**
 * The source changed while it was being copied (a local file written to, a blob replaced): the
 * copy is failed and nothing is left under the destination's final name.
 */
export class SourceChangedError extends AzcpError {
  constructor(
    readonly what: string,
    how: string,
  ) {
    // AzCopy's words lead, so scripts that look for them find them.
    super("source-changed", `source modified during transfer (${how}); its copy was not kept.`, {
      remedy: "Copy it again once nothing is writing to it.",
      errorCode: "SourceModifiedDuringTransfer",
    });
  }
}

/** One data operation tried at a location (see RemoteService.probeAccess). */
export interface AccessAttempt {
  action: DataAction;
  /** What was done, e.g. "list blobs in", for the explanation of a failure. */
  operation: string;
  /** The path it was done at. */
  path: string;
  /** Why it was refused; absent when it was allowed. */
  error?: unknown;
}

/** A writer failed because the object exists and ifNotExists was asked for. */
export class ObjectExistsError extends Error {
  constructor(readonly key: string) {
    super(`${key} already exists`);
    this.name = "ObjectExistsError";
  }
}
