// A Google Cloud Storage bucket as a copy's source, through its JSON API: objects listed with
// their headers and metadata, media read in ranges pinned to the listed generation, and V4
// signed URLs (XML API) for Azure Storage to fetch from. The transport adds the OAuth token.
import { AzcpError, badInput } from "../../errors.js";
import type { RemoteLocation } from "../../location/location.js";
import { encodePath } from "../../location/location.js";
import type { HttpError } from "../../transport/http.js";
import type { RemoteEndpoint, RemoteService } from "../backend.js";
import { type CloudBucket, type CloudObject, CloudService } from "../rest/cloud-source.js";

/** An object resource as the JSON API describes it (the fields azcp reads). */
interface GcsObjectResource {
  name?: string;
  size?: string;
  updated?: string;
  generation?: string;
  md5Hash?: string;
  contentType?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
}

function cloudObject(resource: GcsObjectResource): CloudObject {
  return {
    key: resource.name ?? "",
    size: Number(resource.size ?? 0),
    lastModified: resource.updated ? new Date(resource.updated) : undefined,
    version: resource.generation,
    contentMd5: resource.md5Hash,
    headers: {
      contentType: resource.contentType,
      contentEncoding: resource.contentEncoding,
      contentLanguage: resource.contentLanguage,
      contentDisposition: resource.contentDisposition,
      cacheControl: resource.cacheControl,
    },
    metadata: resource.metadata ?? {},
    complete: true,
  };
}

/** How Cloud Storage words a 404 for a bucket, as against one for an object ("No such object: ..."). */
const MISSING_BUCKET = /bucket does not exist/i;

const FIELDS =
  "name,size,updated,generation,md5Hash,contentType,contentEncoding,contentLanguage,contentDisposition,cacheControl,metadata";

class GcsBucket implements CloudBucket {
  readonly cloud = "Google Cloud Storage";

  readonly version = { name: "generation", header: "x-goog-generation" };

  constructor(readonly endpoint: RemoteEndpoint) {}

  private get location(): RemoteLocation {
    return this.endpoint.location;
  }

  private get bucket(): string {
    return this.location.container ?? "";
  }

  private objectApiPath(key: string): string {
    return `/storage/v1/b/${encodeURIComponent(this.bucket)}/o/${encodeURIComponent(key)}`;
  }

  display(key: string): string {
    const bucket = this.location.container === undefined ? "" : `/${encodeURIComponent(this.bucket)}`;
    return this.endpoint.transport.displayUrl(`${bucket}/${encodePath(key)}`);
  }

