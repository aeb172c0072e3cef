// The Azure Files (FileREST) operations azcp uses: shares, directories, files, ranges, ranged
// reads, properties and metadata, listings, Put Range From URL, Rename File and share permissions.
// Reference: https://learn.microsoft.com/en-us/rest/api/storageservices/file-service-rest-api
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Auth } from "./auth.js";
import { escapeXml, filesError, notEmulated, ServiceError, serviceTime, withStatus } from "./errors.js";
import {
  attributesFrom,
  newFileId,
  Permissions,
  permissionKeyFrom,
  type Smb,
  smbResponseHeaders,
  smbTimeFrom,
} from "./files-smb.js";
import {
  checkConditions,
  contentRequestHeaders,
  contentResponseHeaders,
  header,
  httpDate,
  invalidHeader,
  md5Header,
  metadataFrom,
  metadataHeaders,
  numberParam,
  parsePath,
  parseQuery,
  type Request,
  requestedRange,
} from "./http.js";
import type { Operation, Service, ServiceReply } from "./operation.js";
import type { Action } from "./roles.js";
import {
  Content,
  type ContentHeaders,
  compareNames,
  type DirNode,
  type FileNode,
  type Stamp,
  splitPath,
  stamp,
  Tree,
  type TreeNode,
} from "./store.js";

interface FilesDir {
  smb: Smb;
  stamp: Stamp;
  metadata: Record<string, string>;
}

interface FilesFile {
  smb: Smb;
  stamp: Stamp;
  metadata: Record<string, string>;
  content: Content;
  headers: ContentHeaders;
  contentMd5: string | undefined;
}

interface Share {
  name: string;
  quota: number;
  stamp: Stamp;
  metadata: Record<string, string>;
  tree: Tree<FilesFile, FilesDir>;
  permissions: Permissions;
}

type Dir = DirNode<FilesFile, FilesDir>;
type File = FileNode<FilesFile>;

export interface SourceResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface FilesOptions {
  /** "https://127.0.0.1:PORT/account/", as listings name the service. */
  serviceEndpoint(): string;
  /** GET the source of a Put Range From URL. */
  fetch(url: URL, headers: Record<string, string>): Promise<SourceResponse>;
  /** Whether a URL names an Azure Files resource (its reads then need the backup intent). */
  isFilesUrl(url: URL): boolean;
}

/** Put Range and Put Range From URL write at most 4 MiB. */
const MAX_RANGE = 4 * 1024 * 1024;
/** The largest file: 4 TiB. https://learn.microsoft.com/en-us/rest/api/storageservices/create-file */
const MAX_FILE_SIZE = 4 * 1024 ** 4;
/** Share names: https://learn.microsoft.com/en-us/rest/api/storageservices/naming-and-referencing-shares--directories--files--and-metadata */
const SHARE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
/** Whether XML can carry a name; one it cannot is listed percent-encoded (Encoded="true"). */
function xmlSafe(name: string): boolean {
  for (const character of name) {
    const code = character.codePointAt(0)!;
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return false;
    if (code === 0xfffe || code === 0xffff) return false;
  }
  return true;
}

const md5 = (data: Buffer) => createHash("md5").update(data).digest("base64");

function xmlName(name: string): string {
  return xmlSafe(name)
    ? `<Name>${escapeXml(name)}</Name>`
    : `<Name Encoded="true">${escapeXml(encodeURIComponent(name))}</Name>`;
}

function stampHeaders(entity: { stamp: Stamp }): Record<string, string> {
  return { etag: entity.stamp.etag, "last-modified": httpDate(entity.stamp.lastModified) };
}

function touch(entity: { stamp: Stamp }): void {
  entity.stamp = stamp();
}

export class FilesService implements Service {
  readonly name = "file" as const;
  readonly sasService = "f" as const;
  readonly errorFormat = "xml" as const;
  readonly serverHeader = "Windows-Azure-File/1.0 Microsoft-HTTPAPI/2.0";
  private readonly shares = new Map<string, Share>();

  constructor(private readonly options: FilesOptions) {}

  error(code: string, details?: Record<string, string>, headers?: Record<string, string>): ServiceError {
    return filesError(code, details, headers);
  }

  objectBytes(container: string, path: string): Buffer | undefined {
    const node = this.shares.get(container)?.tree.find(splitPath(path));
    return node?.kind === "file" ? node.props.content.read(0, node.props.content.size) : undefined;
  }

