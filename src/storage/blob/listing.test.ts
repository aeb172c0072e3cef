// The List Blobs scanner on pages shaped like the service's (and Azurite's) answers. The
// end-to-end tests cover it against Azurite; these pin the corners Azurite rarely produces.
import { describe, expect, it } from "vitest";
import { decodeXmlText } from "../rest/xml.js";
import { parseListPage } from "./listing.js";

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
