// An in-memory HTTPS server for the parts of Azure Files and Data Lake Storage Gen2 that azcp uses,
// which Azurite lacks. Two listeners (one per service, separate stores), path-style URLs
// (https://127.0.0.1:PORT/<account>/<share or file system>/<path>), account SAS and bearer
// tokens, role and ACL emulation for 403 tests, and an admin API under /_admin/ that lists what
// was asked (never a signature or a token) and restricts principals to roles.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request as httpsRequest, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { type Auth, type AuthContext, authenticate, checkSas, noCredentials } from "./rest-server/auth.js";
import { DataLakeService } from "./rest-server/datalake.js";
import { jsonErrorBody, ServiceError, xmlErrorBody } from "./rest-server/errors.js";
import { FilesService, type SourceResponse } from "./rest-server/files.js";
import { header, parsePath, parseQuery, type Request } from "./rest-server/http.js";
import type { Operation, RenameSource, Service, ServiceReply } from "./rest-server/operation.js";
import { type LoggedRequest, RequestLog, redactQuery } from "./rest-server/request-log.js";
import { RoleAssignments } from "./rest-server/roles.js";

export type { LoggedRequest } from "./rest-server/request-log.js";
export { ROLE_NAMES } from "./rest-server/roles.js";

export interface FilesDataLakeServerOptions {
  tls: { keyPem: string; certPem: string };
  accountName: string;
  accountKey: string;
  /** CA to trust when reading a Put Range From URL source (Azurite, or this server). */
  trustedCa?: string;
  /** The tenant named in 401 challenges. */
  tenantId?: string;
}

/** The version answered when a request names none. */
const DEFAULT_VERSION = "2025-11-05";

export class FilesDataLakeServer {
  readonly log = new RequestLog();
  readonly roles = new RoleAssignments();
  private readonly files: FilesService;
  private readonly dfs: DataLakeService;
  private readonly origins = new Map<Service, string>();
  private readonly servers: Server[] = [];

  constructor(private readonly options: FilesDataLakeServerOptions) {
    const endpoint = (service: () => Service) => () =>
      `${this.origins.get(service()) ?? ""}/${options.accountName}/`;
    this.files = new FilesService({
      serviceEndpoint: endpoint(() => this.files),
      fetch: (url, headers) => this.fetch(url, headers),
      isFilesUrl: (url) => url.origin === this.origins.get(this.files) || /\.file\./.test(url.hostname),
    });
    this.dfs = new DataLakeService({ serviceEndpoint: endpoint(() => this.dfs) });
  }

  async start(): Promise<{ filesOrigin: string; dfsOrigin: string }> {
    const [filesOrigin, dfsOrigin] = await Promise.all([this.listen(this.files), this.listen(this.dfs)]);
    return { filesOrigin, dfsOrigin };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }

