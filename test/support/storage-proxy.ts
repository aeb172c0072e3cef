// An HTTPS proxy in front of Azurite that can stand in for what Azurite does not do: answer the
// storage service's real error bodies for chosen requests (a missing data role, a firewall, an
// expired token). Each rule is scoped by method and path, and by a count; the proxy logs every
// request and what it did with it.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";

export interface ErrorReply {
  type: "error";
  status: number;
  code: string;
  message: string;
  /** AuthenticationErrorDetail, for AuthenticationFailed. */
  detail?: string;
}

export interface ProxyRule {
  methods?: string[];
  /** Regular expression source matched against the path (without query). */
  path?: string;
  /** How many matching requests the rule applies to; every one when absent. */
  count?: number;
  reply: ErrorReply;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  status: number;
  ruled: boolean;
  authorization: "bearer" | "sharedkey" | "none";
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

export async function startStorageProxy(options: {
  target: string;
  tls: { keyPem: string; certPem: string };
  ca: string;
  rules?: ProxyRule[];
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
      authorization: auth.startsWith("Bearer ")
        ? "bearer"
        : auth.startsWith("SharedKey")
          ? "sharedkey"
          : "none",
    };
    log.push(entry);
    const rule = rules.find(
      (candidate) =>
        (candidate.count === undefined || candidate.count > 0) &&
        (!candidate.methods || candidate.methods.includes(method)) &&
        (!candidate.path || new RegExp(candidate.path).test(decodeURIComponent(path))),
    );
    if (rule) {
      if (rule.count !== undefined) rule.count--;
      entry.ruled = true;
      entry.status = rule.reply.status;
      req.resume();
      const body = Buffer.from(errorBody(rule.reply));
      res.writeHead(rule.reply.status, {
        "content-type": "application/xml",
        "content-length": body.length,
        "x-ms-error-code": rule.reply.code,
        "x-ms-request-id": randomUUID(),
      });
      res.end(body);
      return;
    }
    const upstream = httpsRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        ca: options.ca,
      },
      (response) => {
        entry.status = response.statusCode ?? 0;
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
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
