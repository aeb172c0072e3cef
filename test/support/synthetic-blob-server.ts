// A Blob endpoint that holds N objects without storing any: names, sizes and times are made from
// an object's index, so listing a million objects costs the server almost nothing and the client
// is what a scale run measures. It answers what listing, dry runs and downloads ask: List Blobs
// (prefix, delimiter "/", marker, maxresults, include=metadata), container and blob HEAD, and
// ranged GET (zero bytes). Anything else is 501. Names look like d0001/f00001234.bin and sort in
// index order, 1000 to a folder. Plain HTTP; any SAS is taken as valid.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const SYNTHETIC_ACCOUNT = "devstoreaccount1";
export const SYNTHETIC_CONTAINER = "synthetic";
const PER_FOLDER = 1000;
const SIZE = 1024;
const MODIFIED = new Date("2026-01-01T00:00:00Z").toUTCString();

export function syntheticName(index: number): string {
  return `d${String(Math.floor(index / PER_FOLDER)).padStart(5, "0")}/f${String(index).padStart(9, "0")}.bin`;
}

/** The index of the first object whose name sorts after `marker` (or at `prefix`). */
function firstIndexAfter(text: string, count: number, inclusive: boolean): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const name = syntheticName(middle);
    if (name < text || (!inclusive && name === text)) low = middle + 1;
    else high = middle;
  }
  return low;
}

function entryXml(index: number, withMetadata: boolean): string {
  return `<Blob><Name>${syntheticName(index)}</Name><Properties><Last-Modified>${MODIFIED}</Last-Modified><Etag>0x8D${index.toString(16).padStart(13, "0").toUpperCase()}</Etag><Content-Length>${SIZE}</Content-Length><Content-Type>application/octet-stream</Content-Type><BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties>${withMetadata ? "<Metadata />" : ""}</Blob>`;
}

function list(count: number, query: URLSearchParams): string {
  const prefix = query.get("prefix") ?? "";
  const marker = query.get("marker") ?? "";
  const max = Math.min(Number(query.get("maxresults") ?? 5000), 5000);
  const withMetadata = (query.get("include") ?? "").split(",").includes("metadata");
  const delimiter = query.get("delimiter");
  let index = marker ? firstIndexAfter(marker, count, true) : firstIndexAfter(prefix, count, true);
  const parts: string[] = [];
  let emitted = 0;
  let next = "";
  while (index < count && syntheticName(index).startsWith(prefix)) {
    if (emitted === max) {
      next = syntheticName(index);
      break;
    }
    const name = syntheticName(index);
    const slash = delimiter === "/" ? name.indexOf("/", prefix.length) : -1;
    if (slash >= 0) {
      const folder = name.slice(0, slash + 1);
      parts.push(`<BlobPrefix><Name>${folder}</Name></BlobPrefix>`);
      index = firstIndexAfter(`${folder}\uffff`, count, true);
    } else {
      parts.push(entryXml(index, withMetadata));
      index++;
    }
    emitted++;
  }
  return `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://synthetic/" ContainerName="${SYNTHETIC_CONTAINER}"><Prefix>${prefix}</Prefix><Marker>${marker}</Marker><MaxResults>${max}</MaxResults>${delimiter ? `<Delimiter>${delimiter}</Delimiter>` : ""}<Blobs>${parts.join("")}</Blobs><NextMarker>${next}</NextMarker></EnumerationResults>`;
}

function indexOf(name: string, count: number): number | undefined {
  const match = /^d\d{5}\/f(\d{9})\.bin$/.exec(name);
  if (!match) return undefined;
  const index = Number(match[1]);
  return index < count && syntheticName(index) === name ? index : undefined;
}

export interface SyntheticOptions {
  /** Answer every listing page after the first with 403 AuthorizationPermissionMismatch. */
  refuseLaterPages?: boolean;
}

const REFUSED = `<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.</Message></Error>`;

function answer(count: number, options: SyntheticOptions, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://synthetic");
  const segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
  const [account, container, ...rest] = segments;
  const name = rest.join("/");
  const common = { "x-ms-request-id": "synthetic", "x-ms-version": "2025-01-05" };
  if (account !== SYNTHETIC_ACCOUNT || container !== SYNTHETIC_CONTAINER) {
    res.writeHead(404, { ...common, "x-ms-error-code": "ContainerNotFound", "content-length": 0 }).end();
    return;
  }
  const query = url.searchParams;
  if (name === "" && query.get("restype") === "container") {
    if (query.get("comp") === "list" && req.method === "GET") {
      if (options.refuseLaterPages && query.get("marker")) {
        const error = Buffer.from(REFUSED);
        res
          .writeHead(403, {
            ...common,
            "x-ms-error-code": "AuthorizationPermissionMismatch",
            "content-type": "application/xml",
            "content-length": error.length,
          })
          .end(error);
        return;
      }
      const body = Buffer.from(list(count, query));
      res
        .writeHead(200, { ...common, "content-type": "application/xml", "content-length": body.length })
        .end(body);
      return;
    }
    if (query.get("comp") === null && (req.method === "HEAD" || req.method === "GET")) {
      res
        .writeHead(200, { ...common, "last-modified": MODIFIED, etag: '"0x8D0"', "content-length": 0 })
        .end();
      return;
    }
  }
  const index = indexOf(name, count);
  if ((req.method === "HEAD" || req.method === "GET") && query.get("comp") === null) {
    if (index === undefined) {
      res.writeHead(404, { ...common, "x-ms-error-code": "BlobNotFound", "content-length": 0 }).end();
      return;
    }
    const headers = {
      ...common,
      "last-modified": MODIFIED,
      etag: `"0x8D${index.toString(16).padStart(13, "0").toUpperCase()}"`,
      "x-ms-blob-type": "BlockBlob",
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
    };
    const range = /bytes=(\d+)-(\d+)/.exec(String(req.headers["x-ms-range"] ?? req.headers.range ?? ""));
    if (req.method === "HEAD") {
      res.writeHead(200, { ...headers, "content-length": SIZE }).end();
      return;
    }
    const start = range ? Number(range[1]) : 0;
    const end = range ? Math.min(Number(range[2]), SIZE - 1) : SIZE - 1;
    const body = Buffer.alloc(Math.max(0, end - start + 1));
    res
      .writeHead(range ? 206 : 200, {
        ...headers,
        "content-length": body.length,
        ...(range ? { "content-range": `bytes ${start}-${end}/${SIZE}` } : {}),
      })
      .end(body);
    return;
  }
  res.writeHead(501, { ...common, "x-ms-error-code": "NotImplemented", "content-length": 0 }).end();
}

export async function startSyntheticBlobServer(
  count: number,
  options: SyntheticOptions = {},
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(count, options, req, res));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/${SYNTHETIC_ACCOUNT}/${SYNTHETIC_CONTAINER}`, server };
}

// As a program: `tsx test/support/synthetic-blob-server.ts N` serves N objects and prints its URL.
if (process.argv[1]?.endsWith("synthetic-blob-server.ts")) {
  const { url } = await startSyntheticBlobServer(Number(process.argv[2] ?? 1_000_000));
  process.stdout.write(`${url}\n`);
}
