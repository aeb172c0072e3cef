// Data Lake Storage (the dfs endpoint) as a transfer source and destination, over the lean REST
// transport: a sorted directory-by-directory listing, ranged reads, uploads to a temporary name
// as Create + Append (in parallel, at their positions) + Flush, renamed onto the final name when
// complete; real directories, recursive delete in one request, and POSIX ACLs.
import { randomBytes } from "node:crypto";
import { encodePath, type RemoteLocation } from "../../location/location.js";
import type { BodySink, HttpError, RestTransport } from "../../transport/http.js";
import {
  type BackendFeatures,
  type ContentHeaders,
  type CopySource,
  type Destination,
  type ExistingObject,
  type FolderOptions,
  type ListedObject,
  ObjectExistsError,
  type ObjectWriter,
  type RemoteEndpoint,
  type RemoteService,
  type Source,
  type SourceObject,
  type TreeSourceOptions,
  type WriteOptions,
} from "../backend.js";
import { listTree } from "../rest/list-tree.js";
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
import { mapOrdered } from "../rest/ordered-map.js";
import { checkRelativePath, deleteEmptyFolders, type TreeEntry, walkTree } from "../rest/tree-walk.js";

/** The largest Append Data request this client sends. */
export const MAX_APPEND = 100 * 1024 * 1024;

function statusOf(error: unknown): number | undefined {
  return (error as HttpError).statusCode;
}

function codeOf(error: unknown): string | undefined {
  return (error as HttpError).code;
}

interface ListedPath {
  name?: string;
  isDirectory?: string | boolean;
  contentLength?: string | number;
  lastModified?: string;
  etag?: string;
}

async function listDirectory(
  transport: RestTransport,
  location: RemoteLocation,
  directory: string,
): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  let continuation: string | undefined;
  do {
    const response = await transport.send({
      method: "GET",
      path: objectPath(location, ""),
      query: {
        resource: "filesystem",
        recursive: "false",
        maxResults: "5000",
        ...(directory ? { directory } : {}),
        ...(continuation ? { continuation } : {}),
      },
      expect: [200],
      text: true,
    });
    const body = JSON.parse(response.text || "{}") as { paths?: ListedPath[] };
    for (const path of body.paths ?? []) {
      const name = path.name ?? "";
      entries.push({
        name: name.slice(name.lastIndexOf("/") + 1),
        isDirectory: path.isDirectory === true || path.isDirectory === "true",
        size: Number(path.contentLength ?? 0),
        lastModified: path.lastModified ? new Date(path.lastModified) : undefined,
        etag: quotedEtag(path.etag),
      });
    }
    continuation = header(response, "x-ms-continuation") || undefined;
  } while (continuation);
  return entries;
}

/** Metadata travels in x-ms-properties as "name=base64(value)" pairs. */
function encodeProperties(metadata: Record<string, string> | undefined): Record<string, string> {
  const pairs = Object.entries(metadata ?? {}).map(
    ([name, value]) => `${name}=${Buffer.from(value).toString("base64")}`,
  );
  return pairs.length ? { "x-ms-properties": pairs.join(",") } : {};
}

function decodeProperties(text: string | undefined): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    const equals = pair.indexOf("=");
    if (equals > 0)
      metadata[pair.slice(0, equals)] = Buffer.from(pair.slice(equals + 1), "base64").toString("utf8");
  }
  return metadata;
}

function contentHeaders(headers: ContentHeaders, md5: Buffer | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers.contentType) result["x-ms-content-type"] = headers.contentType;
  if (headers.contentEncoding) result["x-ms-content-encoding"] = headers.contentEncoding;
  if (headers.contentLanguage) result["x-ms-content-language"] = headers.contentLanguage;
  if (headers.contentDisposition) result["x-ms-content-disposition"] = headers.contentDisposition;
  if (headers.cacheControl) result["x-ms-cache-control"] = headers.cacheControl;
  if (md5) result["x-ms-content-md5"] = md5.toString("base64");
  return result;
}

