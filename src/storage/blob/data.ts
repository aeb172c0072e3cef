// Blob Storage as a transfer source and destination, over the lean REST transport: listing,
// ranged Get Blob, Put Blob, Put Block + Put Block List, append and page writes, and Put
// Blob/Block From URL for server-side copies.
import type { RemoteLocation } from "../../location/location.js";
import { type BodySink, HttpError, type RestTransport } from "../../transport/http.js";
import {
  type ContentHeaders,
  type CopySource,
  type Destination,
  type ExistingObject,
  ObjectExistsError,
  type ObjectWriter,
  type RemoteEndpoint,
  type SoftDeleted,
  type Source,
  type SourceObject,
  type TreeSourceOptions,
  type WriteOptions,
} from "../backend.js";
import { chunkRange } from "../chunks.js";
import { metadataFlag } from "../posix-metadata.js";
import {
  contentHeadersOf,
  copyPin,
  destinationPrefix,
  displayObject,
  header,
  objectPath,
  quotedEtag,
  readRange,
  statObject,
} from "../rest/object.js";
import { type ListedBlob, listBlobPages } from "./listing.js";
import { type AccountInfo, accountInfo, tierAllowed } from "./ops.js";

/** Path of a blob from the transport's origin: /account/container/name (path-style) or /container/name. */
export const blobPath = objectPath;

export type BlobSourceOptions = RemoteEndpoint & TreeSourceOptions;

/** A soft-deleted snapshot or version of the kind --permanent-delete names. */
function isSoftDeletedCopy(item: ListedBlob, which: SoftDeleted): boolean {
  if (!item.deleted) return false;
  if (item.snapshot) return which !== "Versions";
  return item.versionId !== undefined && which !== "Snapshots";
}

export class BlobSource implements Source {
  readonly description: string;

  constructor(private readonly options: BlobSourceOptions) {
    this.description = options.transport.displayUrl(
      blobPath(options.location, options.single ?? options.prefix),
    );
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    const { single, versionIds } = this.options;
    if (single !== undefined) {
      const name = single.slice(single.lastIndexOf("/") + 1);
      if (!versionIds) {
        yield await this.statSingle(single, name);
        return;
      }
      // Each version lands beside the others, its id (":" made "-") before the blob's name.
      for await (const versionId of versionIds)
        yield await this.statSingle(single, `${versionId.replaceAll(":", "-")}-${name}`, versionId);
      return;
    }
    const { location, prefix, relativePrefix, recursive, nameFilter, keepDirectoryStubs } = this.options;
    // Metadata is always listed: it is what marks a directory stub, as AzCopy sees one.
    const softDeleted = this.options.softDeleted;
    const pages = listBlobPages(this.options.transport, location, {
      prefix,
      delimiter: recursive ? undefined : "/",
      withMetadata: true,
      withTags: this.options.withTags ?? false,
      include: softDeleted
        ? [
            "deleted",
            ...(softDeleted === "Versions" ? [] : (["snapshots"] as const)),
            ...(softDeleted === "Snapshots" ? [] : (["versions"] as const)),
          ]
        : undefined,
    });
    for await (const page of pages)
      for (const item of page) {
        // --permanent-delete acts on soft-deleted snapshots and versions only, never a base blob.
        if (softDeleted && !isSoftDeletedCopy(item, softDeleted)) continue;
        const rest = item.name.slice(prefix.length);
        // An empty blob whose name ends in "/" marks a folder; one that holds data is listed, and
        // a destination that cannot hold such a name (a disk) fails it rather than skip it.
        if (rest === "" || (rest.endsWith("/") && item.size === 0)) continue;
        // A directory stub (Data Lake, AzCopy's --preserve-posix-properties) is a folder, not a
        // file: AzCopy leaves it out of copies unless --include-directory-stub.
        if (!keepDirectoryStubs && metadataFlag(item.metadata, "hdi_isfolder")) continue;
        if (nameFilter && !nameFilter(rest.split("/")[0]!)) continue;
        const object: SourceObject = {
          relativePath: relativePrefix ? `${relativePrefix}/${rest}` : rest,
          size: item.size,
          lastModified: item.lastModified,
          contentMd5: item.contentMd5,
          headers: {
            contentType: item.contentType,
            contentEncoding: item.contentEncoding,
            contentLanguage: item.contentLanguage,
            contentDisposition: item.contentDisposition,
            cacheControl: item.cacheControl,
          },
          metadata: this.options.withMetadata ? item.metadata : undefined,
          blobType: item.blobType,
          accessTier: item.accessTier,
          tags: item.tags,
          key: item.name,
          pin: quotedEtag(item.etag),
          contentTime: this.options.withMetadata ? item.metadata?.mtime : undefined,
        };
        if (softDeleted && item.snapshot) object.snapshot = item.snapshot;
        else if (softDeleted && item.versionId) object.versionId = item.versionId;
        yield object;
      }
  }

