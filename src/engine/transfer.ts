// Moving one object from a source to a destination: decide whether to (overwrite rules), plan
// its chunks, and move them under the job's memory budget, streaming through this machine or
// letting the destination service copy from the source URL.

import { createHash } from "node:crypto";
import { AzcpError } from "../errors.js";
import {
  type ContentHeaders,
  type CopySource,
  type Destination,
  ObjectExistsError,
  type ObjectWriter,
  type Source,
  SourceChangedError,
  type SourceObject,
  type WriteOptions,
} from "../storage/backend.js";
import { type ChunkPlan, chunkRange } from "../storage/chunks.js";
import { sniffContentType, typeByExtension } from "../storage/mime.js";
import { isSymlinkMetadata, posixFromMetadata } from "../storage/posix-metadata.js";
import type { BufferPool, ByteBudget } from "./concurrency.js";
import { type Compression, compressionOf } from "./decompression.js";
import { acceptableMetadata, type InvalidMetadataHandling } from "./metadata-keys.js";
import { DEFAULT_BLOCK_SIZE, MIB, planChunks } from "./planner.js";
import type { TransferResult, TransferStatus } from "./summary.js";

export type OverwriteMode = "true" | "false" | "prompt" | "ifSourceNewer";
export type CheckMd5Mode = "NoCheck" | "LogOnly" | "FailIfDifferent" | "FailIfDifferentOrMissing";
export type BlobTypeOption = "Detect" | "BlockBlob" | "PageBlob" | "AppendBlob";

export interface TransferSettings {
  jobId: string;
  direction: "upload" | "download" | "s2s";
  overwrite: OverwriteMode;
  /** Answers --overwrite prompt for one destination. */
  askOverwrite?: ((destination: string) => Promise<boolean>) | undefined;
  blockSize?: number | undefined;
  putBlobSize?: number | undefined;
  blobType: BlobTypeOption;
  tier?: string | undefined;
  /** What to do with source metadata keys Azure does not accept (--s2s-handle-invalid-metadata). */
  invalidMetadata?: InvalidMetadataHandling | undefined;
  /** Replace read-only files on Azure Files (--force-if-read-only). */
  forceIfReadOnly?: boolean | undefined;
  /** Decompress downloads whose Content-Encoding is gzip or deflate (--decompress). */
  decompress?: boolean | undefined;
  /** Tier of uploaded page blobs (--page-blob-tier). */
  pageTier?: string | undefined;
  metadata?: Record<string, string> | undefined;
  tags?: string | undefined;
  /** Headers the user set (--content-type and friends). */
  headers: ContentHeaders;
  guessMimeType: boolean;
  putMd5: boolean;
  checkMd5: CheckMd5Mode;
  preserveLastModifiedTime: boolean;
  s2sPreserveProperties: boolean;
  s2sPreserveAccessTier: boolean;
  /** Carry SMB times and attributes (Azure Files), and a local file's modification time. */
  preserveInfo: boolean;
  /** Keep local files' POSIX properties in blob metadata, and give them back on download. */
  preservePosix?: boolean | undefined;
  /** Copy blob index tags between Blob accounts (--s2s-preserve-blob-tags). */
  s2sPreserveBlobTags?: boolean | undefined;
  /** Upload symbolic links as blobs holding their target, and make links of those on download. */
  preserveSymlinks?: boolean | undefined;
  /** Carry Data Lake ACLs. */
  preservePermissions: boolean;
  /** Keep each source's exact modification time in the destination's metadata (sync, where it can). */
  recordContentTime?: boolean | undefined;
  /** A resumed job: blocks already on the service are not sent again. */
  resume?: boolean | undefined;
  /** One job over several machines (--shard): large copies to block blobs are shared by block. */
  split?: BlockSplit | undefined;
}

/**
 * A file of at least `minSize` bytes copied to a block blob (uploaded, or copied from another
 * container) is shared among the shards: each stages every count-th block (see blocksOf), and the
 * shard that owns the file commits it once every block is there (waiting at most `waitMs`).
 * `seed`, the same on every shard, names the blocks.
 */
export interface BlockSplit {
  index: number;
  count: number;
  minSize: number;
  waitMs: number;
  seed: string;
}

