// Another cloud's bucket (Amazon S3, Google Cloud Storage) as a read-only source, written once
// over what each bucket answers (CloudBucket): a listing by prefix, a HEAD for one object's
// properties, ranged reads pinned to the version first listed, and a signed URL that Azure
// Storage fetches by itself for a service-side copy.
import { AzcpError, badInput } from "../../errors.js";
import type { BodySink, HttpError, RestResponse } from "../../transport/http.js";
import type {
  BackendFeatures,
  ContentHeaders,
  CopySource,
  Destination,
  ListedObject,
  RemoteEndpoint,
  RemoteService,
  Source,
  SourceObject,
  TreeSourceOptions,
} from "../backend.js";
import { SourceChangedError } from "../backend.js";
import { header } from "./object.js";
import { mapOrdered } from "./ordered-map.js";

/** What the other clouds offer a copy: objects with content headers and metadata, no folders. */
export const CLOUD_FEATURES: BackendFeatures = {
  objectProperties: true,
  realFolders: false,
  wholeSecondTimes: true,
};

/** One object as a bucket lists or describes it. */
export interface CloudObject {
  key: string;
  size: number;
  lastModified: Date | undefined;
  /** What pins this version: S3's ETag, Cloud Storage's generation. */
  version: string | undefined;
  contentMd5?: string | undefined;
  headers?: ContentHeaders | undefined;
  metadata?: Record<string, string> | undefined;
  /** False when the listing lacks headers and metadata (S3): a HEAD gives them. */
  complete: boolean;
}

/** What one cloud's bucket answers; its errors are already AzcpErrors that name cause and fix. */
export interface CloudBucket {
  /** "Amazon S3", "Google Cloud Storage": for messages. */
  readonly cloud: string;
  /** Objects under `prefix` in name order; with `delimiter`, one level only. */
  list(prefix: string, delimiter: string | undefined): AsyncIterable<CloudObject>;
  /** One object with its headers and metadata, or undefined when there is none. */
  head(key: string): Promise<CloudObject | undefined>;
  readonly endpoint: RemoteEndpoint;
  /** What pins a version, for messages ("ETag", "generation"), and the response header that says it. */
  readonly version: { name: string; header: string };
  /** The GET of an object's data, made conditional on the listed version where the cloud can. */
  readRequest(object: CloudObject): {
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  };
  /** Where the object's data is read by URL; it names the listed version where the cloud can. */
  objectUrl(object: CloudObject): URL;
  /** The MD5 (base64) the object's bytes should have, where the cloud states one. */
  statedMd5(object: CloudObject): string | undefined;
  /** A failed request as cause and fix. */
  failure(error: unknown, doing: string, key: string): AzcpError;
  /** The object's address as people may see it. */
  display(key: string): string;
  /** Every bucket of the service (the endpoint names no bucket). */
  listBuckets(): AsyncIterable<string>;
}

/** Seven days: what AzCopy gives its signed URLs, longer than any one object's copy. */
const SIGNED_URL_SECONDS = 7 * 24 * 3600;

/**
 * Reads bytes of the version first listed: the request is conditional on it where the cloud can
 * (a 412 or 404 means it was replaced or deleted), and the version the response names is checked
 * too, for servers that ignore the condition.
 */
async function readPinned(
  bucket: CloudBucket,
  object: CloudObject,
  offset: number,
  length: number,
  into: Buffer | BodySink,
  signal?: AbortSignal,
): Promise<void> {
  if (length === 0) return;
  const request = bucket.readRequest(object);
  let response: RestResponse;
  try {
    response = await bucket.endpoint.transport.send(
      {
        method: "GET",
        ...request,
        headers: { ...request.headers, range: `bytes=${offset}-${offset + length - 1}` },
        // A server that ignores Range answers 200 with everything: fine only when that is what was asked.
        expect: offset === 0 && length === object.size ? [200, 206] : [206],
        ...(Buffer.isBuffer(into)
          ? { into: { buffer: into, offset: 0, length } }
          : { sink: { sink: into, length } }),
      },
      signal,
    );
  } catch (error) {
    const status = (error as HttpError).statusCode;
    if (object.version && (status === 412 || status === 404))
      throw new SourceChangedError(
        bucket.display(object.key),
        status === 404 ? "it was deleted" : `its ${bucket.version.name} changed`,
      );
    throw bucket.failure(error, "read", object.key);
  }
  const answered = header(response, bucket.version.header);
  if (object.version && answered && answered !== object.version)
    throw new SourceChangedError(bucket.display(object.key), `its ${bucket.version.name} changed`);
}

/** A URL Azure Storage can GET the object from: signed for a while, or plain for public data. */
function fetchUrl(bucket: CloudBucket, object: CloudObject): string {
  const url = bucket.objectUrl(object);
  const access = bucket.endpoint.access;
  return access.kind === "foreign" && access.presign ? access.presign(url, SIGNED_URL_SECONDS) : url.href;
}

/** Names the services keep for folders or cannot hold as a path under a destination. */
function unusableName(relativePath: string): string | undefined {
  if (relativePath.split("/").some((segment) => segment === "" || segment === "." || segment === ".."))
    return 'has an empty, "." or ".." part and could land outside the destination directory';
  return undefined;
}

const CLOUD = Symbol("cloud object");
type ListedCloudObject = SourceObject & { [CLOUD]: CloudObject };

