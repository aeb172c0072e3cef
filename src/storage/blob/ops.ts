// Single-object Blob operations on the lean transport: delete (with snapshots), set the access
// tier, metadata and index tags, and create a container.
import type { RemoteLocation } from "../../location/location.js";
import type { RestTransport } from "../../transport/http.js";
import { blobPath } from "./data.js";

export type SnapshotOption = "include" | "only";

export async function deleteBlob(
  transport: RestTransport,
  location: RemoteLocation,
  name: string,
  snapshots?: SnapshotOption,
): Promise<void> {
  await transport.send({
    method: "DELETE",
    path: blobPath(location, name),
    headers: snapshots ? { "x-ms-delete-snapshots": snapshots } : {},
    expect: [202],
  });
}

export async function setTier(
  transport: RestTransport,
  location: RemoteLocation,
  name: string,
  tier: string,
): Promise<void> {
  await transport.send({
    method: "PUT",
    path: blobPath(location, name),
    query: { comp: "tier" },
    headers: { "x-ms-access-tier": tier },
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