export interface TransferContext {
  source: Source;
  destination: Destination;
  settings: TransferSettings;
  memory: ByteBudget;
  pool: BufferPool;
  signal: AbortSignal;
  /** Bytes moved so far by running transfers (for progress). */
  onBytes(delta: number): void;
  notice(text: string): void;
  warn(text: string): void;
  /** Turn a failure into an explained AzcpError (the job knows the locations and the access). */
  explain(error: unknown, object: SourceObject, destinationKey: string): Promise<AzcpError>;
  /** This shard only stages its blocks of a file another shard owns and commits (see BlockSplit). */
  helper?: boolean | undefined;
}

/** Whether this object is shared among the shards by block (see BlockSplit). */
export function splitAmongShards(
  settings: TransferSettings,
  destination: Destination,
  object: SourceObject,
): boolean {
  const split = settings.split;
  return (
    split !== undefined &&
    split.count > 1 &&
    !object.folder &&
    object.symlink === undefined &&
    object.size >= split.minSize &&
    settings.direction !== "download" &&
    // The whole file's MD5 would need every block read on one machine.
    !settings.putMd5 &&
    blobTypeFor(settings, destination, object) === "BlockBlob"
  );
}

const PAGE_CHUNK = 4 * MIB;
const APPEND_CHUNK = 4 * MIB;

/**
 * The stem of a transfer's block ids. Resume keeps a staged block whose id and size match, so
 * the id also names the source's size, last-modified time and the block size: a file changed
 * between runs gets new ids, and its old blocks are never committed with the new ones.
 */
function stableId(jobId: string, key: string, object: SourceObject, blockSize: number): string {
  const version = `${object.size}\0${object.lastModified?.getTime() ?? ""}\0${blockSize}`;
  return createHash("sha256").update(`${jobId}\0${key}\0${version}`).digest("hex").slice(0, 16);
}

function blobTypeFor(
  settings: TransferSettings,
  destination: Destination,
  object: SourceObject,
): "BlockBlob" | "PageBlob" | "AppendBlob" | undefined {
  if (!destination.blobTypes) return undefined;
  if (settings.blobType !== "Detect") return settings.blobType;
  if (settings.direction === "s2s" && (object.blobType === "PageBlob" || object.blobType === "AppendBlob"))
    return object.blobType;
  if (settings.direction === "upload" && /\.vhdx?$/i.test(object.relativePath)) return "PageBlob";
  return "BlockBlob";
}

function planFor(
  size: number,
  blobType: string | undefined,
  settings: TransferSettings,
  maxChunkSize: number | undefined,
): ChunkPlan {
  if (blobType === "PageBlob") {
    if (size % 512 !== 0) {
      throw new AzcpError(
        "bad-input",
        `A page blob's size must be a multiple of 512 bytes, and this file has ${size}.`,
        {
          remedy: "Upload it as a block blob (--blob-type BlockBlob), or pad it to a multiple of 512 bytes.",
        },
      );
    }
    return size === 0
      ? { kind: "single", size }
      : { kind: "blocks", size, blockSize: PAGE_CHUNK, count: Math.ceil(size / PAGE_CHUNK) };
  }
  if (blobType === "AppendBlob") {
    return size === 0
      ? { kind: "single", size }
      : { kind: "blocks", size, blockSize: APPEND_CHUNK, count: Math.ceil(size / APPEND_CHUNK) };
  }
  return planChunks(size, {
    blockSize: settings.blockSize,
    putBlobSize: settings.putBlobSize,
    maxChunkSize,
  });
}

/** What the destination object's headers should be. */
async function headersFor(
  context: TransferContext,
  object: SourceObject,
  head: () => Promise<Buffer>,
): Promise<ContentHeaders> {
  const { settings } = context;
  if (settings.direction === "s2s")
    return settings.s2sPreserveProperties
      ? { ...object.headers, ...definedOnly(settings.headers) }
      : definedOnly(settings.headers);
  if (settings.direction === "download") return {};
  const headers = definedOnly(settings.headers);
  if (!headers.contentType) {
    headers.contentType = settings.guessMimeType
      ? (typeByExtension(object.relativePath) ?? sniffContentType(await head()))
      : "application/octet-stream";
  }
  return headers;
}

function definedOnly(headers: ContentHeaders): ContentHeaders {
  return Object.fromEntries(
    Object.entries(headers).filter(([, value]) => value !== undefined && value !== ""),
  );
}