  private async statSingle(key: string, relativePath: string, versionId?: string): Promise<SourceObject> {
    const response = await this.options.transport.send({
      method: "HEAD",
      path: blobPath(this.options.location, key),
      ...(versionId ? { query: { versionid: versionId } } : {}),
      expect: [200],
    });
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (name.startsWith("x-ms-meta-") && typeof value === "string") metadata[name.slice(10)] = value;
    }
    const modified = header(response, "last-modified");
    return {
      relativePath,
      size: Number(header(response, "content-length") ?? 0),
      lastModified: modified ? new Date(modified) : undefined,
      contentMd5: header(response, "content-md5"),
      headers: contentHeadersOf(response),
      metadata,
      blobType: header(response, "x-ms-blob-type"),
      accessTier: header(response, "x-ms-access-tier"),
      key,
      pin: header(response, "etag"),
      contentTime: metadata.mtime,
      ...(versionId ? { versionId } : {}),
    };
  }

  read(
    object: SourceObject,
    offset: number,
    length: number,
    into: Buffer | BodySink,
    signal?: AbortSignal,
  ): Promise<void> {
    return readRange(this.options, object.key, offset, length, into, signal, object.pin, object.versionId);
  }

  /** Reads as `read` does, handing the bytes on as they arrive. */
  readonly stream = this.read;

  display(object: SourceObject): string {
    return displayObject(this.options, object.key);
  }

  async copySource(object: SourceObject): Promise<CopySource> {
    const path = blobPath(this.options.location, object.key);
    return {
      url: this.options.transport.url(path),
      authorization: await this.options.transport.bearer(),
      ...copyPin(this.options, object),
    };
  }
}

export interface BlobDestinationOptions {
  location: RemoteLocation;
  transport: RestTransport;
  /** "file": the location names the blob to write; "directory": blobs go under its path. */
  mode: "directory" | "file";
}

export class BlobDestination implements Destination {
  readonly description: string;
  copyFromUrl = true;
  readonly recordsContentTime = true;
  readonly blobTypes = true;
  readonly createsIfAbsent = true;
  private readonly prefix: string;

  constructor(private readonly options: BlobDestinationOptions) {
    this.prefix = destinationPrefix(options.location.path, options.mode);
    this.description = displayObject(options, options.location.path);
  }

  keyFor(relativePath: string): string {
    return this.options.mode === "file" ? this.options.location.path : `${this.prefix}${relativePath}`;
  }

  private account: Promise<AccountInfo | undefined> | undefined;

  async tierAllowed(tier: string): Promise<boolean> {
    this.account ??= accountInfo(this.options.transport, this.options.location, this.options.location.path);
    return tierAllowed(await this.account, tier);
  }

  display(key: string): string {
    return displayObject(this.options, key);
  }

  stat(key: string): Promise<ExistingObject | undefined> {
    return statObject(this.options, key);
  }

  async writer(key: string, options: WriteOptions): Promise<ObjectWriter> {
    const path = blobPath(this.options.location, key);
    switch (options.blobType ?? "BlockBlob") {
      case "AppendBlob":
        return new AppendBlobWriter(this.options.transport, path, key, options);
      case "PageBlob":
        return new PageBlobWriter(this.options.transport, path, key, options);
      default:
        return new BlockBlobWriter(this.options.transport, path, key, options);
    }
  }
}

/** Content headers, metadata, tags and tier as request headers. */
function objectHeaders(options: WriteOptions, _blockList: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const h: ContentHeaders = options.headers;
  // x-ms-blob-* set the blob's properties on every kind of write (plain Content-Type describes a request body).
  const name = (plain: string) => `x-ms-blob-${plain}`;
  if (h.contentType) headers[name("content-type")] = h.contentType;
  if (h.contentEncoding) headers[name("content-encoding")] = h.contentEncoding;
  if (h.contentLanguage) headers[name("content-language")] = h.contentLanguage;
  if (h.contentDisposition) headers[name("content-disposition")] = h.contentDisposition;
  if (h.cacheControl) headers[name("cache-control")] = h.cacheControl;
  for (const [key, value] of Object.entries(options.metadata ?? {})) headers[`x-ms-meta-${key}`] = value;
  if (options.tags) headers["x-ms-tags"] = options.tags;
  if (options.tier) headers["x-ms-access-tier"] = options.tier;
  if (options.ifNotExists) headers["if-none-match"] = "*";
  return headers;
}

