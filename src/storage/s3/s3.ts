// An Amazon S3 bucket (or an S3-compatible one) as a copy's source: ListObjectsV2, HEAD Object for
// content headers and x-amz-meta-* metadata, ranged GETs pinned to the listed ETag, and presigned
// URLs for Azure Storage to fetch from. Requests are signed with SigV4 by the transport.
import { strictPath } from "../../auth/aws.js";
import { AzcpError } from "../../errors.js";
import type { RemoteLocation } from "../../location/location.js";
import type { HttpError, RestResponse, RestTransport } from "../../transport/http.js";
import type { RemoteEndpoint, RemoteService } from "../backend.js";
import { type CloudBucket, type CloudObject, CloudService } from "../rest/cloud-source.js";
import { contentHeadersOf, header } from "../rest/object.js";
import { decodeXmlText, element } from "../rest/xml.js";

/** Path of an object from the endpoint's origin: /bucket/key, or /key when the bucket is in the host. */
function s3Path(location: RemoteLocation, key: string): string {
  const bucket =
    location.containerInHost || location.container === undefined
      ? ""
      : `/${encodeURIComponent(location.container)}`;
  return `${bucket}/${strictPath(key)}`;
}

/**
 * A metadata key as AzCopy passes it on: Go's canonical header form, where x-amz-meta-my-key
 * arrives as "My-Key" (a hyphen makes it a name Azure refuses, so --s2s-handle-invalid-metadata decides).
 */
export function canonicalMetadataKey(key: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key)) return key;
  return key
    .toLowerCase()
    .replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

function metadataOf(response: RestResponse): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers))
    if (name.startsWith("x-amz-meta-") && typeof value === "string")
      metadata[canonicalMetadataKey(name.slice("x-amz-meta-".length))] = value;
  return metadata;
}

class S3Bucket implements CloudBucket {
  readonly cloud = "Amazon S3";

  readonly version = { name: "ETag", header: "etag" };

  constructor(readonly endpoint: RemoteEndpoint) {}

  private get location(): RemoteLocation {
    return this.endpoint.location;
  }

  private get signed(): boolean {
    return this.endpoint.access.kind === "foreign" && this.endpoint.access.presign !== undefined;
  }

  display(key: string): string {
    return this.endpoint.transport.displayUrl(s3Path(this.location, key));
  }

  async *list(prefix: string, delimiter: string | undefined): AsyncGenerator<CloudObject> {
    const bucketPath = this.location.containerInHost
      ? "/"
      : `/${encodeURIComponent(this.location.container ?? "")}`;
    let token: string | undefined;
    do {
      const response = await this.endpoint.transport
        .send({
          method: "GET",
          path: bucketPath,
          query: {
            "list-type": "2",
            ...(prefix ? { prefix } : {}),
            ...(delimiter ? { delimiter } : {}),
            ...(token ? { "continuation-token": token } : {}),
          },
          expect: [200],
          text: true,
        })
        .catch((error: unknown) => {
          throw this.failure(error, "list the objects in", prefix);
        });
      const xml = response.text ?? "";
      for (const match of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const entry = match[1]!;
        const modified = element(entry, "LastModified");
        yield {
          key: decodeXmlText(/<Key>([^<]*)<\/Key>/.exec(entry)?.[1] ?? ""),
          size: Number(element(entry, "Size") ?? 0),
          lastModified: modified ? new Date(modified) : undefined,
          version: element(entry, "ETag"),
          complete: false,
        };
      }
      const truncated = element(xml, "IsTruncated") === "true";
      token = truncated ? element(xml, "NextContinuationToken") : undefined;
      // A server that does not speak ListObjectsV2 says "truncated" without a token: stopping there would skip the rest.
      if (truncated && !token)
        throw new AzcpError(
          "service",
          `The listing of ${this.display(prefix)} was cut short without a continuation token: the endpoint does not answer ListObjectsV2 as S3 does.`,
          { remedy: "Use an S3-compatible endpoint that supports ListObjectsV2 (list-type=2)." },
        );
    } while (token);
  }

