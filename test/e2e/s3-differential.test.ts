// Amazon S3 as a source, azcp against the real AzCopy on the same s3rver buckets. AzCopy reads S3
// only from *.amazonaws.com, so both tools are given https://s3.amazonaws.com/... and reach s3rver
// through a tunnelling proxy (the stack's certificate names those hosts); both write through the
// copy-from-URL shim in front of Azurite, which reads the presigned URLs from s3rver as well.
// Compared: blob names, bytes, content headers, metadata, container names, counts, exit codes.
import { createHash, randomBytes } from "node:crypto";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import { type CloudHostsProxy, startCloudHostsProxy } from "../support/cloud-hosts-proxy.js";
import {
  createContainer,
  proxyInFrontOfAzurite,
  type RunResult,
  runAzcp,
  sharedKeyService,
  stack,
  type TestContainer,
  testHome,
  viaProxy,
} from "../support/harness.js";
import { startS3, type TestS3 } from "../support/s3-server.js";
import type { StorageProxy } from "../support/storage-proxy.js";

const MIB = 1024 * 1024;

/** What a user can read back from a blob, except Content-MD5 (see the test that says why). */
interface StoredBlob {
  md5: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  contentLanguage: string | undefined;
  contentDisposition: string | undefined;
  cacheControl: string | undefined;
  metadata: Record<string, string> | undefined;
  blobType: string | undefined;
  tier: string | undefined;
}

async function stored(containerName: string): Promise<Record<string, StoredBlob>> {
  const client = sharedKeyService().getContainerClient(containerName);
  const out: Record<string, StoredBlob> = {};
  for await (const blob of client.listBlobsFlat({ includeMetadata: true })) {
    const data = await client.getBlobClient(blob.name).downloadToBuffer();
    const p = blob.properties;
    out[blob.name] = {
      md5: createHash("md5").update(data).digest("hex"),
      contentType: p.contentType,
      contentEncoding: p.contentEncoding,
      contentLanguage: p.contentLanguage,
      contentDisposition: p.contentDisposition,
      cacheControl: p.cacheControl,
      metadata: blob.metadata,
      blobType: p.blobType,
      tier: p.accessTier,
    };
  }
  return out;
}

/** The summary's count lines ("Number of File Transfers Completed: 7", "Final Job Status: ..."). */
function counts(result: RunResult): string[] {
  return result.stdout
    .split(/\r?\n/)
    .filter((line) => /^(Number of|Total Number of|Final Job Status)/.test(line))
    .map((line) => line.trim());
}

let s3: TestS3;
let hosts: CloudHostsProxy;
let shim: StorageProxy;

/** Both tools see S3 at its real names, through the proxy; Azurite (127.0.0.1) is reached directly. */
function envFor(proxy: CloudHostsProxy, server: TestS3): Record<string, string> {
  return { ...server.env, HTTPS_PROXY: proxy.url, NO_PROXY: "127.0.0.1,localhost" };
}

interface BothRuns {
  azcopy: { result: RunResult; blobs: Record<string, StoredBlob> };
  azcp: { result: RunResult; blobs: Record<string, StoredBlob> };
}

/** The same copy by each tool, each into a new container of its own (its URL through the shim). */
async function copyWithBoth(args: (destination: string) => string[]): Promise<BothRuns> {
  const home = await testHome();
  const env = envFor(hosts, s3);
  const byAzcopy: TestContainer = await createContainer();
  const byAzcp: TestContainer = await createContainer();
  const azcopy = await runAzcopy(args(viaProxy(shim, byAzcopy)), home, { env, timeoutMs: 60_000 });
  const azcp = await runAzcp(args(viaProxy(shim, byAzcp)), home, { env });
  return {
    azcopy: { result: azcopy, blobs: await stored(byAzcopy.name) },
    azcp: { result: azcp, blobs: await stored(byAzcp.name) },
  };
}