function existsOr(key: string) {
  return (error: unknown): never => {
    const status = (error as HttpError).statusCode;
    if (status === 409 || status === 412) {
      const code = (error as HttpError).code;
      // 412 SourceConditionNotMet is the source changing under a copy, not the blob existing.
      if (
        code === "BlobAlreadyExists" ||
        code === "ConditionNotMet" ||
        (status === 412 && code !== "SourceConditionNotMet")
      )
        throw new ObjectExistsError(key);
    }
    throw error;
  };
}

function copySourceHeaders(source: CopySource): Record<string, string> {
  return {
    ...source.headers,
    ...(source.ifMatch ? { "x-ms-source-if-match": source.ifMatch } : {}),
    ...(source.contentMd5 ? { "x-ms-source-content-md5": source.contentMd5 } : {}),
    "x-ms-copy-source": source.url,
    ...(source.authorization ? { "x-ms-copy-source-authorization": source.authorization } : {}),
  };
}

/** A copy from URL that keeps failing is redone through the client, so it is not retried long. */
const COPY_TRIES = 2;

/** Block ids must all have one length in a blob; this one is stable for a transfer and index. */
export function blockId(transferId: string, index: number): string {
  return Buffer.from(`${transferId}-${String(index).padStart(6, "0")}`).toString("base64");
}

class BlockBlobWriter implements ObjectWriter {
  readonly parallelChunks = true;
  readonly pinsCopySource = true;
  private count = 0;

  constructor(
    private readonly transport: RestTransport,
    private readonly path: string,
    private readonly key: string,
    private readonly options: WriteOptions,
  ) {
    this.count = options.plan.kind === "blocks" ? options.plan.count : 0;
  }

  /** A whole object waits for commit(): one Put Blob makes it visible, so an abort leaves nothing. */
  private pending: { data: Buffer; contentMd5?: Buffer | undefined } | undefined;

  async writeAll(data: Buffer, contentMd5?: Buffer): Promise<void> {
    this.pending = { data, contentMd5 };
  }

  private async putBlob({
    data,
    contentMd5,
  }: {
    data: Buffer;
    contentMd5?: Buffer | undefined;
  }): Promise<void> {
    await this.transport
      .send({
        method: "PUT",
        path: this.path,
        headers: {
          "x-ms-blob-type": "BlockBlob",
          ...objectHeaders(this.options, false),
          ...(contentMd5 ? { "content-md5": contentMd5.toString("base64") } : {}),
        },
        body: data,
        expect: [201],
      })
      .catch(existsOr(this.key));
  }

  /** Uncommitted blocks already on the service (id -> size), fetched once when resuming. */
  private staged: Promise<Map<string, number>> | undefined;

  private stagedBlocks(): Promise<Map<string, number>> {
    this.staged ??= this.fetchStaged().catch(() => new Map<string, number>());
    return this.staged;
  }

  private async fetchStaged(): Promise<Map<string, number>> {
    const response = await this.transport.send({
      method: "GET",
      path: this.path,
      query: { comp: "blocklist", blocklisttype: "uncommitted" },
      expect: [200, 404],
      text: true,
    });
    const blocks = new Map<string, number>();
    for (const match of (response.text ?? "").matchAll(
      /<Block><Name>([^<]*)<\/Name><Size>(\d+)<\/Size><\/Block>/g,
    ))
      blocks.set(match[1]!, Number(match[2]));
    return blocks;
  }

  async missingBlocks(): Promise<number> {
    const { plan } = this.options;
    if (plan.kind !== "blocks") return 0;
    const staged = await this.fetchStaged();
    let missing = 0;
    for (let index = 0; index < plan.count; index++)
      if (staged.get(blockId(this.options.transferId, index)) !== chunkRange(plan, index).length) missing++;
    return missing;
  }

  /** Bytes a resumed upload did not have to send again (for reports and tests). */
  skippedBytes = 0;

  async writeChunk(index: number, _offset: number, data: Buffer): Promise<void> {
    // A stream's length is known only at its end: the block list is as long as the blocks written.
    this.count = Math.max(this.count, index + 1);
    const id = blockId(this.options.transferId, index);
    if (this.options.resume && (await this.stagedBlocks()).get(id) === data.length) {
      this.skippedBytes += data.length;
      return;
    }
    await this.transport.send({
      method: "PUT",
      path: this.path,
      query: { comp: "block", blockid: blockId(this.options.transferId, index) },
      body: data,
      expect: [201],
    });
  }

  async copyAll(source: CopySource, _size: number): Promise<void> {
    await this.transport
      .send({
        method: "PUT",
        path: this.path,
        headers: {
          "x-ms-blob-type": "BlockBlob",
          ...copySourceHeaders(source),
          ...objectHeaders(this.options, false),
        },
        expect: [201],
        maxTries: COPY_TRIES,
      })
      .catch(existsOr(this.key));
  }

