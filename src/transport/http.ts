// The lean HTTP path every job uses for Blob, Files and Data Lake: one keep-alive agent per
// service origin (Node's own http/https: as cheap per request as undici here, without its
// 130 ms load time), requests authorized by SAS or bearer token, retried with backoff
// (honouring Retry-After), bounded by the job's request semaphore and rate limit. Only
// `azcp list` and `azcp access` on Blob still go through the Azure SDK.
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { TokenCredential } from "@azure/core-auth";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { getProxyForUrl } from "proxy-from-env";
import { VERSION } from "../version.js";
import { type BodySink, closeDirectConnections, type DirectPool, directPool } from "./direct-get.js";
import type { RateLimiter, Semaphore } from "./limits.js";
import { isRetryable, parseRetryAfter, type RetryPolicy, retryDelay } from "./retry.js";
import { type SharedKey, sharedKeyAuthorization } from "./shared-key.js";
import { type RenewableCredential, STORAGE_SCOPE } from "./token.js";

export type { BodySink } from "./direct-get.js";

export const SERVICE_VERSION = "2025-11-05";

function isExpiredToken(error: unknown): boolean {
  if (!(error instanceof HttpError)) return false;
  if (error.statusCode !== 401 && error.statusCode !== 403) return false;
  if (error.code !== "AuthenticationFailed" && error.code !== "InvalidAuthenticationInfo") return false;
  return /expired|lifetime/i.test(`${error.message} ${error.details.authenticationErrorDetail ?? ""}`);
}

export type HttpAuth =
  | { readonly kind: "sas"; readonly sas: string }
  | { readonly kind: "token"; readonly credential: TokenCredential }
  | { readonly kind: "sharedKey"; readonly credential: SharedKey }
  | { readonly kind: "anonymous" }
  /** Another cloud's request signing (Amazon S3's SigV4, a Google OAuth token): it adds its own headers. */
  | { readonly kind: "signed"; readonly sign: RequestSigner };

/** A request as a signer sees it, once every header but its own is set. */
export interface SignableRequest {
  method: string;
  /** host[:port] */
  host: string;
  /** Path and query string, encoded as sent. */
  path: string;
  headers: Record<string, string>;
}

/** Adds what authorizes a request to its headers (an Authorization header, a date, a token). */
export type RequestSigner = (request: SignableRequest) => Promise<void>;

/** A response the service answered with an unexpected status, shaped like the SDK's RestError. */
export class HttpError extends Error {
  /** Which side of a job the request was for ("source", "destination"), as the transport was labelled. */
  side: string | undefined;
  readonly code: string | undefined;
  readonly details: { errorCode?: string; authenticationErrorDetail?: string; message?: string };
  constructor(
    readonly statusCode: number,
    readonly method: string,
    readonly path: string,
    body: string,
    errorCode: string | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    // Blob and Files answer errors in XML, Data Lake in JSON ({"error":{"code","message"}}).
    const json = body.startsWith("{") ? jsonError(body) : undefined;
    const code = errorCode ?? json?.code ?? /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
    const message = (json?.message ?? /<Message>([^<]*)<\/Message>/.exec(body)?.[1])?.split("\n")[0];
    const detail = /<AuthenticationErrorDetail>([^<]*)<\/AuthenticationErrorDetail>/.exec(body)?.[1];
    super(message ?? `${statusCode}${code ? ` ${code}` : ""}`);
    this.name = "HttpError";
    this.code = code;
    this.details = {
      ...(code ? { errorCode: code } : {}),
      ...(detail ? { authenticationErrorDetail: detail } : {}),
      ...(message ? { message } : {}),
    };
  }
}

function jsonError(body: string): { code?: string; message?: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    return {
      ...(typeof code === "string" ? { code } : {}),
      ...(typeof message === "string" ? { message } : {}),
    };
  } catch {
    return undefined;
  }
}

