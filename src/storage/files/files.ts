// Azure Files as a transfer source and destination, over the lean REST transport: a sorted
// directory-by-directory listing, ranged Get File, uploads to a temporary name (Create File +
// Put Range, at most 4 MiB each, or Put Range From URL for server-side copies) renamed onto the
// final name when complete, real directories, shares, and SMB properties. A request signed
// with a token carries x-ms-file-request-intent: backup (set on the transport).
import { randomBytes } from "node:crypto";
import { AzcpError } from "../../errors.js";
import type { RemoteLocation } from "../../location/location.js";
import type { BodySink, HttpError, RestResponse, RestTransport } from "../../transport/http.js";
import {
  type BackendFeatures,
  type ContentHeaders,
  type CopySource,
  type DeleteOptions,
  type Destination,
  type ExistingObject,
  type FolderOptions,
  type ListedObject,
  ObjectExistsError,
  type ObjectWriter,
  type PropertyChanges,
  type RemoteEndpoint,
  type RemoteService,
  type SmbProperties,
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
import { element, entryName } from "../rest/xml.js";

/** The largest range one Put Range (or Put Range From URL) may write. */
export const MAX_FILES_RANGE = 4 * 1024 * 1024;

/** Headers a token-signed request to Azure Files must carry (the service refuses it otherwise). */
export const FILES_TOKEN_HEADERS = { "x-ms-file-request-intent": "backup" } as const;

function dateHeader(response: RestResponse, name: string): Date | undefined {
  const value = header(response, name);
  return value ? new Date(value) : undefined;
}

/** Files writes SMB times as ISO 8601 with seven fractional digits. */
export function smbTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

function statusOf(error: unknown): number | undefined {
  return (error as HttpError).statusCode;
}

function codeOf(error: unknown): string | undefined {
  return (error as HttpError).code;
}

async function listDirectory(
  transport: RestTransport,
  location: RemoteLocation,
  directory: string,
): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  let marker: string | undefined;
  do {
    const response = await transport.send({
      method: "GET",
      path: objectPath(location, directory),
      query: {
        restype: "directory",
        comp: "list",
        include: "Timestamps,ETag,Attributes,PermissionKey",
        maxresults: "5000",
        ...(marker ? { marker } : {}),
      },
      headers: { "x-ms-file-extended-info": "true" },
      expect: [200],
      text: true,
    });
    const xml = response.text ?? "";
    for (const match of xml.matchAll(/<(File|Directory)>([\s\S]*?)<\/\1>/g)) {
      const body = match[2]!;
      const lastModified = element(body, "Last-Modified");
      const creationTime = element(body, "CreationTime");
      const lastWriteTime = element(body, "LastWriteTime");
      entries.push({
        name: entryName(body),
        isDirectory: match[1] === "Directory",
        size: Number(element(body, "Content-Length") ?? 0),
        lastModified: lastModified ? new Date(lastModified) : undefined,
        creationTime: creationTime ? new Date(creationTime) : undefined,
        lastWriteTime: lastWriteTime ? new Date(lastWriteTime) : undefined,
        attributes: element(body, "Attributes"),
        permissionKey: element(body, "PermissionKey"),
        etag: quotedEtag(element(body, "Etag")),
      });
    }
    marker = element(xml, "NextMarker");
  } while (marker);
  return entries;
}

function propertiesOf(response: RestResponse, key: string, relativePath: string): SourceObject {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (name.startsWith("x-ms-meta-") && typeof value === "string") metadata[name.slice(10)] = value;
  }
  return {
    relativePath,
    key,
    size: Number(header(response, "content-length") ?? 0),
    lastModified: dateHeader(response, "last-modified"),
    pin: header(response, "etag"),
    contentMd5: header(response, "content-md5"),
    headers: contentHeadersOf(response),
    metadata,
    smb: {
      creationTime: dateHeader(response, "x-ms-file-creation-time"),
      lastWriteTime: dateHeader(response, "x-ms-file-last-write-time"),
      attributes: header(response, "x-ms-file-attributes"),
    },
  };
}

