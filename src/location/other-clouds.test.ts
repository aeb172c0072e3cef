import { describe, expect, it } from "vitest";
import { displayLocation, parseLocation, type RemoteLocation } from "./location.js";
import { redactText } from "./redact.js";

const remote = (text: string, serviceHint?: "s3" | "gcs") =>
  parseLocation(text, serviceHint ? { serviceHint } : {}) as RemoteLocation;

describe("Amazon S3 URLs, in the forms AzCopy accepts", () => {
  const cases: [string, Partial<RemoteLocation>][] = [
    [
      "https://bucket.s3.amazonaws.com/dir/key.txt",
      { container: "bucket", path: "dir/key.txt", region: undefined, containerInHost: true },
    ],
    [
      "https://bucket.s3.eu-west-1.amazonaws.com/k",
      { container: "bucket", path: "k", region: "eu-west-1", containerInHost: true },
    ],
    ["https://bucket.s3-eu-west-1.amazonaws.com/k", { container: "bucket", region: "eu-west-1" }],
    [
      "https://s3.amazonaws.com/bucket/a/b",
      { container: "bucket", path: "a/b", region: undefined, pathStyle: true },
    ],
    ["https://s3.us-west-2.amazonaws.com/bucket/", { container: "bucket", path: "", region: "us-west-2" }],
    ["https://s3.dualstack.ap-south-1.amazonaws.com/bucket/k", { container: "bucket", region: "ap-south-1" }],
    ["https://bucket.s3.dualstack.ap-south-1.amazonaws.com/k", { container: "bucket", region: "ap-south-1" }],
    [
      "https://my.dotted.bucket.s3.us-east-2.amazonaws.com/k",
      { container: "my.dotted.bucket", accountName: "s3.us-east-2.amazonaws.com" },
    ],
    ["https://s3.amazonaws.com/", { container: undefined }],
    ["https://s3.amazonaws.com/bucket/with+plus%2Bsign", { path: "with plus+sign" }],
  ];
  for (const [url, expected] of cases)
    it(url, () => {
      const location = remote(url);
      expect(location.service).toBe("s3");
      expect(location).toMatchObject(expected);
    });

  it("an S3-compatible endpoint is named by --from-to S3..., bucket first in the path", () => {
    expect(remote("https://127.0.0.1:9000/bucket/key", "s3")).toMatchObject({
      service: "s3",
      accountUrl: "https://127.0.0.1:9000",
      container: "bucket",
      path: "key",
      pathStyle: true,
    });
  });

  it("is shown as given: the bucket in the host stays there", () => {
    expect(displayLocation(remote("https://bucket.s3.amazonaws.com/a%20b/c"))).toBe(
      "https://bucket.s3.amazonaws.com/a%20b/c",
    );
    expect(displayLocation(remote("https://s3.amazonaws.com/bucket/c"))).toBe(
      "https://s3.amazonaws.com/bucket/c",
    );
  });

  it("Azure and other hosts are not S3", () => {
    expect(remote("https://acct.blob.core.windows.net/c/b").service).toBe("blob");
    expect(remote("https://example.com/s3.data/x", "gcs").service).toBe("gcs");
  });
});

describe("Google Cloud Storage URLs", () => {
  it("the console's storage.cloud.google.com is read through storage.googleapis.com", () => {
    expect(remote("https://storage.cloud.google.com/bucket/dir/o.txt")).toMatchObject({
      service: "gcs",
      accountUrl: "https://storage.googleapis.com",
      container: "bucket",
      path: "dir/o.txt",
    });
    expect(remote("https://storage.googleapis.com/bucket/")).toMatchObject({
      service: "gcs",
      container: "bucket",
      path: "",
    });
  });
});

describe("signed URLs of other clouds", () => {
  it("never show their signature or session token", () => {
    const shown = redactText(
      "copy from https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F&X-Amz-Security-Token=FQoGZX&X-Amz-Signature=abc123 and https://storage.googleapis.com/b/o?X-Goog-Signature=def456",
    );
    expect(shown).not.toMatch(/FQoGZX|abc123|def456/);
    expect(shown).toContain("X-Amz-Signature=");
  });
});
