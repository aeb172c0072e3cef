// The lean HTTP path for data transfers: one undici connection pool per service origin,
// requests authorized by SAS or bearer token, retried with backoff (honouring Retry-After),
// bounded by the job's request semaphore and rate limit. Control operations (listing, creating
// containers) stay on the Azure SDK; this carries the bytes.
import type { TokenCredential } from "@azure/core-auth";
import { Pool } from "undici";
import { STORAGE_SCOPE } from "../auth/credentials.js";
import type { RateLimiter, Semaphore } from "../engine/concurrency.js";
import { isRetryable, parseRetryAfter, type RetryPolicy, retryDelay } from "../engine/retry.js";
import { VERSION } from "../version.js";

export const SERVICE_VERSION = "2025-11-05";

export type HttpAuth =
  | { readonly kind: "sas"; readonly sas: string }
  | { readonly kind: "token"; readonly credential: TokenCredential }
  | { readonly kind: "anonymous" };

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
    const code = errorCode ?? /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1]?.split("\n")[0];
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
}

export interface RestRequest {
  method: "GET" | "PUT" | "HEAD" | "DELETE" | "POST";
  /** Encoded path from the origin, without a query. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Statuses that mean success. */
  expect: readonly number[];
  /** Read the body into this buffer (ranged downloads); it must be exactly `length` bytes. */
  into?: { buffer: Buffer; offset: number; length: number };
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

const pools = new Map<string, Pool>();

function poolFor(origin: string, connections: number): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, {
      connections,
      keepAliveTimeout: 30_000,
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    pools.set(origin, pool);
  }
  return pool;
}

/** Close every pool so the process can exit at once. */
export async function closeAllPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.close().catch(() => undefined)));
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
  private readonly pool: Pool;

  constructor(
    readonly origin: string,
    private readonly auth: HttpAuth,
    private readonly options: TransportOptions,
  ) {
    this.pool = poolFor(origin, options.connections);
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
      "user-agent": `azcp/${VERSION}`,
      ...request.headers,
    };
    if (this.auth.kind === "token") {
      headers.authorization = `Bearer ${(await this.auth.credential.getToken(STORAGE_SCOPE))!.token}`;
    }
    const body = request.body;
    if (body) {
      headers["content-length"] = String(body.length);
      await this.options.rateLimiter?.take(body.length);
    } else if (request.method === "PUT" || request.method === "POST") {
      headers["content-length"] = "0";
    }
    this.stats.requests++;
    const response = await this.pool.request({
      method: request.method,
      path: `${request.path}${this.queryString(request.query ?? {})}`,
      headers,
      body: body ?? null,
      signal: signal ?? null,
    });
    if (body) this.stats.bytesSent += body.length;
    const status = response.statusCode;
    if (!request.expect.includes(status)) {
      const text = request.method === "HEAD" ? "" : await response.body.text().catch(() => "");
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      throw new HttpError(
        status,
        request.method,
        request.path,
        text,
        header("x-ms-error-code"),
        parseRetryAfter(header("retry-after")),
      );
    }
    if (request.into) {
      const { buffer, offset, length } = request.into;
      let written = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (written + chunk.length > length) {
          response.body.destroy();
          throw Object.assign(new Error(`The service sent more than the ${length} bytes asked for.`), {
            code: "AZCP_TRUNCATED",
          });
        }
        chunk.copy(buffer, offset + written);
        written += chunk.length;
      }
      this.stats.bytesReceived += written;
      await this.options.rateLimiter?.take(written);
      if (written !== length) {
        throw Object.assign(new Error(`The response ended after ${written} of ${length} bytes.`), {
          code: "AZCP_TRUNCATED",
        });
      }
      return { status, headers: response.headers };
    }
    if (request.text) return { status, headers: response.headers, text: await response.body.text() };
    await response.body.dump();
    return { status, headers: response.headers };
  }
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
