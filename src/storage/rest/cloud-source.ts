// Another cloud's bucket (Amazon S3, Google Cloud Storage) as a read-only source, written once
// over what each bucket answers (CloudBucket): a listing by prefix, a HEAD for one object's
// properties, ranged reads pinned to the version first listed, and a signed URL that Azure
// Storage fetches by itself for a service-side copy.
import { AzcpError, badInput } from "../../errors.js";
import type { BodySink } from "../../transport/http.js";
import type {
  BackendFeatures,
  ContentHeaders,
  CopySource,
  Destination,
  ListedObject,
  RemoteService,
  Source,
  SourceObject,
  TreeSourceOptions,
} from "../backend.js";
import { SourceChangedError } from "../backend.js";
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
  /** Reads bytes of one version; fails with SourceChangedError once the object is another. */
  read(
    object: CloudObject,
    offset: number,
    length: number,
    into: Buffer | BodySink,
    signal?: AbortSignal,
  ): Promise<void>;
  /** A URL Azure Storage can GET the object from (signed for a while, or public). */
  fetchUrl(key: string): string;
  /** The object's address as people may see it. */
  display(key: string): string;
  /** Every bucket of the service (the endpoint names no bucket). */
  listBuckets(): AsyncIterable<string>;
}

/** Seven days: what AzCopy gives its signed URLs, longer than any one object's copy. */
export const SIGNED_URL_SECONDS = 7 * 24 * 3600;

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
    return this.bucket.read(cloudObjectOf(object), offset, length, into, signal);
  }

  stream(
    object: SourceObject,
    offset: number,
    length: number,
    sink: BodySink,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.bucket.read(cloudObjectOf(object), offset, length, sink, signal);
  }

  display(object: SourceObject): string {
    return this.bucket.display(object.key);
  }

  async copySource(object: SourceObject): Promise<CopySource> {
    // The destination service cannot make its fetch conditional on another cloud's version, so
    // the version is checked again before the copy is committed.
    return {
      url: this.bucket.fetchUrl(object.key),
      checkUnchanged: async () => {
        const now = await this.bucket.head(object.key);
        if (!now) throw new SourceChangedError(this.display(object), "it was deleted");
        if (now.version !== object.pin)
          throw new SourceChangedError(this.display(object), "its version changed");
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
    for await (const object of this.bucket.list("", undefined))
      yield { path: object.key, size: object.size, lastModified: object.lastModified, properties: {} };
  }
}
