// Parse what a user typed as a source or destination: a local path, or an Azure Storage URL
// (Blob, Files or Data Lake, public clouds or an emulator's path-style URL), with its SAS kept
// apart so that it can be used but never shown.
import { resolve } from "node:path";
import { badInput } from "../errors.js";
import { isGcsHost, isS3Host, parseGcsUrl, parseS3Url } from "./other-clouds.js";
import { redactText } from "./redact.js";

export type { LocalLocation, Location, RemoteLocation, ServiceKind } from "./types.js";

import type { Location, RemoteLocation, ServiceKind } from "./types.js";

const HOST_STYLE =
  /^([a-z0-9]+)\.(?:z\d+\.)?(blob|file|dfs)\.(?:core\.windows\.net|core\.chinacloudapi\.cn|core\.cloudapi\.de|core\.usgovcloudapi\.net|storage\.azure\.net)$/i;
const NON_SAS_PARAMETERS = new Set(["snapshot", "versionid", "sharesnapshot", "prevsnapshot"]);

export function isRemote(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

export interface ParseOptions {
  /** Service for URLs whose host does not name one (from --from-to or --location). */
  serviceHint?: ServiceKind;
  /** Base for relative local paths. */
  cwd?: string;
}

export function parseLocation(text: string, options: ParseOptions = {}): Location {
  if (!isRemote(text)) {
    if (text.trim() === "")
      throw badInput("The location is empty.", "Pass a local path or an Azure Storage URL.");
    return { type: "local", path: resolve(options.cwd ?? process.cwd(), text), original: text };
  }
  return parseRemote(text, options.serviceHint);
}

function parseRemote(text: string, serviceHint: ServiceKind | undefined): RemoteLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(
      `"${redactText(text)}" is not a valid URL.`,
      "Check the URL's spelling; it should look like https://<account>.blob.core.windows.net/<container>/<path>.",
    );
  }
  if (url.username || url.password) {
    throw badInput("The URL holds a user name or password.", "Remove the user:password@ part from the URL.");
  }
  if (serviceHint === "s3" || (!serviceHint && isS3Host(url.hostname))) return parseS3Url(url);
  if (serviceHint === "gcs" || (!serviceHint && isGcsHost(url.hostname))) return parseGcsUrl(url);
  const segments = url.pathname.split("/").slice(1);
  if (serviceHint === "http") {
    // A plain web server: no account or container, the whole path names the file.
    return {
      type: "remote",
      service: "http",
      accountUrl: `${url.protocol}//${url.host}`,
      accountName: url.hostname,
      container: "",
      path: segments.map(decodeSegment).join("/"),
      sas: undefined,
      extraQuery: url.search ? url.search.slice(1) : undefined,
      pathStyle: false,
    };
  }
  const hostMatch = HOST_STYLE.exec(url.hostname);
  let accountName: string;
  let service: ServiceKind;
  let pathStyle: boolean;
  if (hostMatch) {
    accountName = hostMatch[1]!.toLowerCase();
    service = hostMatch[2]!.toLowerCase() as ServiceKind;
    pathStyle = false;
  } else {
    const first = segments.shift();
    if (!first) {
      throw badInput(
        `Cannot tell the storage account of "${redactText(text)}".`,
        "For an emulator or IP address URL, put the account name first in the path: https://127.0.0.1:10000/<account>/<container>.",
      );
    }
    accountName = decodeSegment(first);
    service = serviceHint ?? "blob";
    pathStyle = true;
  }
  const containerSegment = segments.shift();
  const container = containerSegment ? decodeSegment(containerSegment) : undefined;
  const path = segments.map(decodeSegment).join("/");
  const origin = `${url.protocol}//${url.host}`;
  const accountUrl = pathStyle ? `${origin}/${encodeURIComponent(accountName)}` : origin;

  const sasParameters: string[] = [];
  const extraParameters: string[] = [];
  for (const part of url.search.slice(1).split("&")) {
    if (!part) continue;
    const key = decodeURIComponent(part.split("=")[0] ?? "").toLowerCase();
    (NON_SAS_PARAMETERS.has(key) ? extraParameters : sasParameters).push(part);
  }
  const sas = sasParameters.some((p) => /^sig=/i.test(p)) ? sasParameters.join("&") : undefined;
  return {
    type: "remote",
    service,
    accountUrl,
    accountName,
    container,
    path,
    sas,
    extraQuery: extraParameters.length ? extraParameters.join("&") : undefined,
    pathStyle,
  };
}

export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badInput(`The URL path segment "${segment}" has a malformed %-escape.`, "Encode % as %25 in URLs.");
  }
}

/** What encodeURIComponent leaves as it is, and the slash. */
const NOTHING_TO_ENCODE = /^[A-Za-z0-9\-_.!~*'()/]*$/;

/** Encode a blob path for a URL: each segment escaped, slashes kept. */
export function encodePath(path: string): string {
  if (NOTHING_TO_ENCODE.test(path)) return path;
  return path
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

/** The URL of a container or of an object in it, without any SAS. */
export function remoteUrl(location: RemoteLocation, path: string = location.path): string {
  let url = location.accountUrl;
  if (location.container !== undefined && !location.containerInHost)
    url += `/${encodeURIComponent(location.container)}`;
  if (path) url += `/${encodePath(path)}`;
  return url;
}

/**
 * The location as every machine names it, whatever host or SAS each reaches it by (a private
 * endpoint, an IP): service, account, container and path; a local path as given.
 */
export function placeName(location: Location): string {
  return location.type === "local"
    ? location.path
    : `${location.service}:${location.accountName}/${location.container ?? ""}/${location.path}`;
}

/** The location as a user may see it: the URL with any SAS signature hidden. */
export function displayLocation(location: Location): string {
  if (location.type === "local") return location.original;
  const base = remoteUrl(location);
  const query = [location.sas ? redactSasQuery(location.sas) : undefined, location.extraQuery].filter(
    Boolean,
  );
  return query.length ? `${base}?${query.join("&")}` : base;
}

/** The signed expiry (se=) of a SAS query, if it has a readable one. */
export function sasExpiry(sas: string | undefined): Date | undefined {
  if (!sas) return undefined;
  const value = new URLSearchParams(sas).get("se");
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function redactSasQuery(sas: string): string {
  return sas.replace(/(^|&)(sig=)[^&]*/i, "$1$2REDACTED");
}
