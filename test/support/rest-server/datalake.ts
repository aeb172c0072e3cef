// The Data Lake Storage Gen2 (dfs endpoint) operations azcp uses: file systems, Path - Create
// (and rename), - Update (append, flush, setProperties, setAccessControl), - List, - Read, - Get
// Properties and - Delete. The official SDK also sends some Blob-endpoint requests for Data Lake resources
// (file system create/delete/properties, path properties, metadata, HTTP headers); on a
// path-style URL they arrive here too, and are answered as the Blob endpoint would.
// Reference: https://learn.microsoft.com/en-us/rest/api/storageservices/data-lake-storage-gen2
import { createHash } from "node:crypto";
import {
  childPosix,
  EXECUTE,
  formatAcl,
  formatPermissions,
  type Posix,
  parseAcl,
  parsePermissions,
  READ,
  SUPERUSER,
  WRITE,
  withAcl,
} from "./acl.js";
import type { Auth } from "./auth.js";
import {
  AclChecks,
  blobMetadataHeaders,
  entityDates,
  type FileSystem,
  fileTime,
  formatProperties,
  type LakeDirNode,
  type LakeFileNode,
  type LakeNode,
  newFile,
  newFileSystem,
  parseProperties,
  unquote,
} from "./datalake-model.js";
import { dfsError, escapeXml, notEmulated, type ServiceError } from "./errors.js";
import {
  checkConditions,
  contentRequestHeaders,
  contentResponseHeaders,
  header,
  httpDate,
  invalidHeader,
  md5Header,
  metadataFrom,
  numberParam,
  parseQuery,
  type Request,
  requestedRange,
} from "./http.js";
import type { Operation, Service, ServiceReply } from "./operation.js";
import type { Action } from "./roles.js";
import { compareNames, splitPath, stamp } from "./store.js";

/** File system names: https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/filesystem/create */
const FILE_SYSTEM_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
/** The largest single append (4000 MiB). */
const MAX_APPEND = 4000 * 1024 * 1024;
const MAX_RANGE_MD5 = 4 * 1024 * 1024;

const md5 = (data: Buffer) => createHash("md5").update(data).digest("base64");

type Fail = (code: string, details?: Record<string, string>) => ServiceError;

type OperationFactory = (
  resourceType: "s" | "c" | "o",
  permissions: string,
  action: Action,
  run: () => ServiceReply | Promise<ServiceReply>,
  extra?: Partial<Operation>,
) => Operation;

export interface DataLakeOptions {
  /** "https://127.0.0.1:PORT/account/", as Blob listings name the service. */
  serviceEndpoint(): string;
}

export class DataLakeService implements Service {
  readonly name = "dfs" as const;
  readonly sasService = "b" as const;
  readonly errorFormat = "json" as const;
  readonly serverHeader = "Windows-Azure-HDFS/1.0 Microsoft-HTTPAPI/2.0";
  private readonly fileSystems = new Map<string, FileSystem>();
  private readonly fail: Fail = (code, details) => this.error(code, details);

  constructor(private readonly options: DataLakeOptions) {}

  error(code: string, details?: Record<string, string>, headers?: Record<string, string>): ServiceError {
    return dfsError(code, details, headers);
  }

  objectBytes(container: string, path: string): Buffer | undefined {
    const node = this.fileSystems.get(container)?.tree.find(splitPath(path));
    return node?.kind === "file" ? node.props.content.read(0, node.props.content.size) : undefined;
  }

  resolve(request: Request, auth: Auth): Operation {
    const { method, container, query } = request;
    const creator = auth.kind === "bearer" ? (auth.objectId ?? SUPERUSER) : SUPERUSER;
    const op: OperationFactory = (resourceType, permissions, action, run, extra = {}) => ({
      sas: { resourceType, permissions },
      action,
      errorFormat: "json",
      run,
      ...extra,
    });
    const blob = (operation: Operation): Operation => ({ ...operation, errorFormat: "xml" });
    const unknown = () =>
      notEmulated(
        `${method} with ${
          Object.keys(query)
            .filter((name) => !/^(s[a-z]{1,2}|sig|timeout)$/.test(name))
            .join("&") || "no query"
        }`,
      );

    if (!container) {
      if (method === "GET" && query.resource === "account")
        return op("s", "l", "list", () => this.listFileSystems(request));
      if (method === "GET" && query.comp === "list")
        return blob(op("s", "l", "list", () => this.listContainers(request)));
      throw unknown();
    }
    if (query.resource === "filesystem") {
      if (method === "PUT")
        return op("c", "cw", "write", () => this.createFileSystem(request, creator, false));
      if (method === "DELETE") return op("c", "d", "delete", () => this.deleteFileSystem(request, false));
      if (method === "HEAD") return op("c", "r", "read", () => this.fileSystemProperties(request, false));
      if (method === "PATCH") return op("c", "w", "write", () => this.setFileSystemProperties(request));
      if (method === "GET") return this.listOperation(request, op);
      throw unknown();
    }
    if (query.restype === "container") {
      const comp = query.comp ?? "";
      if (method === "PUT" && comp === "")
        return blob(op("c", "cw", "write", () => this.createFileSystem(request, creator, true)));
      if (method === "DELETE" && comp === "")
        return blob(op("c", "d", "delete", () => this.deleteFileSystem(request, true)));
      if ((method === "GET" || method === "HEAD") && (comp === "" || comp === "metadata"))
        return blob(op("c", "r", "read", () => this.fileSystemProperties(request, true)));
      throw unknown();
    }
    return this.pathOperation(request, creator, op, blob, unknown);
  }

