// A plain http(s) URL of one file as a read-only source (`--from-to HttpLocal`, `HttpBlob`, ...):
// HEAD for its size, time and ETag, ranged GETs pinned with If-Match, and for a copy to a
// service, the URL itself, which the service fetches. It lists nothing and takes no writes.
import { AzcpError, badInput } from "../../errors.js";
import type { HttpError } from "../../transport/http.js";
import {
  type BackendFeatures,
  type CopySource,
  type Destination,
  type ListedObject,
  type RemoteEndpoint,
  type RemoteService,
  type Source,
  SourceChangedError,
  type SourceObject,
  type TreeSourceOptions,
} from "../backend.js";
import { contentHeadersOf, header } from "../rest/object.js";

/** What a plain web server offers. */
export const HTTP_FEATURES: BackendFeatures = {
  objectProperties: true,
  realFolders: false,
  wholeSecondTimes: true,
};

/** The request path of a file's URL (the location keeps the whole decoded path as `path`). */
function fullPath(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

const readOnly = () =>
  badInput("A plain http(s) URL can only be a source.", "Copy from it to a local path or a storage URL.");

class HttpSource implements Source {
  readonly description: string;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly key: string,
  ) {
    this.description = this.url();
  }

  private url(): string {
    return this.endpoint.transport.displayUrl(`/${fullPath(this.key)}`);
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    const response = await this.endpoint.transport.send({
      method: "HEAD",
      path: `/${fullPath(this.key)}`,
      expect: [200],
    });
    const modified = header(response, "last-modified");
    yield {
      relativePath: this.key.slice(this.key.lastIndexOf("/") + 1),
      key: this.key,
      size: Number(header(response, "content-length") ?? 0),
      lastModified: modified ? new Date(modified) : undefined,
      pin: header(response, "etag"),
      headers: contentHeadersOf(response),
    };
  }

  async read(
    object: SourceObject,
    offset: number,
    length: number,
    into: Buffer,
    signal?: AbortSignal,
  ): Promise<void> {
    if (length === 0) return;
    try {
      await this.endpoint.transport.send(
        {
          method: "GET",
          path: `/${fullPath(object.key)}`,
          headers: {
            range: `bytes=${offset}-${offset + length - 1}`,
            ...(object.pin ? { "if-match": object.pin } : {}),
          },
          // A server that ignores Range answers 200 with everything: fine only when that is what was asked.
          expect: offset === 0 && length === object.size ? [200, 206] : [206],
          into: { buffer: into, offset: 0, length },
        },
        signal,
      );
    } catch (error) {
      if (object.pin && (error as HttpError).statusCode === 412)
        throw new SourceChangedError(this.url(), "its ETag changed");
      throw error;
    }
  }

  private async verifyPin(object: SourceObject): Promise<void> {
    const response = await this.endpoint.transport.send({
      method: "HEAD",
      path: `/${fullPath(object.key)}`,
      expect: [200],
    });
    if (object.pin && header(response, "etag") !== object.pin)
      throw new SourceChangedError(this.url(), "its ETag changed");
  }

  display(): string {
    return this.url();
  }

  async copySource(object: SourceObject): Promise<CopySource> {
    return object.pin
      ? { url: this.url(), ifMatch: object.pin, checkUnchanged: () => this.verifyPin(object) }
      : { url: this.url() };
  }
}

export class HttpService implements RemoteService {
  readonly realFolders = false;

  constructor(private readonly endpoint: RemoteEndpoint) {}

  async isObject(path: string): Promise<boolean> {
    try {
      await this.endpoint.transport.send({ method: "HEAD", path: `/${fullPath(path)}`, expect: [200] });
      return true;
    } catch (error) {
      if ((error as HttpError).statusCode === 404) return false;
      throw error;
    }
  }

  async isDirectory(): Promise<boolean> {
    return false;
  }

  source(options: TreeSourceOptions): Source {
    if (options.single === undefined)
      throw new AzcpError("bad-input", "A plain http(s) URL names one file: azcp cannot list a web server.", {
        remedy: "Copy one file URL at a time, or list them in a file for a script.",
      });
    return new HttpSource(this.endpoint, options.single);
  }

  destination(): Destination {
    throw readOnly();
  }

  display(key: string): string {
    return this.endpoint.transport.displayUrl(`/${fullPath(key)}`);
  }

  async deleteObject(): Promise<void> {
    throw readOnly();
  }

  async createContainer(): Promise<boolean> {
    throw readOnly();
  }

  async *list(): AsyncGenerator<ListedObject> {
    for await (const object of this.source({
      single: this.endpoint.location.path,
      prefix: "",
      relativePrefix: "",
      recursive: false,
      withMetadata: false,
    }).enumerate())
      yield {
        path: object.relativePath,
        size: object.size,
        lastModified: object.lastModified,
        properties: {},
      };
  }
}