  resolve(request: Request, _auth: Auth): Operation {
    // Azure Files trims trailing dots from every name in the path unless the request carries
    // x-ms-allow-trailing-dot: true; "name." then becomes "name".
    if (header(request.headers, "x-ms-allow-trailing-dot") !== "true")
      request.path = trimTrailingDots(request.path);
    const { method, container, path, query } = request;
    const op = (
      resourceType: "s" | "c" | "o",
      permissions: string,
      action: Action,
      run: () => ServiceReply | Promise<ServiceReply>,
    ): Operation => ({ sas: { resourceType, permissions }, action, errorFormat: "xml", run });
    const unknown = () =>
      notEmulated(`${method} with restype=${query.restype ?? ""}&comp=${query.comp ?? ""}`);

    if (!container) {
      if (method === "GET" && query.comp === "list")
        return op("s", "l", "list", () => this.listShares(request));
      throw unknown();
    }
    if (query.restype === "share") {
      const comp = query.comp ?? "";
      if (method === "PUT" && comp === "") return op("c", "cw", "write", () => this.createShare(request));
      if (method === "DELETE" && comp === "") return op("c", "d", "delete", () => this.deleteShare(request));
      if ((method === "GET" || method === "HEAD") && (comp === "" || comp === "metadata"))
        return op("c", "r", "read", () => this.shareProperties(request));
      if (method === "PUT" && (comp === "properties" || comp === "metadata"))
        return op("c", "w", "write", () => this.setShareProperties(request, comp));
      if (method === "PUT" && comp === "filepermission")
        return op("c", "cw", "write", () => this.createPermission(request));
      if (method === "GET" && comp === "filepermission")
        return op("c", "r", "read", () => this.getPermission(request));
      throw unknown();
    }
    if (query.restype === "directory") {
      const comp = query.comp ?? "";
      if (method === "GET" && comp === "list") return op("c", "l", "list", () => this.list(request));
      if (method === "PUT" && comp === "") return op("o", "cw", "write", () => this.createDirectory(request));
      if (method === "DELETE" && comp === "")
        return op("o", "d", "delete", () => this.deleteDirectory(request));
      if ((method === "GET" || method === "HEAD") && (comp === "" || comp === "metadata"))
        return op("o", "r", "read", () => this.directoryProperties(request));
      if (method === "PUT" && (comp === "metadata" || comp === "properties"))
        return op("o", "w", "write", () => this.setDirectoryProperties(request, comp));
      throw unknown();
    }
    if (query.restype !== undefined) throw unknown();
    if (path === "") throw this.error("InvalidUri");
    const comp = query.comp ?? "";
    if (method === "PUT" && comp === "") {
      // Creating a new file needs create or write; replacing one needs write.
      const exists = this.shares.get(container)?.tree.find(splitPath(path))?.kind === "file";
      return op("o", exists ? "w" : "cw", "write", () => this.createFile(request));
    }
    if (method === "PUT" && comp === "range") return op("o", "w", "write", () => this.putRange(request));
    if (method === "PUT" && comp === "rename") {
      const source = this.renameSource(request);
      return {
        ...op("o", "w", "write", () => this.renameFile(request)),
        ...(source
          ? {
              source: {
                path: source.path,
                query: source.query,
                sas: { resourceType: "o", permissions: "wd" },
              },
            }
          : {}),
      };
    }
    if (method === "PUT" && (comp === "properties" || comp === "metadata"))
      return op("o", "w", "write", () => this.setFileProperties(request, comp));
    if (method === "GET" && comp === "") return op("o", "r", "read", () => this.getFile(request, true));
    if (method === "HEAD" && comp === "") return op("o", "r", "read", () => this.getFile(request, false));
    if (method === "DELETE" && comp === "") return op("o", "d", "delete", () => this.deleteFile(request));
    throw unknown();
  }

  // ---- shares ----

  private share(request: Request): Share {
    const share = this.shares.get(request.container);
    if (!share) throw this.error("ShareNotFound");
    return share;
  }

  private quotaFrom(headers: IncomingHttpHeaders, fallback: number): number {
    const value = header(headers, "x-ms-share-quota");
    if (value === undefined) return fallback;
    const quota = Number(value);
    if (!/^\d+$/.test(value) || quota < 1 || quota > 102_400)
      throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-share-quota", HeaderValue: value });
    return quota;
  }

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/create-share */
  private createShare(request: Request): ServiceReply {
    if (!SHARE_NAME.test(request.container)) throw this.error("InvalidResourceName");
    if (this.shares.has(request.container)) throw this.error("ShareAlreadyExists");
    const permissions = new Permissions();
    const now = serviceTime(new Date());
    const root: FilesDir = {
      smb: {
        fileId: "0",
        parentId: "0",
        attributes: "Directory",
        creationTime: now,
        lastWriteTime: now,
        changeTime: now,
        lastAccessTime: now,
        permissionKey: permissions.defaultKey,
      },
      stamp: stamp(),
      metadata: {},
    };
    const share: Share = {
      name: request.container,
      quota: this.quotaFrom(request.headers, 5120),
      stamp: stamp(),
      metadata: metadataFrom(request.headers),
      tree: new Tree<FilesFile, FilesDir>(root, true),
      permissions,
    };
    this.shares.set(share.name, share);
    return { status: 201, headers: stampHeaders(share) };
  }

  private deleteShare(request: Request): ServiceReply {
    this.share(request);
    this.shares.delete(request.container);
    return { status: 202 };
  }

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/get-share-properties */
  private shareProperties(request: Request): ServiceReply {
    const share = this.share(request);
    return {
      status: 200,
      headers: {
        ...stampHeaders(share),
        ...metadataHeaders(share.metadata),
        "x-ms-share-quota": share.quota,
        "x-ms-access-tier": "TransactionOptimized",
        "x-ms-enabled-protocols": "SMB",
      },
    };
  }