  private pathOperation(
    request: Request,
    creator: string,
    op: OperationFactory,
    blob: (operation: Operation) => Operation,
    unknown: () => ServiceError,
  ): Operation {
    const { method, query } = request;
    const segments = splitPath(request.path);
    const where = () => {
      const fs = this.fileSystems.get(request.container);
      return fs ? { fs, lookup: fs.tree.lookup(segments) } : undefined;
    };
    // Each check passes when the file system is missing, so that the operation answers 404.
    const acl = (
      check: (found: NonNullable<ReturnType<typeof where>>, principal: string | undefined) => boolean,
    ) => ({
      aclAllows: (principal: string | undefined) => {
        const found = where();
        return found === undefined || check(found, principal);
      },
    });
    const readAcl = acl(({ lookup }, p) => AclChecks.node(lookup.ancestors, lookup.node, p, READ));
    const statAcl = acl(({ lookup }, p) => AclChecks.traverse(lookup.ancestors, p));
    const writeAcl = acl(({ lookup }, p) => AclChecks.node(lookup.ancestors, lookup.node, p, WRITE));

    switch (method) {
      case "PUT": {
        const renameSource = header(request.headers, "x-ms-rename-source");
        if (renameSource !== undefined && query.resource === undefined && query.comp === undefined)
          return this.renameOperation(request, renameSource, op);
        if (query.resource === "file" || query.resource === "directory") {
          const exists = where()?.lookup.node?.kind === "file";
          return op(
            "o",
            exists ? "w" : "cw",
            "write",
            () => this.createPath(request, creator, query.resource as "file" | "directory"),
            // Creating needs WX on the deepest existing directory on the way, X above it.
            acl(({ lookup }, p) => AclChecks.onLast(lookup.ancestors, p, WRITE | EXECUTE)),
          );
        }
        if (query.resource !== undefined)
          throw this.error("InvalidQueryParameterValue", {
            QueryParameterName: "resource",
            QueryParameterValue: query.resource,
          });
        if (query.comp === "metadata" || query.comp === "properties")
          return blob(op("o", "w", "write", () => this.setBlobProperties(request, query.comp!), writeAcl));
        throw unknown();
      }
      case "PATCH": {
        switch (query.action) {
          case "append":
            return op("o", "aw", "write", () => this.append(request), writeAcl);
          case "flush":
            return op("o", "w", "write", () => this.flush(request), writeAcl);
          case "setProperties":
            return op("o", "w", "write", () => this.setProperties(request), writeAcl);
          case "setAccessControl": {
            const changesOwner = header(request.headers, "x-ms-owner") !== undefined;
            return op("o", "w", "manageAcl", () => this.setAccessControl(request), {
              // Without a super-user role, only the owning user may change permissions and ACLs,
              // and nobody may change the owner.
              ...acl(
                ({ lookup }, p) =>
                  !changesOwner &&
                  AclChecks.traverse(lookup.ancestors, p) &&
                  lookup.node?.props.posix.owner === p,
              ),
            });
          }
          case undefined:
            throw this.error("MissingRequiredQueryParameter", { QueryParameterName: "action" });
          default:
            throw unknown();
        }
      }
      case "GET":
        if (Object.keys(query).some((name) => ["comp", "restype", "resource", "action"].includes(name)))
          throw unknown();
        return op("o", "r", "read", () => this.read(request, true), readAcl);
      case "HEAD":
        if (query.action === "getAccessControl" || query.action === "getStatus")
          return op(
            "o",
            "r",
            "read",
            () => this.accessControl(request, query.action === "getAccessControl"),
            statAcl,
          );
        if (query.action !== undefined) throw unknown();
        return op("o", "r", "read", () => this.read(request, false), statAcl);
      case "DELETE":
        return op(
          "o",
          "d",
          "delete",
          () => this.deletePath(request),
          acl(({ fs, lookup }, p) => AclChecks.delete(lookup.ancestors, lookup.node, fs.tree, p)),
        );
      default:
        throw this.error("UnsupportedHttpVerb");
    }
  }

