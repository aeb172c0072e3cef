// URLs of the other clouds AzCopy copies from: Amazon S3 (virtual-hosted and path-style, with a
// region, dual-stack, or an S3-compatible endpoint named by --from-to S3Blob) and Google Cloud
// Storage (storage.cloud.google.com, storage.googleapis.com, or an endpoint named by --from-to GCPBlob).
import { badInput } from "../errors.js";
import type { RemoteLocation } from "./types.js";

// AzCopy's pattern for an S3 host: an optional "bucket." and then s3., s3- or s3.dualstack.
const S3_HOST = /^(.+\.)?s3[.-]([a-z0-9-]+)\.([a-z0-9-]+)/;

export function isS3Host(host: string): boolean {
  const lower = host.toLowerCase();
  return lower.includes("amazonaws.com") && S3_HOST.test(lower);
}

export function isGcsHost(host: string): boolean {
  return /^storage\.(cloud\.google\.com|googleapis\.com)$/i.test(host);
}

function decode(segment: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? segment.replaceAll("+", " ") : segment);
  } catch {
    throw badInput(`The URL path segment "${segment}" has a malformed %-escape.`, "Encode % as %25 in URLs.");
  }
}

/**
 * An S3 URL: the bucket from the host (virtual-hosted) or the first path segment, the region
 * from the host where it names one. Any other host is taken as an S3-compatible endpoint with
 * the bucket in the path (it gets here only by --from-to S3...).
 */
export function parseS3Url(url: URL): RemoteLocation {
  const host = url.hostname.toLowerCase();
  const match = host.includes("amazonaws.com") ? S3_HOST.exec(host) : null;
  // S3 consoles write spaces in keys as "+", and AzCopy reads them so.
  const segments = url.pathname
    .split("/")
    .slice(1)
    .map((segment) => decode(segment, true));
  let region: string | undefined;
  if (match) {
    const [, , second, third] = match;
    const named = second === "dualstack" ? third : second;
    region = named === "amazonaws" ? undefined : named;
  }
  const origin = `${url.protocol}//${url.host}`;
  const bucketInHost = match?.[1]?.slice(0, -1);
  const common = {
    type: "remote" as const,
    service: "s3" as const,
    sas: undefined,
    extraQuery: undefined,
    region,
  };
  if (bucketInHost) {
    return {
      ...common,
      accountUrl: origin,
      accountName: host.slice(bucketInHost.length + 1),
      container: bucketInHost,
      containerInHost: true,
      path: segments.join("/"),
      pathStyle: false,
    };
  }
  const bucket = segments.shift() || undefined;
  return {
    ...common,
    accountUrl: origin,
    accountName: host,
    container: bucket,
    path: segments.join("/"),
    pathStyle: true,
  };
}

/**
 * A Google Cloud Storage URL: /bucket/name on storage.cloud.google.com (the console's link, read
 * through the API host storage.googleapis.com), storage.googleapis.com, or another endpoint.
 */
export function parseGcsUrl(url: URL): RemoteLocation {
  const segments = url.pathname
    .split("/")
    .slice(1)
    .map((segment) => decode(segment, false));
  const bucket = segments.shift() || undefined;
  const console = url.hostname.toLowerCase() === "storage.cloud.google.com";
  const origin = console ? "https://storage.googleapis.com" : `${url.protocol}//${url.host}`;
  return {
    type: "remote",
    service: "gcs",
    accountUrl: origin,
    accountName: new URL(origin).host,
    container: bucket,
    path: segments.join("/"),
    sas: undefined,
    extraQuery: undefined,
    pathStyle: true,
  };
}