export class FilesSource implements Source {
  readonly description: string;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly options: TreeSourceOptions,
  ) {
    this.description = endpoint.transport.displayUrl(
      objectPath(endpoint.location, options.single ?? options.prefix),
    );
  }

  private head(key: string): Promise<RestResponse> {
    return this.endpoint.transport.send({
      method: "HEAD",
      path: objectPath(this.endpoint.location, key),
      expect: [200],
    });
  }

  private readonly descriptors = new Map<string, Promise<string>>();

  /** The SDDL a permission key of this share stands for (Get Permission), once per key. */
  private permission(key: string | undefined): Promise<string | undefined> {
    if (!key || !this.options.withAcl) return Promise.resolve(undefined);
    let known = this.descriptors.get(key);
    if (!known) {
      known = this.endpoint.transport
        .send({
          method: "GET",
          path: objectPath(this.endpoint.location, ""),
          query: { restype: "share", comp: "filepermission" },
          headers: { "x-ms-file-permission-key": key },
          expect: [200],
          text: true,
        })
        .then((response) => (JSON.parse(response.text ?? "{}") as { permission: string }).permission);
      this.descriptors.set(key, known);
    }
    return known;
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    const { single, prefix, relativePrefix, recursive, nameFilter, withFolders } = this.options;
    const withProperties = this.options.withMetadata || this.options.withMd5;
    if (single !== undefined) {
      const response = await this.head(single);
      const object = propertiesOf(response, single, single.slice(single.lastIndexOf("/") + 1));
      yield { ...object, acl: await this.permission(header(response, "x-ms-file-permission-key")) };
      return;
    }
    const { transport, location } = this.endpoint;
    const root = prefix.replace(/\/+$/, "");
    if (withFolders && relativePrefix && root) {
      // The directory itself is copied as a folder too (--as-subdir), with its own properties.
      const response = await transport.send({
        method: "HEAD",
        path: objectPath(location, root),
        query: { restype: "directory" },
        expect: [200],
      });
      const { smb } = propertiesOf(response, root, relativePrefix);
      const acl = await this.permission(header(response, "x-ms-file-permission-key"));
      yield {
        relativePath: relativePrefix,
        key: root,
        size: 0,
        lastModified: undefined,
        folder: true,
        smb,
        acl,
      };
    }
    const walked = walkTree((directory) => listDirectory(transport, location, directory), root, {
      recursive,
      withFolders: withFolders ?? false,
      nameFilter,
    });
    yield* mapOrdered(walked, 16, async ({ path, entry }): Promise<SourceObject> => {
      const key = root ? `${root}/${path}` : path;
      const relativePath = relativePrefix ? `${relativePrefix}/${path}` : path;
      const acl = await this.permission(entry.permissionKey);
      // The listing has no content headers, metadata or MD5: a job that needs them asks.
      if (withProperties && !entry.isDirectory)
        return { ...propertiesOf(await this.head(key), key, relativePath), acl };
      return {
        acl,
        relativePath,
        key,
        size: entry.size,
        lastModified: entry.lastModified,
        pin: entry.isDirectory ? undefined : entry.etag,
        smb: {
          creationTime: entry.creationTime,
          lastWriteTime: entry.lastWriteTime,
          attributes: entry.attributes,
        },
        ...(entry.isDirectory ? { folder: true } : {}),
      };
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

  async copySource(object: SourceObject): Promise<CopySource> {
    const { transport, location } = this.endpoint;
    const path = objectPath(location, object.key);
    const authorization = await transport.bearer();
    // A Files source read with a token needs the backup intent on the copy request too, and a
    // name with a trailing dot needs the copy request to say that dots are kept.
    const headers = {
      ...(authorization ? FILES_TOKEN_HEADERS : {}),
      ...(transport.allowsTrailingDot ? { "x-ms-source-allow-trailing-dot": "true" } : {}),
    };
    return {
      url: transport.url(path),
      authorization,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...copyPin(this.endpoint, object),
    };
  }
}

function contentHeaders(headers: ContentHeaders, md5: Buffer | string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers.contentType) result["x-ms-content-type"] = headers.contentType;
  if (headers.contentEncoding) result["x-ms-content-encoding"] = headers.contentEncoding;
  if (headers.contentLanguage) result["x-ms-content-language"] = headers.contentLanguage;
  if (headers.contentDisposition) result["x-ms-content-disposition"] = headers.contentDisposition;
  if (headers.cacheControl) result["x-ms-cache-control"] = headers.cacheControl;
  if (md5) result["x-ms-content-md5"] = typeof md5 === "string" ? md5 : md5.toString("base64");
  return result;
}

function smbHeaders(smb: SmbProperties | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (smb?.creationTime) result["x-ms-file-creation-time"] = smbTime(smb.creationTime);
  if (smb?.lastWriteTime) result["x-ms-file-last-write-time"] = smbTime(smb.lastWriteTime);
  if (smb?.attributes) result["x-ms-file-attributes"] = smb.attributes;
  return result;
}

export class FilesDestination implements Destination {
  readonly description: string;
  copyFromUrl = true;
  readonly blobTypes = false;
  /** The final rename is refused when the name exists and overwriting was not asked for. */
  readonly createsIfAbsent = true;
  readonly maxChunkSize = MAX_FILES_RANGE;
  private readonly prefix: string;
  private readonly directories = new Map<string, Promise<void>>();
  private readonly permissionKeys = new Map<string, Promise<string>>();

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

  /** The key of a security descriptor (SDDL) in this share (Create Permission), once per descriptor. */
  permissionKey(sddl: string): Promise<string> {
    let known = this.permissionKeys.get(sddl);
    if (!known) {
      known = this.endpoint.transport
        .send({
          method: "PUT",
          path: objectPath(this.endpoint.location, ""),
          query: { restype: "share", comp: "filepermission" },
          headers: { "content-type": "application/json" },
          body: Buffer.from(JSON.stringify({ permission: sddl })),
          expect: [201],
        })
        .then((response) => header(response, "x-ms-file-permission-key") ?? "");
      known.catch(() => this.permissionKeys.delete(sddl));
      this.permissionKeys.set(sddl, known);
    }
    return known;
  }

  /** Creates `directory` and its parents, once per job. */
  ensureDirectory(directory: string, smb?: SmbProperties, sddl?: string): Promise<void> {
    if (directory === "") return Promise.resolve();
    let created = this.directories.get(directory);
    if (!created) {
      const parent = directory.includes("/") ? directory.slice(0, directory.lastIndexOf("/")) : "";
      created = this.ensureDirectory(parent).then(() => this.createDirectory(directory, smb, sddl));
      created.catch(() => this.directories.delete(directory));
      this.directories.set(directory, created);
    }
    return created;
  }

  private async createDirectory(
    directory: string,
    smb: SmbProperties | undefined,
    sddl: string | undefined,
  ): Promise<void> {
    const key = sddl ? await this.permissionKey(sddl) : undefined;
    try {
      await this.endpoint.transport.send({
        method: "PUT",
        path: objectPath(this.endpoint.location, directory),
        query: { restype: "directory" },
        headers: { ...smbHeaders(smb), ...(key ? { "x-ms-file-permission-key": key } : {}) },
        expect: [201],
      });
    } catch (error) {
      if (statusOf(error) === 409 && codeOf(error) === "ResourceAlreadyExists") return;
      throw error;
    }
  }

  makeFolder(key: string, options: FolderOptions = {}): Promise<void> {
    return this.ensureDirectory(key.replace(/\/+$/, ""), options.smb, options.acl);
  }

  async writer(key: string, options: WriteOptions): Promise<ObjectWriter> {
    return new FilesWriter(this.endpoint, this, key, options);
  }
}

/**
 * Writes to a hidden name beside the target and renames it onto the target when everything is
 * in, so that a failed or cancelled copy never leaves a half-written file (or an emptied old
 * one) under the final name.
 */
class FilesWriter implements ObjectWriter {
  readonly parallelChunks = true;
  private created: Promise<void> | undefined;
  private createdWithMd5 = false;
  private readonly temporaryKey: string;
  private readonly temporaryPath: string;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly destination: FilesDestination,
    private readonly key: string,
    private readonly options: WriteOptions,
  ) {
    const slash = key.lastIndexOf("/");
    this.temporaryKey = `${key.slice(0, slash + 1)}.${key.slice(slash + 1)}.azcp-${randomBytes(4).toString("hex")}.part`;
    this.temporaryPath = objectPath(endpoint.location, this.temporaryKey);
  }

  private create(md5?: Buffer): Promise<void> {
    this.created ??= (async () => {
      const parent = this.key.includes("/") ? this.key.slice(0, this.key.lastIndexOf("/")) : "";
      await this.destination.ensureDirectory(parent);
      const metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(this.options.metadata ?? {}))
        metadata[`x-ms-meta-${name}`] = value;
      this.createdWithMd5 = md5 !== undefined;
      await this.endpoint.transport.send({
        method: "PUT",
        path: this.temporaryPath,
        headers: {
          "x-ms-type": "file",
          "x-ms-content-length": String(this.options.plan.size),
          ...contentHeaders(this.options.headers, md5),
          ...metadata,
        },
        expect: [201],
      });
    })();
    return this.created;
  }

  private async putRange(offset: number, data: Buffer): Promise<void> {
    await this.endpoint.transport.send({
      method: "PUT",
      path: this.temporaryPath,
      query: { comp: "range" },
      headers: { "x-ms-range": `bytes=${offset}-${offset + data.length - 1}`, "x-ms-write": "update" },
      body: data,
      expect: [201],
    });
  }

  private async putRangeFromUrl(offset: number, length: number, source: CopySource): Promise<void> {
    const range = `bytes=${offset}-${offset + length - 1}`;
    await this.endpoint.transport.send({
      method: "PUT",
      path: this.temporaryPath,
      query: { comp: "range" },
      headers: {
        ...source.headers,
        "x-ms-range": range,
        "x-ms-source-range": range,
        "x-ms-write": "update",
        "x-ms-copy-source": source.url,
        ...(source.authorization ? { "x-ms-copy-source-authorization": source.authorization } : {}),
      },
      expect: [201],
      maxTries: 2,
    });
  }

  async writeAll(data: Buffer, contentMd5?: Buffer): Promise<void> {
    await this.create(contentMd5);
    if (data.length > 0) await this.putRange(0, data);
  }

  async writeChunk(_index: number, offset: number, data: Buffer): Promise<void> {
    await this.create();
    await this.putRange(offset, data);
  }

  async copyAll(source: CopySource, size: number): Promise<void> {
    await this.create();
    if (size > 0) await this.putRangeFromUrl(0, size, source);
  }

  async copyChunk(_index: number, offset: number, length: number, source: CopySource): Promise<void> {
    await this.create();
    await this.putRangeFromUrl(offset, length, source);
  }

  async commit(options: { storeMd5?: Buffer | undefined } = {}): Promise<void> {
    await this.create(options.storeMd5);
    const smb = this.options.smb;
    // A chunked file's MD5 is known only at the end, and writing ranges moves the last-write
    // time to now (and a read-only attribute would refuse them): all are set once the data is
    // in. Set File Properties clears the content headers it is not given, so they go again.
    const sddl = this.options.acl;
    if ((options.storeMd5 && !this.createdWithMd5) || smb || sddl) {
      const permissionKey = sddl ? await this.destination.permissionKey(sddl) : undefined;
      await this.endpoint.transport.send({
        method: "PUT",
        path: this.temporaryPath,
        query: { comp: "properties" },
        headers: {
          ...contentHeaders(this.options.headers, options.storeMd5),
          ...smbHeaders(smb),
          ...(permissionKey ? { "x-ms-file-permission-key": permissionKey } : {}),
        },
        expect: [200],
      });
    }
    try {
      await this.endpoint.transport.send({
        method: "PUT",
        path: objectPath(this.endpoint.location, this.key),
        query: { comp: "rename" },
        headers: {
          "x-ms-file-rename-source": this.endpoint.transport.url(this.temporaryPath),
          ...(this.endpoint.transport.allowsTrailingDot ? { "x-ms-source-allow-trailing-dot": "true" } : {}),
          "x-ms-file-rename-replace-if-exists": this.options.ifNotExists ? "false" : "true",
          ...(this.options.forceIfReadOnly && !this.options.ifNotExists
            ? { "x-ms-file-rename-ignore-readonly": "true" }
            : {}),
        },
        expect: [200],
      });
    } catch (error) {
      if (isReadOnlyRefusal(error)) {
        await this.abort();
        throw readOnlyTarget(displayObject(this.endpoint, this.key));
      }
      if (this.options.ifNotExists && statusOf(error) === 409 && codeOf(error) === "ResourceAlreadyExists") {
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
    if (!made) return;
    await this.endpoint.transport
      .send({ method: "DELETE", path: this.temporaryPath, expect: [202, 404] })
      .catch(() => undefined);
  }
}

function isReadOnlyRefusal(error: unknown): boolean {
  return statusOf(error) === 409 && codeOf(error) === "ReadOnlyAttribute";
}

function readOnlyTarget(display: string): AzcpError {
  return new AzcpError(
    "bad-input",
    `${display}: target is readonly. To force the action to proceed, add --force-if-read-only to the command line.`,
    {
      remedy: "Add --force-if-read-only to replace or delete read-only files.",
      statusCode: 409,
      errorCode: "ReadOnlyAttribute",
    },
  );
}

/** What Azure Files can do, known before anything is opened. */
export const FILES_FEATURES: BackendFeatures = {
  objectProperties: true,
  realFolders: true,
  wholeSecondTimes: true,
  permissions: "sddl",
  quota: true,
  setProperties: ["metadata"],
  listsContentEncoding: true,
  readOnlyAttribute: true,
};

export class FilesService implements RemoteService {
  readonly realFolders = FILES_FEATURES.realFolders;
  readonly permissions = FILES_FEATURES.permissions;

  constructor(private readonly endpoint: RemoteEndpoint) {}

  private async exists(path: string, query: Record<string, string>): Promise<boolean> {
    try {
      await this.endpoint.transport.send({
        method: "HEAD",
        path: objectPath(this.endpoint.location, path),
        query,
        expect: [200],
      });
      return true;
    } catch (error) {
      // A missing share is an error, not a missing path.
      if (statusOf(error) === 404 && codeOf(error) !== "ShareNotFound") return false;
      throw error;
    }
  }

  isObject(path: string): Promise<boolean> {
    if (path === "" || path.endsWith("/")) return Promise.resolve(false);
    return this.exists(path, {});
  }

  isDirectory(path: string): Promise<boolean> {
    const directory = path.replace(/\/+$/, "");
    return directory === ""
      ? this.exists("", { restype: "share" })
      : this.exists(directory, { restype: "directory" });
  }

  list(): AsyncIterable<ListedObject> {
    return listTree(this, this.endpoint.location);
  }

  source(options: TreeSourceOptions): Source {
    return new FilesSource(this.endpoint, options);
  }

  destination(mode: "directory" | "file"): Destination {
    return new FilesDestination(this.endpoint, mode);
  }

  display(key: string): string {
    return displayObject(this.endpoint, key);
  }

  async deleteObject(key: string, options: DeleteOptions = {}): Promise<void> {
    const remove = () =>
      this.endpoint.transport.send({
        method: "DELETE",
        path: objectPath(this.endpoint.location, key),
        expect: [202],
      });
    try {
      await remove();
    } catch (error) {
      if (!isReadOnlyRefusal(error)) throw error;
      if (!options.forceIfReadOnly) throw readOnlyTarget(this.display(key));
      // As AzCopy: clear the attributes, then try once more.
      await this.endpoint.transport.send({
        method: "PUT",
        path: objectPath(this.endpoint.location, key),
        query: { comp: "properties" },
        headers: { "x-ms-file-attributes": "None" },
        expect: [200],
      });
      await remove();
    }
  }

  /** Replaces a file's metadata (the only property set-properties changes on Azure Files). */
  async setProperties(key: string, changes: PropertyChanges): Promise<void> {
    if (changes.metadata === undefined) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(changes.metadata)) headers[`x-ms-meta-${name}`] = value;
    await this.endpoint.transport.send({
      method: "PUT",
      path: objectPath(this.endpoint.location, key),
      query: { comp: "metadata" },
      headers,
      expect: [200],
    });
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
          query: { restype: "directory" },
          expect: [202],
        }),
    );
  }

  async createContainer(options: { quotaGb?: number | undefined }): Promise<boolean> {
    try {
      await this.endpoint.transport.send({
        method: "PUT",
        path: objectPath(this.endpoint.location, ""),
        query: { restype: "share" },
        headers: options.quotaGb ? { "x-ms-share-quota": String(options.quotaGb) } : {},
        expect: [201],
      });
      return true;
    } catch (error) {
      if (statusOf(error) === 409 && codeOf(error) === "ShareAlreadyExists") return false;
      throw error;
    }
  }
}