export async function transferObject(
  context: TransferContext,
  object: SourceObject,
): Promise<TransferResult> {
  const { source, destination, settings } = context;
  const base = {
    path: object.relativePath,
    ...(object.folder ? { folder: true } : {}),
    source: source.display(object),
    destination: "",
    size: object.size,
  };
  let key: string;
  try {
    if (object.failure) throw object.failure;
    if (object.relativePath.split("/").some((segment) => segment === "." || segment === "..")) {
      // A name like "a/../b" means another place to the service (or to a disk): never follow it.
      throw new AzcpError("bad-input", `The name "${object.relativePath}" has a "." or ".." part.`, {
        remedy: "Rename it, or leave it out with --exclude-path or --exclude-regex.",
      });
    }
    key = destination.keyFor(object.relativePath);
  } catch (error) {
    const explained = await context.explain(error, object, "");
    return { ...base, status: "Failed", error: explained, errorCode: explained.errorCode };
  }
  const result = (status: TransferStatus, error?: AzcpError): TransferResult => ({
    ...base,
    destination: destination.display(key),
    status,
    ...(error ? { error, statusCode: error.statusCode, errorCode: error.errorCode } : {}),
  });

  try {
    if (object.folder) {
      await destination.makeFolder?.(key, {
        smb: settings.preserveInfo ? object.smb : undefined,
        acl: settings.preservePermissions ? object.acl : undefined,
      });
      return result("Success");
    }
    const blobType = blobTypeFor(settings, destination, object);
    const plan = planFor(object.size, blobType, settings, destination.maxChunkSize);
    // A file that fits one request has no blocks to share: the shard that owns it copies it.
    if (context.helper && plan.kind !== "blocks") return result("Success");
    if (settings.overwrite !== "true") {
      const skip = await overwriteDecision(context, key, object, plan);
      if (skip) return result(skip);
    }
    const serverSide =
      settings.direction === "s2s" && destination.copyFromUrl && source.copySource !== undefined;
    const move = () =>
      serverSide
        ? copyServerSide(context, object, key, plan, blobType)
        : stream(context, object, key, plan, blobType);
    try {
      await move();
    } catch (error) {
      // Data that arrived damaged is fetched once more before the transfer fails.
      if ((error as { code?: string }).code !== "AZCP_CORRUPT") throw error;
      context.warn(`MD5 mismatch for ${source.display(object)}; downloading it again.`);
      await move();
    }
    return result("Success");
  } catch (error) {
    if (error instanceof ObjectExistsError) return result("SkippedEntityAlreadyExists");
    return result("Failed", await context.explain(error, object, key));
  } finally {
    await source.release?.(object).catch(() => undefined);
  }
}

async function overwriteDecision(
  context: TransferContext,
  key: string,
  object: SourceObject,
  plan: ChunkPlan,
): Promise<TransferStatus | undefined> {
  const { settings, destination } = context;
  // A single request can be made conditional (If-None-Match / link), which saves a lookup.
  if (settings.overwrite === "false" && plan.kind === "single" && destination.createsIfAbsent)
    return undefined;
  const existing = await destination.stat(key);
  if (!existing) return undefined;
  switch (settings.overwrite) {
    case "false":
      return "SkippedEntityAlreadyExists";
    case "ifSourceNewer":
      return object.lastModified &&
        existing.lastModified &&
        object.lastModified.getTime() <= existing.lastModified.getTime()
        ? "SkippedIfSourceNotNewer"
        : undefined;
    case "prompt":
      return (await settings.askOverwrite?.(destination.display(key))) ? undefined : "SkippedByUser";
    default:
      return undefined;
  }
}

