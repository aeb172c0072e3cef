// The List Blobs scanner on pages shaped like the service's (and Azurite's) answers. The
// end-to-end tests cover it against Azurite; these pin the corners Azurite rarely produces.
import { describe, expect, it } from "vitest";
import { decodeXmlText } from "../rest/xml.js";
import { parseBlobEntry, parseListPage } from "./listing.js";

const PAGE = `<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://acct.blob.core.windows.net/" ContainerName="c">
  <Prefix>dir/</Prefix><MaxResults>2</MaxResults>
  <Blobs>
    <Blob>
      <Name>dir/a &amp; b &lt;1&gt; caf&#233; &#x1F600;.txt</Name>
      <Properties>
        <Creation-Time>Fri, 27 Nov 2026 10:00:00 GMT</Creation-Time>
        <Last-Modified>Fri, 27 Nov 2026 10:00:01 GMT</Last-Modified>
        <Etag>0x8DB</Etag>
        <Content-Length>1234</Content-Length>
        <Content-Type>text/plain</Content-Type>
        <Content-Encoding />
        <Content-Language />
        <Content-MD5>1B2M2Y8AsgTpgAmY7PhCfg==</Content-MD5>
        <Cache-Control />
        <BlobType>BlockBlob</BlobType>
        <AccessTier>Cool</AccessTier>
      </Properties>
      <Metadata><project>azcp</project><Name>not the blob's name</Name></Metadata>
    </Blob>
    <BlobPrefix><Name>dir/sub/</Name></BlobPrefix>
    <Blob>
      <Name Encoded="true">dir/%EF%BF%BEodd</Name>
      <Properties>
        <Last-Modified>Fri, 27 Nov 2026 10:00:02 GMT</Last-Modified>
        <Content-Length>0</Content-Length>
        <BlobType>AppendBlob</BlobType>
      </Properties>
    </Blob>
  </Blobs>
  <NextMarker>2!72!MDAwMDY2IWRpci9vZGQ-</NextMarker>
</EnumerationResults>`;

describe("parseListPage", () => {
  it("reads names, properties, metadata and the next marker", () => {
    const page = parseListPage(PAGE, true);
    expect(page.nextMarker).toBe("2!72!MDAwMDY2IWRpci9vZGQ-");
    expect(page.blobs).toHaveLength(2);
    expect(page.blobs[0]).toEqual({
      name: "dir/a & b <1> café 😀.txt",
      size: 1234,
      etag: "0x8DB",
      lastModified: new Date("2026-11-27T10:00:01Z"),
      contentMd5: "1B2M2Y8AsgTpgAmY7PhCfg==",
      contentType: "text/plain",
      contentEncoding: undefined,
      contentLanguage: undefined,
      contentDisposition: undefined,
      cacheControl: undefined,
      blobType: "BlockBlob",
      accessTier: "Cool",
      metadata: { project: "azcp", Name: "not the blob's name" },
    });
    expect(page.blobs[1]).toMatchObject({
      name: "dir/\uFFFEodd",
      size: 0,
      blobType: "AppendBlob",
      metadata: undefined,
    });
  });

  it("skips virtual directories and ends without a marker", () => {
    const last = parseListPage(PAGE.replace(/<NextMarker>.*<\/NextMarker>/, "<NextMarker />"), false);
    expect(last.nextMarker).toBe("");
    expect(last.blobs.map((blob) => blob.name)).not.toContain("dir/sub/");
    expect(last.blobs[0]!.metadata).toBeUndefined();
    expect(parseListPage("<EnumerationResults><Blobs /></EnumerationResults>", false)).toEqual({
      blobs: [],
      nextMarker: "",
    });
  });

  it("keeps metadata keys that look like listing elements inside the metadata", () => {
    const page = `<EnumerationResults><Blobs><Blob><Name>x</Name><Properties><Content-Length>5</Content-Length></Properties>
      <Metadata><Blob>inner</Blob><AccessTier>Archive</AccessTier><Metadata>m</Metadata><empty /></Metadata></Blob>
      <Blob><Name>y</Name><Properties><Content-Length>6</Content-Length></Properties></Blob></Blobs><NextMarker /></EnumerationResults>`;
    const { blobs } = parseListPage(page, true);
    expect(blobs.map((blob) => blob.name)).toEqual(["x", "y"]);
    expect(blobs[0]!.accessTier).toBeUndefined();
    expect(blobs[0]!.metadata).toEqual({ Blob: "inner", AccessTier: "Archive", Metadata: "m", empty: "" });
    expect(blobs[1]!.size).toBe(6);
  });

  it("decodes entities once", () => {
    expect(decodeXmlText("&amp;lt;")).toBe("&lt;");
    expect(decodeXmlText("plain")).toBe("plain");
  });
});

