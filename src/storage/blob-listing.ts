// List Blobs over the lean REST transport, one page at a time, parsed with a small scanner made
// for this one response shape. The SDK's general XML parser builds a large object tree per page
// and held most of a sync's memory; this keeps one page's text and the entries being yielded.
// Response format: https://learn.microsoft.com/rest/api/storageservices/list-blobs
import type { RemoteLocation } from "../location/location.js";
import type { RestTransport } from "./http.js";

export interface ListedBlob {
  name: string;
  size: number;
  lastModified: Date | undefined;
  /** Base64, as the service sends it; undefined when the blob has none. */
  contentMd5: string | undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  contentLanguage: string | undefined;
  contentDisposition: string | undefined;
  cacheControl: string | undefined;
  blobType: string | undefined;
  accessTier: string | undefined;
  metadata: Record<string, string> | undefined;
}

export interface ListOptions {
  prefix: string;
  /** "/" to list one level (virtual directories are skipped); undefined for everything below. */
  delimiter?: string | undefined;
  withMetadata?: boolean | undefined;
  pageSize?: number | undefined;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function decodeXmlText(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/** The text of the first <tag>...</tag> in `xml` (undefined when absent or empty). */
function element(xml: string, tag: string): string | undefined {
  const open = xml.indexOf(`<${tag}>`);
  if (open < 0) return undefined;
  const start = open + tag.length + 2;
  const end = xml.indexOf(`</${tag}>`, start);
  if (end < 0) return undefined;
  const text = xml.slice(start, end);
  return text === "" ? undefined : decodeXmlText(text);
}

/** A blob's name: plain, or percent-encoded when the service marks it Encoded="true". */
function blobName(entry: string): string {
  const match = /<Name( Encoded="true")?>([^<]*)<\/Name>/.exec(entry);
  if (!match) return "";
  const text = decodeXmlText(match[2]!);
  return match[1] ? decodeURIComponent(text) : text;
}

function metadataOf(entry: string): Record<string, string> | undefined {
  const open = entry.indexOf("<Metadata>");
  if (open < 0) return undefined;
  const body = entry.slice(open + 10, entry.indexOf("</Metadata>", open));
  const metadata: Record<string, string> = {};
  for (const match of body.matchAll(/<([^\s/>]+)>([^<]*)<\/\1>/g))
    metadata[match[1]!] = decodeXmlText(match[2]!);
  return metadata;
}

export function parseBlobEntry(entry: string, withMetadata: boolean): ListedBlob {
  const modified = element(entry, "Last-Modified");
  return {
    name: blobName(entry),
    size: Number(element(entry, "Content-Length") ?? 0),
    lastModified: modified ? new Date(modified) : undefined,
    contentMd5: element(entry, "Content-MD5"),
    contentType: element(entry, "Content-Type"),
    contentEncoding: element(entry, "Content-Encoding"),
    contentLanguage: element(entry, "Content-Language"),
    contentDisposition: element(entry, "Content-Disposition"),
    cacheControl: element(entry, "Cache-Control"),
    blobType: element(entry, "BlobType"),
    accessTier: element(entry, "AccessTier"),
    metadata: withMetadata ? metadataOf(entry) : undefined,
  };
}

/** One page's blobs and the marker of the next page ("" at the end). */
export function parseListPage(
  xml: string,
  withMetadata: boolean,
): { blobs: ListedBlob[]; nextMarker: string } {
  const blobs: ListedBlob[] = [];
  let at = 0;
  for (;;) {
    const start = xml.indexOf("<Blob>", at);
    if (start < 0) break;
    const end = xml.indexOf("</Blob>", start);
    if (end < 0) break;
    blobs.push(parseBlobEntry(xml.slice(start, end), withMetadata));
    at = end + 7;
  }
  return { blobs, nextMarker: element(xml.slice(xml.lastIndexOf("<NextMarker")), "NextMarker") ?? "" };
}

export async function* listBlobs(
  transport: RestTransport,
  location: RemoteLocation,
  options: ListOptions,
): AsyncGenerator<ListedBlob> {
  const account = location.pathStyle ? `/${encodeURIComponent(location.accountName)}` : "";
  const path = `${account}/${encodeURIComponent(location.container ?? "")}`;
  let marker = "";
  do {
    const response = await transport.send({
      method: "GET",
      path,
      query: {
        restype: "container",
        comp: "list",
        maxresults: String(options.pageSize ?? 5000),
        ...(options.prefix ? { prefix: options.prefix } : {}),
        ...(options.delimiter ? { delimiter: options.delimiter } : {}),
        ...(options.withMetadata ? { include: "metadata" } : {}),
        ...(marker ? { marker } : {}),
      },
      expect: [200],
      text: true,
    });
    const page = parseListPage(response.text ?? "", options.withMetadata ?? false);
    marker = page.nextMarker;
    yield* page.blobs;
  } while (marker);
}