function writeOptions(
  context: TransferContext,
  object: SourceObject,
  key: string,
  plan: ChunkPlan,
  headers: ContentHeaders,
  blobType: WriteOptions["blobType"],
): WriteOptions {
  const { settings } = context;
  const upload = settings.direction !== "download";
  const given =
    settings.metadata ??
    (settings.direction === "s2s" && settings.s2sPreserveProperties && object.metadata
      ? acceptableMetadata(object.metadata, settings.invalidMetadata ?? "ExcludeIfInvalid", (keys) =>
          context.warn(
            `METADATAWARNING: For source "${context.source.display(object)}", invalid metadata with keys '${keys.join(", ")}' are excluded`,
          ),
        )
      : undefined);
  const withPosix = settings.preservePosix && object.posix ? { ...object.posix, ...given } : given;
  const withLink = object.symlink !== undefined ? { ...withPosix, is_symlink: "true" } : withPosix;
  const metadata =
    settings.recordContentTime && object.contentTime && context.destination.recordsContentTime
      ? { ...withLink, mtime: object.contentTime }
      : withLink;
  const tier =
    settings.tier ??
    (settings.direction === "s2s" && settings.s2sPreserveAccessTier ? object.accessTier : undefined);
  return {
    plan,
    headers,
    metadata: upload ? metadata : undefined,
    tags: upload
      ? (settings.tags ??
        (settings.direction === "s2s" && settings.s2sPreserveBlobTags ? object.tags : undefined))
      : undefined,
    tier: !upload
      ? undefined
      : blobType === "BlockBlob"
        ? tier
        : blobType === "PageBlob"
          ? settings.pageTier
          : undefined,
    blobType,
    ifNotExists: settings.overwrite === "false",
    lastModified:
      settings.direction !== "download"
        ? undefined
        : settings.preserveInfo && object.smb?.lastWriteTime
          ? object.smb.lastWriteTime
          : settings.preserveLastModifiedTime
            ? object.lastModified
            : undefined,
    smb: upload && settings.preserveInfo ? (object.smb ?? { lastWriteTime: object.lastModified }) : undefined,
    acl: upload && settings.preservePermissions ? object.acl : undefined,
    posix: !upload && settings.preservePosix ? posixFromMetadata(object.metadata) : undefined,
    symlink: !upload && settings.preserveSymlinks === true && isSymlinkMetadata(object.metadata),
    jobId: settings.jobId,
    // Only block ids use it; a hash per small file is wasted work.
    transferId:
      plan.kind === "blocks"
        ? stableId(settings.split?.seed ?? settings.jobId, key, object, plan.blockSize)
        : "",
    // Shards staging blocks of one file skip those already there (a rerun sends only what is missing).
    resume: settings.resume || settings.split !== undefined,
    decompress: compressionFor(settings, object),
    forceIfReadOnly: settings.forceIfReadOnly,
  };
}

/** How a download is to be decompressed (--decompress), by its Content-Encoding. */
function compressionFor(settings: TransferSettings, object: SourceObject): Compression | undefined {
  return settings.decompress && settings.direction === "download"
    ? compressionOf(object.headers?.contentEncoding)
    : undefined;
}

/** The MD5 to compare a download with, by --check-md5; undefined means no check. */
function expectedMd5(context: TransferContext, object: SourceObject): string | undefined {
  const { checkMd5, direction } = context.settings;
  if (direction !== "download" || checkMd5 === "NoCheck") return undefined;
  if (!object.contentMd5) {
    if (checkMd5 === "FailIfDifferentOrMissing") {
      throw new AzcpError(
        "service",
        `${context.source.display(object)} has no MD5 to check the download against.`,
        {
          remedy: "Use --check-md5 FailIfDifferent (or NoCheck), or store MD5s when uploading (--put-md5).",
        },
      );
    }
    return undefined;
  }
  return object.contentMd5;
}

