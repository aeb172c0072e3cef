// List Blobs over the lean REST transport, one page at a time, parsed with a small scanner made
// for this one response shape. The SDK's general XML parser builds a large object tree per page
// and held most of a sync's memory; this keeps one page's text and the entries being yielded.
// Response format: https://learn.microsoft.com/rest/api/storageservices/list-blobs
import type { RemoteLocation } from "../../location/location.js";
import type { RestTransport } from "../../transport/http.js";
import { decodeXmlText, element, entryName } from "../rest/xml.js";

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
  /** Index tags, "k=v&k2=v2" URL-encoded, when the listing asked for them. */
  tags?: string | undefined;
  /** As the listing gives it (the service leaves out the quotes of the header form). */
  etag: string | undefined;
  versionId?: string | undefined;
  /** Set on a snapshot's entry (listings that include snapshots). */
  snapshot?: string | undefined;
  /** A soft-deleted blob, snapshot or version (listings that include deleted ones). */
  deleted?: boolean | undefined;
  leaseState?: string | undefined;
  leaseStatus?: string | undefined;
  leaseDuration?: string | undefined;
  archiveStatus?: string | undefined;
}

export interface ListOptions {
  prefix: string;
  /** "/" to list one level (virtual directories are skipped); undefined for everything below. */
  delimiter?: string | undefined;
  withMetadata?: boolean | undefined;
  /** Ask for each blob's index tags (--s2s-preserve-blob-tags). */
  withTags?: boolean | undefined;
  /** Also list these: soft-deleted entries, snapshots, versions (--permanent-delete). */
  include?: readonly ("deleted" | "snapshots" | "versions")[] | undefined;
  pageSize?: number | undefined;
  /** Ask for the next page while this one is used (default); off for a one-page look. */
  readAhead?: boolean | undefined;
}

/**
 * Where the element opened at `open` ends (the index just past its closing tag), counting
 * nested elements: a metadata key may be named like any element of the listing ("Blob",
 * "Metadata"), so the first closing tag of that name is not necessarily the right one.
 */
function endOfElement(xml: string, open: number): number {
  const tags = /<(\/?)[^\s>/]+[^>]*?(\/?)>/g;
  tags.lastIndex = open;
  let depth = 0;
  for (let match = tags.exec(xml); match; match = tags.exec(xml)) {
    if (match[2]) continue;
    depth += match[1] ? -1 : 1;
    if (depth === 0) return tags.lastIndex;
  }
  return -1;
}

/** Where the first <tag>...</tag> in `xml` opens, and where its inside starts and ends. */
function sectionBounds(xml: string, tag: string): { open: number; start: number; end: number } | undefined {
  const open = xml.indexOf(`<${tag}>`);
  if (open < 0) return undefined;
  const start = open + tag.length + 2;
  // Most often nothing inside is named like the element itself: its first closing tag ends it.
  const close = xml.indexOf(`</${tag}>`, start);
  const inner = xml.indexOf(`<${tag}`, start);
  if (close >= 0 && (inner < 0 || inner > close)) return { open, start, end: close };
  const end = endOfElement(xml, open);
  return end < 0 ? undefined : { open, start, end: end - tag.length - 3 };
}

/** The inside of the first <tag>...</tag> in `xml`, or "" when absent. */
function section(xml: string, tag: string): string {
  const bounds = sectionBounds(xml, tag);
  return bounds ? xml.slice(bounds.start, bounds.end) : "";
}

function metadataOf(entry: string): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const match of section(entry, "Metadata").matchAll(/<([^\s/>]+)(?:>([^<]*)<\/\1>|\s*\/>)/g)) {
    metadata[match[1]!] = decodeXmlText(match[2] ?? "");
  }
  return metadata;
}

