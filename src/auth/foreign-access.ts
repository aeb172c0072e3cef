// Access to another cloud's storage (Amazon S3, Google Cloud Storage): how its requests are
// signed, and how to hand one object to Azure Storage as a URL it can fetch by itself.
import type { RequestSigner } from "../transport/http.js";

export interface ForeignAccess {
  readonly kind: "foreign";
  /** Who the requests speak for, for messages: "the AWS access key AKIA...". */
  readonly description: string;
  readonly sign: RequestSigner;
  /** A URL that reads the object without other credentials until it expires; absent for public data. */
  readonly presign?: ((url: URL, expiresSeconds: number) => string) | undefined;
  /** The project whose buckets a copy of the whole service lists (Cloud Storage's GOOGLE_CLOUD_PROJECT). */
  readonly project?: string | undefined;
}