  /**
   * Path - Create with x-ms-rename-source. A SAS needs what creating the destination needs (and
   * one on the source, checked by the pipeline); without a role, the ACLs must allow deleting the
   * source and creating the destination: WX on both parents, X above them.
   * https://learn.microsoft.com/en-us/azure/storage/blobs/data-lake-storage-access-control#common-scenarios-related-to-acl-permissions
   */
  private renameOperation(request: Request, renameSource: string, op: OperationFactory): Operation {
    const source = parseRenameSource(renameSource);
    const destination = () => this.fileSystems.get(request.container)?.tree.lookup(splitPath(request.path));
    const exists = destination()?.node?.kind === "file";
    return op("o", exists ? "w" : "cw", "write", () => this.rename(request, source), {
      aclAllows: (principal) => {
        const to = destination();
        const from = source && this.fileSystems.get(source.fileSystem)?.tree.lookup(splitPath(source.path));
        // Each check passes when what it looks at is missing, so that the operation answers 404.
        return (
          (to === undefined || AclChecks.onLast(to.ancestors, principal, WRITE | EXECUTE)) &&
          (from === undefined || AclChecks.onLast(from.ancestors, principal, WRITE | EXECUTE))
        );
      },
      ...(source
        ? {
            source: {
              path: `/${[request.account, source.fileSystem, source.path].filter(Boolean).join("/")}`,
              query: source.query,
              sas: { resourceType: "o", permissions: "wd" },
            },
          }
        : {}),
    });
  }

  private listOperation(request: Request, op: OperationFactory): Operation {
    const directory = splitPath((request.query.directory ?? "").replace(/^\/+|\/+$/g, ""));
    const recursive = request.query.recursive === "true";
    return op("c", "l", "list", () => this.listPaths(request), {
      aclAllows: (principal) => {
        const fs = this.fileSystems.get(request.container);
        if (!fs) return true;
        const lookup = fs.tree.lookup(directory);
        return AclChecks.list(lookup.ancestors, lookup.node, fs.tree, principal, recursive);
      },
    });
  }

  // ---- file systems ----

  private fileSystem(request: Request, blob = false): FileSystem {
    const fs = this.fileSystems.get(request.container);
    if (!fs) throw this.error(blob ? "ContainerNotFound" : "FilesystemNotFound");
    return fs;
  }

  /**
   * The root directory belongs to the creator when a token created the file system, to
   * $superuser otherwise, with permissions rwxr-x---.
   * https://learn.microsoft.com/en-us/azure/storage/blobs/data-lake-storage-access-control#assigning-the-owning-group-for-a-new-file-or-directory
   */
  private createFileSystem(request: Request, creator: string, blob: boolean): ServiceReply {
    if (!FILE_SYSTEM_NAME.test(request.container)) throw this.error("InvalidResourceName");
    if (this.fileSystems.has(request.container))
      throw this.error(blob ? "ContainerAlreadyExists" : "FilesystemAlreadyExists");
    const metadata =
      (blob ? metadataFrom(request.headers) : parseProperties(request.headers, this.fail)) ?? {};
    const root: Posix = { owner: creator, group: creator, mode: 0o750, sticky: false, entries: [] };
    const fs = newFileSystem(request.container, root, metadata);
    this.fileSystems.set(fs.name, fs);
    return { status: 201, headers: { ...entityDates(fs), "x-ms-namespace-enabled": "true" } };
  }

  private deleteFileSystem(request: Request, blob: boolean): ServiceReply {
    this.fileSystem(request, blob);
    this.fileSystems.delete(request.container);
    return { status: 202 };
  }

  private fileSystemProperties(request: Request, blob: boolean): ServiceReply {
    const fs = this.fileSystem(request, blob);
    return {
      status: 200,
      headers: {
        ...entityDates(fs),
        ...(blob ? blobMetadataHeaders(fs.metadata) : { "x-ms-properties": formatProperties(fs.metadata) }),
        "x-ms-namespace-enabled": "true",
        "x-ms-lease-state": "available",
        "x-ms-lease-status": "unlocked",
        "x-ms-has-immutability-policy": "false",
        "x-ms-has-legal-hold": "false",
      },
    };
  }

  private setFileSystemProperties(request: Request): ServiceReply {
    const fs = this.fileSystem(request);
    fs.metadata = parseProperties(request.headers, this.fail) ?? {};
    fs.stamp = stamp();
    return { status: 200, headers: entityDates(fs) };
  }