/** A listing's <Tags> as x-ms-tags takes them: "k=v&k2=v2", URL-encoded. */
function tagsOf(entry: string): string | undefined {
  const pairs = [...section(entry, "Tags").matchAll(/<Tag>([\s\S]*?)<\/Tag>/g)].map((match) => {
    const key = decodeXmlText(element(match[1]!, "Key") ?? "");
    const value = decodeXmlText(element(match[1]!, "Value") ?? "");
    return `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
  });
  return pairs.length > 0 ? pairs.join("&") : undefined;
}

const PROPERTY_NAMES = [
  "Last-Modified",
  "Content-Length",
  "Content-MD5",
  "Content-Type",
  "Content-Encoding",
  "Content-Language",
  "Content-Disposition",
  "Cache-Control",
  "BlobType",
  "AccessTier",
  "Etag",
  "LeaseState",
  "LeaseStatus",
  "LeaseDuration",
  "ArchiveStatus",
] as const;
const HEAD_NAMES = ["VersionId", "Snapshot", "Deleted"] as const;

/** Names to look for, grouped by length so that most elements are ruled out by it alone. */
type NamesByLength = readonly (readonly { index: number; name: string }[] | undefined)[];

function byLength(names: readonly string[]): NamesByLength {
  const groups: { index: number; name: string }[][] = [];
  names.forEach((name, index) => {
    groups[name.length] ??= [];
    groups[name.length]!.push({ index, name });
  });
  return groups;
}

const PROPERTIES = byLength(PROPERTY_NAMES);
const HEAD = byLength(HEAD_NAMES);

/** Whether `xml` holds, at `at`, the `length` characters found at `other` (in `source`). */
function sameCharacters(xml: string, at: number, source: string, other: number, length: number): boolean {
  for (let offset = 0; offset < length; offset++)
    if (xml.charCodeAt(at + offset) !== source.charCodeAt(other + offset)) return false;
  return true;
}

/** Which of `wanted` the tag `<...>` opening at `at` (`length` characters inside) names, or -1. */
function wantedIndex(xml: string, at: number, length: number, wanted: NamesByLength): number {
  const candidates = wanted[length];
  if (candidates === undefined) return -1;
  for (const { index, name } of candidates) if (sameCharacters(xml, at + 1, name, 0, length)) return index;
  return -1;
}

/**
 * The text of each `<Name>text</Name>` wholly between `from` and `to` for the names in `wanted`,
 * by their index: the first non-empty one of each name, decoded. Text with markup inside is not
 * a field; an element that is not one is stepped into, so a field nested deeper is found too.
 * Other elements need no closer look: whatever they hold, the scan goes on at the next tag.
 */
function textFields(
  xml: string,
  from: number,
  to: number,
  wanted: NamesByLength,
  found: (string | undefined)[],
): (string | undefined)[] {
  found.fill(undefined);
  for (let at = xml.indexOf("<", from); at >= 0 && at < to; ) {
    const tagEnd = xml.indexOf(">", at + 1);
    if (tagEnd < 0) break;
    const next = xml.indexOf("<", tagEnd + 1);
    const length = tagEnd - at - 1;
    const index = wantedIndex(xml, at, length, wanted);
    const closeEnd = next + length + 3;
    if (
      index >= 0 &&
      found[index] === undefined &&
      next > tagEnd + 1 &&
      closeEnd <= to &&
      xml.charCodeAt(next + 1) === 47 /* / */ &&
      xml.charCodeAt(closeEnd - 1) === 62 /* > */ &&
      sameCharacters(xml, next + 2, xml, at + 1, length)
    )
      found[index] = decodeXmlText(xml.slice(tagEnd + 1, next));
    at = next;
  }
  return found;
}

/** Reused by every entry: the texts found, by their place in PROPERTY_NAMES and HEAD_NAMES. */
const propertyTexts: (string | undefined)[] = new Array(PROPERTY_NAMES.length).fill(undefined);
const headTexts: (string | undefined)[] = new Array(HEAD_NAMES.length).fill(undefined);

export function parseBlobEntry(entry: string, withMetadata: boolean): ListedBlob {
  // Properties come before Metadata; looking only inside them keeps metadata keys out.
  const bounds = sectionBounds(entry, "Properties");
  const property = bounds
    ? textFields(entry, bounds.start, bounds.end, PROPERTIES, propertyTexts)
    : propertyTexts.fill(undefined);
  // Without <Properties> (never seen from the service), the whole entry is its head.
  const head = textFields(entry, 0, bounds?.open ?? entry.length, HEAD, headTexts);
  const modified = property[0];
  return {
    name: entryName(entry),
    size: Number(property[1] ?? 0),
    lastModified: modified ? new Date(modified) : undefined,
    contentMd5: property[2],
    contentType: property[3],
    contentEncoding: property[4],
    contentLanguage: property[5],
    contentDisposition: property[6],
    cacheControl: property[7],
    blobType: property[8],
    accessTier: property[9],
    etag: property[10],
    versionId: head[0],
    snapshot: head[1],
    deleted: head[2] === "true" || undefined,
    leaseState: property[11],
    leaseStatus: property[12],
    leaseDuration: property[13],
    archiveStatus: property[14],
    metadata:
      withMetadata && entry.includes("<Metadata")
        ? entry.includes("<Metadata>")
          ? metadataOf(entry)
          : {}
        : undefined,
    tags: entry.includes("<Tags>") ? tagsOf(entry) : undefined,
  };
}

/** The names of the account's containers, page by page. */
export async function* listContainers(
  transport: RestTransport,
  location: RemoteLocation,
): AsyncGenerator<string> {
  const path = location.pathStyle ? `/${encodeURIComponent(location.accountName)}/` : "/";
  let marker = "";
  do {
    const response = await transport.send({
      method: "GET",
      path,
      query: { comp: "list", maxresults: "5000", ...(marker ? { marker } : {}) },
      expect: [200],
      text: true,
    });
    const xml = response.text ?? "";
    for (const match of xml.matchAll(/<Container>([\s\S]*?)<\/Container>/g)) yield entryName(match[1]!);
    marker = element(xml.slice(xml.lastIndexOf("<NextMarker")), "NextMarker") ?? "";
  } while (marker);
}

/** One page's blobs and the marker of the next page ("" at the end). */
/** Whether an element named Blob (a metadata key) opens between `from` and `to`. */
function opensBlobBefore(xml: string, from: number, to: number): boolean {
  for (let at = xml.indexOf("<Blob", from); at >= 0 && at < to; at = xml.indexOf("<Blob", at + 5)) {
    const next = xml[at + 5];
    if (next === ">" || next === " " || next === "/") return true;
  }
  return false;
}

/** A page's NextMarker, "" on the last page. */
function nextMarker(xml: string): string {
  return element(xml.slice(xml.lastIndexOf("<NextMarker")), "NextMarker") ?? "";
}

export function parseListPage(
  xml: string,
  withMetadata: boolean,
): { blobs: ListedBlob[]; nextMarker: string } {
  const blobs: ListedBlob[] = [];
  let at = 0;
  for (;;) {
    const start = xml.indexOf("<Blob>", at);
    if (start < 0) break;
    // The first </Blob> closes this entry unless a metadata key named Blob opens before it.
    const close = xml.indexOf("</Blob>", start);
    const end = close >= 0 && !opensBlobBefore(xml, start + 6, close) ? close + 7 : endOfElement(xml, start);
    if (end < 0) break;
    blobs.push(parseBlobEntry(xml.slice(start, end), withMetadata));
    at = end;
  }
  return { blobs, nextMarker: nextMarker(xml) };
}

function includeParameter(options: ListOptions): { include?: string } {
  const include = [
    ...(options.withMetadata ? ["metadata"] : []),
    ...(options.withTags ? ["tags"] : []),
    ...(options.include ?? []),
  ];
  return include.length > 0 ? { include: include.join(",") } : {};
}

/**
 * The blobs under a prefix, one page (up to 5,000) at a time. The next page is asked for as soon
 * as this one's marker is read, so the service prepares it while this one is parsed and used.
 */
export async function* listBlobPages(
  transport: RestTransport,
  location: RemoteLocation,
  options: ListOptions,
): AsyncGenerator<ListedBlob[]> {
  const account = location.pathStyle ? `/${encodeURIComponent(location.accountName)}` : "";
  const path = `${account}/${encodeURIComponent(location.container ?? "")}`;
  const fetchPage = (marker: string) =>
    transport.send({
      method: "GET",
      path,
      query: {
        restype: "container",
        comp: "list",
        maxresults: String(options.pageSize ?? 5000),
        ...(options.prefix ? { prefix: options.prefix } : {}),
        ...(options.delimiter ? { delimiter: options.delimiter } : {}),
        ...includeParameter(options),
        ...(marker ? { marker } : {}),
      },
      expect: [200],
      text: true,
    });
  let pending = fetchPage("");
  for (;;) {
    const xml = (await pending).text ?? "";
    const marker = nextMarker(xml);
    const readAhead = marker !== "" && options.readAhead !== false;
    if (readAhead) {
      pending = fetchPage(marker);
      // Awaited on the next turn; a listing abandoned before then must not leave it unhandled.
      pending.catch(() => {});
    }
    yield parseListPage(xml, options.withMetadata ?? false).blobs;
    if (!marker) return;
    if (!readAhead) pending = fetchPage(marker);
  }
}

export async function* listBlobs(
  transport: RestTransport,
  location: RemoteLocation,
  options: ListOptions,
): AsyncGenerator<ListedBlob> {
  for await (const page of listBlobPages(transport, location, options)) yield* page;
}