  private async listen(service: Service): Promise<string> {
    const server = createServer(
      { key: this.options.tls.keyPem, cert: this.options.tls.certPem },
      (req, res) => {
        this.handle(service, req, res).catch((error: unknown) => {
          console.error("files-datalake-server: unhandled", error);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      },
    );
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.origins.set(service, origin);
    return origin;
  }

  private authContext(service: Service): AuthContext {
    return {
      accountName: this.options.accountName,
      accountKey: this.options.accountKey,
      accountUrls: [`${this.origins.get(service)}/${this.options.accountName}`],
      tenantId: this.options.tenantId ?? "72f988bf-86f1-41af-91ab-2d7cd011db47",
      error: (code, details, headers) => service.error(code, details, headers),
    };
  }

  private async handle(service: Service, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "https://localhost");
    if (url.pathname.startsWith("/_admin/")) {
      this.respondAdmin(service, url, req.method ?? "GET", body, res);
      return;
    }
    const request: Request = {
      method: req.method ?? "GET",
      ...parsePath(url.pathname),
      query: parseQuery(url.search),
      headers: req.headers,
      body,
      remoteAddress: req.socket.remoteAddress ?? "",
    };
    const context = this.authContext(service);
    let auth: Auth = { kind: "none" };
    let operation: Operation | undefined;
    let reply: ServiceReply | undefined;
    let failure: ServiceError | undefined;
    try {
      if (request.account !== this.options.accountName) throw service.error("InvalidUri");
      auth = authenticate(request, context);
      operation = service.resolve(request, auth);
      this.authorize(service, request, auth, operation, context);
      reply = await operation.run();
    } catch (error) {
      if (error instanceof ServiceError) failure = error;
      else {
        console.error("files-datalake-server: internal error", error);
        failure = new ServiceError(
          500,
          "InternalError",
          "The server encountered an internal error. Please retry the request.",
        );
      }
    }
    const requestId = randomUUID();
    const common: Record<string, string | number | undefined> = {
      "x-ms-request-id": requestId,
      "x-ms-version": header(req.headers, "x-ms-version") ?? DEFAULT_VERSION,
      "x-ms-client-request-id": header(req.headers, "x-ms-client-request-id"),
      date: new Date().toUTCString(),
      server: service.serverHeader,
    };
    if (failure) {
      const format =
        operation?.errorFormat ??
        (service.name === "dfs" && (request.query.restype || request.query.comp)
          ? "xml"
          : service.errorFormat);
      const errorBody =
        request.method === "HEAD" || failure.status === 304
          ? undefined
          : Buffer.from(
              format === "xml" ? xmlErrorBody(failure, requestId) : jsonErrorBody(failure, requestId),
            );
      send(
        res,
        failure.status,
        {
          ...common,
          ...failure.headers,
          "x-ms-error-code": failure.code,
          ...(errorBody
            ? { "content-type": format === "xml" ? "application/xml" : "application/json;charset=utf-8" }
            : {}),
        },
        errorBody,
      );
    } else if (reply) {
      const replyBody = reply.body === undefined ? undefined : Buffer.from(reply.body);
      send(
        res,
        reply.status,
        { ...common, ...reply.headers },
        request.method === "HEAD" ? undefined : replyBody,
      );
    }
    this.log.add({
      service: service.name,
      method: request.method,
      path: `/${[request.account, request.container, request.path].filter(Boolean).join("/")}`,
      query: redactQuery(request.query),
      auth: auth.kind,
      principal: auth.kind === "bearer" ? auth.objectId : undefined,
      intent: header(req.headers, "x-ms-file-request-intent"),
      userAgent: header(req.headers, "user-agent"),
      status: failure?.status ?? reply?.status ?? 0,
      errorCode: failure?.code,
      bytesIn: body.length,
      copySource: reply?.copySource,
      renameSource: operation?.source?.path,
    });
  }

  /**
   * Account SAS: service, resource type and permission. Token: Files needs the backup intent
   * (https://learn.microsoft.com/en-us/rest/api/storageservices/put-range#request-headers,
   * "x-ms-file-request-intent: Required if Authorization header specifies an OAuth token"; without
   * it the service answers 400 MissingRequiredHeader naming the header, as quoted in
   * https://github.com/Azure/azure-sdk-for-net/issues/36365), then roles, then Data Lake ACLs.
   * Nobody: Files 401 NoAuthenticationInformation; a Data Lake file system or path 404
   * ResourceNotFound, as a private Blob container answers an anonymous read.
   */
  private authorize(
    service: Service,
    request: Request,
    auth: Auth,
    operation: Operation,
    context: AuthContext,
  ): void {
    if (auth.kind === "none") {
      if (service.name === "file" || request.container === "") throw noCredentials(context);
      throw service.error("ResourceNotFound");
    }
    if (auth.kind === "sas") {
      checkSas(auth.sas, { service: service.sasService, ...operation.sas }, request, context);
      if (operation.source) this.authorizeSource(service, request, operation.source, context);
      return;
    }
    if (service.name === "file") {
      const intent = header(request.headers, "x-ms-file-request-intent");
      if (intent === undefined)
        throw service.error("MissingRequiredHeader", { HeaderName: "x-ms-file-request-intent" });
      if (intent.toLowerCase() !== "backup")
        throw service.error("InvalidHeaderValue", {
          HeaderName: "x-ms-file-request-intent",
          HeaderValue: intent,
        });
    }
    if (this.roles.allows(auth.objectId, service.name, operation.action)) return;
    if (operation.aclAllows?.(auth.objectId)) return;
    throw service.error("AuthorizationPermissionMismatch");
  }

  /**
   * A rename authorized by a SAS needs a SAS on its source too: the SDKs append the source's SAS
   * to x-ms-rename-source / x-ms-file-rename-source, and the service refuses a SAS request whose
   * source carries none with 403 AuthorizationPermissionMismatch
   * (https://github.com/Azure/azure-sdk-for-js/issues/12758,
   * https://github.com/Azure/azure-sdk-for-java/issues/25714; for Files, "In case of SAS
   * authentication the URI should include SAS token as well" in
   * https://learn.microsoft.com/en-us/answers/questions/799611/azure-file-service-rest-api(rename)).
   * That SAS is verified as the request's is; which letters it must carry is not documented, and
   * this server asks for write or delete (the source's name goes away).
   */
  private authorizeSource(
    service: Service,
    request: Request,
    source: RenameSource,
    context: AuthContext,
  ): void {
    if (source.query.sig === undefined) throw service.error("AuthorizationPermissionMismatch");
    const sourceAuth = authenticate({ ...request, query: source.query, headers: {} }, context);
    if (sourceAuth.kind !== "sas") throw service.error("AuthorizationPermissionMismatch");
    checkSas(sourceAuth.sas, { service: service.sasService, ...source.sas }, request, context);
  }

  private respondAdmin(service: Service, url: URL, method: string, body: Buffer, res: ServerResponse): void {
    const json = (status: number, value: unknown) =>
      send(res, status, { "content-type": "application/json" }, Buffer.from(JSON.stringify(value)));
    const query = parseQuery(url.search);
    if (method === "GET" && url.pathname === "/_admin/requests") {
      json(200, this.log.since(Number(query.since ?? 0)) satisfies LoggedRequest[]);
    } else if (method === "GET" && url.pathname === "/_admin/last-seq") {
      json(200, { seq: this.log.lastSeq });
    } else if (method === "PUT" && url.pathname === "/_admin/roles") {
      try {
        const { objectId, roles } = JSON.parse(body.toString("utf8")) as {
          objectId?: unknown;
          roles?: unknown;
        };
        if (
          typeof objectId !== "string" ||
          !(roles === null || (Array.isArray(roles) && roles.every((r) => typeof r === "string")))
        )
          throw new Error("expected { objectId: string, roles: string[] | null }");
        this.roles.set(objectId, roles as string[] | null);
        send(res, 204, {});
      } catch (error) {
        json(400, { error: (error as Error).message });
      }
    } else if (method === "GET" && url.pathname === "/_admin/object") {
      const { container = "", path } = parsePath(`/account/${(query.path ?? "").replace(/^\/+/, "")}`);
      const bytes = service.objectBytes(container, path);
      if (bytes) send(res, 200, { "content-type": "application/octet-stream" }, bytes);
      else json(404, { error: `no file ${query.path ?? ""}` });
    } else {
      json(404, { error: `no admin route ${method} ${url.pathname}` });
    }
  }

  /** GET a copy source, trusting the stack's CA. */
  private fetch(url: URL, headers: Record<string, string>): Promise<SourceResponse> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        { method: "GET", headers, ca: this.options.trustedCa, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("copy source timed out")));
      req.on("error", reject);
      req.end();
    });
  }
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number | undefined>,
  body?: Buffer,
): void {
  const clean: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) clean[name] = value;
  if (body !== undefined) clean["content-length"] = body.length;
  else if (clean["content-length"] === undefined && status !== 304 && status !== 204)
    clean["content-length"] = 0;
  res.writeHead(status, clean);
  res.end(body);
}
