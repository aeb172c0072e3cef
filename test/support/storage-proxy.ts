// An HTTPS proxy in front of Azurite that can stand in for what Azurite does not do: answer the
// storage service's real error bodies for chosen requests (a missing data role, a firewall, an
// expired token). Each rule is scoped by method and path, and by a count; the proxy logs every
// request and what it did with it.
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { type SharedKey, sharedKeyAuthorization } from "../../src/transport/shared-key.js";

export interface ErrorReply {
  type: "error";
  status: number;
  code: string;
  message: string;
  /** AuthenticationErrorDetail, for AuthenticationFailed. */
  detail?: string;
  /** Retry-After header (seconds). */
  retryAfter?: string;
}

/** Faults other than an error answer. */
export type FaultReply =
  /** Drop the connection before answering ("request") or halfway through the body ("response"). */
  | { type: "reset"; when: "request" | "response" }
  /** Wait this long, then pass the request on. */
  | { type: "stall"; ms: number }
  /** Pass the response on slowly. */
  | { type: "drip"; bytesPerSecond: number }
  /** Send the headers (with the full Content-Length) and only part of the body, then close. */
  | { type: "truncate"; fraction: number }
  /** Change one byte in the middle of the response body. */
  | { type: "flip" }
  /** Answer Get Account Information as an account of this SKU and kind (Azurite is Standard). */
  | { type: "account"; sku: string; kind: string };

export interface ProxyRule {
  methods?: string[];
  /** Regular expression source matched against the path (without query). */
  path?: string;
  /** Regular expression source matched against the query string. */
  query?: string;
  /** How many matching requests the rule applies to; every one when absent. */
  count?: number;
  /** Apply to this share of matching requests (0..1); all when absent. */
  probability?: number;
  reply: ErrorReply | FaultReply;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  status: number;
  ruled: boolean;
  /** Request body bytes forwarded to the service. */
  bytesIn: number;
  /** The fault applied, if any. */
  fault?: string;
  /** A Put Blob From URL / Put Block From URL the proxy carried out. */
  copyFromUrl?: {
    source: string;
    bytes: number;
    sourceAuthorization: "bearer" | "none";
    /** The request stated the source's MD5 (x-ms-source-content-md5), and the bytes matched it. */
    md5Checked: boolean;
  };
  authorization: "bearer" | "sharedkey" | "none";
  /** The query string, as sent. */
  query: string;
  /** The x-ms-access-tier and x-ms-rehydrate-priority the request carried. */
  tier?: { accessTier?: string; rehydratePriority?: string };
  /** Customer-provided encryption the request carried: the key's SHA-256, or the scope. */
  encryption?: { keySha256?: string; algorithm?: string; scope?: string };
}

export interface StorageProxy {
  /** https://127.0.0.1:PORT */
  origin: string;
  log: ProxyLogEntry[];
  rules: ProxyRule[];
  close(): Promise<void>;
}

/** Real messages of the Blob service for the codes tests use. */
export const SERVICE_MESSAGES: Record<string, string> = {
  AuthorizationPermissionMismatch:
    "This request is not authorized to perform this operation using this permission.",
  AuthorizationFailure: "This request is not authorized to perform this operation.",
  AuthenticationFailed:
    "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
};

export function serviceError(status: number, code: string, detail?: string): ErrorReply {
  return {
    type: "error",
    status,
    code,
    message: SERVICE_MESSAGES[code] ?? code,
    ...(detail ? { detail } : {}),
  };
}

function errorBody(reply: ErrorReply): string {
  const message = `${reply.message}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}`;
  const detail = reply.detail ? `<AuthenticationErrorDetail>${reply.detail}</AuthenticationErrorDetail>` : "";
  return `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${reply.code}</Code><Message>${message}</Message>${detail}</Error>`;
}

/** Passes a List Blobs answer on with each snapshot marked as soft-deleted. */
function markSnapshotsDeleted(response: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  response.on("data", (chunk: Buffer) => chunks.push(chunk));
  response.on("end", () => {
    const body = Buffer.from(
      Buffer.concat(chunks)
        .toString("utf8")
        .replace(/<\/Snapshot>/g, "</Snapshot><Deleted>true</Deleted>"),
    );
    const { "transfer-encoding": _chunked, ...headers } = response.headers;
    res.writeHead(response.statusCode ?? 502, { ...headers, "content-length": body.length });
    res.end(body);
  });
}

