// Amazon S3 as a source, azcp against the real AzCopy on the same s3rver buckets. AzCopy reads S3
// only from *.amazonaws.com, so both tools are given https://s3.amazonaws.com/... and reach s3rver
// through a tunnelling proxy (the stack's certificate names those hosts); both write through the
// copy-from-URL shim in front of Azurite, which reads the presigned URLs from s3rver as well.
// Compared: blob names, bytes, content headers, metadata, container names, counts, exit codes.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accountThrough,
  copyAccountWithBoth,
  copyWithBoth,
  expectSameContainers,
  expectSameOutcome,
  itSelectsPartsAlike,
  throughHosts,
} from "../support/cloud-differential.js";
import { type CloudHostsProxy, startCloudHostsProxy } from "../support/cloud-hosts-proxy.js";
import { proxyInFrontOfAzurite } from "../support/harness.js";
import { startS3Regions } from "../support/s3-regions.js";
import { startS3, type TestS3 } from "../support/s3-server.js";
import type { StorageProxy } from "../support/storage-proxy.js";

const MIB = 1024 * 1024;

let s3: TestS3;
let hosts: CloudHostsProxy;
let shim: StorageProxy;
const copyBoth = (args: (destination: string) => string[]) =>
  copyWithBoth(shim, throughHosts(hosts, s3.env), args);

/** The arguments of a recursive copy from `source` to whichever destination each tool gets. */
const recursiveCopy =
  (source: string, ...extra: string[]) =>
  (destination: string) => ["copy", source, destination, "--recursive", "--from-to", "S3Blob", ...extra];

const bucket = `diff-${process.pid}`;
const url = `https://s3.amazonaws.com/${bucket}`;

beforeAll(async () => {
  s3 = await startS3();
  hosts = await startCloudHostsProxy({ ".amazonaws.com": s3.origin });
  shim = await proxyInFrontOfAzurite({ copyFromUrl: true, sourceRoutes: { ".amazonaws.com": s3.origin } });
  await s3.createBucket(bucket);
  await s3.put(bucket, "a/b.txt", "hello", {
    "content-type": "text/plain",
    "cache-control": "max-age=60",
    "content-disposition": "inline",
    "content-language": "de",
    "content-encoding": "identity",
    "x-amz-meta-author": "Ada",
    "x-amz-meta-CamelCase": "kept, lower-cased",
    // Not C# identifiers, so not Azure metadata names.
    "x-amz-meta-my-key": "hyphenated",
    "x-amz-meta-1st": "starts with a digit",
  });
  await s3.put(bucket, "top.bin", randomBytes(1000), { "content-type": "application/octet-stream" });
  await s3.put(bucket, "empty.bin", Buffer.alloc(0), { "content-type": "application/octet-stream" });
  await s3.put(bucket, "dir ü/ñame with spaces.txt", "unicode", { "content-type": "text/plain" });
  await s3.put(bucket, "odd +%#?(1)*!'.txt", "characters a URL must encode", {
    "content-type": "text/plain",
  });
  // A folder marker as the S3 console makes one.
  await s3.put(bucket, "made-in-console/", "", { "content-type": "application/x-directory" });
  await s3.put(bucket, "big/nine-mib.bin", randomBytes(9 * MIB + 17), {
    "content-type": "application/octet-stream",
  });
});
afterAll(async () => {
  await shim?.close();
  await hosts?.close();
  await s3?.close();
});

