// AzCopy's rules for the container a bucket becomes (its s3NameResolver and gcpNameResolver).
import { describe, expect, it } from "vitest";
import { containerNamesFor, intoContainerOfSourceName } from "./container-names.js";
import { parseLocation, type RemoteLocation } from "./location.js";

describe("bucket names as container names", () => {
  it("keeps valid names; dots become hyphens; a run of hyphens is counted", () => {
    const names = containerNamesFor(["plain", "my.bucket", "b---name", "a.-b"], "s3");
    expect(Object.fromEntries(names)).toEqual({
      plain: "plain",
      "my.bucket": "my-bucket",
      "b---name": "b-3-name",
      // AzCopy leaves "a--b" here, which no container may be called; azcp counts the run.
      "a.-b": "a-2-b",
    });
  });

  it("a made name that another bucket has, or one made before, gets a number", () => {
    const names = containerNamesFor(["a-b", "a.b", "a..b", "a-2-b"], "s3");
    expect(Object.fromEntries(names)).toEqual({
      "a-b": "a-b",
      "a.b": "a-b-2",
      "a..b": "a-2-b-2",
      "a-2-b": "a-2-b",
    });
  });

  it("Cloud Storage names lose underscores too", () => {
    expect(containerNamesFor(["my_bucket.x"], "gcs").get("my_bucket.x")).toBe("my-bucket-x");
    // S3 names cannot hold "_" (only legacy ones could): AzCopy does not replace it there.
    expect(() => containerNamesFor(["my_bucket"], "s3")).toThrow(/not a valid container name/);
  });

  it("a name that stays invalid (too long, capitals) is refused with the fix", () => {
    const long = `${"a".repeat(40)}.${"b".repeat(30)}`;
    expect(() => containerNamesFor([long], "gcs")).toThrow(
      /is not a valid container name, and azcp cannot make one of it/,
    );
    expect(() => containerNamesFor(["LegacyBucket"], "s3")).toThrow(
      /"LegacyBucket" is not a valid container name/,
    );
  });

  it("only an account destination takes the source's name, and only for a whole bucket", () => {
    const bucket = parseLocation("https://s3.amazonaws.com/my.bucket") as RemoteLocation;
    const inBucket = parseLocation("https://s3.amazonaws.com/my.bucket/dir") as RemoteLocation;
    const account = parseLocation("https://acct.blob.core.windows.net/") as RemoteLocation;
    const container = parseLocation("https://acct.blob.core.windows.net/c") as RemoteLocation;
    expect(intoContainerOfSourceName(bucket, account)).toMatchObject({ container: "my-bucket", path: "" });
    expect(intoContainerOfSourceName(bucket, container)).toBe(container);
    expect(intoContainerOfSourceName(inBucket, account)).toBe(account);
  });
});