  async *list(prefix: string, delimiter: string | undefined): AsyncGenerator<CloudObject> {
    let pageToken: string | undefined;
    do {
      const response = await this.endpoint.transport
        .send({
          method: "GET",
          path: `/storage/v1/b/${encodeURIComponent(this.bucket)}/o`,
          query: {
            ...(prefix ? { prefix } : {}),
            ...(delimiter ? { delimiter } : {}),
            ...(pageToken ? { pageToken } : {}),
            fields: `items(${FIELDS}),nextPageToken`,
          },
          expect: [200],
          text: true,
        })
        .catch((error: unknown) => {
          throw this.failure(error, "list the objects in", prefix);
        });
      const page = JSON.parse(response.text ?? "{}") as {
        items?: GcsObjectResource[];
        nextPageToken?: string;
      };
      for (const item of page.items ?? []) yield cloudObject(item);
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  async *listBuckets(): AsyncGenerator<string> {
    const access = this.endpoint.access;
    const project = access.kind === "foreign" ? access.project : undefined;
    if (!project)
      throw badInput(
        "A copy of every Cloud Storage bucket needs the project that holds them, and GOOGLE_CLOUD_PROJECT is not set.",
        "Set GOOGLE_CLOUD_PROJECT to the project's ID, or copy one bucket at a time (https://storage.cloud.google.com/<bucket>).",
      );
    let pageToken: string | undefined;
    do {
      const response = await this.endpoint.transport
        .send({
          method: "GET",
          path: "/storage/v1/b",
          query: { project, fields: "items(name),nextPageToken", ...(pageToken ? { pageToken } : {}) },
          expect: [200],
          text: true,
        })
        .catch((error: unknown) => {
          throw this.failure(error, `list the buckets of project ${project} at`, "");
        });
      const page = JSON.parse(response.text ?? "{}") as {
        items?: { name: string }[];
        nextPageToken?: string;
      };
      for (const item of page.items ?? []) yield item.name;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  async head(key: string): Promise<CloudObject | undefined> {
    try {
      const response = await this.endpoint.transport.send({
        method: "GET",
        path: this.objectApiPath(key),
        query: { fields: FIELDS },
        expect: [200],
        text: true,
      });
      return cloudObject(JSON.parse(response.text ?? "{}") as GcsObjectResource);
    } catch (error) {
      if ((error as HttpError).statusCode === 404 && !MISSING_BUCKET.test((error as HttpError).message))
        return undefined;
      throw this.failure(error, "read", key);
    }
  }

  /** The XML API URL of the listed generation: a signed URL for it reads that version or nothing. */
  objectUrl(object: CloudObject): URL {
    const url = new URL(this.display(object.key));
    if (object.version) url.searchParams.set("generation", object.version);
    return url;
  }

  /** Cloud Storage lists each object's MD5 (composite objects have none). */
  statedMd5(object: CloudObject): string | undefined {
    return object.contentMd5;
  }

  readRequest(object: CloudObject) {
    return {
      path: this.objectApiPath(object.key),
      query: { alt: "media", ...(object.version ? { ifGenerationMatch: object.version } : {}) },
      // Objects stored gzip-encoded come as stored, the bytes their size counts (not decompressed).
      headers: { "accept-encoding": "gzip" },
    };
  }

  /** A Cloud Storage error as cause and fix. */
  failure(error: unknown, doing: string, key: string): AzcpError {
    if (error instanceof AzcpError) return error;
    const { statusCode: status, message } = error as HttpError;
    const target = this.display(key);
    const said = `${status ?? "no response"}`;
    const base = { statusCode: status, cause: error };
    const who = this.endpoint.access.kind === "foreign" ? this.endpoint.access.description : "no credential";
    if (status === undefined)
      return new AzcpError(
        "network",
        `Could not ${doing} ${target}: Cloud Storage could not be reached (${message}).`,
        { ...base, remedy: "Check the URL's host name and your network, proxy and firewall settings." },
      );
    if (status === 404)
      return new AzcpError(
        "not-found",
        MISSING_BUCKET.test(message)
          ? `Could not ${doing} ${target}: the bucket ${this.bucket} does not exist (${said}).`
          : `Could not ${doing} ${target}: it does not exist (${said}).`,
        { ...base, remedy: "Check the bucket's and object's names in the URL (names are case-sensitive)." },
      );
    if (status === 401)
      return new AzcpError(
        "authentication",
        `Could not ${doing} ${target}: Cloud Storage did not accept the token of ${who} (${said}).`,
        {
          ...base,
          remedy: "Check that GOOGLE_APPLICATION_CREDENTIALS names a current key of the service account.",
        },
      );
    if (status === 403)
      return new AzcpError(
        "permission",
        `Could not ${doing} ${target}: Cloud Storage refused ${who} (${said}).`,
        {
          ...base,
          remedy:
            "Grant the service account the Storage Object Viewer role (storage.objects.list and storage.objects.get) on the bucket.",
        },
      );
    return new AzcpError(
      "service",
      `Could not ${doing} ${target}: Cloud Storage answered ${said}: ${message}.`,
      {
        ...base,
        remedy: "Run again; if it repeats, run with --log-level DEBUG.",
      },
    );
  }
}

export function gcsService(endpoint: RemoteEndpoint): RemoteService {
  return new CloudService(new GcsBucket(endpoint));
}