  async *listBuckets(): AsyncGenerator<string> {
    const response = await this.endpoint.transport
      .send({ method: "GET", path: "/", expect: [200], text: true })
      .catch((error: unknown) => {
        throw this.failure(error, "list the buckets of", "");
      });
    for (const match of (response.text ?? "").matchAll(/<Bucket>[\s\S]*?<Name>([^<]*)<\/Name>/g))
      yield decodeXmlText(match[1]!);
  }

  async head(key: string): Promise<CloudObject | undefined> {
    let response: RestResponse;
    try {
      response = await this.endpoint.transport.send({
        method: "HEAD",
        path: s3Path(this.location, key),
        expect: [200],
      });
    } catch (error) {
      if ((error as HttpError).statusCode === 404) return undefined;
      throw this.failure(error, "read", key);
    }
    const modified = header(response, "last-modified");
    const md5 = header(response, "content-md5");
    const headers = contentHeadersOf(response);
    return {
      key,
      size: Number(header(response, "content-length") ?? 0),
      lastModified: modified ? new Date(modified) : undefined,
      version: header(response, "etag"),
      contentMd5: md5,
      headers: { ...headers, contentType: headers.contentType || "application/octet-stream" },
      metadata: metadataOf(response),
      complete: true,
    };
  }

  objectUrl(object: CloudObject): URL {
    return new URL(this.display(object.key));
  }

  /**
   * An ETag of 32 hex digits is the MD5 of an object put in one piece and not encrypted with
   * KMS or a customer's key; a multipart ETag has a "-". Which encryption applies is not listed,
   * so this is a claim for the service to check, never stored unchecked.
   */
  statedMd5(object: CloudObject): string | undefined {
    const hex = /^"?([0-9a-f]{32})"?$/i.exec(object.version ?? "")?.[1];
    return hex ? Buffer.from(hex, "hex").toString("base64") : undefined;
  }

  readRequest(object: CloudObject) {
    return {
      path: s3Path(this.location, object.key),
      ...(object.version ? { headers: { "if-match": object.version } } : {}),
    };
  }