export class DataLakeSource implements Source {
  readonly description: string;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly options: TreeSourceOptions,
  ) {
    this.description = endpoint.transport.displayUrl(
      objectPath(endpoint.location, options.single ?? options.prefix),
    );
    const { transport, location } = endpoint;
    if (!location.pathStyle && /\.dfs\./.test(transport.origin)) {
      this.copySource = async (object) => {
        const sas = transport.sas;
        const blobOrigin = transport.origin.replace(/\.dfs\./, ".blob.");
        return {
          url: `${blobOrigin}${objectPath(location, object.key)}${sas ? `?${sas}` : ""}`,
          authorization: await transport.bearer(),
          ...copyPin(endpoint, object),
        };
      };
    }
  }

  private async acl(key: string): Promise<string | undefined> {
    const response = await this.endpoint.transport.send({
      method: "HEAD",
      path: objectPath(this.endpoint.location, key),
      query: { action: "getAccessControl" },
      expect: [200],
    });
    return header(response, "x-ms-acl");
  }

  private async properties(key: string, relativePath: string): Promise<SourceObject> {
    const response = await this.endpoint.transport.send({
      method: "HEAD",
      path: objectPath(this.endpoint.location, key),
      expect: [200],
    });
    const lastModified = header(response, "last-modified");
    return {
      relativePath,
      key,
      size: Number(header(response, "content-length") ?? 0),
      lastModified: lastModified ? new Date(lastModified) : undefined,
      pin: header(response, "etag"),
      contentMd5: header(response, "content-md5"),
      headers: contentHeadersOf(response),
      metadata: decodeProperties(header(response, "x-ms-properties")),
    };
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    const { single, prefix, relativePrefix, recursive, nameFilter, withFolders, withAcl } = this.options;
    const withProperties = this.options.withMetadata || this.options.withMd5;
    if (single !== undefined) {
      const object = await this.properties(single, single.slice(single.lastIndexOf("/") + 1));
      yield withAcl ? { ...object, acl: await this.acl(single) } : object;
      return;
    }
    const { transport, location } = this.endpoint;
    const root = prefix.replace(/\/+$/, "");
    if (withFolders && relativePrefix && root) {
      // The directory itself is copied as a folder too (--as-subdir), with its own ACL.
      const folder = {
        relativePath: relativePrefix,
        key: root,
        size: 0,
        lastModified: undefined,
        folder: true,
      };
      yield withAcl ? { ...folder, acl: await this.acl(root) } : folder;
    }
    const walked = walkTree((directory) => listDirectory(transport, location, directory), root, {
      recursive,
      withFolders: withFolders ?? false,
      nameFilter,
    });
    yield* mapOrdered(walked, 16, async ({ path, entry }): Promise<SourceObject> => {
      const key = root ? `${root}/${path}` : path;
      const relativePath = relativePrefix ? `${relativePrefix}/${path}` : path;
      // The listing has no content headers, metadata, MD5 or ACL: a job that needs them asks.
      const object: SourceObject =
        withProperties && !entry.isDirectory
          ? await this.properties(key, relativePath)
          : {
              relativePath,
              key,
              size: entry.size,
              lastModified: entry.lastModified,
              pin: entry.etag,
              ...(entry.isDirectory ? { folder: true } : {}),
            };
      return withAcl ? { ...object, acl: await this.acl(key) } : object;
    });
  }

  read(
    object: SourceObject,
    offset: number,
    length: number,
    into: Buffer | BodySink,
    signal?: AbortSignal,
  ): Promise<void> {
    return readRange(this.endpoint, object.key, offset, length, into, signal, object.pin);
  }

  /** Reads as `read` does, handing the bytes on as they arrive. */
  readonly stream = this.read;

  display(object: SourceObject): string {
    return displayObject(this.endpoint, object.key);
  }

  /**
   * Services copy from a Data Lake file through the account's Blob endpoint (they do not read dfs
   * URLs). An emulator's path-style URL has no Blob twin to name, so there the data is streamed.
   */
  readonly copySource?: (object: SourceObject) => Promise<CopySource>;
}

