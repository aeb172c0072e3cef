// The one interface every storage backend (local, Blob, Files, Data Lake) implements. The
// engine and the commands are written against it and ask for capabilities, never for a type.

export interface ObjectProperties {
  versionId?: string | undefined;
  blobType?: string | undefined;
  accessTier?: string | undefined;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  /** Base64, as the service reports it. */
  contentMd5?: string | undefined;
  leaseState?: string | undefined;
  leaseDuration?: string | undefined;
  leaseStatus?: string | undefined;
  archiveStatus?: string | undefined;
}

export interface ListedObject {
  /** Path relative to the listed root, "/"-separated. */
  path: string;
  size: number;
  lastModified: Date | undefined;
  properties: ObjectProperties;
}
