// SigV4 as AWS documents it: the examples of the S3 API reference ("Signature Calculations"),
// with their published signatures.
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { presignS3Url, s3Access, signS3Request, strictPath } from "./aws.js";

const EXAMPLE_KEY = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

describe("S3 request signing", () => {
  it("signs a GET Bucket (list objects) request as the S3 reference's example", async () => {
    const headers: Record<string, string> = { "x-amz-date": "20130524T000000Z" };
    signS3Request(EXAMPLE_KEY, "us-east-1", {
      method: "GET",
      host: "examplebucket.s3.amazonaws.com",
      path: "/?max-keys=2&prefix=J",
      headers,
    });
    expect(headers.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
    );
  });

  it("presigns a GET Object URL as the S3 reference's example", () => {
    const url = presignS3Url(
      EXAMPLE_KEY,
      "us-east-1",
      new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      86400,
      new Date("2013-05-24T00:00:00Z"),
    );
    expect(new URL(url).searchParams.get("X-Amz-Signature")).toBe(
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    );
  });

  it("reads the key from AWS_* as AzCopy does: none is a public bucket, half a key is an error", () => {
    expect(s3Access({}, undefined).presign).toBeUndefined();
    expect(() => s3Access({ AWS_ACCESS_KEY_ID: "AKIA" }, undefined)).toThrow(
      /AWS_SECRET_ACCESS_KEY is not set/,
    );
    expect(() => s3Access({ AWS_SECRET_ACCESS_KEY: "secret" }, undefined)).toThrow(
      /AWS_ACCESS_KEY_ID is not set/,
    );
    const access = s3Access(
      { AWS_ACCESS_KEY_ID: "AKIAX", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "tok" },
      "eu-west-1",
    );
    expect(access.description).toBe("the AWS access key AKIAX");
    const presigned = new URL(access.presign!(new URL("https://b.s3.eu-west-1.amazonaws.com/k"), 60));
    expect(presigned.searchParams.get("X-Amz-Credential")).toMatch(
      /^AKIAX\/\d{8}\/eu-west-1\/s3\/aws4_request$/,
    );
    expect(presigned.searchParams.get("X-Amz-Security-Token")).toBe("tok");
  });
});

describe("S3 signing agrees with the AWS SDK's own signer (@smithy/signature-v4)", () => {
  const key = { ...EXAMPLE_KEY, sessionToken: "session/token+=" };
  const date = new Date("2026-11-30T10:20:30Z");
  const amzDate = "20261130T102030Z";
  const smithy = new SignatureV4({
    service: "s3",
    region: "eu-west-1",
    credentials: key,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const keys = ["plain.txt", "a+b c/ü(1)*!'.txt", "100%/#hash?q=1&x.txt", "dir ü/日本語 (2).md"];
  const host = "s3.eu-west-1.amazonaws.com";
  const emptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /** The Authorization header of one GET, as azcp signs it and as the SDK does. */
  async function bothAuthorizations(path: string, query: Record<string, string> = {}) {
    const search = Object.entries(query)
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
      .join("&");
    const headers: Record<string, string> = { "x-amz-date": amzDate, "x-amz-content-sha256": emptySha256 };
    signS3Request(key, "eu-west-1", {
      method: "GET",
      host,
      path: search ? `${path}?${search}` : path,
      headers,
    });
    const theirs = await smithy.sign(
      {
        method: "GET",
        protocol: "https:",
        hostname: host,
        path,
        query,
        headers: { host, "x-amz-content-sha256": emptySha256 },
      },
      { signingDate: date },
    );
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
    return { ours: headers.authorization, theirs: theirs.headers.authorization };
  }

  for (const name of keys)
    it(`a GET and a presigned URL for "${name}"`, async () => {
      const path = `/bucket/${strictPath(name)}`;
      const signed = await bothAuthorizations(path);
      expect(signed.ours).toBe(signed.theirs);

      const ours = new URL(
        presignS3Url(key, "eu-west-1", new URL(`https://s3.eu-west-1.amazonaws.com${path}`), 3600, date),
      );
      const presigned = await smithy.presign(
        {
          method: "GET",
          protocol: "https:",
          hostname: "s3.eu-west-1.amazonaws.com",
          path,
          // What the S3 client's presigner does: the payload is not signed.
          headers: { host: "s3.eu-west-1.amazonaws.com", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        },
        {
          signingDate: date,
          expiresIn: 3600,
          unhoistableHeaders: new Set(["x-amz-content-sha256"]),
          unsignableHeaders: new Set(["x-amz-content-sha256"]),
        },
      );
      expect(ours.searchParams.get("X-Amz-Signature")).toBe(presigned.query?.["X-Amz-Signature"]);
    });

  it("a ListObjectsV2 page with a prefix and continuation token that need encoding", async () => {
    const query = { "list-type": "2", prefix: "dir ü/a+b", "continuation-token": "1/abc+def=" };
    const signed = await bothAuthorizations("/bucket", query);
    expect(signed.ours).toBe(signed.theirs);
  });
});