export class DataLakeDestination implements Destination {
  readonly description: string;
  /** Data Lake has no append-from-URL: server-side copies into it go through this machine. */
  copyFromUrl = false;
  readonly blobTypes = false;
  readonly createsIfAbsent = true;
  readonly maxChunkSize = MAX_APPEND;
  private readonly prefix: string;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly mode: "directory" | "file",
  ) {
    this.prefix = destinationPrefix(endpoint.location.path, mode);
    this.description = displayObject(endpoint, endpoint.location.path);
  }

  keyFor(relativePath: string): string {
    return this.mode === "file"
      ? this.endpoint.location.path
      : `${this.prefix}${checkRelativePath(relativePath)}`;
  }

  display(key: string): string {
    return displayObject(this.endpoint, key);
  }

  stat(key: string): Promise<ExistingObject | undefined> {
    return statObject(this.endpoint, key);
  }

  async makeFolder(key: string, options: FolderOptions = {}): Promise<void> {
    const directory = key.replace(/\/+$/, "");
    if (directory === "") return;
    const path = objectPath(this.endpoint.location, directory);
    try {
      await this.endpoint.transport.send({
        method: "PUT",
        path,
        query: { resource: "directory" },
        headers: { "if-none-match": "*" },
        expect: [201],
      });
    } catch (error) {
      if (statusOf(error) !== 409 || codeOf(error) !== "PathAlreadyExists") throw error;
    }
    if (options.acl) await setAcl(this.endpoint.transport, path, options.acl);
  }

  async writer(key: string, options: WriteOptions): Promise<ObjectWriter> {
    return new DataLakeWriter(this.endpoint, key, options);
  }
}

async function setAcl(transport: RestTransport, path: string, acl: string): Promise<void> {
  await transport.send({
    method: "PATCH",
    path,
    query: { action: "setAccessControl" },
    headers: { "x-ms-acl": acl },
    expect: [200],
  });
}

/**
 * Writes to a hidden name beside the target (Create replaces a file with an empty one at once)
 * and renames it onto the target when complete, so that a failed or cancelled copy leaves the
 * old file, not an empty or half-written one, under the final name.
 */
class DataLakeWriter implements ObjectWriter {
  readonly parallelChunks = true;
  private created: Promise<void> | undefined;
  private md5: Buffer | undefined;
  private readonly transport: RestTransport;
  private readonly temporaryKey: string;
  private readonly temporaryPath: string;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly key: string,
    private readonly options: WriteOptions,
  ) {
    this.transport = endpoint.transport;
    const slash = key.lastIndexOf("/");
    this.temporaryKey = `${key.slice(0, slash + 1)}.${key.slice(slash + 1)}.azcp-${randomBytes(4).toString("hex")}.part`;
    this.temporaryPath = objectPath(endpoint.location, this.temporaryKey);
  }

  private create(): Promise<void> {
    this.created ??= this.transport
      .send({
        method: "PUT",
        path: this.temporaryPath,
        query: { resource: "file" },
        headers: {
          ...contentHeaders(this.options.headers, undefined),
          ...encodeProperties(this.options.metadata),
        },
        expect: [201],
      })
      .then(() => undefined);
    return this.created;
  }

  private async append(offset: number, data: Buffer): Promise<void> {
    await this.create();
    if (data.length === 0) return;
    await this.transport.send({
      method: "PATCH",
      path: this.temporaryPath,
      query: { action: "append", position: String(offset) },
      body: data,
      expect: [202],
    });
  }

  async writeAll(data: Buffer, contentMd5?: Buffer): Promise<void> {
    this.md5 = contentMd5;
    await this.append(0, data);
  }

  writeChunk(_index: number, offset: number, data: Buffer): Promise<void> {
    return this.append(offset, data);
  }

  async commit(options: { storeMd5?: Buffer | undefined } = {}): Promise<void> {
    await this.create();
    await this.transport.send({
      method: "PATCH",
      path: this.temporaryPath,
      query: { action: "flush", position: String(this.options.plan.size), close: "true" },
      // Flush sets the content headers it is given, so they are sent with it.
      headers: contentHeaders(this.options.headers, options.storeMd5 ?? this.md5),
      expect: [200],
    });
    if (this.options.acl) await setAcl(this.transport, this.temporaryPath, this.options.acl);
    const { location } = this.endpoint;
    const sas = this.transport.sas;
    try {
      await this.transport.send({
        method: "PUT",
        path: objectPath(location, this.key),
        query: { mode: "legacy" },
        headers: {
          "x-ms-rename-source": `/${encodeURIComponent(location.container ?? "")}/${encodePath(this.temporaryKey)}${sas ? `?${sas}` : ""}`,
          ...(this.options.ifNotExists ? { "if-none-match": "*" } : {}),
        },
        expect: [201],
      });
    } catch (error) {
      if (this.options.ifNotExists && statusOf(error) === 409) {
        await this.abort();
        throw new ObjectExistsError(this.key);
      }
      throw error;
    }
    this.created = undefined;
  }

  async abort(): Promise<void> {
    if (!this.created) return;
    // Only what this writer made is removed: never the file under the final name.
    const made = await this.created.then(
      () => true,
      () => false,
    );
    this.created = undefined;
    if (made)
      await this.transport
        .send({ method: "DELETE", path: this.temporaryPath, expect: [200, 404] })
        .catch(() => undefined);
  }
}