  private setShareProperties(request: Request, comp: string): ServiceReply {
    const share = this.share(request);
    if (comp === "metadata") share.metadata = metadataFrom(request.headers);
    else share.quota = this.quotaFrom(request.headers, share.quota);
    touch(share);
    return { status: 200, headers: stampHeaders(share) };
  }

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/create-permission */
  private createPermission(request: Request): ServiceReply {
    const share = this.share(request);
    let permission: unknown;
    try {
      permission = (JSON.parse(request.body.toString("utf8")) as { permission?: unknown }).permission;
    } catch {
      throw this.error("InvalidInput");
    }
    if (typeof permission !== "string" || permission === "") throw this.error("InvalidInput");
    return { status: 201, headers: { "x-ms-file-permission-key": share.permissions.keyFor(permission) } };
  }

  private getPermission(request: Request): ServiceReply {
    const share = this.share(request);
    const key = header(request.headers, "x-ms-file-permission-key");
    if (key === undefined)
      throw this.error("MissingRequiredHeader", { HeaderName: "x-ms-file-permission-key" });
    const permission = share.permissions.get(key);
    if (permission === undefined) throw this.error("ResourceNotFound");
    return {
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ permission }),
    };
  }

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/list-shares */
  private listShares(request: Request): ServiceReply {
    const { prefix = "", marker } = request.query;
    const max = this.maxResults(request.query.maxresults);
    const names = [...this.shares.keys()]
      .filter((name) => name.startsWith(prefix) && (marker === undefined || compareNames(name, marker) >= 0))
      .sort(compareNames);
    const page = names.slice(0, max);
    const next = names[max];
    const withMetadata = (request.query.include ?? "").split(",").includes("metadata");
    const shares = page.map((name) => {
      const share = this.shares.get(name)!;
      const metadata = withMetadata
        ? `<Metadata>${Object.entries(share.metadata)
            .map(([key, value]) => `<${key}>${escapeXml(value)}</${key}>`)
            .join("")}</Metadata>`
        : "";
      return `<Share><Name>${escapeXml(name)}</Name><Properties><Last-Modified>${httpDate(share.stamp.lastModified)}</Last-Modified><Etag>${escapeXml(share.stamp.etag)}</Etag><Quota>${share.quota}</Quota></Properties>${metadata}</Share>`;
    });
    const body =
      `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="${escapeXml(this.options.serviceEndpoint())}">` +
      (request.query.prefix !== undefined ? `<Prefix>${escapeXml(prefix)}</Prefix>` : "") +
      (marker !== undefined ? `<Marker>${escapeXml(marker)}</Marker>` : "") +
      (request.query.maxresults !== undefined ? `<MaxResults>${max}</MaxResults>` : "") +
      `<Shares>${shares.join("")}</Shares><NextMarker>${next === undefined ? "" : escapeXml(next)}</NextMarker></EnumerationResults>`;
    return { status: 200, headers: { "content-type": "application/xml" }, body };
  }

  private maxResults(value: string | undefined): number {
    const max = numberParam(value, "maxresults", (code, details) => this.error(code, details)) ?? 5000;
    if (max <= 0)
      throw this.error("OutOfRangeQueryParameterValue", {
        QueryParameterName: "maxresults",
        QueryParameterValue: String(value),
      });
    return Math.min(max, 5000);
  }

  // ---- locating ----

  /** The directory at `path`: its parent chain must exist (ParentNotFound) and so must it. */
  private directory(share: Share, path: string): Dir {
    const lookup = share.tree.lookup(splitPath(path));
    if (!lookup.parent) throw this.error("ParentNotFound");
    if (lookup.node?.kind !== "dir") throw this.error("ResourceNotFound");
    return lookup.node;
  }

  private file(share: Share, path: string): { parent: Dir; node: File } {
    const lookup = share.tree.lookup(splitPath(path));
    if (!lookup.parent) throw this.error("ParentNotFound");
    if (lookup.node?.kind !== "file") throw this.error("ResourceNotFound");
    return { parent: lookup.parent, node: lookup.node };
  }

  private newSmb(request: Request, share: Share, parent: Dir, kind: "file" | "directory"): Smb {
    const fail = (code: string, details?: Record<string, string>) => this.error(code, details);
    const now = smbTimeFrom(request.headers, "x-ms-file-change-time", "", "now", fail);
    return {
      fileId: newFileId(),
      parentId: parent.props.smb.fileId,
      attributes: attributesFrom(header(request.headers, "x-ms-file-attributes") ?? "None", kind, fail),
      creationTime: smbTimeFrom(request.headers, "x-ms-file-creation-time", now, "now", fail),
      lastWriteTime: smbTimeFrom(request.headers, "x-ms-file-last-write-time", now, "now", fail),
      changeTime: now,
      lastAccessTime: now,
      permissionKey: permissionKeyFrom(
        request.headers,
        share.permissions,
        parent.props.smb.permissionKey,
        parent.props.smb.permissionKey,
        "inherit",
        fail,
      ),
    };
  }

  /** Set File/Directory Properties: every SMB property not sent is kept. */
  private updateSmb(request: Request, share: Share, smb: Smb, kind: "file" | "directory"): void {
    const fail = (code: string, details?: Record<string, string>) => this.error(code, details);
    const attributes = header(request.headers, "x-ms-file-attributes");
    if (attributes !== undefined && attributes !== "preserve")
      smb.attributes = attributesFrom(attributes, kind, fail);
    smb.creationTime = smbTimeFrom(
      request.headers,
      "x-ms-file-creation-time",
      smb.creationTime,
      "preserve",
      fail,
    );
    smb.lastWriteTime = smbTimeFrom(
      request.headers,
      "x-ms-file-last-write-time",
      smb.lastWriteTime,
      "preserve",
      fail,
    );
    smb.changeTime = smbTimeFrom(request.headers, "x-ms-file-change-time", smb.changeTime, "now", fail);
    smb.permissionKey = permissionKeyFrom(
      request.headers,
      share.permissions,
      smb.permissionKey,
      smb.permissionKey,
      "preserve",
      fail,
    );
  }

  // ---- directories ----

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/create-directory */
  private createDirectory(request: Request): ServiceReply {
    const share = this.share(request);
    const segments = splitPath(request.path);
    const lookup = share.tree.lookup(segments);
    if (segments.length === 0 || lookup.node) throw this.error("ResourceAlreadyExists");
    if (!lookup.parent) throw this.error("ParentNotFound");
    const dir: Dir = {
      kind: "dir",
      name: segments.at(-1)!,
      props: {
        smb: this.newSmb(request, share, lookup.parent, "directory"),
        stamp: stamp(),
        metadata: metadataFrom(request.headers),
      },
      children: new Map(),
    };
    share.tree.put(lookup.parent, dir);
    return {
      status: 201,
      headers: {
        ...stampHeaders(dir.props),
        ...smbResponseHeaders(dir.props.smb),
        "x-ms-request-server-encrypted": "true",
      },
    };
  }

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/delete-directory */
  private deleteDirectory(request: Request): ServiceReply {
    const share = this.share(request);
    if (request.path === "") throw this.error("InvalidUri");
    const segments = splitPath(request.path);
    const dir = this.directory(share, request.path);
    if (dir.children.size > 0) throw this.error("DirectoryNotEmpty");
    share.tree.remove(share.tree.lookup(segments).parent!, dir.name);
    return { status: 202 };
  }

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/get-directory-properties */
  private directoryProperties(request: Request): ServiceReply {
    const share = this.share(request);
    const dir = this.directory(share, request.path);
    return {
      status: 200,
      headers: {
        ...stampHeaders(dir.props),
        ...metadataHeaders(dir.props.metadata),
        ...smbResponseHeaders(dir.props.smb),
        "x-ms-server-encrypted": "true",
      },
    };
  }

  private setDirectoryProperties(request: Request, comp: string): ServiceReply {
    const share = this.share(request);
    const dir = this.directory(share, request.path);
    if (comp === "metadata") dir.props.metadata = metadataFrom(request.headers);
    else this.updateSmb(request, share, dir.props.smb, "directory");
    touch(dir.props);
    return { status: 200, headers: { ...stampHeaders(dir.props), ...smbResponseHeaders(dir.props.smb) } };
  }

  /**
   * One level of a directory, files and directories intermingled in name order, paged by an
   * opaque marker. https://learn.microsoft.com/en-us/rest/api/storageservices/list-directories-and-files
   */
  private list(request: Request): ServiceReply {
    const share = this.share(request);
    const dir = this.directory(share, request.path);
    const { prefix, marker } = request.query;
    const max = this.maxResults(request.query.maxresults);
    const include = new Set(
      (request.query.include ?? "")
        .split(",")
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean),
    );
    for (const item of include) {
      if (!["timestamps", "etag", "attributes", "permissionkey"].includes(item))
        throw this.error("InvalidQueryParameterValue", {
          QueryParameterName: "include",
          QueryParameterValue: item,
        });
    }
    const after = marker === undefined ? undefined : Buffer.from(marker, "base64url").toString("utf8");
    const entries = share.tree
      .sorted(dir)
      .filter((node) => prefix === undefined || node.name.toLowerCase().startsWith(prefix.toLowerCase()))
      .filter((node) => after === undefined || compareNames(node.name, after) >= 0);
    const page = entries.slice(0, max);
    const next = entries[max];
    const body =
      `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="${escapeXml(this.options.serviceEndpoint())}" ShareName="${escapeXml(share.name)}" DirectoryPath="${escapeXml(request.path)}">` +
      (prefix !== undefined ? `<Prefix>${escapeXml(prefix)}</Prefix>` : "") +
      (marker !== undefined ? `<Marker>${escapeXml(marker)}</Marker>` : "") +
      (request.query.maxresults !== undefined ? `<MaxResults>${max}</MaxResults>` : "") +
      `<DirectoryId>${dir.props.smb.fileId}</DirectoryId><Entries>${page.map((node) => this.entryXml(node, include)).join("")}</Entries>` +
      `<NextMarker>${next === undefined ? "" : Buffer.from(next.name).toString("base64url")}</NextMarker></EnumerationResults>`;
    return { status: 200, headers: { "content-type": "application/xml" }, body };
  }

  private entryXml(node: TreeNode<FilesFile, FilesDir>, include: Set<string>): string {
    const { smb, stamp: entityStamp } = node.props;
    let properties =
      node.kind === "file" ? `<Content-Length>${node.props.content.size}</Content-Length>` : "";
    if (include.has("timestamps")) {
      properties +=
        `<CreationTime>${smb.creationTime}</CreationTime><LastAccessTime>${smb.lastAccessTime}</LastAccessTime>` +
        `<LastWriteTime>${smb.lastWriteTime}</LastWriteTime><ChangeTime>${smb.changeTime}</ChangeTime>` +
        `<Last-Modified>${httpDate(entityStamp.lastModified)}</Last-Modified>`;
    }
    if (include.has("etag")) properties += `<Etag>${escapeXml(entityStamp.etag)}</Etag>`;
    const tag = node.kind === "file" ? "File" : "Directory";
    return (
      `<${tag}><FileId>${smb.fileId}</FileId>${xmlName(node.name)}` +
      (properties ? `<Properties>${properties}</Properties>` : "<Properties />") +
      (include.has("attributes") ? `<Attributes>${smb.attributes}</Attributes>` : "") +
      (include.has("permissionkey") ? `<PermissionKey>${smb.permissionKey}</PermissionKey>` : "") +
      `</${tag}>`
    );
  }

  // ---- files ----

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/create-file */
  private createFile(request: Request): ServiceReply {
    const share = this.share(request);
    const type = header(request.headers, "x-ms-type");
    if (type === undefined) throw this.error("MissingRequiredHeader", { HeaderName: "x-ms-type" });
    if (type.toLowerCase() !== "file")
      throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-type", HeaderValue: type });
    const length = header(request.headers, "x-ms-content-length");
    if (length === undefined)
      throw this.error("MissingRequiredHeader", { HeaderName: "x-ms-content-length" });
    if (!/^\d+$/.test(length))
      throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-content-length", HeaderValue: length });
    if (Number(length) > MAX_FILE_SIZE) throw this.error("OutOfRangeInput");
    const fail = (code: string, details?: Record<string, string>) => this.error(code, details);
    const contentMd5 = md5Header(request.headers, "x-ms-content-md5", fail);
    const segments = splitPath(request.path);
    const lookup = share.tree.lookup(segments);
    if (!lookup.parent) throw this.error("ParentNotFound");
    if (lookup.node?.kind === "dir") throw this.error("ResourceTypeMismatch");
    if (lookup.node?.kind === "file" && isReadOnly(lookup.node)) throw this.error("ReadOnlyAttribute");
    const file: File = {
      kind: "file",
      // Names are case-preserving: replacing a file keeps the name it was created with.
      name: lookup.node?.name ?? segments.at(-1)!,
      props: {
        smb: this.newSmb(request, share, lookup.parent, "file"),
        stamp: stamp(),
        metadata: metadataFrom(request.headers),
        content: new Content(Number(length)),
        headers: contentRequestHeaders(request.headers),
        contentMd5,
      },
    };
    share.tree.put(lookup.parent, file);
    return {
      status: 201,
      headers: {
        ...stampHeaders(file.props),
        ...smbResponseHeaders(file.props.smb),
        "x-ms-request-server-encrypted": "true",
      },
    };
  }

  /**
   * Put Range: an update writes the body (at most 4 MiB, exactly the range's length) inside the
   * file's size; a clear zeroes the range. With x-ms-copy-source it is Put Range From URL.
   * https://learn.microsoft.com/en-us/rest/api/storageservices/put-range
   */
  private async putRange(request: Request): Promise<ServiceReply> {
    const share = this.share(request);
    const { node } = this.file(share, request.path);
    const fail = (code: string, details?: Record<string, string>) => this.error(code, details);
    const range = requestedRange(request.headers, invalidHeader(fail));
    if (!range) throw this.error("MissingRequiredHeader", { HeaderName: "Range" });
    if (range.end === undefined) throw invalidHeader(fail)("x-ms-range", `bytes=${range.start}-`);
    const write = header(request.headers, "x-ms-write");
    if (write === undefined) throw this.error("MissingRequiredHeader", { HeaderName: "x-ms-write" });
    if (write !== "update" && write !== "clear")
      throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-write", HeaderValue: write });
    const length = range.end - range.start + 1;
    const file = node.props;
    let data: Buffer | undefined;
    let copySource: ServiceReply["copySource"];
    if (header(request.headers, "x-ms-copy-source") !== undefined) {
      if (write !== "update")
        throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-write", HeaderValue: write });
      ({ data, copySource } = await this.readSource(request, length, range.end >= file.content.size));
    } else if (write === "update") {
      if (length > MAX_RANGE) throw this.error("RequestBodyTooLarge", { MaxLimit: String(MAX_RANGE) });
      if (request.body.length !== length)
        throw this.error("InvalidHeaderValue", {
          HeaderName: "Content-Length",
          HeaderValue: String(request.body.length),
        });
      const sent = md5Header(request.headers, "content-md5", fail);
      if (sent !== undefined && sent !== md5(request.body))
        throw this.error("Md5Mismatch", { UserSpecifiedMd5: sent, ServerCalculatedMd5: md5(request.body) });
      data = request.body;
    } else {
      if (request.body.length !== 0)
        throw this.error("InvalidHeaderValue", {
          HeaderName: "Content-Length",
          HeaderValue: String(request.body.length),
        });
      if (header(request.headers, "content-md5") !== undefined)
        throw this.error("UnsupportedHeader", { HeaderName: "Content-MD5" });
    }
    if (range.end >= file.content.size) throw this.error("InvalidRange");
    if (data) file.content.write(range.start, data);
    else file.content.clear(range.start, length);
    file.smb.lastWriteTime = smbTimeFrom(
      request.headers,
      "x-ms-file-last-write-time",
      file.smb.lastWriteTime,
      "now",
      fail,
    );
    file.smb.changeTime = serviceTime(new Date());
    touch(file);
    return {
      status: 201,
      headers: {
        ...stampHeaders(file),
        ...(data && !copySource ? { "content-md5": md5(data) } : {}),
        "x-ms-request-server-encrypted": "true",
        "x-ms-file-last-write-time": file.smb.lastWriteTime,
      },
      copySource,
    };
  }

  /**
   * Put Range From URL reads the source with a ranged GET, authorized by the source URL's SAS or by
   * x-ms-copy-source-authorization (Bearer only); a Files source read with a token needs the
   * backup intent as any token request to Files does.
   * https://learn.microsoft.com/en-us/rest/api/storageservices/put-range-from-url
   */
  private async readSource(
    request: Request,
    length: number,
    beyondEnd: boolean,
  ): Promise<{ data: Buffer; copySource: NonNullable<ServiceReply["copySource"]> }> {
    const fail = (code: string, details?: Record<string, string>) => this.error(code, details);
    if (request.body.length !== 0)
      throw this.error("InvalidHeaderValue", {
        HeaderName: "Content-Length",
        HeaderValue: String(request.body.length),
      });
    const sourceRangeText = header(request.headers, "x-ms-source-range");
    if (sourceRangeText === undefined)
      throw this.error("MissingRequiredHeader", { HeaderName: "x-ms-source-range" });
    const sourceRange = requestedRange({ "x-ms-range": sourceRangeText }, () =>
      this.error("InvalidHeaderValue", { HeaderName: "x-ms-source-range", HeaderValue: sourceRangeText }),
    );
    if (sourceRange?.end === undefined)
      throw this.error("InvalidHeaderValue", {
        HeaderName: "x-ms-source-range",
        HeaderValue: sourceRangeText,
      });
    const sourceLength = sourceRange.end - sourceRange.start + 1;
    if (sourceLength > MAX_RANGE || length > MAX_RANGE)
      throw this.error("RequestBodyTooLarge", { MaxLimit: String(MAX_RANGE) });
    if (sourceLength !== length)
      throw this.error("InvalidHeaderValue", {
        HeaderName: "x-ms-source-range",
        HeaderValue: sourceRangeText,
      });
    if (beyondEnd) throw this.error("InvalidRange");
    const sourceText = header(request.headers, "x-ms-copy-source")!;
    let source: URL;
    try {
      source = new URL(sourceText);
    } catch {
      throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-copy-source", HeaderValue: sourceText });
    }
    const sourceAuthorization = header(request.headers, "x-ms-copy-source-authorization");
    if (sourceAuthorization !== undefined && !/^bearer /i.test(sourceAuthorization))
      throw this.error("InvalidHeaderValue", {
        HeaderName: "x-ms-copy-source-authorization",
        HeaderValue: "(redacted)",
      });
    const headers: Record<string, string> = {
      "x-ms-version": header(request.headers, "x-ms-version") ?? "2025-11-05",
      "x-ms-range": `bytes=${sourceRange.start}-${sourceRange.end}`,
    };
    if (sourceAuthorization !== undefined) {
      headers.authorization = sourceAuthorization;
      if (this.options.isFilesUrl(source)) headers["x-ms-file-request-intent"] = "backup";
    }
    if (
      this.options.isFilesUrl(source) &&
      header(request.headers, "x-ms-source-allow-trailing-dot") === "true"
    )
      headers["x-ms-allow-trailing-dot"] = "true";
    const copySource = {
      url: `${source.origin}${source.pathname}`,
      authorization:
        sourceAuthorization !== undefined
          ? ("bearer" as const)
          : source.searchParams.has("sig")
            ? ("sas" as const)
            : ("none" as const),
    };
    const response = await this.options.fetch(source, headers).catch(() => undefined);
    if (!response) throw withStatus(this.error("CannotVerifyCopySource"), 500);
    if (response.status !== 200 && response.status !== 206) throw this.sourceFailure(response);
    if (response.body.length !== length) throw fail("InvalidRange");
    return { data: response.body, copySource };
  }

  /**
   * A failed source read: the source's status and message, its code in
   * x-ms-copy-source-error-code and, in the body, CopySourceStatusCode / -ErrorCode / -ErrorMessage
   * (the elements the Files SDK's error model reads).
   */
  private sourceFailure(response: SourceResponse): ServiceError {
    const sourceCode = header(response.headers, "x-ms-error-code") ?? "";
    const text = response.body.toString("utf8");
    const message =
      /<Message>([^\n<]*)/.exec(text)?.[1] ??
      /"message"\s*:\s*"([^"\\]*)/.exec(text)?.[1] ??
      this.error("CannotVerifyCopySource").message;
    return new ServiceError(
      response.status,
      "CannotVerifyCopySource",
      message,
      {
        CopySourceStatusCode: String(response.status),
        CopySourceErrorCode: sourceCode,
        CopySourceErrorMessage: message,
      },
      { "x-ms-copy-source-status-code": String(response.status), "x-ms-copy-source-error-code": sourceCode },
    );
  }

  /**
   * Set File Properties clears every content header it is not sent and may resize the file; Set
   * File Metadata replaces the metadata.
   * https://learn.microsoft.com/en-us/rest/api/storageservices/set-file-properties
   */
  private setFileProperties(request: Request, comp: string): ServiceReply {
    const share = this.share(request);
    const file = this.file(share, request.path).node.props;
    if (comp === "metadata") {
      file.metadata = metadataFrom(request.headers);
    } else {
      const fail = (code: string, details?: Record<string, string>) => this.error(code, details);
      const length = header(request.headers, "x-ms-content-length");
      if (length !== undefined) {
        if (!/^\d+$/.test(length))
          throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-content-length", HeaderValue: length });
        if (Number(length) > MAX_FILE_SIZE) throw this.error("OutOfRangeInput");
      }
      const contentMd5 = md5Header(request.headers, "x-ms-content-md5", fail);
      this.updateSmb(request, share, file.smb, "file");
      if (length !== undefined) file.content.resize(Number(length));
      file.headers = contentRequestHeaders(request.headers);
      file.contentMd5 = contentMd5;
    }
    touch(file);
    return {
      status: 200,
      headers: {
        ...stampHeaders(file),
        ...smbResponseHeaders(file.smb),
        "x-ms-request-server-encrypted": "true",
      },
    };
  }

  /**
   * Get File (whole, or ranged with 206 and Content-Range; Content-MD5 of the whole file when
   * stored, of a range of at most 4 MiB when x-ms-range-get-content-md5 asks) and Get File
   * Properties (HEAD). https://learn.microsoft.com/en-us/rest/api/storageservices/get-file
   */
  private getFile(request: Request, withBody: boolean): ServiceReply {
    const share = this.share(request);
    const file = this.file(share, request.path).node.props;
    checkConditions(request.headers, file.stamp.etag, (code) => this.error(code), true);
    const fail = (code: string, details?: Record<string, string>) => this.error(code, details);
    const size = file.content.size;
    const headers: Record<string, string | number | undefined> = {
      ...stampHeaders(file),
      ...contentResponseHeaders(file.headers),
      ...metadataHeaders(file.metadata),
      ...smbResponseHeaders(file.smb),
      "x-ms-type": "File",
      "accept-ranges": "bytes",
      "x-ms-server-encrypted": "true",
      "x-ms-lease-state": "available",
      "x-ms-lease-status": "unlocked",
    };
    const range = withBody ? requestedRange(request.headers, invalidHeader(fail)) : undefined;
    const rangeMd5 = header(request.headers, "x-ms-range-get-content-md5") === "true";
    if (!range) {
      if (rangeMd5 && withBody)
        throw this.error("InvalidHeaderValue", {
          HeaderName: "x-ms-range-get-content-md5",
          HeaderValue: "true",
        });
      return {
        status: 200,
        headers: { ...headers, "content-length": size, "content-md5": file.contentMd5 },
        ...(withBody ? { body: file.content.read(0, size) } : {}),
      };
    }
    if (range.start >= size) throw this.error("InvalidRange", {}, { "content-range": `bytes */${size}` });
    const end = Math.min(range.end ?? size - 1, size - 1);
    const body = file.content.read(range.start, end - range.start + 1);
    if (rangeMd5 && body.length > MAX_RANGE)
      throw this.error("OutOfRangeInput", { HeaderName: "x-ms-range-get-content-md5" });
    return {
      status: 206,
      headers: {
        ...headers,
        "content-length": body.length,
        "content-range": `bytes ${range.start}-${end}/${size}`,
        "content-md5": rangeMd5 ? md5(body) : undefined,
        "x-ms-content-md5": file.contentMd5,
      },
      body,
    };
  }

  /**
   * x-ms-file-rename-source: the full URL of the source file (with its SAS, when the request is
   * authorized by one), on this account's Files endpoint; undefined when absent or not such a URL.
   */
  private renameSource(
    request: Request,
  ): { path: string; query: Record<string, string>; share: string; file: string } | undefined {
    const text = header(request.headers, "x-ms-file-rename-source");
    if (text === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    if (!`${url.origin}${url.pathname}`.startsWith(this.options.serviceEndpoint())) return undefined;
    const parsed = parsePath(url.pathname);
    const { account, container } = parsed;
    const path =
      header(request.headers, "x-ms-source-allow-trailing-dot") === "true"
        ? parsed.path
        : trimTrailingDots(parsed.path);
    return {
      path: `/${[account, container, path].filter(Boolean).join("/")}`,
      query: parseQuery(url.search),
      share: container,
      file: path,
    };
  }

  private booleanHeader(request: Request, name: string): boolean {
    const value = header(request.headers, name);
    if (value === undefined) return false;
    if (value !== "true" && value !== "false")
      throw this.error("InvalidHeaderValue", { HeaderName: name, HeaderValue: value });
    return value === "true";
  }

  /**
   * Rename File: moves a file to the request's path in the same share. It keeps its data,
   * content headers, metadata, MD5, file id and SMB properties, unless the request sets some
   * (x-ms-content-type, x-ms-meta-*, x-ms-file-attributes / -creation-time / -last-write-time /
   * -permission[-key]; the change time becomes now); its parent id becomes the new parent's.
   * A destination file is replaced only with x-ms-file-rename-replace-if-exists: true (else 409
   * ResourceAlreadyExists, as recorded from the service in azure-sdk-for-js
   * sdk/storage/storage-file-share/recordings/node/fileclient/recording_rename__replaceifexists_eq_false.json),
   * and a read-only one only with x-ms-file-rename-ignore-readonly: true too (else 409
   * ReadOnlyAttribute, recording_rename__ignorereadonly_eq_false.js there). "The target can not be
   * an existing directory": this server answers 409 ResourceTypeMismatch, as Create File does on a
   * directory. The answer is 200 with the file's ETag, Last-Modified and SMB properties.
   * https://learn.microsoft.com/en-us/rest/api/storageservices/rename-file
   */
  private renameFile(request: Request): ServiceReply {
    const share = this.share(request);
    const sourceText = header(request.headers, "x-ms-file-rename-source");
    if (sourceText === undefined)
      throw this.error("MissingRequiredHeader", { HeaderName: "x-ms-file-rename-source" });
    const source = this.renameSource(request);
    // Another account, another share or not a URL: the API renames within one share only.
    if (!source || source.share !== share.name || source.file === "")
      throw this.error("InvalidHeaderValue", {
        HeaderName: "x-ms-file-rename-source",
        HeaderValue: sourceText.split("?")[0]!,
      });
    const replace = this.booleanHeader(request, "x-ms-file-rename-replace-if-exists");
    const ignoreReadOnly = this.booleanHeader(request, "x-ms-file-rename-ignore-readonly");
    // "If true, x-ms-file-rename-replace-if-exists must also be true."
    if (ignoreReadOnly && !replace)
      throw this.error("InvalidHeaderValue", {
        HeaderName: "x-ms-file-rename-ignore-readonly",
        HeaderValue: "true",
      });
    const from = share.tree.lookup(splitPath(source.file));
    if (!from.parent || !from.node) throw this.error("ResourceNotFound");
    if (from.node.kind !== "file") throw this.error("ResourceTypeMismatch");
    const moving = from.node;
    const segments = splitPath(request.path);
    const to = share.tree.lookup(segments);
    if (!to.parent) throw this.error("ParentNotFound");
    const existing = to.node === moving ? undefined : to.node;
    if (existing?.kind === "dir") throw this.error("ResourceTypeMismatch");
    if (existing && !replace) throw this.error("ResourceAlreadyExists");
    if (existing?.kind === "file" && isReadOnly(existing)) {
      if (!ignoreReadOnly) throw this.error("ReadOnlyAttribute");
    }
    // Everything the request sets is validated before anything changes.
    const file = moving.props;
    const smb = { ...file.smb };
    this.updateSmb(request, share, smb, "file");
    const contentType = header(request.headers, "x-ms-content-type");
    const metadata = Object.keys(request.headers).some((name) => name.startsWith("x-ms-meta-"))
      ? metadataFrom(request.headers)
      : file.metadata;

    share.tree.remove(from.parent, moving.name);
    if (existing) share.tree.remove(to.parent, existing.name);
    moving.name = segments.at(-1)!;
    share.tree.put(to.parent, moving);
    file.smb = { ...smb, parentId: to.parent.props.smb.fileId };
    if (contentType !== undefined) file.headers = { ...file.headers, contentType };
    file.metadata = metadata;
    touch(file);
    return {
      status: 200,
      headers: {
        ...stampHeaders(file),
        ...smbResponseHeaders(file.smb),
        "x-ms-request-server-encrypted": "true",
      },
    };
  }

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/delete-file2 */
  private deleteFile(request: Request): ServiceReply {
    const share = this.share(request);
    const { parent, node } = this.file(share, request.path);
    if (isReadOnly(node)) throw this.error("ReadOnlyAttribute");
    share.tree.remove(parent, node.name);
    return { status: 202 };
  }
}

/** A file whose ReadOnly attribute is set: the service refuses to replace or delete it. */
function isReadOnly(file: File): boolean {
  return file.props.smb.attributes.split(" | ").includes("ReadOnly");
}

function trimTrailingDots(path: string): string {
  return path
    .split("/")
    .map((segment) => segment.replace(/\.+$/, ""))
    .join("/");
}
