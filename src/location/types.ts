// What a parsed location is: a local path, or a service URL taken apart.

/**
 * The services a URL can name: Azure's three; Amazon S3 and Google Cloud Storage (sources);
 * "http" is a plain web server (--from-to Http...), an azcp addition.
 */
export type ServiceKind = "blob" | "file" | "dfs" | "http" | "s3" | "gcs";

export interface LocalLocation {
  readonly type: "local";
  /** Absolute path. */
  readonly path: string;
  /** As the user typed it. */
  readonly original: string;
}

export interface RemoteLocation {
  readonly type: "remote";
  readonly service: ServiceKind;
  /** https://account.blob.core.windows.net, or https://127.0.0.1:10000/devstoreaccount1 for path-style. */
  readonly accountUrl: string;
  readonly accountName: string;
  /** Container, share or file system; undefined for the account itself. */
  readonly container: string | undefined;
  /** Decoded path inside the container, without a leading slash; "" for the container root. */
  readonly path: string;
  /** The SAS query (without "?"), if the URL carried one. A secret: never display it. */
  readonly sas: string | undefined;
  /** Query parameters that are not part of a SAS (snapshot, versionid, sharesnapshot). */
  readonly extraQuery: string | undefined;
  /** True when the account name is the first path segment (emulators, IP addresses). */
  readonly pathStyle: boolean;
  /** The bucket is in the host name, not the path (an S3 virtual-hosted URL). */
  readonly containerInHost?: boolean | undefined;
  /** The region requests are signed for (Amazon S3). */
  readonly region?: string | undefined;
}

export type Location = LocalLocation | RemoteLocation;