  /** An S3 error as cause and fix. */
  failure(error: unknown, doing: string, key: string): AzcpError {
    if (error instanceof AzcpError) return error;
    const { statusCode: status, code, message } = error as HttpError;
    const target = this.display(key);
    const said = `${status ?? "no response"}${code ? ` ${code}` : ""}`;
    const base = { statusCode: status, errorCode: code, cause: error };
    const who =
      this.endpoint.access.kind === "foreign" ? this.endpoint.access.description : "no AWS access key";
    if (status === undefined)
      return new AzcpError("network", `Could not ${doing} ${target}: S3 could not be reached (${message}).`, {
        ...base,
        remedy: "Check the URL's host name and your network, proxy and firewall settings.",
      });
    switch (code) {
      case "NoSuchBucket":
        return new AzcpError(
          "not-found",
          `Could not ${doing} ${target}: the bucket ${this.location.container} does not exist (${said}).`,
          {
            ...base,
            remedy:
              "Check the bucket's name in the URL (names are case-sensitive) and the endpoint's region.",
          },
        );
      case "InvalidAccessKeyId":
        return new AzcpError(
          "authentication",
          `Could not ${doing} ${target}: S3 does not know the access key ID in AWS_ACCESS_KEY_ID (${said}).`,
          {
            ...base,
            remedy:
              "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to an active key of this account (for an S3-compatible endpoint, a key of that service).",
          },
        );
      case "SignatureDoesNotMatch":
        return new AzcpError(
          "authentication",
          `Could not ${doing} ${target}: AWS_SECRET_ACCESS_KEY does not belong to the access key ID in AWS_ACCESS_KEY_ID (${said}).`,
          {
            ...base,
            remedy: "Set AWS_SECRET_ACCESS_KEY to the secret that was issued with that key ID.",
          },
        );
      case "ExpiredToken":
      case "TokenRefreshRequired":
        return new AzcpError(
          "authentication",
          `Could not ${doing} ${target}: the temporary key's session token has expired (${said}).`,
          {
            ...base,
            remedy:
              "Get new temporary credentials and set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN again.",
          },
        );
      case "PermanentRedirect":
      case "AuthorizationHeaderMalformed":
      case "IllegalLocationConstraintException":
        return new AzcpError(
          "bad-input",
          `Could not ${doing} ${target}: the bucket is in another region than the URL's endpoint (${said}).`,
          {
            ...base,
            remedy:
              "Use the bucket's regional endpoint: https://<bucket>.s3.<region>.amazonaws.com/... (the S3 console shows the bucket's region).",
          },
        );
    }
    if (status === 403 || status === 401)
      return new AzcpError("permission", `Could not ${doing} ${target}: S3 refused ${who} (${said}).`, {
        ...base,
        remedy: this.signed
          ? "Give the key's user or role s3:ListBucket on the bucket and s3:GetObject on its objects (for example the AmazonS3ReadOnlyAccess policy)."
          : "The bucket is not public: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to a key that may read it.",
      });
    if (status === 404)
      return new AzcpError("not-found", `Could not ${doing} ${target}: it does not exist (${said}).`, {
        ...base,
        remedy: "Check the URL's spelling (keys are case-sensitive).",
      });
    return new AzcpError(
      "service",
      `Could not ${doing} ${target}: S3 answered ${said}${message && message !== said ? `: ${message}` : ""}.`,
      {
        ...base,
        remedy: "Run again; if it repeats, run with --log-level DEBUG and check the S3 endpoint's status.",
      },
    );
  }
}

/** AWS's global endpoint, which serves every bucket's location but only us-east-1's objects. */
const GLOBAL_ENDPOINT = /(^|\.)s3\.amazonaws\.com$/i;

/**
 * A bucket named at the global endpoint (https://s3.amazonaws.com/<bucket>, or
 * https://<bucket>.s3.amazonaws.com) is read at its own region's endpoint, as AzCopy reads it:
 * GetBucketLocation says which. A key that may not ask (no s3:GetBucketLocation), or an answer
 * that is not one, leaves the location as given, and S3's refusal then names the fix.
 */
export async function inBucketRegion(
  location: RemoteLocation,
  transport: RestTransport,
): Promise<RemoteLocation> {
  const origin = new URL(location.accountUrl);
  if (
    location.region !== undefined ||
    location.container === undefined ||
    !GLOBAL_ENDPOINT.test(origin.hostname)
  )
    return location;
  const response = await transport
    .send({
      method: "GET",
      path: location.containerInHost ? "/" : `/${encodeURIComponent(location.container)}`,
      query: { location: "" },
      expect: [200],
      text: true,
    })
    .catch(() => undefined);
  const answer = /<LocationConstraint[^>]*?(?:\/>|>([^<]*)<\/LocationConstraint>)/.exec(response?.text ?? "");
  if (!answer) return location;
  // No constraint is us-east-1; "EU" is the old name of eu-west-1.
  const region = answer[1] === "EU" ? "eu-west-1" : answer[1] || "us-east-1";
  if (region === "us-east-1" || !/^[a-z0-9-]+$/.test(region)) return location;
  origin.hostname = origin.hostname.replace(GLOBAL_ENDPOINT, `$1s3.${region}.amazonaws.com`);
  return {
    ...location,
    accountUrl: origin.origin,
    accountName: location.containerInHost ? `s3.${region}.amazonaws.com` : origin.host,
    region,
  };
}

export function s3Service(endpoint: RemoteEndpoint): RemoteService {
  return new CloudService(new S3Bucket(endpoint));
}
