// What the differential tests of other clouds' sources compare: the real AzCopy and azcp copy the
// same bucket, each into a container of its own reached through the copy-from-URL shim, and a
// test compares what each stored and counted.
import { createHash } from "node:crypto";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { expect, it } from "vitest";
import { runAzcopy } from "./azcopy.js";
import type { CloudHostsProxy } from "./cloud-hosts-proxy.js";
import {
  createContainer,
  type RunResult,
  runAzcp,
  sharedKeyService,
  stack,
  testHome,
  viaProxy,
} from "./harness.js";
import type { StorageProxy } from "./storage-proxy.js";

/** What a user can read back from a blob. */
export interface StoredBlob {
  md5: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  contentLanguage: string | undefined;
  contentDisposition: string | undefined;
  cacheControl: string | undefined;
  contentMd5: string | undefined;
  metadata: Record<string, string> | undefined;
  blobType: string | undefined;
  tier: string | undefined;
}

export async function storedBlobs(containerName: string): Promise<Record<string, StoredBlob>> {
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
      contentMd5: p.contentMD5 ? Buffer.from(p.contentMD5).toString("hex") : undefined,
      metadata: blob.metadata,
      blobType: p.blobType,
      tier: p.accessTier,
    };
  }
  return out;
}

/** The summary's count lines ("Number of File Transfers Completed: 7", "Final Job Status: ..."). */
export function summaryCounts(result: RunResult): string[] {
  return result.stdout
    .split(/\r?\n/)
    .filter((line) => /^(Number of|Total Number of|Final Job Status)/.test(line))
    .map((line) => line.trim());
}

/** Both tools reach the cloud's real host names through the proxy, and Azurite (127.0.0.1) directly. */
export function throughHosts(hosts: CloudHostsProxy, env: Record<string, string>): Record<string, string> {
  return { ...env, HTTPS_PROXY: hosts.url, NO_PROXY: "127.0.0.1,localhost" };
}

export interface BothRuns {
  azcopy: { result: RunResult; blobs: Record<string, StoredBlob> };
  azcp: { result: RunResult; blobs: Record<string, StoredBlob> };
}

/** The same copy by each tool, each into a new container of its own (its URL through the shim). */
export async function copyWithBoth(
  shim: StorageProxy,
  env: Record<string, string>,
  args: (destination: string) => string[],
): Promise<BothRuns> {
  const home = await testHome();
  const byAzcopy = await createContainer();
  const byAzcp = await createContainer();
  const azcopy = await runAzcopy(args(viaProxy(shim, byAzcopy)), home, { env, timeoutMs: 60_000 });
  const azcp = await runAzcp(args(viaProxy(shim, byAzcp)), home, { env });
  return {
    azcopy: { result: azcopy, blobs: await storedBlobs(byAzcopy.name) },
    azcp: { result: azcp, blobs: await storedBlobs(byAzcp.name) },
  };
}

export function expectSameOutcome(runs: BothRuns): void {
  expect(runs.azcp.result.code, runs.azcp.result.all).toBe(runs.azcopy.result.code);
  expect(runs.azcp.blobs).toEqual(runs.azcopy.blobs);
  expect(summaryCounts(runs.azcp.result)).toEqual(summaryCounts(runs.azcopy.result));
}

/** The shared account's URL through the shim, with an account SAS that may create containers. */
export function accountThrough(shim: StorageProxy): string {
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
  return `${shim.origin}/${info.accountName}?${sas}`;
}

/**
 * Containers named `prefix`... with `tag` in the name (what a test's buckets become), with what
 * each holds; they are deleted once read.
 */
export async function takeContainers(
  prefix: string,
  tag: string,
): Promise<Record<string, Record<string, StoredBlob>>> {
  const service = sharedKeyService();
  const found: Record<string, Record<string, StoredBlob>> = {};
  for await (const container of service.listContainers({ prefix }))
    if (container.name.includes(tag)) found[container.name] = await storedBlobs(container.name);
  for (const name of Object.keys(found)) await service.deleteContainer(name);
  return found;
}

/**
 * A copy of every bucket into the account by AzCopy, then by azcp; the containers each made
 * (named `prefix`..., with `tag` in the name).
 */
export async function copyAccountWithBoth(
  args: string[],
  env: Record<string, string>,
  prefix: string,
  tag: string,
) {
  const home = await testHome();
  const azcopy = await runAzcopy(args, home, { env, timeoutMs: 60_000 });
  const byAzcopy = await takeContainers(prefix, tag);
  const azcp = await runAzcp(args, home, { env });
  const byAzcp = await takeContainers(prefix, tag);
  return { azcopy, byAzcopy, azcp, byAzcp };
}

/** Both account-wide copies succeeded and made the same `count` containers, each alike. */
export function expectSameContainers(
  { azcopy, byAzcopy, azcp, byAzcp }: Awaited<ReturnType<typeof copyAccountWithBoth>>,
  count: number,
): void {
  expect(azcopy.code, azcopy.all).toBe(0);
  expect(azcp.code, azcp.all).toBe(0);
  expect(Object.keys(byAzcp).sort()).toEqual(Object.keys(byAzcopy).sort());
  expect(byAzcp).toEqual(byAzcopy);
  expect(Object.keys(byAzcp)).toHaveLength(count);
  expect(summaryCounts(azcp)).toEqual(summaryCounts(azcopy));
}

/**
 * Tests that parts of a bucket laid out as the differential tests lay it out (a/b.txt, big/,
 * "dir ü/", *.txt at the top) are selected and named alike by both tools.
 */
export function itSelectsPartsAlike(
  url: string,
  fromTo: string,
  copy: (args: (destination: string) => string[]) => Promise<BothRuns>,
  comparable: (runs: BothRuns) => BothRuns = (runs) => runs,
): void {
  for (const [title, source, extra] of [
    ["a prefix", `${url}/dir%20%C3%BC/`, ["--recursive"]],
    ["a prefix without --as-subdir", `${url}/big`, ["--recursive", "--as-subdir=false"]],
    ["one object", `${url}/a/b.txt`, []],
    ["a wildcard", `${url}/a/*`, ["--recursive"]],
    ["an include pattern", url, ["--recursive", "--include-pattern", "*.txt"]],
    ["an exclude path", url, ["--recursive", "--exclude-path", "a;big"]],
  ] as const) {
    it(`${title} selects the same objects and names them alike`, async () => {
      const runs = await copy((destination) => ["copy", source, destination, ...extra, "--from-to", fromTo]);
      expectSameOutcome(comparable(runs));
      expect(Object.keys(runs.azcp.blobs).length).toBeGreaterThan(0);
    });
  }
}
