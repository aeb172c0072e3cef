// Single-object Blob operations on the lean transport: delete (with snapshots), set the access
// tier, metadata and index tags, and create a container.
import type { RemoteLocation } from "../../location/location.js";
import type { HttpError, RestTransport } from "../../transport/http.js";
import type { DeleteOptions, SnapshotOption } from "../backend.js";
import { objectPath as blobPath, header } from "../rest/object.js";
import type { ListedBlob } from "./listing.js";

export type { SnapshotOption };

/** A blob's properties as a listing would give them, or undefined when there is no such blob. */
export async function statBlob(
  transport: RestTransport,
  location: RemoteLocation,
  name: string,
): Promise<ListedBlob | undefined> {
  try {
    const response = await transport.send({ method: "HEAD", path: blobPath(location, name), expect: [200] });
    const value = (key: string) => header(response, key);
    const modified = value("last-modified");
    return {
      name,
      size: Number(value("content-length") ?? 0),
      lastModified: modified ? new Date(modified) : undefined,
      contentMd5: value("content-md5"),
      contentType: value("content-type"),
      contentEncoding: value("content-encoding"),
      contentLanguage: value("content-language"),
      contentDisposition: value("content-disposition"),
      cacheControl: value("cache-control"),
      blobType: value("x-ms-blob-type"),
      accessTier: value("x-ms-access-tier"),
      etag: value("etag"),
      versionId: value("x-ms-version-id"),
      leaseState: value("x-ms-lease-state"),
      leaseStatus: value("x-ms-lease-status"),
      leaseDuration: value("x-ms-lease-duration"),
      archiveStatus: value("x-ms-archive-status"),
      metadata: undefined,
    };
  } catch (error) {
    const { statusCode, code } = error as HttpError;
    // A missing container is an error, not a missing blob.
    if (statusCode === 404 && code !== "ContainerNotFound") return undefined;
    throw error;
  }
}

export async function deleteBlob(
  transport: RestTransport,
  location: RemoteLocation,
  name: string,
  options: DeleteOptions = {},
): Promise<void> {
  const query: Record<string, string> = {};
  if (options.versionId) query.versionid = options.versionId;
  if (options.snapshot) query.snapshot = options.snapshot;
  if (options.permanent) query.deletetype = "Permanent";
  await transport.send({
    method: "DELETE",
    path: blobPath(location, name),
    query,
    headers: options.snapshots ? { "x-ms-delete-snapshots": options.snapshots } : {},
    expect: [202],
  });
}

export async function setTier(
  transport: RestTransport,
  location: RemoteLocation,
  name: string,
  tier: string,
  rehydratePriority?: string,
): Promise<void> {
  await transport.send({
    method: "PUT",
    path: blobPath(location, name),
    query: { comp: "tier" },
    headers: {
      "x-ms-access-tier": tier,
      ...(rehydratePriority ? { "x-ms-rehydrate-priority": rehydratePriority } : {}),
    },
    expect: [200, 202],
  });
}

export async function setMetadata(
  transport: RestTransport,
  location: RemoteLocation,
  name: string,
  metadata: Record<string, string>,
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) headers[`x-ms-meta-${key}`] = value;
  await transport.send({
    method: "PUT",
    path: blobPath(location, name),
    query: { comp: "metadata" },
    headers,
    expect: [200],
  });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Replaces the blob's index tags; `tags` is "k=v&k2=v2" (URL-encoded parts). */
export async function setTags(
  transport: RestTransport,
  location: RemoteLocation,
  name: string,
  tags: string,
): Promise<void> {
  const pairs = tags
    .split("&")
    .filter(Boolean)
    .map((pair) => pair.split("=").map((part) => decodeURIComponent(part)) as [string, string]);
  const body = Buffer.from(
    `<?xml version="1.0" encoding="utf-8"?><Tags><TagSet>${pairs
      .map(
        ([key, value]) => `<Tag><Key>${escapeXml(key)}</Key><Value>${escapeXml(value ?? "")}</Value></Tag>`,
      )
      .join("")}</TagSet></Tags>`,
  );
  await transport.send({
    method: "PUT",
    path: blobPath(location, name),
    query: { comp: "tags" },
    headers: { "content-type": "application/xml" },
    body,
    expect: [204],
  });
}

/** The account's SKU (Standard_LRS, Premium_LRS, ...) and kind (StorageV2, BlockBlobStorage, ...). */
export interface AccountInfo {
  sku: string;
  kind: string;
}

/** Get Account Information through a blob's URL (any SAS may ask); undefined when it is refused. */
export async function accountInfo(
  transport: RestTransport,
  location: RemoteLocation,
  name: string,
): Promise<AccountInfo | undefined> {
  try {
    const response = await transport.send({
      method: "HEAD",
      path: blobPath(location, name),
      query: { restype: "account", comp: "properties" },
      expect: [200],
    });
    return {
      sku: header(response, "x-ms-sku-name") ?? "",
      kind: header(response, "x-ms-account-kind") ?? "",
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether an account can hold a tier, as AzCopy decides before it sets one: standard accounts
 * take Hot, Cool, Cold and Archive; premium general-purpose v2 accounts only page blob tiers
 * (P4...P80); premium block blob accounts are left to the service. Unknown accounts: try it.
 */
export function tierAllowed(account: AccountInfo | undefined, tier: string): boolean {
  if (!account) return true;
  if (account.sku.includes("Premium")) {
    if (account.kind === "StorageV2") return /^P\d+$/.test(tier);
    return account.kind.includes("Block");
  }
  return account.kind !== "Storage" && ["Hot", "Cool", "Cold", "Archive"].includes(tier);
}

/** Creates the location's container; false when it already existed. */
export async function createContainer(transport: RestTransport, location: RemoteLocation): Promise<boolean> {
  try {
    await transport.send({
      method: "PUT",
      path: blobPath(location, ""),
      query: { restype: "container" },
      expect: [201],
    });
    return true;
  } catch (error) {
    if ((error as { statusCode?: number; code?: string }).statusCode === 409) return false;
    throw error;
  }
}
