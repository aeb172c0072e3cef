// The contract between the transport and whatever signs its requests: the scope a storage token
// is asked for, and how a credential is told that the service called its token expired.

/** The scope of a token for Blob, Files and Data Lake. */
export const STORAGE_SCOPE = "https://storage.azure.com/.default";

/** A credential that can drop a token the service called expired, so the next request gets a new one. */
export interface RenewableCredential {
  discardTokensOlderThan(timestamp: number): void;
}
