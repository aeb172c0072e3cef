// What both services share on the wire: the parsed request, replies, byte ranges, dates, and
// conditional headers.
import type { IncomingHttpHeaders } from "node:http";
import { type ServiceError, withStatus } from "./errors.js";

export interface Request {
  method: string;
  /** Account, then the share or file system, then the path (decoded, "/"-joined, no edge slashes). */
  account: string;
  container: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string | number | undefined>;
  body?: Buffer | string;
}

/** The query as sent: percent-decoding only ("+" stays "+", as in a SAS signature). */
export function parseQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const part of search.replace(/^\?/, "").split("&")) {
    if (!part) continue;
    const equals = part.indexOf("=");
    const name = equals < 0 ? part : part.slice(0, equals);
    const value = equals < 0 ? "" : part.slice(equals + 1);
    query[safeDecode(name)] = safeDecode(value);
  }
  return query;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Splits "/account/container/a/b" into its parts, each segment percent-decoded. */
export function parsePath(pathname: string): { account: string; container: string; path: string } {
  const segments = pathname.split("/").slice(1).map(safeDecode);
  const [account = "", container = "", ...rest] = segments;
  return { account, container, path: rest.join("/").replace(/^\/+|\/+$/g, "") };
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** RFC 1123, as in Last-Modified. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

export interface ByteRange {
  start: number;
  /** Inclusive; undefined for "bytes=N-". */
  end: number | undefined;
}

/**
 * The range a request asks for: x-ms-range wins over Range.
 * https://learn.microsoft.com/en-us/rest/api/storageservices/specifying-the-range-header-for-file-service-operations
 */
export function requestedRange(
  headers: IncomingHttpHeaders,
  invalid: (name: string, value: string) => ServiceError,
): ByteRange | undefined {
  const name = header(headers, "x-ms-range") !== undefined ? "x-ms-range" : "range";
  const value = header(headers, name);
  if (value === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d*)$/.exec(value.trim());
  if (!match) throw invalid(name, value);
  const start = Number(match[1]);
  const end = match[2] === "" ? undefined : Number(match[2]);
  if (end !== undefined && end < start) throw invalid(name, value);
  return { start, end };
}

export function invalidHeader(make: (code: string, details?: Record<string, string>) => ServiceError) {
  return (name: string, value: string) =>
    make("InvalidHeaderValue", { HeaderName: name === "range" ? "Range" : name, HeaderValue: value });
}

/**
 * If-Match / If-None-Match (ETag or "*") against the resource's current ETag (undefined when it
 * does not exist). Reads that fail If-None-Match answer 304 rather than 412.
 * https://learn.microsoft.com/en-us/rest/api/storageservices/specifying-conditional-headers-for-blob-service-operations
 */
export function checkConditions(
  headers: IncomingHttpHeaders,
  etag: string | undefined,
  make: (code: string) => ServiceError,
  read = false,
): void {
  const ifMatch = header(headers, "if-match");
  const ifNoneMatch = header(headers, "if-none-match");
  if (ifMatch !== undefined) {
    const ok =
      etag !== undefined && (ifMatch === "*" || ifMatch.split(",").some((tag) => tag.trim() === etag));
    if (!ok) throw make("ConditionNotMet");
  }
  if (ifNoneMatch !== undefined) {
    const hit =
      etag !== undefined && (ifNoneMatch === "*" || ifNoneMatch.split(",").some((t) => t.trim() === etag));
    if (hit) throw read ? withStatus(make("ConditionNotMet"), 304) : make("ConditionNotMet");
  }
}

/** Response headers for the content headers stored on a file. */
export function contentResponseHeaders(content: {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  contentLanguage?: string | undefined;
  contentDisposition?: string | undefined;
  cacheControl?: string | undefined;
}): Record<string, string | undefined> {
  return {
    "content-type": content.contentType ?? "application/octet-stream",
    "content-encoding": content.contentEncoding,
    "content-language": content.contentLanguage,
    "content-disposition": content.contentDisposition,
    "cache-control": content.cacheControl,
  };
}

/** The content headers a request sets (the x-ms-content-* family), undefined when absent. */
export function contentRequestHeaders(
  headers: IncomingHttpHeaders,
  prefix: "x-ms-" | "x-ms-blob-" = "x-ms-",
) {
  return {
    contentType: header(headers, `${prefix}content-type`),
    contentEncoding: header(headers, `${prefix}content-encoding`),
    contentLanguage: header(headers, `${prefix}content-language`),
    contentDisposition: header(headers, `${prefix}content-disposition`),
    cacheControl: header(headers, `${prefix}cache-control`),
  };
}

export function metadataFrom(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-ms-meta-") && value !== undefined)
      metadata[name.slice(10)] = Array.isArray(value) ? value.join(",") : value;
  }
  return metadata;
}

export function metadataHeaders(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [`x-ms-meta-${name}`, value]));
}

/** A base64 MD5 header value, validated. */
export function md5Header(
  headers: IncomingHttpHeaders,
  name: string,
  make: (code: string, details?: Record<string, string>) => ServiceError,
): string | undefined {
  const value = header(headers, name);
  if (value === undefined || value === "") return undefined;
  if (Buffer.from(value, "base64").length !== 16) throw make("InvalidMd5");
  return value;
}

export function numberParam(
  value: string | undefined,
  name: string,
  make: (code: string, details?: Record<string, string>) => ServiceError,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw make("InvalidQueryParameterValue", { QueryParameterName: name, QueryParameterValue: value });
  return Number(value);
}