/** SAS fields, dropped when a request is signed with the account key instead. */
const SAS_FIELDS = new Set(["sv", "ss", "srt", "sp", "se", "st", "spr", "sip", "sr", "sig", "si", "ses"]);

/** The path and headers to send upstream: a version read or delete becomes a snapshot one. */
function asSnapshotRequest(req: IncomingMessage, key: SharedKey | undefined) {
  const url = new URL(req.url ?? "/", "https://proxy");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (typeof value === "string") headers[name] = value;
  const snapshot = url.searchParams.get("versionid") ?? url.searchParams.get("snapshot");
  if (!key || !snapshot) return { path: req.url, headers };
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    if (!SAS_FIELDS.has(name) && name !== "versionid") query[name] = value;
  query.snapshot = snapshot;
  headers["x-ms-date"] ??= new Date().toUTCString();
  delete headers.authorization;
  headers.authorization = sharedKeyAuthorization(key, req.method ?? "GET", url.pathname, query, headers);
  return { path: `${url.pathname}?${new URLSearchParams(query).toString()}`, headers };
}

/** Where a source URL is read from: its own host, or the local server a route names for it. */
function sourceTarget(url: URL, routes: Record<string, string>) {
  const suffix = Object.keys(routes).find(
    (candidate) => url.hostname === candidate.slice(1) || url.hostname.endsWith(candidate),
  );
  if (!suffix) return { host: url.hostname, port: url.port };
  const local = new URL(routes[suffix]!);
  return { host: local.hostname, port: local.port, servername: url.hostname, hostHeader: url.host };
}