async function stream(
  context: TransferContext,
  object: SourceObject,
  key: string,
  plan: ChunkPlan,
  blobType: WriteOptions["blobType"],
): Promise<void> {
  const { source, settings } = context;
  const verify = expectedMd5(context, object);
  const logOnly = settings.checkMd5 === "LogOnly";

  if (plan.kind === "single") {
    const release = await context.memory.acquire(plan.size);
    const buffer = context.pool.get(plan.size);
    try {
      const data = buffer.subarray(0, plan.size);
      await source.read(object, 0, plan.size, data, context.signal);
      if (verify !== undefined && createHash("md5").update(data).digest("base64") !== verify) {
        // Read it once more: a corrupted response must not be kept as good.
        await source.read(object, 0, plan.size, data, context.signal);
        if (createHash("md5").update(data).digest("base64") !== verify && !logOnly)
          throw corrupt(context, object);
      }
      const headers = await headersFor(context, object, async () => data);
      const writer = await context.destination.writer(
        key,
        writeOptions(context, object, key, plan, headers, blobType),
      );
      try {
        const md5 =
          settings.putMd5 && settings.direction === "upload"
            ? createHash("md5").update(data).digest()
            : preservedMd5(context, object);
        // Checked before anything is sent: the data just read is the version that was listed.
        await source.checkUnchanged?.(object);
        await writer.writeAll(data, md5);
        await writer.commit({ storeMd5: md5 });
      } catch (error) {
        await writer.abort().catch(() => undefined);
        throw error;
      }
      context.onBytes(plan.size);
    } finally {
      context.pool.put(buffer);
      release();
    }
    return;
  }

  const headers = await headersFor(context, object, async () => {
    const head = Buffer.alloc(Math.min(512, plan.size));
    await source.read(object, 0, head.length, head, context.signal);
    return head;
  });
  const options = writeOptions(context, object, key, plan, headers, blobType);
  const writer = await context.destination.writer(key, options);
  const hash = settings.putMd5 && settings.direction === "upload" ? createHash("md5") : undefined;
  const sequentialReads = hash !== undefined || !writer.parallelChunks;
  const split = sharedBlocks(context, object, plan, writer);
  // A download to local files goes from the socket to the file: no chunk is held in memory.
  const streamed = !sequentialReads && source.stream && writer.chunkSink;
  try {
    await forEachChunk(
      context,
      streamed && !split && settings.blockSize === undefined ? streamedRanges(plan) : plan,
      writer.parallelChunks,
      streamed
        ? {
            streamed: async (offset, length) => {
              const sink = writer.chunkSink!(offset);
              await source.stream!(object, offset, length, sink, context.signal);
              await sink.flush();
            },
          }
        : {
            read: async (data, offset) => {
              await source.read(object, offset, data.length, data, context.signal);
              hash?.update(data);
            },
            write: (index, data, offset) => writer.writeChunk(index, offset, data),
            sequentialReads,
          },
      split && blocksOf(split, options.transferId),
    );
    await source.checkUnchanged?.(object);
    if (split) {
      // A helper stages its blocks and leaves the commit to the shard that owns the file.
      if (context.helper) return;
      await waitForOtherShards(context, object, writer, split);
    }
    try {
      await writer.commit({ storeMd5: hash?.digest() ?? preservedMd5(context, object), verifyMd5: verify });
    } catch (error) {
      if ((error as { code?: string }).code === "AZCP_CORRUPT" && logOnly) {
        context.warn(`MD5 mismatch for ${context.source.display(object)} (kept, --check-md5 LogOnly).`);
        await writer.commit({});
      } else throw error;
    }
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

/** The longest range a streamed download asks for when no --block-size-mb is given. */
const STREAMED_RANGE = 32 * MIB;

/**
 * Ranges of a download streamed to a file: no memory holds them, so fewer and longer requests
 * (each has a fixed cost at the service and here, whatever its length), while a file still
 * makes at least 16 of them to spread over the connections.
 */
export function streamedRanges(plan: ChunkPlan): ChunkPlan {
  if (plan.kind !== "blocks") return plan;
  const wanted = Math.ceil(plan.size / 16 / MIB) * MIB;
  const length = Math.max(plan.blockSize, Math.min(STREAMED_RANGE, wanted));
  if (length === plan.blockSize) return plan;
  return { kind: "blocks", size: plan.size, blockSize: length, count: Math.ceil(plan.size / length) };
}

/** How chunks move: read into a buffer then written, or streamed from source to destination. */
type ChunkMove =
  | {
      read: (data: Buffer, offset: number) => Promise<void>;
      write: (index: number, data: Buffer, offset: number) => Promise<void>;
      /** Read in order (hashing needs it); only writes overlap. */
      sequentialReads: boolean;
    }
  | { streamed: (offset: number, length: number) => Promise<void> };

/**
 * Runs every chunk under the memory budget (a streamed chunk counts its whole length, which
 * keeps the number of requests in flight what it is for buffered chunks); stops scheduling at
 * the first failure and waits for what is in flight.
 */
async function forEachChunk(
  context: TransferContext,
  plan: ChunkPlan,
  parallel: boolean,
  move: ChunkMove,
  /** The chunks this machine moves, when shards share the object (default: all). */
  mine?: ((index: number) => boolean) | undefined,
): Promise<void> {
  const count = plan.kind === "blocks" ? plan.count : 1;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for (let index = 0; index < count && failure === undefined && !context.signal.aborted; index++) {
    if (mine && !mine(index)) continue;
    const { offset, length } = chunkRange(plan, index);
    // A streamed range holds a few slabs, not its length: it counts as one default block, which
    // keeps as many requests in flight as buffered chunks have.
    const release = await context.memory.acquire(
      "streamed" in move ? Math.min(length, DEFAULT_BLOCK_SIZE) : length,
    );
    const buffer = "streamed" in move ? undefined : context.pool.get(length);
    const data = buffer?.subarray(0, length);
    const finish = () => {
      if (buffer) context.pool.put(buffer);
      release();
    };
    const readFirst = !("streamed" in move) && move.sequentialReads;
    if (readFirst) {
      try {
        await move.read(data!, offset);
      } catch (error) {
        finish();
        failure = error;
        break;
      }
    }
    const task = (async () => {
      try {
        if ("streamed" in move) await move.streamed(offset, length);
        else {
          if (!readFirst) await move.read(data!, offset);
          await move.write(index, data!, offset);
        }
        context.onBytes(length);
      } catch (error) {
        failure ??= error;
      } finally {
        finish();
      }
    })();
    if (!parallel) {
      await task;
      continue;
    }
    inFlight.add(task);
    void task.then(() => inFlight.delete(task));
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  if (context.signal.aborted) throw new AzcpError("cancelled", "The job was cancelled.");
}

/** How this shard shares the object's blocks with the others, if it does (see BlockSplit). */
function sharedBlocks(
  context: TransferContext,
  object: SourceObject,
  plan: ChunkPlan,
  writer: ObjectWriter,
): BlockSplit | undefined {
  const shared =
    plan.kind === "blocks" &&
    writer.missingBlocks !== undefined &&
    (context.helper === true || splitAmongShards(context.settings, context.destination, object));
  return shared ? context.settings.split : undefined;
}

/**
 * The blocks of a shared file this shard stages: every count-th, from a start that differs from
 * file to file (taken from the transfer id, the same on every shard), so that no shard always
 * gets the extra ones.
 */
function blocksOf(split: BlockSplit, transferId: string): (index: number) => boolean {
  const start = Number.parseInt(transferId.slice(0, 8), 16) % split.count;
  return (index) => (index + start) % split.count === split.index;
}

/** The owner of a shared file waits until the other shards staged their blocks (see BlockSplit). */
async function waitForOtherShards(
  context: TransferContext,
  object: SourceObject,
  writer: ObjectWriter,
  split: BlockSplit,
): Promise<void> {
  const deadline = Date.now() + split.waitMs;
  for (;;) {
    const missing = await writer.missingBlocks!();
    if (missing === 0) return;
    if (Date.now() >= deadline || context.signal.aborted)
      throw new AzcpError(
        "service",
        `${context.source.display(object)}: ${missing} of its blocks, which the other shards upload, were not there after ${Math.round(split.waitMs / 1000)} s.`,
        {
          remedy:
            "Run every shard of the job; then run this one again: it sends only what is missing and commits the file.",
        },
      );
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(0, deadline - Date.now()))));
  }
}