function expectSameOutcome(runs: BothRuns): void {
  expect(runs.azcp.result.code, runs.azcp.result.all).toBe(runs.azcopy.result.code);
  expect(runs.azcp.blobs).toEqual(runs.azcopy.blobs);
  expect(counts(runs.azcp.result)).toEqual(counts(runs.azcopy.result));
}

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
      const runs = await copyWithBoth((destination) => [
        "copy",
        url,
        destination,
        "--recursive",
        "--from-to",
        "S3Blob",
        ...extra,
      ]);
      expectSameOutcome(runs);
      // Not an empty agreement: the tree arrived (all of it, or all but the object that failed).
      expect(Object.keys(runs.azcp.blobs).length).toBeGreaterThanOrEqual(5);
    });
  }

  it("a virtual-hosted bucket URL gives the same blobs", async () => {
    const runs = await copyWithBoth((destination) => [
      "copy",
      `https://${bucket}.s3.amazonaws.com/`,
      destination,
      "--recursive",
      "--from-to",
      "S3Blob",
    ]);
    expectSameOutcome(runs);
    expect(Object.keys(runs.azcp.blobs)).toContain("dir ü/ñame with spaces.txt");
  });

  for (const [title, source, extra] of [
    ["a prefix", `${url}/dir%20%C3%BC/`, ["--recursive"]],
    ["a prefix without --as-subdir", `${url}/big`, ["--recursive", "--as-subdir=false"]],
    ["one object", `${url}/a/b.txt`, []],
    ["a wildcard", `${url}/a/*`, ["--recursive"]],
    ["an include pattern", url, ["--recursive", "--include-pattern", "*.txt"]],
    ["an exclude path", url, ["--recursive", "--exclude-path", "a;big"]],
  ] as const) {
    it(`${title} selects the same objects and names them alike`, async () => {
      const runs = await copyWithBoth((destination) => [
        "copy",
        source,
        destination,
        ...extra,
        "--from-to",
        "S3Blob",
      ]);
      expectSameOutcome(runs);
      expect(Object.keys(runs.azcp.blobs).length).toBeGreaterThan(0);
    });
  }

  it("a missing bucket and an unknown key ID: both fail and copy nothing", async () => {
    for (const [source, env] of [
      [`https://s3.amazonaws.com/no-such-${process.pid}`, {}],
      [url, { AWS_ACCESS_KEY_ID: "AKIAUNKNOWNUNKNOWN00", AWS_SECRET_ACCESS_KEY: "not-the-secret" }],
    ] as const) {
      const home = await testHome();
      const byAzcopy = await createContainer();
      const byAzcp = await createContainer();
      const args = (destination: string) => [
        "copy",
        source,
        destination,
        "--recursive",
        "--from-to",
        "S3Blob",
      ];
      const runEnv = { ...envFor(hosts, s3), ...env };
      const azcopy = await runAzcopy(args(viaProxy(shim, byAzcopy)), home, {
        env: runEnv,
        timeoutMs: 60_000,
      });
      const azcp = await runAzcp(args(viaProxy(shim, byAzcp)), home, { env: runEnv });
      expect(azcopy.code, azcopy.all).toBe(1);
      expect(azcp.code, azcp.all).toBe(1);
      expect(await stored(byAzcopy.name)).toEqual({});
      expect(await stored(byAzcp.name)).toEqual({});
      expect(azcp.all).not.toContain("not-the-secret");
    }
  });
});

describe("differential: every bucket of an S3 service into an account", () => {
  it("makes the same containers, named by the same rules, with the same blobs", {
    timeout: 120_000,
  }, async () => {
    // A server of its own: a service-level copy takes every bucket there is.
    const own = await startS3();
    const ownHosts = await startCloudHostsProxy({ ".amazonaws.com": own.origin });
    const ownShim = await proxyInFrontOfAzurite({
      copyFromUrl: true,
      sourceRoutes: { ".amazonaws.com": own.origin },
    });
    try {
      const tag = process.pid.toString(36);
      // A plain name, dots, a run of hyphens, and a name the dotted one becomes (a collision).
      const buckets = [`svc-${tag}-plain`, `svc.${tag}.dots`, `svc-${tag}-dots`, `svc---${tag}`];
      for (const [index, name] of buckets.entries()) {
        await own.createBucket(name);
        await own.put(name, "dir/file.txt", `bucket ${index}`, { "content-type": "text/plain" });
      }
      const info = stack();
      const sas = generateAccountSASQueryParameters(
        {
          expiresOn: new Date(Date.now() + 3600_000),
          permissions: AccountSASPermissions.parse("racwdl"),
          resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
          services: AccountSASServices.parse("b").toString(),
        },
        new StorageSharedKeyCredential(info.accountName, info.accountKey),
      ).toString();
      const account = `${ownShim.origin}/${info.accountName}?${sas}`;
      const service = sharedKeyService();
      /** Containers with this run's tag in their name, and what each holds; then removed. */
      const takeContainers = async () => {
        const found: Record<string, Record<string, StoredBlob>> = {};
        for await (const container of service.listContainers({ prefix: "svc-" }))
          if (container.name.includes(tag)) found[container.name] = await stored(container.name);
        for (const name of Object.keys(found)) await service.deleteContainer(name);
        return found;
      };
      const home = await testHome();
      const args = ["copy", "https://s3.amazonaws.com/", account, "--recursive", "--from-to", "S3Blob"];
      const env = envFor(ownHosts, own);
      const azcopy = await runAzcopy(args, home, { env, timeoutMs: 60_000 });
      const byAzcopy = await takeContainers();
      const azcp = await runAzcp(args, home, { env });
      const byAzcp = await takeContainers();
      expect(azcopy.code, azcopy.all).toBe(0);
      expect(azcp.code, azcp.all).toBe(0);
      expect(Object.keys(byAzcp).sort()).toEqual(Object.keys(byAzcopy).sort());
      expect(byAzcp).toEqual(byAzcopy);
      expect(Object.keys(byAzcp)).toHaveLength(buckets.length);
      expect(counts(azcp)).toEqual(counts(azcopy));
    } finally {
      await ownShim.close();
      await ownHosts.close();
      await own.close();
    }
  });
});