function fetchBuffer(
  url: URL,
  headers: Record<string, string>,
  ca: string,
  routes: Record<string, string> = {},
): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  const { hostHeader, ...target } = sourceTarget(url, routes);
  return new Promise((resolve, reject) => {
    const options = {
      ...target,
      path: `${url.pathname}${url.search}`,
      method: "GET",
      headers: hostHeader ? { ...headers, host: hostHeader } : headers,
      ca,
    };
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

export async function startStorageProxy(options: {
  target: string;
  tls: { keyPem: string; certPem: string };
  ca: string;
  rules?: ProxyRule[];
  /**
   * Carry out Put Blob From URL and Put Block From URL, which Azurite lacks: read the source
   * (authorized by its SAS or by x-ms-copy-source-authorization, as the service does), then
   * write the bytes with a plain Put Blob / Put Block. The client sends no data for these.
   */
  copyFromUrl?: boolean;
  /**
   * Copy sources whose host ends with a key (".amazonaws.com") are read from the local origin it
   * maps to, as the service would read them from the real cloud.
   */
  sourceRoutes?: Record<string, string>;
  /**
   * Stand in for blob versions, which Azurite lacks, with its snapshots: a request naming
   * `versionid=X` goes on as `snapshot=X`, so a test makes "versions" by taking snapshots.
   * Azurite signs a SAS over the snapshot too, so these (and requests naming a snapshot) go on
   * signed with the account's key.
   */
  versions?: SharedKey;
  /**
   * Stand in for soft delete, which Azurite lacks: a listing that asks for deleted entries
   * shows every snapshot as soft-deleted (<Deleted>true</Deleted>).
   */
  softDeletedSnapshots?: boolean;
}): Promise<StorageProxy> {
  const target = new URL(options.target);
  const log: ProxyLogEntry[] = [];
  const rules = options.rules ?? [];

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const method = req.method ?? "GET";
    const auth = req.headers.authorization ?? "";
    const entry: ProxyLogEntry = {
      method,
      path,
      status: 0,
      ruled: false,
      bytesIn: 0,
      authorization: auth.startsWith("Bearer ")
        ? "bearer"
        : auth.startsWith("SharedKey")
          ? "sharedkey"
          : "none",
      query: (req.url ?? "").split("?")[1] ?? "",
    };
    const keySha256 = req.headers["x-ms-encryption-key-sha256"];
    const scope = req.headers["x-ms-encryption-scope"];
    if (keySha256 || scope)
      entry.encryption = {
        ...(typeof keySha256 === "string" ? { keySha256 } : {}),
        ...(typeof req.headers["x-ms-encryption-algorithm"] === "string"
          ? { algorithm: req.headers["x-ms-encryption-algorithm"] }
          : {}),
        ...(typeof scope === "string" ? { scope } : {}),
      };
    const accessTier = req.headers["x-ms-access-tier"];
    const rehydratePriority = req.headers["x-ms-rehydrate-priority"];
    if (typeof accessTier === "string" || typeof rehydratePriority === "string")
      entry.tier = {
        ...(typeof accessTier === "string" ? { accessTier } : {}),
        ...(typeof rehydratePriority === "string" ? { rehydratePriority } : {}),
      };
    log.push(entry);
    const query = (req.url ?? "").split("?")[1] ?? "";
    const rule = rules.find(
      (candidate) =>
        (candidate.count === undefined || candidate.count > 0) &&
        (!candidate.methods || candidate.methods.includes(method)) &&
        (!candidate.path || new RegExp(candidate.path).test(decodeURIComponent(path))) &&
        (!candidate.query || new RegExp(candidate.query).test(query)) &&
        (candidate.probability === undefined || Math.random() < candidate.probability),
    );
    if (rule) {
      if (rule.count !== undefined) rule.count--;
      entry.ruled = true;
      const reply = rule.reply;
      entry.fault = reply.type;
      switch (reply.type) {
        case "error": {
          entry.status = reply.status;
          req.resume();
          const body = Buffer.from(errorBody(reply));
          res.writeHead(reply.status, {
            "content-type": "application/xml",
            "content-length": body.length,
            "x-ms-error-code": reply.code,
            "x-ms-request-id": randomUUID(),
            ...(reply.retryAfter ? { "retry-after": reply.retryAfter } : {}),
          });
          res.end(body);
          return;
        }
        case "reset":
          if (reply.when === "request") {
            req.socket.destroy();
            return;
          }
          forward(req, res, entry, reply);
          return;
        case "account":
          entry.status = 200;
          req.resume();
          res.writeHead(200, {
            "x-ms-sku-name": reply.sku,
            "x-ms-account-kind": reply.kind,
            "x-ms-request-id": randomUUID(),
            "content-length": 0,
          });
          res.end();
          return;
        case "stall":
          // Then on as if no rule applied (a copy from a URL is still carried out).
          setTimeout(() => pass(req, res, entry), reply.ms);
          return;
        default:
          forward(req, res, entry, reply);
          return;
      }
    }
    pass(req, res, entry);
  };

  const pass = (req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry) => {
    const copySource = req.headers["x-ms-copy-source"];
    if (options.copyFromUrl && req.method === "PUT" && typeof copySource === "string") {
      void copyFromUrl(req, res, entry, copySource);
      return;
    }
    forward(req, res, entry);
  };

  const copyFromUrl = async (
    req: IncomingMessage,
    res: ServerResponse,
    entry: ProxyLogEntry,
    copySource: string,
  ) => {
    req.resume();
    const sourceAuthorization = req.headers["x-ms-copy-source-authorization"];
    const range = req.headers["x-ms-source-range"];
    // An Azure Files source read with a token needs the backup intent the copy request carries.
    const intent = req.headers["x-ms-file-request-intent"];
    // The source condition, as the service checks it before it reads.
    const sourceIfMatch = req.headers["x-ms-source-if-match"];
    const source = await fetchBuffer(
      new URL(copySource),
      {
        "x-ms-version": String(req.headers["x-ms-version"] ?? "2025-11-05"),
        ...(typeof sourceAuthorization === "string" ? { authorization: sourceAuthorization } : {}),
        // Another cloud's URL (a presigned S3 one) reads the standard Range header.
        ...(typeof range === "string" ? { "x-ms-range": range, range } : {}),
        ...(typeof intent === "string" ? { "x-ms-file-request-intent": intent } : {}),
        ...(typeof sourceIfMatch === "string" ? { "if-match": sourceIfMatch } : {}),
      },
      options.ca,
      options.sourceRoutes,
    ).catch(() => undefined);
    if (source?.status === 412) {
      replyError(res, entry, {
        type: "error",
        status: 412,
        code: "SourceConditionNotMet",
        message: "The source condition specified using HTTP conditional header(s) is not met.",
      });
      return;
    }
    if (!source || (source.status !== 200 && source.status !== 206)) {
      const status = source?.status ?? 500;
      replyError(res, entry, {
        type: "error",
        status,
        code: "CannotVerifyCopySource",
        message: "Could not verify the copy source within the specified time.",
      });
      return;
    }
    // The MD5 the client states for the source's bytes, checked against what was read.
    const sourceMd5 = req.headers["x-ms-source-content-md5"];
    if (
      typeof sourceMd5 === "string" &&
      createHash("md5").update(source.body).digest("base64") !== sourceMd5
    ) {
      replyError(res, entry, {
        type: "error",
        status: 400,
        code: "Md5Mismatch",
        message:
          "The MD5 value specified in the request did not match with the MD5 value calculated by the server.",
      });
      return;
    }
    entry.copyFromUrl = {
      source: copySource.split("?")[0]!,
      bytes: source.body.length,
      sourceAuthorization: typeof sourceAuthorization === "string" ? "bearer" : "none",
      md5Checked: typeof sourceMd5 === "string",
    };
    const headers: Record<string, string | string[] | undefined> = {
      ...req.headers,
      host: target.host,
      "content-length": String(source.body.length),
    };
    for (const name of [
      "x-ms-copy-source",
      "x-ms-copy-source-authorization",
      "x-ms-source-range",
      "x-ms-copy-source-blob-properties",
      "x-ms-file-request-intent",
      "x-ms-source-if-match",
      "x-ms-source-content-md5",
    ])
      delete headers[name];
    const upstream = httpsRequest(
      { host: target.hostname, port: target.port, method: "PUT", path: req.url, headers, ca: options.ca },
      (response) => {
        entry.status = response.statusCode ?? 0;
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    upstream.end(source.body);
  };

  const forward = (req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, fault?: FaultReply) => {
    const method = req.method ?? "GET";
    const { path, headers } = asSnapshotRequest(req, options.versions);
    const upstream = httpsRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: { ...headers, host: target.host },
        ca: options.ca,
      },
      (response) => {
        entry.status = response.statusCode ?? 0;
        if (
          options.softDeletedSnapshots &&
          /comp=list/.test(entry.query) &&
          /include=[^&]*deleted/.test(entry.query)
        ) {
          markSnapshotsDeleted(response, res);
          return;
        }
        res.writeHead(response.statusCode ?? 502, response.headers);
        if (!fault || (response.statusCode ?? 0) >= 300) {
          response.pipe(res);
          return;
        }
        alterBody(response, res, fault, Number(response.headers["content-length"] ?? 0));
      },
    );
    upstream.on("error", () => res.destroy());
    req.on("data", (chunk: Buffer) => {
      entry.bytesIn += chunk.length;
    });
    req.pipe(upstream);
  };

  const server = createServer({ key: options.tls.keyPem, cert: options.tls.certPem }, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    rules,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An error as the service answers it, from the shim itself. */
function replyError(res: ServerResponse, entry: ProxyLogEntry, reply: ErrorReply): void {
  entry.status = reply.status;
  const body = Buffer.from(errorBody(reply));
  res.writeHead(reply.status, {
    "content-type": "application/xml",
    "content-length": body.length,
    "x-ms-error-code": reply.code,
  });
  res.end(body);
}

/** Pass a response body on with a fault applied to it. */
function alterBody(response: IncomingMessage, res: ServerResponse, fault: FaultReply, length: number): void {
  let sent = 0;
  const limit =
    fault.type === "truncate"
      ? Math.floor(length * fault.fraction)
      : fault.type === "reset"
        ? Math.floor(length / 2)
        : length;
  const flipAt = Math.floor(length / 2);
  response.on("data", (chunk: Buffer) => {
    let data = chunk;
    if (fault.type === "flip" && sent <= flipAt && flipAt < sent + data.length) {
      data = Buffer.from(data);
      data[flipAt - sent] = data[flipAt - sent]! ^ 0xff;
    }
    if (sent + data.length > limit) data = data.subarray(0, Math.max(0, limit - sent));
    sent += chunk.length;
    if (data.length) {
      if (fault.type === "drip") {
        response.pause();
        res.write(data, () =>
          setTimeout(() => response.resume(), (data.length / fault.bytesPerSecond) * 1000),
        );
      } else {
        res.write(data);
      }
    }
    if (sent >= limit && (fault.type === "truncate" || fault.type === "reset")) {
      response.destroy();
      res.socket?.destroy();
    }
  });
  response.on("end", () => res.end());
}