/** What Data Lake Storage can do, known before anything is opened. */
export const DATALAKE_FEATURES: BackendFeatures = {
  objectProperties: true,
  realFolders: true,
  wholeSecondTimes: true,
  permissions: "acl",
  createsContainer: true,
  posixMetadata: true,
};

export class DataLakeService implements RemoteService {
  readonly realFolders = DATALAKE_FEATURES.realFolders;
  readonly permissions = DATALAKE_FEATURES.permissions;

  constructor(private readonly endpoint: RemoteEndpoint) {}

  private async resourceType(path: string): Promise<string | undefined> {
    try {
      const response = await this.endpoint.transport.send({
        method: "HEAD",
        path: objectPath(this.endpoint.location, path),
        ...(path === "" ? { query: { resource: "filesystem" } } : {}),
        expect: [200],
      });
      return path === "" ? "directory" : header(response, "x-ms-resource-type");
    } catch (error) {
      // A missing file system is an error, not a missing path.
      if (statusOf(error) === 404 && codeOf(error) !== "FilesystemNotFound" && path !== "") return undefined;
      throw error;
    }
  }

  async isObject(path: string): Promise<boolean> {
    if (path === "" || path.endsWith("/")) return false;
    return (await this.resourceType(path)) === "file";
  }

  async isDirectory(path: string): Promise<boolean> {
    return (await this.resourceType(path.replace(/\/+$/, ""))) === "directory";
  }

  list(): AsyncIterable<ListedObject> {
    return listTree(this, this.endpoint.location);
  }

  source(options: TreeSourceOptions): Source {
    return new DataLakeSource(this.endpoint, options);
  }

  destination(mode: "directory" | "file"): Destination {
    return new DataLakeDestination(this.endpoint, mode);
  }

  display(key: string): string {
    return displayObject(this.endpoint, key);
  }

  async deleteObject(key: string): Promise<void> {
    await this.endpoint.transport.send({
      method: "DELETE",
      path: objectPath(this.endpoint.location, key),
      expect: [200],
    });
  }

  async deleteTree(path: string): Promise<void> {
    // A large directory is deleted in pages: the service answers with a continuation until done.
    let continuation: string | undefined;
    do {
      const response = await this.endpoint.transport.send({
        method: "DELETE",
        path: objectPath(this.endpoint.location, path.replace(/\/+$/, "")),
        query: { recursive: "true", paginated: "true", ...(continuation ? { continuation } : {}) },
        expect: [200],
      });
      continuation = header(response, "x-ms-continuation") || undefined;
    } while (continuation);
  }

  deleteEmptyFolders(path: string): Promise<void> {
    const { transport, location } = this.endpoint;
    return deleteEmptyFolders(
      (directory) => listDirectory(transport, location, directory),
      path.replace(/\/+$/, ""),
      (folder) =>
        transport.send({
          method: "DELETE",
          path: objectPath(location, folder),
          query: { recursive: "false" },
          expect: [200],
        }),
    );
  }

  async createContainer(): Promise<boolean> {
    try {
      await this.endpoint.transport.send({
        method: "PUT",
        path: objectPath(this.endpoint.location, ""),
        query: { resource: "filesystem" },
        expect: [201],
      });
      return true;
    } catch (error) {
      if (statusOf(error) === 409 && codeOf(error) === "FilesystemAlreadyExists") return false;
      throw error;
    }
  }
}