  /** https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/filesystem/list */
  private listFileSystems(request: Request): ServiceReply {
    const { prefix = "" } = request.query;
    const max = this.maxResults(request.query.maxResults);
    const after = request.query.continuation;
    const names = [...this.fileSystems.keys()]
      .filter((name) => name.startsWith(prefix) && (after === undefined || compareNames(name, after) >= 0))
      .sort(compareNames);
    const page = names.slice(0, max).map((name) => {
      const fs = this.fileSystems.get(name)!;
      return { name, lastModified: httpDate(fs.stamp.lastModified), etag: unquote(fs.stamp.etag) };
    });
    return {
      status: 200,
      headers: { "content-type": "application/json;charset=utf-8", "x-ms-continuation": names[max] },
      body: JSON.stringify({ filesystems: page }),
    };
  }

  /** List Containers, as the Blob endpoint answers it, for SDK calls routed there. */
  private listContainers(request: Request): ServiceReply {
    const { prefix = "", marker } = request.query;
    const max = Math.min(Number(request.query.maxresults ?? 5000) || 5000, 5000);
    const names = [...this.fileSystems.keys()]
      .filter((name) => name.startsWith(prefix) && (marker === undefined || compareNames(name, marker) >= 0))
      .sort(compareNames);
    const containers = names
      .slice(0, max)
      .map((name) => {
        const fs = this.fileSystems.get(name)!;
        return `<Container><Name>${escapeXml(name)}</Name><Properties><Last-Modified>${httpDate(fs.stamp.lastModified)}</Last-Modified><Etag>${escapeXml(fs.stamp.etag)}</Etag><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold></Properties></Container>`;
      })
      .join("");
    const body = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="${escapeXml(this.options.serviceEndpoint())}"><Prefix>${escapeXml(prefix)}</Prefix><Containers>${containers}</Containers><NextMarker>${escapeXml(names[max] ?? "")}</NextMarker></EnumerationResults>`;
    return { status: 200, headers: { "content-type": "application/xml" }, body };
  }

  private maxResults(value: string | undefined): number {
    const max = numberParam(value, "maxResults", this.fail) ?? 5000;
    if (max <= 0)
      throw this.error("OutOfRangeQueryParameterValue", {
        QueryParameterName: "maxResults",
        QueryParameterValue: String(value),
      });
    return Math.min(max, 5000);
  }

  /**
   * Path - List: a directory's paths (all below it when recursive), each directory before what it
   * holds, paged with x-ms-continuation. A missing directory is 404 PathNotFound.
   * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/list
   */
  private listPaths(request: Request): ServiceReply {
    const fs = this.fileSystem(request);
    const { recursive } = request.query;
    if (recursive === undefined)
      throw this.error("MissingRequiredQueryParameter", { QueryParameterName: "recursive" });
    if (recursive !== "true" && recursive !== "false")
      throw this.error("InvalidQueryParameterValue", {
        QueryParameterName: "recursive",
        QueryParameterValue: recursive,
      });
    const max = this.maxResults(request.query.maxResults);
    const directory = (request.query.directory ?? "").replace(/^\/+|\/+$/g, "");
    const node = fs.tree.find(splitPath(directory));
    if (!node) throw this.error("PathNotFound");
    const all: { path: string; node: LakeNode }[] = [];
    if (node.kind === "file") all.push({ path: directory, node });
    else {
      for (const entry of fs.tree.walk(node, directory)) {
        if (recursive === "true" || !entry.path.slice(directory ? directory.length + 1 : 0).includes("/"))
          all.push(entry);
      }
    }
    let start = 0;
    if (request.query.continuation !== undefined) {
      let token: { index?: unknown; path?: unknown };
      try {
        token = JSON.parse(
          Buffer.from(request.query.continuation, "base64url").toString("utf8"),
        ) as typeof token;
      } catch {
        throw this.error("InvalidQueryParameterValue", {
          QueryParameterName: "continuation",
          QueryParameterValue: request.query.continuation,
        });
      }
      const at = all.findIndex((entry) => entry.path === token.path);
      start = at >= 0 ? at : typeof token.index === "number" ? token.index : 0;
    }
    const page = all.slice(start, start + max);
    const next = all[start + max];
    const paths = page.map(({ path, node: entry }) => ({
      name: path,
      ...(entry.kind === "dir" ? { isDirectory: "true" } : {}),
      contentLength: String(entry.kind === "file" ? entry.props.content.size : 0),
      lastModified: httpDate(entry.props.stamp.lastModified),
      etag: unquote(entry.props.stamp.etag),
      owner: entry.props.posix.owner,
      group: entry.props.posix.group,
      permissions: formatPermissions(entry.props.posix),
      creationTime: fileTime(entry.props.created),
    }));
    const continuation = next
      ? Buffer.from(JSON.stringify({ index: start + max, path: next.path })).toString("base64url")
      : undefined;
    return {
      status: 200,
      headers: { "content-type": "application/json;charset=utf-8", "x-ms-continuation": continuation },
      body: JSON.stringify({ paths }),
    };
  }

  // ---- paths ----

  private node(
    request: Request,
    blob = false,
  ): { fs: FileSystem; parent: LakeDirNode | undefined; node: LakeNode } {
    const fs = this.fileSystem(request, blob);
    const lookup = fs.tree.lookup(splitPath(request.path));
    if (!lookup.node) throw this.error(blob ? "BlobNotFound" : "PathNotFound");
    return { fs, parent: lookup.parent, node: lookup.node };
  }

  private fileNode(request: Request): LakeFileNode {
    const { node } = this.node(request);
    if (node.kind !== "file") throw this.error("ResourceTypeMismatch");
    return node;
  }

  private posixRequest(request: Request): { requested: number | undefined; umask: number | undefined } {
    const permissions = header(request.headers, "x-ms-permissions");
    const umask = header(request.headers, "x-ms-umask");
    const parsed = permissions === undefined ? undefined : parsePermissions(permissions);
    if (permissions !== undefined && !parsed)
      throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-permissions", HeaderValue: permissions });
    if (umask !== undefined && !/^[0-7]{4}$/.test(umask))
      throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-umask", HeaderValue: umask });
    return { requested: parsed?.mode, umask: umask === undefined ? undefined : Number.parseInt(umask, 8) };
  }

  /**
   * Path - Create: parents are created as needed; If-None-Match: * fails with 409
   * PathAlreadyExists; an existing file is replaced, an existing directory kept.
   * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/create
   */
  private createPath(request: Request, creator: string, resource: "file" | "directory"): ServiceReply {
    const fs = this.fileSystem(request);
    if (header(request.headers, "x-ms-rename-source") !== undefined)
      throw notEmulated("Path - Create with both resource and x-ms-rename-source");
    const segments = splitPath(request.path);
    if (segments.length === 0) throw this.error("InvalidUri");
    const lookup = fs.tree.lookup(segments);
    if (lookup.parentIsFile) throw this.error("PathConflict");
    const existing = lookup.node;
    if (existing && header(request.headers, "if-none-match") === "*") throw this.error("PathAlreadyExists");
    checkConditions(request.headers, existing?.props.stamp.etag, (code) => this.error(code));
    if (existing && (existing.kind === "dir") !== (resource === "directory"))
      throw this.error("PathConflict");
    const metadata = parseProperties(request.headers, this.fail);
    const { requested, umask } = this.posixRequest(request);
    let parent = lookup.parent;
    if (!parent) {
      // Missing parents are made as directories, each inheriting from the one above it.
      parent = lookup.ancestors.at(-1)!;
      for (const name of segments.slice(lookup.ancestors.length - 1, -1)) {
        const dir: LakeDirNode = {
          kind: "dir",
          name,
          props: {
            stamp: stamp(),
            created: new Date(),
            metadata: {},
            posix: childPosix(parent.props.posix, "directory", creator, undefined, umask),
          },
          children: new Map(),
        };
        fs.tree.put(parent, dir);
        parent = dir;
      }
    }
    const name = segments.at(-1)!;
    const posix = childPosix(parent.props.posix, resource, creator, requested, umask);
    let created: LakeNode;
    if (existing?.kind === "dir") {
      existing.props.stamp = stamp();
      if (metadata) existing.props.metadata = metadata;
      created = existing;
    } else if (resource === "directory") {
      created = {
        kind: "dir",
        name,
        props: { stamp: stamp(), created: new Date(), metadata: metadata ?? {}, posix },
        children: new Map(),
      };
      fs.tree.put(parent, created);
    } else {
      created = newFile(name, posix, contentRequestHeaders(request.headers), metadata ?? {});
      fs.tree.put(parent, created);
    }
    return {
      status: 201,
      headers: {
        ...entityDates(created.props),
        "content-length": 0,
        "x-ms-request-server-encrypted": "true",
      },
    };
  }

  /**
   * Rename (Path - Create with x-ms-rename-source: "/{filesystem}/{path}", percent-encoded, a SAS
   * after "?" when the request carries one). The source keeps its committed data, content
   * headers, properties (replaced only when x-ms-properties is sent), MD5, owner, group and ACL,
   * ETag and Last-Modified; the answer is 201. An existing destination file is replaced, unless
   * If-None-Match: * (409 PathAlreadyExists) or another condition on it (412 ConditionNotMet)
   * says otherwise; x-ms-source-if-match / -if-none-match guard the source (412
   * SourceConditionNotMet). Unlike Create File, a rename does not make the destination's parent:
   * the error list names 404 RenameDestinationParentPathNotFound for it (and clients create the
   * parent then retry: hadoop-azure's AbfsClient, for one). A missing source is 404
   * SourcePathNotFound (as the service answers in azure-sdk-for-net's DataLake RenameAsync_Error
   * test). A file onto a directory, or a directory onto a file, is 409
   * InvalidSourceOrDestinationResourceType; in legacy mode a directory replaces an empty one
   * (https://github.com/Azure/azure-sdk-for-net/issues/10425: a non-empty one is 409
   * DirectoryNotEmpty). In posix mode (the default) a directory destination takes the source
   * inside it, which this server does not emulate. Directories are renamed in one call (no
   * x-ms-continuation).
   * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/create
   */
  private rename(request: Request, source: ParsedRenameSource | undefined): ServiceReply {
    const fs = this.fileSystem(request);
    const mode = request.query.mode;
    if (mode !== undefined && mode !== "legacy" && mode !== "posix")
      throw this.error("InvalidQueryParameterValue", {
        QueryParameterName: "mode",
        QueryParameterValue: mode,
      });
    if (!source) throw this.error("InvalidSourceUri");
    const sourceFs = this.fileSystems.get(source.fileSystem);
    if (!sourceFs) throw this.error("FilesystemNotFound");
    const from = sourceFs.tree.lookup(splitPath(source.path));
    if (!from.node || !from.parent) throw this.error("SourcePathNotFound");
    const moving = from.node;
    checkConditions(
      {
        "if-match": header(request.headers, "x-ms-source-if-match"),
        "if-none-match": header(request.headers, "x-ms-source-if-none-match"),
      },
      moving.props.stamp.etag,
      () => this.error("SourceConditionNotMet"),
    );
    const segments = splitPath(request.path);
    if (segments.length === 0) throw this.error("InvalidUri");
    const to = fs.tree.lookup(segments);
    if (moving.kind === "dir" && (to.node === moving || to.ancestors.includes(moving)))
      throw this.error("InvalidRenameSourcePath");
    if (to.parentIsFile) throw this.error("PathConflict");
    if (!to.parent) throw this.error("RenameDestinationParentPathNotFound");
    const existing = to.node;
    if (existing && header(request.headers, "if-none-match") === "*") throw this.error("PathAlreadyExists");
    checkConditions(request.headers, existing?.props.stamp.etag, (code) => this.error(code));
    const metadata = parseProperties(request.headers, this.fail);
    if (existing && existing !== moving) {
      if (existing.kind === "dir" && mode !== "legacy")
        throw notEmulated("a posix-mode rename onto an existing directory (the source goes inside it)");
      if (existing.kind !== moving.kind) throw this.error("InvalidSourceOrDestinationResourceType");
      if (existing.kind === "dir" && existing.children.size > 0) throw this.error("DirectoryNotEmpty");
    }
    if (existing !== moving) {
      fs.tree.remove(from.parent, moving.name);
      if (existing) fs.tree.remove(to.parent, existing.name);
      moving.name = segments.at(-1)!;
      fs.tree.put(to.parent, moving);
    }
    if (metadata) moving.props.metadata = metadata;
    return { status: 201, headers: { ...entityDates(moving.props), "content-length": 0 } };
  }

  private position(request: Request): number {
    const value = request.query.position;
    if (value === undefined)
      throw this.error("MissingRequiredQueryParameter", { QueryParameterName: "position" });
    return numberParam(value, "position", this.fail)!;
  }

  /**
   * Append Data stores the body as uncommitted data at `position`; appends may come in any order
   * and in parallel, and appending again at a position replaces what was there. A position below
   * the committed length is refused.
   * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/update
   */
  private append(request: Request): ServiceReply {
    const node = this.fileNode(request);
    const position = this.position(request);
    checkConditions(request.headers, node.props.stamp.etag, (code) => this.error(code));
    if (request.body.length === 0)
      throw this.error("InvalidHeaderValue", { HeaderName: "Content-Length", HeaderValue: "0" });
    if (request.body.length > MAX_APPEND) throw this.error("RequestBodyTooLarge");
    if (position < node.props.content.size) throw this.error("InvalidFlushPosition");
    const sent = md5Header(request.headers, "content-md5", this.fail);
    if (sent !== undefined && sent !== md5(request.body))
      throw this.error("Md5Mismatch", { UserSpecifiedMd5: sent, ServerCalculatedMd5: md5(request.body) });
    node.props.uncommitted.set(position, request.body);
    if (request.query.flush === "true")
      return this.commit(request, node, position + request.body.length, 202);
    return { status: 202, headers: { "content-length": 0, "x-ms-request-server-encrypted": "true" } };
  }

  /**
   * Flush Data commits exactly the uncommitted data from the committed length up to `position`:
   * it must be contiguous and end there (else 400 InvalidFlushPosition). The body must be empty.
   * Content headers not sent are cleared, as Set Blob Properties does; x-ms-content-md5 is stored.
   */
  private flush(request: Request): ServiceReply {
    const node = this.fileNode(request);
    const position = this.position(request);
    if (request.body.length !== 0) throw this.error("ContentLengthMustBeZero");
    checkConditions(request.headers, node.props.stamp.etag, (code) => this.error(code));
    return this.commit(request, node, position, 200);
  }

  private commit(request: Request, node: LakeFileNode, position: number, status: number): ServiceReply {
    const file = node.props;
    const contentMd5 = md5Header(request.headers, "x-ms-content-md5", this.fail);
    const chunks: [number, Buffer][] = [];
    let cursor = file.content.size;
    if (position < cursor) throw this.error("InvalidFlushPosition");
    while (cursor < position) {
      const chunk = file.uncommitted.get(cursor);
      if (!chunk || cursor + chunk.length > position) throw this.error("InvalidFlushPosition");
      chunks.push([cursor, chunk]);
      cursor += chunk.length;
    }
    for (const [offset, chunk] of chunks) {
      file.content.write(offset, chunk);
      file.uncommitted.delete(offset);
    }
    if (request.query.retainUncommittedData !== "true") file.uncommitted.clear();
    file.headers = contentRequestHeaders(request.headers);
    file.contentMd5 = contentMd5;
    file.stamp = stamp();
    return {
      status,
      headers: { ...entityDates(file), "content-length": 0, "x-ms-request-server-encrypted": "true" },
    };
  }

  private setProperties(request: Request): ServiceReply {
    const { node } = this.node(request);
    checkConditions(request.headers, node.props.stamp.etag, (code) => this.error(code));
    const metadata = parseProperties(request.headers, this.fail);
    if (metadata) node.props.metadata = metadata;
    if (node.kind === "file") {
      node.props.headers = contentRequestHeaders(request.headers);
      node.props.contentMd5 = md5Header(request.headers, "x-ms-content-md5", this.fail);
    }
    node.props.stamp = stamp();
    return { status: 200, headers: entityDates(node.props) };
  }

  /** Set Blob Metadata and Set Blob Properties (HTTP headers), as the Blob endpoint does them. */
  private setBlobProperties(request: Request, comp: string): ServiceReply {
    const { node } = this.node(request, true);
    if (comp === "metadata") node.props.metadata = metadataFrom(request.headers);
    else if (node.kind === "file") {
      node.props.headers = contentRequestHeaders(request.headers, "x-ms-blob-");
      node.props.contentMd5 = md5Header(request.headers, "x-ms-blob-content-md5", this.fail);
    }
    node.props.stamp = stamp();
    return { status: 200, headers: entityDates(node.props) };
  }

  /**
   * setAccessControl: x-ms-owner, x-ms-group, and either x-ms-permissions or x-ms-acl (which
   * replaces the whole ACL, default entries included).
   */
  private setAccessControl(request: Request): ServiceReply {
    const fs = this.fileSystem(request);
    const node = fs.tree.find(splitPath(request.path));
    if (!node) throw this.error("PathNotFound");
    checkConditions(request.headers, node.props.stamp.etag, (code) => this.error(code));
    const permissions = header(request.headers, "x-ms-permissions");
    const aclText = header(request.headers, "x-ms-acl");
    if (permissions !== undefined && aclText !== undefined)
      throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-acl", HeaderValue: aclText });
    let posix: Posix = { ...node.props.posix };
    if (permissions !== undefined) {
      const parsed = parsePermissions(permissions);
      if (!parsed)
        throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-permissions", HeaderValue: permissions });
      posix = { ...posix, ...parsed };
    }
    if (aclText !== undefined) {
      const entries = parseAcl(aclText);
      if (!entries || (node.kind === "file" && entries.some((entry) => entry.scope === "default")))
        throw this.error("InvalidHeaderValue", { HeaderName: "x-ms-acl", HeaderValue: aclText });
      posix = withAcl(posix, entries);
    }
    posix.owner = header(request.headers, "x-ms-owner") ?? posix.owner;
    posix.group = header(request.headers, "x-ms-group") ?? posix.group;
    node.props.posix = posix;
    node.props.stamp = stamp();
    return { status: 200, headers: { ...entityDates(node.props), "x-ms-namespace-enabled": "true" } };
  }

  /** Path - Get Properties with action=getAccessControl (or getStatus, without the ACL). */
  private accessControl(request: Request, withAcl: boolean): ServiceReply {
    const { node } = this.node(request);
    const { posix } = node.props;
    return {
      status: 200,
      headers: {
        ...entityDates(node.props),
        "x-ms-resource-type": node.kind === "dir" ? "directory" : "file",
        "x-ms-owner": posix.owner,
        "x-ms-group": posix.group,
        "x-ms-permissions": formatPermissions(posix),
        ...(withAcl ? { "x-ms-acl": formatAcl(posix) } : {}),
        ...(node.kind === "file" ? { "content-length": node.props.content.size } : {}),
      },
    };
  }

  /**
   * Path - Read (GET; ranged reads answer 206 with Content-Range) and Path - Get Properties
   * (HEAD), with the headers both the dfs and the Blob endpoint send.
   * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/read
   * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/get-properties
   */
  private read(request: Request, withBody: boolean): ServiceReply {
    const { node } = this.node(request);
    checkConditions(request.headers, node.props.stamp.etag, (code) => this.error(code), true);
    const { posix } = node.props;
    const common: Record<string, string | number | undefined> = {
      ...entityDates(node.props),
      ...blobMetadataHeaders(node.props.metadata),
      "x-ms-properties": formatProperties(node.props.metadata),
      "x-ms-owner": posix.owner,
      "x-ms-group": posix.group,
      "x-ms-permissions": formatPermissions(posix),
      "x-ms-creation-time": httpDate(node.props.created),
      "x-ms-server-encrypted": "true",
      "x-ms-lease-state": "available",
      "x-ms-lease-status": "unlocked",
      "accept-ranges": "bytes",
    };
    if (node.kind === "dir") {
      return {
        status: 200,
        headers: {
          ...common,
          "x-ms-resource-type": "directory",
          "x-ms-meta-hdi_isfolder": "true",
          "content-length": 0,
        },
        ...(withBody ? { body: Buffer.alloc(0) } : {}),
      };
    }
    const file = node.props;
    const size = file.content.size;
    const headers = {
      ...common,
      ...contentResponseHeaders(file.headers),
      "x-ms-resource-type": "file",
      "x-ms-blob-type": "BlockBlob",
    };
    const range = withBody ? requestedRange(request.headers, invalidHeader(this.fail)) : undefined;
    const rangeMd5 = header(request.headers, "x-ms-range-get-content-md5") === "true";
    if (!range) {
      return {
        status: 200,
        headers: { ...headers, "content-length": size, "content-md5": file.contentMd5 },
        ...(withBody ? { body: file.content.read(0, size) } : {}),
      };
    }
    if (range.start >= size) throw this.error("InvalidRange", {}, { "content-range": `bytes */${size}` });
    const end = Math.min(range.end ?? size - 1, size - 1);
    const body = file.content.read(range.start, end - range.start + 1);
    if (rangeMd5 && body.length > MAX_RANGE_MD5)
      throw this.error("InvalidHeaderValue", {
        HeaderName: "x-ms-range-get-content-md5",
        HeaderValue: "true",
      });
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
   * Path - Delete: a file, an empty directory, or with recursive=true a whole directory in one
   * call; a non-empty directory without it is 409 DirectoryNotEmpty. paginated and continuation
   * are accepted; no x-ms-continuation is ever answered ("When the response doesn't contain any
   * x-ms-continuation, recursive directory deletion is successful").
   * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/delete
   */
  private deletePath(request: Request): ServiceReply {
    if (request.path === "") throw this.error("InvalidUri");
    // paginated=true (with recursive=true) may answer x-ms-continuation when ACL checks take too
    // long; this server deletes in one call and never does, and so any continuation sent back is
    // one it did not issue: it is accepted and the delete done whole.
    const { paginated } = request.query;
    if (paginated !== undefined && paginated !== "true" && paginated !== "false")
      throw this.error("InvalidQueryParameterValue", {
        QueryParameterName: "paginated",
        QueryParameterValue: paginated,
      });
    const { fs, parent, node } = this.node(request);
    checkConditions(request.headers, node.props.stamp.etag, (code) => this.error(code));
    if (node.kind === "dir" && node.children.size > 0 && request.query.recursive !== "true")
      throw this.error("DirectoryNotEmpty");
    fs.tree.remove(parent!, node.name);
    return { status: 200, headers: { "content-length": 0 } };
  }
}

interface ParsedRenameSource {
  fileSystem: string;
  /** Decoded, no edge slashes. */
  path: string;
  /** What followed "?": the source's SAS, or nothing. */
  query: Record<string, string>;
}

/**
 * x-ms-rename-source: "/{filesystem}/{path}", "a URL percent-encoded string", optionally followed
 * by "?" and the source's SAS. Undefined when it is not of that form.
 */
function parseRenameSource(text: string): ParsedRenameSource | undefined {
  const question = text.indexOf("?");
  const pathPart = question < 0 ? text : text.slice(0, question);
  if (!pathPart.startsWith("/")) return undefined;
  let segments: string[];
  try {
    segments = pathPart.slice(1).split("/").map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [fileSystem = "", ...rest] = segments;
  const path = rest.join("/").replace(/^\/+|\/+$/g, "");
  if (fileSystem === "" || path === "") return undefined;
  return { fileSystem, path, query: question < 0 ? {} : parseQuery(text.slice(question)) };
}
