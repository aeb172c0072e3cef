// Content types for uploads, chosen as AzCopy chooses them on the same machine: a built-in
// table, then the system's shared-mime-info globs, then /etc/mime.types, then the first bytes
// of the file. Parameters such as "; charset=utf-8" are dropped.
import { readFileSync } from "node:fs";

const BUILT_IN: Record<string, string> = {
  ".avif": "image/avif",
  ".css": "text/css",
  ".gif": "image/gif",
  ".htm": "text/html",
  ".html": "text/html",
  ".jpeg": "image/jpeg",
  ".jpg": "image/jpeg",
  ".js": "application/javascript",
  ".json": "application/json",
  ".mjs": "application/javascript",
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
  ".webp": "image/webp",
  ".xml": "text/xml",
};

const GLOB_FILES = ["/usr/local/share/mime/globs2", "/usr/share/mime/globs2"];
const TYPE_FILES = [
  "/etc/mime.types",
  "/etc/apache2/mime.types",
  "/etc/apache/mime.types",
  "/etc/httpd/conf/mime.types",
];

let table: Map<string, string> | undefined;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Lines "weight:type:*.ext[:flags]", highest weight first; the first type for an extension wins. */
function addGlobs(into: Map<string, string>, text: string): void {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const [, type, glob] = line.split(":");
    if (!type || !glob || !/^\*\.[^*?[\]]+$/.test(glob)) continue;
    const extension = glob.slice(1).toLowerCase();
    if (!into.has(extension)) into.set(extension, type);
  }
}

/** Lines "type ext1 ext2 ..."; later files and lines override earlier ones. */
function addTypes(into: Map<string, string>, text: string): void {
  for (const line of text.split("\n")) {
    const fields = line.replace(/#.*/, "").trim().split(/\s+/);
    const [type, ...extensions] = fields;
    if (!type) continue;
    for (const extension of extensions) into.set(`.${extension.toLowerCase()}`, type);
  }
}

function extensionTable(): Map<string, string> {
  if (table) return table;
  const loaded = new Map(Object.entries(BUILT_IN));
  const globs = GLOB_FILES.map(readText).find((text) => text !== undefined);
  if (globs !== undefined) addGlobs(loaded, globs);
  else {
    const system = new Map<string, string>();
    for (const text of TYPE_FILES.map(readText)) if (text !== undefined) addTypes(system, text);
    for (const [extension, type] of system) if (!loaded.has(extension)) loaded.set(extension, type);
  }
  table = loaded;
  return loaded;
}

export function typeByExtension(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  if (dot <= name.lastIndexOf("/")) return undefined;
  return extensionTable().get(name.slice(dot).toLowerCase());
}

const HTML_TAGS = [
  "<!DOCTYPE HTML",
  "<HTML",
  "<HEAD",
  "<SCRIPT",
  "<IFRAME",
  "<H1",
  "<DIV",
  "<FONT",
  "<TABLE",
  "<A",
  "<STYLE",
  "<TITLE",
  "<B",
  "<BODY",
  "<BR",
  "<P",
  "<!--",
];

const SIGNATURE_TEXT: [number[] | string, string][] = [
  ["%PDF-", "application/pdf"],
  ["%!PS-Adobe-", "application/postscript"],
  ["GIF87a", "image/gif"],
  ["GIF89a", "image/gif"],
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "image/png"],
  [[0xff, 0xd8, 0xff], "image/jpeg"],
  ["BM", "image/bmp"],
  [[0x00, 0x00, 0x01, 0x00], "image/x-icon"],
  ["OggS\u0000", "application/ogg"],
  ["ID3", "audio/mpeg"],
  [[0x1f, 0x8b, 0x08], "application/x-gzip"],
  [[0x50, 0x4b, 0x03, 0x04], "application/zip"],
  ["Rar!\u001a\u0007", "application/x-rar-compressed"],
  [[0x00, 0x61, 0x73, 0x6d], "application/wasm"],
];

const SIGNATURES: [number[], string][] = SIGNATURE_TEXT.map(([signature, type]) => [
  typeof signature === "string" ? Array.from(signature, (c) => c.charCodeAt(0)) : signature,
  type,
]);

function startsWith(data: Uint8Array, bytes: number[]): boolean {
  if (bytes.length > data.length) return false;
  for (let index = 0; index < bytes.length; index++) if (data[index] !== bytes[index]) return false;
  return true;
}

const RIFF = [0x52, 0x49, 0x46, 0x46];
const _BOM_BE = [0xfe, 0xff];
const _BOM_LE = [0xff, 0xfe];
const _BOM_UTF8 = [0xef, 0xbb, 0xbf];

/** Content sniffing of the first bytes, as browsers (and Go's http.DetectContentType) do. */
export function sniffContentType(head: Uint8Array): string {
  const data = head.subarray(0, 512);
  let start = 0;
  while (start < data.length && [0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(data[start]!)) start++;
  const text = Buffer.from(data.subarray(start, start + 16))
    .toString("latin1")
    .toUpperCase();
  for (const tag of HTML_TAGS) {
    const next = text.charCodeAt(tag.length);
    if (text.startsWith(tag) && (next === 0x20 || next === 0x3e)) return "text/html";
  }
  if (text.startsWith("<?XML")) return "text/xml";
  if (
    data.length >= 12 &&
    startsWith(data, RIFF) &&
    Buffer.from(data.subarray(8, 14)).toString("latin1") === "WEBPVP"
  ) {
    return "image/webp";
  }
  for (const [signature, type] of SIGNATURES) if (startsWith(data, signature)) return type;
  if (
    startsWith(data, [0xfe, 0xff]) ||
    startsWith(data, [0xff, 0xfe]) ||
    startsWith(data, [0xef, 0xbb, 0xbf])
  ) {
    return "text/plain";
  }
  for (let index = 0; index < data.length; index++) {
    const byte = data[index]!;
    if (byte <= 0x08 || byte === 0x0b || (byte >= 0x0e && byte <= 0x1a) || (byte >= 0x1c && byte <= 0x1f)) {
      return "application/octet-stream";
    }
  }
  return "text/plain";
}

/** The content type for a file, from its name, else its first bytes. */
export function guessContentType(name: string, head: Uint8Array): string {
  return typeByExtension(name) ?? sniffContentType(head);
}