function sourceObject(object: CloudObject, relativePath: string, withMetadata: boolean): ListedCloudObject {
  const unusable = unusableName(relativePath);
  return {
    relativePath,
    key: object.key,
    size: object.size,
    lastModified: object.lastModified,
    contentMd5: object.contentMd5,
    headers: object.headers,
    metadata: withMetadata ? object.metadata : undefined,
    pin: object.version,
    ...(unusable
      ? {
          failure: new AzcpError("bad-input", `The object "${object.key}" ${unusable}.`, {
            remedy: "Rename it at the source, or exclude it with --exclude-path or --exclude-regex.",
          }),
        }
      : {}),
    [CLOUD]: object,
  };
}

class CloudSource implements Source {
  readonly description: string;

  constructor(
    private readonly bucket: CloudBucket,
    private readonly options: TreeSourceOptions,
  ) {
    this.description = bucket.display(options.single ?? options.prefix);
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    const { single, prefix, relativePrefix, recursive, nameFilter, withMetadata } = this.options;
    if (single !== undefined) {
      const object = await this.bucket.head(single);
      if (!object)
        throw new AzcpError("not-found", `${this.bucket.display(single)}: the object does not exist.`, {
          remedy: "Check the name (keys are case-sensitive).",
          statusCode: 404,
        });
      yield sourceObject(object, single.slice(single.lastIndexOf("/") + 1), true);
      return;
    }
    const bucket = this.bucket;
    async function* wanted(): AsyncGenerator<{ object: CloudObject; relativePath: string }> {
      for await (const object of bucket.list(prefix, recursive ? undefined : "/")) {
        const rest = object.key.slice(prefix.length);
        // A key ending in "/" is a console's folder marker, as AzCopy skips it.
        if (rest === "" || rest.endsWith("/")) continue;
        if (nameFilter && !nameFilter(rest.split("/")[0]!)) continue;
        yield { object, relativePath: relativePrefix ? `${relativePrefix}/${rest}` : rest };
      }
    }
    // Headers and metadata that the listing lacks come from a HEAD per object, a few at a time.
    yield* mapOrdered(wanted(), 32, async ({ object, relativePath }) => {
      const described = withMetadata && !object.complete ? await this.describe(object) : object;
      return sourceObject(described, relativePath, withMetadata);
    });
  }

  private async describe(listed: CloudObject): Promise<CloudObject> {
    const object = await this.bucket.head(listed.key);
    if (!object) return listed;
    // Listed and described are one version, or the later one replaced it in between.
    return object.version === listed.version ? object : { ...listed, complete: true };
  }

  read(
    object: SourceObject,
    offset: number,
    length: number,
    into: Buffer,
    signal?: AbortSignal,
  ): Promise<void> {
    return readPinned(this.bucket, cloudObjectOf(object), offset, length, into, signal);
  }

  stream(
    object: SourceObject,
    offset: number,
    length: number,
    sink: BodySink,
    signal?: AbortSignal,
  ): Promise<void> {
    return readPinned(this.bucket, cloudObjectOf(object), offset, length, sink, signal);
  }

  display(object: SourceObject): string {
    return this.bucket.display(object.key);
  }

  async copySource(object: SourceObject): Promise<CopySource> {
    // The destination service cannot make its fetch conditional on another cloud's version, so
    // the version is checked again before the copy is committed.
    const cloudObject = cloudObjectOf(object);
    return {
      url: fetchUrl(this.bucket, cloudObject),
      contentMd5: this.bucket.statedMd5(cloudObject),
      checkUnchanged: async () => {
        const now = await this.bucket.head(object.key);
        if (!now) throw new SourceChangedError(this.display(object), "it was deleted");
        if (now.version !== object.pin)
          throw new SourceChangedError(this.display(object), `its ${this.bucket.version.name} changed`);
      },
    };
  }
}

function cloudObjectOf(object: SourceObject): CloudObject {
  return (
    (object as Partial<ListedCloudObject>)[CLOUD] ?? {
      key: object.key,
      size: object.size,
      lastModified: object.lastModified,
      version: object.pin,
      complete: false,
    }
  );
}

/** A bucket seen through what the commands need of a service: it can be read, never written. */
export class CloudService implements RemoteService {
  readonly realFolders = false;

  constructor(private readonly bucket: CloudBucket) {}

  private readOnly(): AzcpError {
    return badInput(
      `${this.bucket.cloud} can only be a source: azcp copies from it into Azure Storage.`,
      "Copy from it to a Blob container (or a local path); to write to it, use its own tools.",
    );
  }

  async isObject(path: string): Promise<boolean> {
    if (path === "" || path.endsWith("/")) return false;
    return (await this.bucket.head(path)) !== undefined;
  }

  async isDirectory(path: string): Promise<boolean> {
    for await (const _ of this.bucket.list(`${path.replace(/\/+$/, "")}/`, undefined)) return true;
    return false;
  }

  source(options: TreeSourceOptions): Source {
    return new CloudSource(this.bucket, options);
  }

  destination(): Destination {
    throw this.readOnly();
  }

  display(key: string): string {
    return this.bucket.display(key);
  }

  async deleteObject(): Promise<void> {
    throw this.readOnly();
  }

  async createContainer(): Promise<boolean> {
    throw this.readOnly();
  }

  listContainers(): AsyncIterable<string> {
    return this.bucket.listBuckets();
  }

  async *list(): AsyncGenerator<ListedObject> {
    const path = this.bucket.endpoint.location.path.replace(/\/+$/, "");
    for await (const object of this.bucket.list(path ? `${path}/` : "", undefined))
      yield { path: object.key, size: object.size, lastModified: object.lastModified, properties: {} };
  }
}