export interface TransportStats {
  requests: number;
  retries: number;
  throttled: number;
  networkErrors: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface RetryNotice {
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface TransportOptions {
  /** Which side of a job this transport serves; copied onto its errors. */
  label?: string;
  connections: number;
  requests: Semaphore;
  retry: RetryPolicy;
  rateLimiter?: RateLimiter | undefined;
  onRetry?: (notice: RetryNotice) => void;
  /** Cancels every request and retry wait of this transport (the job's cancel). */
  signal?: AbortSignal | undefined;
  /** Called after each attempt (for DEBUG logs). */
  onResponse?: (line: string) => void;
  /** Headers every request signed with a token carries (Azure Files: x-ms-file-request-intent). */
  tokenHeaders?: Record<string, string> | undefined;
  /** Put before azcp's own User-Agent (AZCOPY_USER_AGENT_PREFIX, set by programs that drive azcp). */
  userAgentPrefix?: string | undefined;
  /** Headers every request carries (Azure Files: x-ms-allow-trailing-dot). */
  serviceHeaders?: Record<string, string> | undefined;
  /** Headers for requests on objects under a path, by method (customer-provided keys). */
  objectHeaders?: ObjectHeaders | undefined;
}

/** Headers that requests on one container's objects carry, by HTTP method. */
export interface ObjectHeaders {
  /** The container's path, ending in "/": a request on an object starts with it. */
  under: string;
  byMethod: Partial<Record<RestRequest["method"], Record<string, string>>>;
}

export interface RestRequest {
  method: "GET" | "PUT" | "HEAD" | "DELETE" | "POST" | "PATCH";
  /** Encoded path from the origin, without a query. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Statuses that mean success. */
  expect: readonly number[];
  /** Read the body into this buffer (ranged downloads); it must be exactly `length` bytes. */
  into?: { buffer: Buffer; offset: number; length: number };
  /** Hand the body, which must be exactly `length` bytes, to `sink` as it arrives (ranged downloads). */
  sink?: { sink: BodySink; length: number };
  /** Keep the body as text (XML answers). */
  text?: boolean;
  /** Fewer attempts than the policy's, for requests with a cheaper way out (copy from URL). */
  maxTries?: number;
}

export interface RestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text?: string;
}

const agents = new Map<string, HttpAgent>();

function agentFor(origin: string, connections: number): HttpAgent {
  let agent = agents.get(origin);
  if (!agent) {
    const options = {
      keepAlive: true,
      keepAliveMsecs: 30_000,
      maxSockets: connections,
      maxFreeSockets: connections,
    };
    // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case), as curl and the Azure SDKs read them: an
    // https origin is reached through a CONNECT tunnel, so a token only travels inside it.
    const proxy = getProxyForUrl(origin);
    const secure = origin.startsWith("https:");
    agent = proxy
      ? secure
        ? new HttpsProxyAgent(proxy, options)
        : new HttpProxyAgent(proxy, options)
      : secure
        ? new HttpsAgent(options)
        : new HttpAgent(options);
    agents.set(origin, agent);
  }
  return agent;
}

/**
 * One form POST outside the storage services (another cloud's token endpoint), through the same
 * proxy settings and agents as every request azcp makes, and with a timeout.
 */
export function postForm(url: string, form: URLSearchParams): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const body = Buffer.from(form.toString());
  return new Promise((resolve, reject) => {
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: "POST",
        agent: agentFor(target.origin, 4),
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": String(body.length),
        },
      },
      (response) => {
        readAll(response).then(
          (data) => resolve({ status: response.statusCode ?? 0, body: data.toString("utf8") }),
          reject,
        );
      },
    );
    req.setTimeout(requestTimeoutMs(), () =>
      req.destroy(networkError("The request timed out.", "ETIMEDOUT")),
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Close idle connections so nothing keeps the process alive. */
export function closeAllConnections(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
  closeDirectConnections();
}

let timeoutMs: number | undefined;

function requestTimeoutMs(): number {
  if (timeoutMs === undefined) {
    const minutes = Number(process.env.AZCOPY_REQUEST_TRY_TIMEOUT);
    timeoutMs = Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : 120_000;
  }
  return timeoutMs;
}

function networkError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

export class RestTransport {
  readonly stats: TransportStats = {
    requests: 0,
    retries: 0,
    throttled: 0,
    networkErrors: 0,
    bytesSent: 0,
    bytesReceived: 0,
  };
  private readonly agent: HttpAgent;
  /** Body-reading GETs on azcp's own connections, when no proxy is in the way. */
  private readonly direct: DirectPool | undefined;
  private readonly active = new Set<ClientRequest>();
  /** Cancels the direct GETs under way (the job's signal gets one listener, not one per request). */
  private readonly activeDirect = new Set<AbortController>();
  private readonly originUrl: URL;
  private readonly secure: boolean;

  constructor(
    readonly origin: string,
    private readonly auth: HttpAuth,
    private readonly options: TransportOptions,
  ) {
    this.agent = agentFor(origin, options.connections);
    this.direct = getProxyForUrl(origin) ? undefined : directPool(origin);
    // One listener for the job's cancel, instead of one per request.
    options.signal?.addEventListener("abort", () => {
      for (const request of this.active) request.destroy(networkError("The job was cancelled.", "ABORT_ERR"));
      for (const cancel of this.activeDirect) cancel.abort();
    });
    this.originUrl = new URL(origin);
    this.secure = this.originUrl.protocol === "https:";
  }

  private objectHeaders(request: RestRequest): Record<string, string> | undefined {
    const rule = this.options.objectHeaders;
    if (!rule || !request.path.startsWith(rule.under) || request.path.length === rule.under.length)
      return undefined;
    return rule.byMethod[request.method];
  }

  /** Whether names keep their trailing dots on this service (Azure Files, --trailing-dot). */
  get allowsTrailingDot(): boolean {
    return this.options.serviceHeaders?.["x-ms-allow-trailing-dot"] === "true";
  }

  /** The full URL of a path, with the SAS if there is one (for copy sources). */
  url(path: string, query: Record<string, string> = {}): string {
    return `${this.origin}${path}${this.queryString(query)}`;
  }

  private queryString(query: Record<string, string>): string {
    const parts = Object.entries(query).map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
    if (this.auth.kind === "sas") parts.push(this.auth.sas);
    return parts.length ? `?${parts.join("&")}` : "";
  }

  /** The SAS this transport signs with (a secret: never display it). */
  get sas(): string | undefined {
    return this.auth.kind === "sas" ? this.auth.sas : undefined;
  }

  /** The URL of a path as people may see it: no query, so no SAS. */
  displayUrl(path: string): string {
    return `${this.origin}${path}`;
  }

  /** A bearer token for the service (for x-ms-copy-source-authorization), when signed in. */
  async bearer(): Promise<string | undefined> {
    if (this.auth.kind !== "token") return undefined;
    return `Bearer ${(await this.auth.credential.getToken(STORAGE_SCOPE))!.token}`;
  }

  async send(request: RestRequest, requestSignal?: AbortSignal): Promise<RestResponse> {
    const { retry } = this.options;
    const signal = requestSignal ?? this.options.signal;
    let renewedToken = false;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        const response = await this.options.requests.run(() => this.once(request, signal));
        this.options.onResponse?.(
          `${request.method} ${request.path} -> ${response.status} in ${Date.now() - started} ms`,
        );
        return response;
      } catch (error) {
        this.options.onResponse?.(
          `${request.method} ${request.path} -> ${(error as { statusCode?: number }).statusCode ?? (error as { code?: string }).code ?? "error"} in ${Date.now() - started} ms`,
        );
        if (error instanceof HttpError) error.side = this.options.label;
        else if (error && typeof error === "object") (error as { side?: string }).side = this.options.label;
        // A token that expired on the way (a slow request, a skewed clock): renew it once and resend.
        if (this.auth.kind === "token" && !renewedToken && !signal?.aborted && isExpiredToken(error)) {
          renewedToken = true;
          (this.auth.credential as Partial<RenewableCredential>).discardTokensOlderThan?.(started);
          this.options.onRetry?.({
            method: request.method,
            path: request.path,
            attempt,
            delayMs: 0,
            reason: "expired token",
          });
          continue;
        }
        if (signal?.aborted || attempt >= (request.maxTries ?? retry.maxTries) || !isRetryable(error))
          throw error;
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 429 || status === 503) this.stats.throttled++;
        if (status === undefined) this.stats.networkErrors++;
        this.stats.retries++;
        const delayMs = retryDelay(retry, attempt, (error as { retryAfterMs?: number }).retryAfterMs);
        this.options.onRetry?.({
          method: request.method,
          path: request.path,
          attempt,
          delayMs,
          reason: status
            ? `${status} ${(error as HttpError).code ?? ""}`.trim()
            : String((error as { code?: string }).code ?? error),
        });
        await sleep(delayMs, signal);
      }
    }
  }

  private async once(request: RestRequest, signal: AbortSignal | undefined): Promise<RestResponse> {
    const headers: Record<string, string> = {
      "x-ms-version": SERVICE_VERSION,
      "user-agent": this.options.userAgentPrefix
        ? `${this.options.userAgentPrefix} azcp/${VERSION}`
        : `azcp/${VERSION}`,
      ...this.options.serviceHeaders,
      ...this.objectHeaders(request),
      ...request.headers,
    };
    const body = request.body;
    if (body) {
      headers["content-length"] = String(body.length);
      await this.options.rateLimiter?.take(body.length);
    } else if (request.method === "PUT" || request.method === "POST" || request.method === "PATCH") {
      headers["content-length"] = "0";
    }
    // The token last, after any wait for bandwidth, so that it is fresh when the request leaves.
    if (this.auth.kind === "token") {
      Object.assign(headers, this.options.tokenHeaders);
      headers.authorization = `Bearer ${(await this.auth.credential.getToken(STORAGE_SCOPE))!.token}`;
    } else if (this.auth.kind === "sharedKey") {
      headers["x-ms-date"] = new Date().toUTCString();
      headers.authorization = sharedKeyAuthorization(
        this.auth.credential,
        request.method,
        `${this.originUrl.pathname.replace(/\/$/, "")}${request.path}`,
        request.query ?? {},
        headers,
      );
    }
    const pathAndQuery = `${request.path}${this.queryString(request.query ?? {})}`;
    if (this.auth.kind === "signed") {
      delete headers["x-ms-version"];
      await this.auth.sign({
        method: request.method,
        host: this.originUrl.host,
        path: pathAndQuery,
        headers,
      });
    }
    this.stats.requests++;
    if (this.direct && request.method === "GET" && (request.into || request.sink))
      return this.directGet(this.direct, request, pathAndQuery, headers, signal);
    const response = await this.exchange(request.method, pathAndQuery, headers, body, signal);
    if (body) this.stats.bytesSent += body.length;
    const status = response.statusCode ?? 0;
    if (!request.expect.includes(status)) {
      const text = request.method === "HEAD" ? "" : (await readAll(response)).toString("utf8");
      throw httpError(status, request, text, response.headers);
    }
    const length = request.into?.length ?? request.sink?.length;
    if (length !== undefined) {
      const target = request.into;
      const sink = request.sink?.sink;
      let written = 0;
      for await (const chunk of response as AsyncIterable<Buffer>) {
        if (written + chunk.length > length) {
          response.destroy();
          throw networkError(`The service sent more than the ${length} bytes asked for.`, "AZCP_TRUNCATED");
        }
        if (target) chunk.copy(target.buffer, target.offset + written);
        else await sink?.write(chunk, written);
        written += chunk.length;
      }
      this.stats.bytesReceived += written;
      await this.options.rateLimiter?.take(written);
      if (written !== length)
        throw networkError(`The response ended after ${written} of ${length} bytes.`, "AZCP_TRUNCATED");
      return { status, headers: response.headers };
    }
    if (request.text)
      return { status, headers: response.headers, text: (await readAll(response)).toString("utf8") };
    response.resume();
    await new Promise<void>((resolve) => {
      if (response.complete) resolve();
      else
        response
          .once("end", resolve)
          .once("error", () => resolve())
          .once("close", resolve);
    });
    return { status, headers: response.headers };
  }

  private async directGet(
    direct: DirectPool,
    request: RestRequest,
    pathAndQuery: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<RestResponse> {
    const body = request.into
      ? { kind: "into" as const, ...request.into }
      : { kind: "sink" as const, sink: request.sink!.sink, length: request.sink!.length };
    const cancel = new AbortController();
    if (this.options.signal?.aborted) cancel.abort();
    this.activeDirect.add(cancel);
    const response = await direct
      .send({
        method: "GET",
        path: pathAndQuery,
        headers: { host: this.originUrl.host, ...headers },
        expect: request.expect,
        body,
        signal:
          signal && signal !== this.options.signal ? AbortSignal.any([signal, cancel.signal]) : cancel.signal,
        timeoutMs: requestTimeoutMs(),
      })
      .finally(() => this.activeDirect.delete(cancel));
    if (response.errorBody)
      throw httpError(response.status, request, response.errorBody.toString("utf8"), response.headers);
    this.stats.bytesReceived += body.length;
    await this.options.rateLimiter?.take(body.length);
    return { status: response.status, headers: response.headers };
  }

  /** Send one request; resolves with the response once its headers arrived. */
  private exchange(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const send = this.secure ? httpsRequest : httpRequest;
      const req = send(
        {
          protocol: this.originUrl.protocol,
          hostname: this.originUrl.hostname,
          port: this.originUrl.port,
          method,
          path,
          headers,
          agent: this.agent,
          ...(signal && signal !== this.options.signal ? { signal } : {}),
        },
        (response) => {
          response.on("error", () => undefined);
          resolve(response);
        },
      );
      if (this.options.signal?.aborted) req.destroy(networkError("The job was cancelled.", "ABORT_ERR"));
      this.active.add(req);
      req.once("close", () => this.active.delete(req));
      req.setTimeout(requestTimeoutMs(), () =>
        req.destroy(networkError("The request timed out.", "ETIMEDOUT")),
      );
      req.on("error", reject);
      sendBody(req, body);
    });
  }
}

function httpError(
  status: number,
  request: RestRequest,
  text: string,
  headers: Record<string, string | string[] | undefined>,
): HttpError {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return new HttpError(
    status,
    request.method,
    request.path,
    text,
    header("x-ms-error-code"),
    parseRetryAfter(header("retry-after")),
  );
}

/** Bytes handed to a request at a time: over TLS, what waits encrypted in the socket stays this small. */
const BODY_SLICE = 256 * 1024;

/**
 * Writes a body in slices, each after the socket took the last: a body handed over whole is
 * encrypted whole into the socket's buffer, a second copy of every block in flight.
 */
function sendBody(req: ClientRequest, body: Buffer | undefined): void {
  if (!body || body.length <= BODY_SLICE) {
    req.end(body);
    return;
  }
  let offset = 0;
  const more = () => {
    while (offset < body.length) {
      const slice = body.subarray(offset, offset + BODY_SLICE);
      offset += slice.length;
      if (offset >= body.length) req.end(slice);
      else if (!req.write(slice)) {
        req.once("drain", more);
        return;
      }
    }
  };
  more();
}

async function readAll(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch {
    // An error body that broke off is still worth what arrived.
  }
  return Buffer.concat(chunks);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