describe.concurrent("differential: Amazon S3 to Blob, azcp against the real AzCopy", () => {
  for (const [title, extra] of [
    ["a bucket copied to a container", []],
    ["invalid metadata keys renamed", ["--s2s-handle-invalid-metadata", "RenameIfInvalid"]],
    ["invalid metadata keys failing their object", ["--s2s-handle-invalid-metadata", "FailIfInvalid"]],
  ] as const) {
    it(`${title}: the same blobs, headers, metadata, counts and exit code`, async () => {
      const runs = await copyBoth(recursiveCopy(url, ...extra));
      expectSameOutcome(runs);
      // Not an empty agreement: the tree arrived (all of it, or all but the object that failed).
      expect(Object.keys(runs.azcp.blobs).length).toBeGreaterThanOrEqual(5);
    });
  }

  it("a virtual-hosted bucket URL gives the same blobs", async () => {
    const runs = await copyBoth(recursiveCopy(`https://${bucket}.s3.amazonaws.com/`));
    expectSameOutcome(runs);
    expect(Object.keys(runs.azcp.blobs)).toContain("dir ü/ñame with spaces.txt");
  });

  itSelectsPartsAlike(url, "S3Blob", copyBoth);

  it("a missing bucket and an unknown key ID: both fail and copy nothing", async () => {
    for (const [source, env] of [
      [`https://s3.amazonaws.com/no-such-${process.pid}`, {}],
      [url, { AWS_ACCESS_KEY_ID: "AKIAUNKNOWNUNKNOWN00", AWS_SECRET_ACCESS_KEY: "not-the-secret" }],
    ] as const) {
      const runs = await copyWithBoth(
        shim,
        { ...throughHosts(hosts, s3.env), ...env },
        recursiveCopy(source),
      );
      expect(runs.azcopy.result.code, runs.azcopy.result.all).toBe(1);
      expect(runs.azcp.result.code, runs.azcp.result.all).toBe(1);
      expect(runs.azcopy.blobs).toEqual({});
      expect(runs.azcp.blobs).toEqual({});
      expect(runs.azcp.result.all).not.toContain("not-the-secret");
    }
  });
});

describe("differential: every bucket of an S3 service into an account", () => {
  it("makes the same containers, named by the same rules, with the same blobs", {
    timeout: 120_000,
  }, async () => {
    // A server of its own: a service-level copy takes every bucket there is.
    const own = await startS3();
    const tag = process.pid.toString(36);
    // One bucket is in another region, and is read there.
    const regions = await startS3Regions({
      target: own.origin,
      regions: { [`svc-${tag}-plain`]: "eu-west-1" },
    });
    const ownHosts = await startCloudHostsProxy({ ".amazonaws.com": regions.origin });
    const ownShim = await proxyInFrontOfAzurite({
      copyFromUrl: true,
      sourceRoutes: { ".amazonaws.com": regions.origin },
    });
    try {
      // A plain name, dots, a run of hyphens, and a name the dotted one becomes (a collision).
      const buckets = [`svc-${tag}-plain`, `svc.${tag}.dots`, `svc-${tag}-dots`, `svc---${tag}`];
      for (const [index, name] of buckets.entries()) {
        await own.createBucket(name);
        await own.put(name, "dir/file.txt", `bucket ${index}`, { "content-type": "text/plain" });
      }
      const copies = await copyAccountWithBoth(
        ["copy", "https://s3.amazonaws.com/", accountThrough(ownShim), "--recursive", "--from-to", "S3Blob"],
        throughHosts(ownHosts, own.env),
        "svc-",
        tag,
      );
      expectSameContainers(copies, buckets.length);
    } finally {
      await ownShim.close();
      await ownHosts.close();
      await regions.close();
      await own.close();
    }
  });
});

describe("differential: a bucket in another region, named by the global endpoint", () => {
  it("is found in its region by both tools, with the same blobs", { timeout: 120_000 }, async () => {
    const euBucket = `eu-${process.pid}`;
    await s3.createBucket(euBucket);
    await s3.put(euBucket, "dir/in-ireland.txt", "eu", { "content-type": "text/plain" });
    await s3.put(euBucket, "top.bin", randomBytes(2000), { "content-type": "application/octet-stream" });
    const regions = await startS3Regions({
      target: s3.origin,
      regions: { [euBucket]: "eu-west-1" },
    });
    const euHosts = await startCloudHostsProxy({ ".amazonaws.com": regions.origin });
    const euShim = await proxyInFrontOfAzurite({
      copyFromUrl: true,
      sourceRoutes: { ".amazonaws.com": regions.origin },
    });
    try {
      for (const source of [
        `https://s3.amazonaws.com/${euBucket}`,
        `https://${euBucket}.s3.amazonaws.com/dir/`,
      ]) {
        const runs = await copyWithBoth(euShim, throughHosts(euHosts, s3.env), recursiveCopy(source));
        expectSameOutcome(runs);
        expect(runs.azcp.result.code, runs.azcp.result.all).toBe(0);
        expect(Object.keys(runs.azcp.blobs).length).toBeGreaterThan(0);
      }
    } finally {
      await euShim.close();
      await euHosts.close();
      await regions.close();
    }
  });
});