/** Thrown when a copy in one request could not be checked by MD5: it is done again, staged. */
const RESTAGE = Symbol("copy again as a staged block");

async function copyServerSide(
  context: TransferContext,
  object: SourceObject,
  key: string,
  wholePlan: ChunkPlan,
  blobType: WriteOptions["blobType"],
  unverifiable = false,
): Promise<void> {
  const headers = await headersFor(context, object, async () => Buffer.alloc(0));
  const copySource = await context.source.copySource!(object);
  // A copy in one request (Put Blob From URL) lands under the final name at once, so the service
  // must hold it to the listed version: by the source's ETag (Azure sources), or by the MD5 the
  // source states for it (another cloud's), which it checks against what it read. A source that
  // allows neither goes as one block instead, checked before it is committed.
  const whole = wholePlan.kind === "single" && wholePlan.size > 0;
  const statedMd5 = whole && !copySource.ifMatch && !unverifiable ? copySource.contentMd5 : undefined;
  const plan: ChunkPlan =
    whole && !copySource.ifMatch && statedMd5 === undefined
      ? { kind: "blocks", size: wholePlan.size, blockSize: wholePlan.size, count: 1 }
      : wholePlan;
  const plainSource: CopySource = { ...copySource, contentMd5: undefined };
  let damaged: AzcpError | undefined;
  const options = writeOptions(context, object, key, plan, headers, blobType);
  const writer = await context.destination.writer(key, options);
  if (!writer.copyAll || !writer.copyChunk || (blobType !== undefined && blobType !== "BlockBlob")) {
    await writer.abort();
    return stream(context, object, key, plan, blobType);
  }
  const split = sharedBlocks(context, object, plan, writer);
  try {
    if (plan.kind === "single") {
      try {
        await writer.copyAll({ ...plainSource, contentMd5: statedMd5 }, plan.size);
      } catch (error) {
        // Md5Mismatch, in whichever spelling a service version gives it.
        if (!/md5/i.test((error as { code?: string }).code ?? "")) throw error;
        // An MD5 the source keeps for the object (Cloud Storage's, of the generation the URL
        // names) that its bytes do not match is damage. An S3 ETag is only a claim: the object
        // may be encrypted with KMS (its ETag is no MD5) or replaced since it was listed; the
        // staged copy tells which.
        if (object.contentMd5 === statedMd5) {
          damaged = corrupt(context, object);
          throw damaged;
        }
        throw RESTAGE;
      }
      context.onBytes(plan.size);
    } else {
      const mine = split && blocksOf(split, options.transferId);
      const indexes = Array.from({ length: plan.count }, (_, index) => index).filter(
        (index) => !mine || mine(index),
      );
      let next = 0;
      let failure: unknown;
      // The service moves the bytes: no memory is held here, only requests are in flight.
      const lanes = Array.from({ length: Math.min(16, indexes.length) }, async () => {
        while (failure === undefined && next < indexes.length && !context.signal.aborted) {
          const index = indexes[next++]!;
          const { offset, length } = chunkRange(plan, index);
          try {
            await writer.copyChunk!(index, offset, length, plainSource);
            context.onBytes(length);
          } catch (error) {
            failure ??= error;
          }
        }
      });
      await Promise.all(lanes);
      if (failure !== undefined) throw failure;
    }
    if (split) {
      if (context.helper) return;
      await waitForOtherShards(context, object, writer, split);
    }
    // A destination pins the copy itself to a condition the source gave it (an Azure source's
    // ETag, another cloud's MD5 of the listed version); otherwise the source is asked again.
    if (!writer.pinsCopySource || (!copySource.ifMatch && statedMd5 === undefined))
      await copySource.checkUnchanged?.();
    await writer.commit({ storeMd5: preservedMd5(context, object) });
  } catch (error) {
    await writer.abort().catch(() => undefined);
    if (error === RESTAGE) return copyServerSide(context, object, key, wholePlan, blobType, true);
    // Neither is mended by copying through this machine: the same bytes would be read.
    if (error instanceof SourceChangedError || error === damaged) throw error;
    // The service could not read the source: when that is because it changed (a URL that names
    // one version finds it gone), say so.
    if ((error as { code?: string }).code === "CannotVerifyCopySource") await copySource.checkUnchanged?.();
    const status = (error as { statusCode?: number }).statusCode ?? 0;
    if (status === 412 && (error as { code?: string }).code === "SourceConditionNotMet")
      throw new SourceChangedError(context.source.display(object), "its ETag changed");
    // 501, or a 5xx without a storage error code (an emulator that lacks the operation).
    const unsupported = status === 501 || (status >= 500 && !(error as { code?: string }).code);
    if (unsupported && context.destination.copyFromUrl) {
      context.destination.copyFromUrl = false;
      context.notice(
        `INFO: The destination service does not support copying from a URL (${status === 501 ? "501 Not Implemented" : `${status} without an error code`}); azcp copies the data through this machine instead.`,
      );
    }
    if (!context.destination.copyFromUrl) return stream(context, object, key, plan, blobType);
    // This object could not be copied by the service (it kept failing, or the connection did):
    // move it through this machine instead.
    if (status >= 500 || status === 0) return stream(context, object, key, plan, blobType);
    throw error;
  }
}

/** A service-to-service copy keeps the source's MD5 (with --s2s-preserve-properties). */
function preservedMd5(context: TransferContext, object: SourceObject): Buffer | undefined {
  const { direction, s2sPreserveProperties } = context.settings;
  return direction === "s2s" && s2sPreserveProperties && object.contentMd5
    ? Buffer.from(object.contentMd5, "base64")
    : undefined;
}

function corrupt(context: TransferContext, object: SourceObject): AzcpError {
  return new AzcpError(
    "service",
    `The data downloaded for ${context.source.display(object)} does not match its MD5.`,
    {
      remedy: "Run the copy again; if it repeats, the stored object may be damaged.",
    },
  );
}