/** The reading the scanner replaced, kept as its reference: every `<Tag>text</Tag>`, first non-empty wins. */
function referenceFields(xml: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of xml.matchAll(/<([A-Za-z0-9-]+)>([^<]*)<\/\1>/g))
    if (match[2] !== "" && !found.has(match[1]!)) found.set(match[1]!, decodeXmlText(match[2]!));
  return found;
}

describe("parseBlobEntry reads properties as the regular expression it replaced did", () => {
  const names = ["Etag", "Content-Length", "Content-Type", "BlobType", "Etag-X", "X", "Deleted", "Snapshot"];
  const texts = ["", "v", "a &amp; b", "x>y", "0x8D1", "12"];
  // A small deterministic generator, so a failure names a seed that reproduces it.
  function* random(seed: number): Generator<number> {
    let state = seed;
    for (;;) {
      state = (state * 1103515245 + 12345) % 2147483648;
      yield state / 2147483648;
    }
  }
  function element(pick: () => number, depth: number): string {
    const name = names[Math.floor(pick() * names.length)]!;
    const text = texts[Math.floor(pick() * texts.length)]!;
    const shape = Math.floor(pick() * 7);
    if (shape === 0) return `<${name} />`;
    if (shape === 1 && depth < 2)
      return `<${name}>${element(pick, depth + 1)}${element(pick, depth + 1)}</${name}>`;
    if (shape === 2) return `<${name}>${text}</${names[Math.floor(pick() * names.length)]}>`;
    if (shape === 3) return `<${name} a="1">${text}</${name}>`;
    if (shape === 4) return `<${name}>${text}<b/>${text}</${name}>`;
    return `<${name}>${text}</${name}>`;
  }

  it("on 2,000 generated entries: nesting, empty and self-closing elements, mismatched closes", () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const numbers = random(seed);
      const pick = () => numbers.next().value as number;
      const head = Array.from({ length: Math.floor(pick() * 3) }, () => element(pick, 1)).join("");
      const properties = Array.from({ length: Math.floor(pick() * 8) }, () => element(pick, 0)).join("");
      const entry = `<Blob><Name>n${seed}</Name>${head}<Properties>${properties}</Properties><Metadata><Etag>m</Etag></Metadata></Blob>`;
      const expectedProperties = referenceFields(properties);
      const expectedHead = referenceFields(`<Blob><Name>n${seed}</Name>${head}`);
      const blob = parseBlobEntry(entry, false);
      const context = `seed ${seed}: ${entry}`;
      expect(blob.etag, context).toBe(expectedProperties.get("Etag"));
      expect(blob.contentType, context).toBe(expectedProperties.get("Content-Type"));
      expect(blob.blobType, context).toBe(expectedProperties.get("BlobType"));
      expect(blob.size, context).toBe(Number(expectedProperties.get("Content-Length") ?? 0));
      expect(blob.snapshot, context).toBe(expectedHead.get("Snapshot"));
      expect(blob.deleted, context).toBe(expectedHead.get("Deleted") === "true" || undefined);
    }
  });
});
