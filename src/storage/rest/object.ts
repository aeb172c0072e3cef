// What Blob, Files and Data Lake do alike on the REST transport: a ranged read, a HEAD for what
// is at a name, the URL people may see, and where a destination puts what it is given.
import { encodePath, type RemoteLocation } from "../../location/location.js";
import type { BodySink, HttpError, RestResponse } from "../../transport/http.js";
import {
  type ContentHeaders,
  type ExistingObject,
  type RemoteEndpoint,
  SourceChangedError,
} from "../backend.js";

/**
 * Path of an object from the transport's origin: /account/container/name (path-style) or
 * /container/name; the container is a share or file system on Files and Data Lake.
 */
export function objectPath(location: RemoteLocation, name: string): string {
  const account = location.pathStyle ? `/${encodeURIComponent(location.accountName)}` : "";
  return `${account}/${encodeURIComponent(location.container ?? "")}${name ? `/${encodePath(name)}` : ""}`;
}

/** Where objects are: the location and the transport that reaches it. */
export type ObjectPlace = Pick<RemoteEndpoint, "location" | "transport">;

export function header(response: RestResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Fill `into[0..length)` with the object's bytes from `offset`, or hand them to `into` as they
 * arrive when it is a sink (x-ms-range works on all three).
 * With `ifMatch` (the ETag first seen) the read fails with SourceChangedError once the object
 * was replaced, so parts of two versions are never put together.
 */
/** The content headers a HEAD or GET answered with. */
export function contentHeadersOf(response: RestResponse): ContentHeaders {
  return {
    contentType: header(response, "content-type"),
    contentEncoding: header(response, "content-encoding"),
    contentLanguage: header(response, "content-language"),
    contentDisposition: header(response, "content-disposition"),
    cacheControl: header(response, "cache-control"),
  };
}

export async function readRange(
  endpoint: ObjectPlace,
  key: string,
  offset: number,
  length: number,
  into: Buffer | BodySink,
  signal?: AbortSignal,
  ifMatch?: string,
  versionId?: string,
): Promise<void> {
  if (length === 0) return;
  try {
    await endpoint.transport.send(
      {
        method: "GET",
        path: objectPath(endpoint.location, key),
        ...(versionId ? { query: { versionid: versionId } } : {}),
        headers: {
          "x-ms-range": `bytes=${offset}-${offset + length - 1}`,
          ...(ifMatch ? { "if-match": ifMatch } : {}),
        },
        expect: [200, 206],
        ...(Buffer.isBuffer(into)
          ? { into: { buffer: into, offset: 0, length } }
          : { sink: { sink: into, length } }),
      },
      signal,
    );
  } catch (error) {
    if (ifMatch && (error as HttpError).statusCode === 412)
      throw new SourceChangedError(displayObject(endpoint, key), "its ETag changed");
    throw error;
  }
}

/** Fails with SourceChangedError when the object at `key` no longer has the ETag `pin`. */
export async function checkEtag(endpoint: ObjectPlace, key: string, pin: string | undefined): Promise<void> {
  if (!pin) return;
  const response = await endpoint.transport
    .send({ method: "HEAD", path: objectPath(endpoint.location, key), expect: [200] })
    .catch((error: HttpError) => {
      if (error.statusCode === 404)
        throw new SourceChangedError(displayObject(endpoint, key), "it was deleted");
      throw error;
    });
  if (header(response, "etag") !== pin)
    throw new SourceChangedError(displayObject(endpoint, key), "its ETag changed");
}

/** What a destination needs to keep a server-side copy pinned to the version first seen. */
export function copyPin(endpoint: ObjectPlace, object: { key: string; pin?: string | undefined }) {
  return object.pin
    ? { ifMatch: object.pin, checkUnchanged: () => checkEtag(endpoint, object.key, object.pin) }
    : {};
}

/** A quoted ETag as the service sends it, from a listing's <Etag> (which may lack the quotes). */
export function quotedEtag(etag: string | undefined): string | undefined {
  if (!etag) return undefined;
  return etag.startsWith('"') || etag.startsWith("W/") ? etag : `"${etag}"`;
}

/** Size and time of what is at `key`, or undefined when nothing is. */
export async function statObject(endpoint: ObjectPlace, key: string): Promise<ExistingObject | undefined> {
  try {
    const response = await endpoint.transport.send({
      method: "HEAD",
      path: objectPath(endpoint.location, key),
      expect: [200],
    });
    const lastModified = header(response, "last-modified");
    return {
      size: Number(header(response, "content-length") ?? 0),
      lastModified: lastModified ? new Date(lastModified) : undefined,
    };
  } catch (error) {
    if ((error as HttpError).statusCode === 404) return undefined;
    throw error;
  }
}

/** The URL of an object without any SAS. */
export function displayObject(endpoint: ObjectPlace, key: string): string {
  return endpoint.transport.displayUrl(objectPath(endpoint.location, key));
}

/** What a destination puts before a relative path: the named object itself ("file"), or a folder. */
export function destinationPrefix(path: string, mode: "directory" | "file"): string {
  return mode === "file" || path === "" || path.endsWith("/") ? path : `${path}/`;
}