  async copyChunk(index: number, offset: number, length: number, source: CopySource): Promise<void> {
    await this.transport.send({
      method: "PUT",
      path: this.path,
      query: { comp: "block", blockid: blockId(this.options.transferId, index) },
      headers: {
        ...copySourceHeaders(source),
        "x-ms-source-range": `bytes=${offset}-${offset + length - 1}`,
      },
      expect: [201],
      maxTries: COPY_TRIES,
    });
  }

  async commit(options: { storeMd5?: Buffer | undefined } = {}): Promise<void> {
    if (this.pending) {
      const pending = this.pending;
      this.pending = undefined;
      return this.putBlob(pending);
    }
    if (this.options.plan.kind === "single") return;
    const ids = Array.from(
      { length: this.count },
      (_, index) => `<Latest>${blockId(this.options.transferId, index)}</Latest>`,
    );
    const body = Buffer.from(`<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.join("")}</BlockList>`);
    await this.transport
      .send({
        method: "PUT",
        path: this.path,
        query: { comp: "blocklist" },
        headers: {
          "content-type": "application/xml",
          ...objectHeaders(this.options, true),
          ...(options.storeMd5 ? { "x-ms-blob-content-md5": options.storeMd5.toString("base64") } : {}),
        },
        body,
        expect: [201],
      })
      .catch(existsOr(this.key));
  }

  async abort(): Promise<void> {
    // Nothing was put yet; uncommitted blocks are not visible, and the service discards them after a week.
    this.pending = undefined;
  }
}

/** Append blobs take their data in order, one append at a time. */
class AppendBlobWriter implements ObjectWriter {
  readonly parallelChunks = false;
  private created: Promise<void> | undefined;

  constructor(
    private readonly transport: RestTransport,
    private readonly path: string,
    private readonly key: string,
    private readonly options: WriteOptions,
  ) {}

  private create(): Promise<void> {
    this.created ??= this.transport
      .send({
        method: "PUT",
        path: this.path,
        headers: { "x-ms-blob-type": "AppendBlob", ...objectHeaders(this.options, false) },
        expect: [201],
      })
      .then(() => undefined)
      .catch(existsOr(this.key));
    return this.created;
  }

  private async append(data: Buffer, offset: number): Promise<void> {
    await this.create();
    if (data.length === 0) return;
    await this.transport.send({
      method: "PUT",
      path: this.path,
      query: { comp: "appendblock" },
      headers: { "x-ms-blob-condition-appendpos": String(offset) },
      body: data,
      expect: [201],
    });
  }

  writeAll(data: Buffer): Promise<void> {
    return this.append(data, 0);
  }

  writeChunk(_index: number, offset: number, data: Buffer): Promise<void> {
    return this.append(data, offset);
  }

  async commit(): Promise<void> {
    await this.create();
  }

  async abort(): Promise<void> {
    if (this.created)
      await this.transport
        .send({ method: "DELETE", path: this.path, expect: [202, 404] })
        .catch(() => undefined);
  }
}

/** Page blobs: a fixed size in 512-byte pages; pages of zeros are left unwritten (sparse). */
class PageBlobWriter implements ObjectWriter {
  readonly parallelChunks = true;
  private created: Promise<void> | undefined;

  constructor(
    private readonly transport: RestTransport,
    private readonly path: string,
    private readonly key: string,
    private readonly options: WriteOptions,
  ) {}

  private create(): Promise<void> {
    this.created ??= this.transport
      .send({
        method: "PUT",
        path: this.path,
        headers: {
          "x-ms-blob-type": "PageBlob",
          "x-ms-blob-content-length": String(this.options.plan.size),
          ...objectHeaders(this.options, false),
        },
        expect: [201],
      })
      .then(() => undefined)
      .catch(existsOr(this.key));
    return this.created;
  }

  private async writePages(data: Buffer, offset: number): Promise<void> {
    await this.create();
    if (data.length === 0 || data.every((byte) => byte === 0)) return;
    await this.transport.send({
      method: "PUT",
      path: this.path,
      query: { comp: "page" },
      headers: { "x-ms-page-write": "update", "x-ms-range": `bytes=${offset}-${offset + data.length - 1}` },
      body: data,
      expect: [201],
    });
  }

  writeAll(data: Buffer): Promise<void> {
    return this.writePages(data, 0);
  }

  writeChunk(_index: number, offset: number, data: Buffer): Promise<void> {
    return this.writePages(data, offset);
  }

  async commit(): Promise<void> {
    await this.create();
  }

  async abort(): Promise<void> {
    if (this.created)
      await this.transport
        .send({ method: "DELETE", path: this.path, expect: [202, 404] })
        .catch(() => undefined);
  }
}

export { HttpError };
