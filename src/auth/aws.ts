// Amazon S3's credentials, read from the environment as AzCopy reads them, and what they sign:
// requests (SigV4 headers) and presigned URLs that Azure Storage fetches for a service-side copy.
import aws4 from "aws4";
import { badInput } from "../errors.js";
import { registerSecret } from "../location/redact.js";
import { type Environment, readSetting } from "../settings.js";
import type { SignableRequest } from "../transport/http.js";
import type { ForeignAccess } from "./foreign-access.js";

export interface AwsCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** The access key in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. */
export function awsCredentialFrom(env: Environment): AwsCredential {
  const accessKeyId = readSetting("AWS_ACCESS_KEY_ID", env);
  const secretAccessKey = readSetting("AWS_SECRET_ACCESS_KEY", env);
  if (!accessKeyId || !secretAccessKey)
    throw badInput(
      `An Amazon S3 source needs an access key, and ${accessKeyId ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID"} is not set.`,
      "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for a temporary key) to a key that may list and read the bucket.",
    );
  const sessionToken = readSetting("AWS_SESSION_TOKEN", env);
  registerSecret(secretAccessKey);
  registerSecret(sessionToken);
  return { accessKeyId, secretAccessKey, sessionToken };
}

/** A key as S3 canonicalizes it for SigV4: every segment RFC 3986-encoded ("!'()*" too). */
export function strictPath(key: string): string {
  return key
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join("/");
}

/** Signs one S3 request with SigV4 in its Authorization header. */
export function signS3Request(credential: AwsCredential, region: string, request: SignableRequest): void {
  const signed = aws4.sign(
    {
      service: "s3",
      region,
      method: request.method,
      host: request.host,
      path: request.path,
      headers: { ...request.headers },
    },
    credential,
  );
  for (const [name, value] of Object.entries(signed.headers ?? {}))
    if (value !== undefined) request.headers[name.toLowerCase()] = String(value);
}

/**
 * A URL that reads one object without any other credential until it expires: the signature is in
 * its query (SigV4 query signing, X-Amz-Expires in seconds, at most 7 days).
 */
export function presignS3Url(
  credential: AwsCredential,
  region: string,
  url: URL,
  expiresSeconds: number,
  now: Date = new Date(),
): string {
  const query = new URLSearchParams(url.search);
  query.set("X-Amz-Expires", String(expiresSeconds));
  query.set("X-Amz-Date", amzDate(now));
  const signed = aws4.sign(
    {
      service: "s3",
      region,
      method: "GET",
      host: url.host,
      path: `${url.pathname}?${query.toString()}`,
      signQuery: true,
    },
    credential,
  );
  return `${url.protocol}//${url.host}${signed.path}`;
}

function amzDate(date: Date): string {
  return date.toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/**
 * How an S3 location is read: signed with the access key in the environment, or unsigned when no
 * key is set at all (a public bucket, as AzCopy reads one).
 */
export function s3Access(env: Environment, region: string | undefined): ForeignAccess {
  const signingRegion = region ?? readSetting("AWS_REGION", env) ?? "us-east-1";
  if (!readSetting("AWS_ACCESS_KEY_ID", env) && !readSetting("AWS_SECRET_ACCESS_KEY", env))
    return {
      kind: "foreign",
      description: "no AWS access key (a public bucket)",
      sign: async () => undefined,
    };
  const credential = awsCredentialFrom(env);
  return {
    kind: "foreign",
    description: `the AWS access key ${credential.accessKeyId}`,
    sign: async (request) => signS3Request(credential, signingRegion, request),
    presign: (url, seconds) => presignS3Url(credential, signingRegion, url, seconds),
  };
}
