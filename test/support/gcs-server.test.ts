// The Cloud Storage test server must answer as Google's does for the calls azcp makes, or the
// end-to-end tests against it prove nothing: here the official client (@google-cloud/storage)
// lists, describes and downloads through it, and the server accepts the V4 signed URLs that the
// official client makes, and refuses altered ones.
import { randomBytes } from "node:crypto";
import { Storage } from "@google-cloud/storage";
import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GcsTestServer, type ServiceAccountKey } from "./gcs-server.js";
import { md5 } from "./harness.js";

let server: GcsTestServer;
let account: ServiceAccountKey;

/** A token from the server's endpoint, as the JWT bearer grant gives one. */
async function accessToken(): Promise<string> {
  const { jwtAssertion } = await import("../../src/auth/google.js");
  const assertion = jwtAssertion({
    clientEmail: account.json.client_email,
    privateKey: account.json.private_key,
    tokenUri: account.json.token_uri,
  });
  const response = await fetch(account.json.token_uri, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function officialClient(): Promise<Storage> {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: await accessToken(), expiry_date: Date.now() + 3600_000 });
  return new Storage({
    apiEndpoint: server.origin,
    projectId: "azcp-test",
    authClient,
    useAuthWithCustomEndpoint: true,
  });
}

beforeAll(async () => {
  // Plain HTTP: the official client cannot be handed the stack's CA inside this process.
  server = new GcsTestServer();
  await server.start();
  account = await server.createServiceAccount();
});
afterAll(async () => {
  await server?.close();
});

describe("the Cloud Storage test server, checked with @google-cloud/storage", () => {
  it("lists with paging and prefixes, describes and downloads objects (whole and in ranges)", async () => {
    server.pageSize = 2;
    server.createBucket("checked");
    const big = randomBytes(300_000);
    server.put("checked", "a/one.txt", "one", { contentType: "text/plain", metadata: { author: "Ada" } });
    server.put("checked", "a/b/two.bin", big, { cacheControl: "no-cache" });
    server.put("checked", "top ü.txt", "top");
    const storage = await officialClient();
    const bucket = storage.bucket("checked");
    const [all] = await bucket.getFiles({ autoPaginate: true });
    expect(all.map((file) => file.name)).toEqual(["a/b/two.bin", "a/one.txt", "top ü.txt"]);
    const [level, , response] = await bucket.getFiles({
      autoPaginate: false,
      delimiter: "/",
      maxResults: 10,
    });
    expect(level.map((file) => file.name)).toEqual(["top ü.txt"]);
    expect((response as { prefixes?: string[] }).prefixes).toEqual(["a/"]);
    const [metadata] = await bucket.file("a/one.txt").getMetadata();
    expect(metadata).toMatchObject({ contentType: "text/plain", size: "3", metadata: { author: "Ada" } });
    expect(metadata.md5Hash).toBe(Buffer.from(md5("one"), "hex").toString("base64"));
    const [whole] = await bucket.file("a/b/two.bin").download();
    expect(md5(whole)).toBe(md5(big));
    const [part] = await bucket.file("a/b/two.bin").download({ start: 1000, end: 1999, validation: false });
    expect(md5(part)).toBe(md5(big.subarray(1000, 2000)));
    await expect(bucket.file("missing").getMetadata()).rejects.toMatchObject({ code: 404 });
    await expect(storage.bucket("no-bucket").getFiles()).rejects.toMatchObject({ code: 404 });
    const [buckets] = await storage.getBuckets();
    expect(buckets.map((bucket) => bucket.name)).toContain("checked");
    server.pageSize = 1000;
  });

  it("accepts the official client's V4 signed URLs, and refuses them altered or expired", async () => {
    server.createBucket("signed");
    server.put("signed", "dir/naïve name.txt", "signed content");
    const signer = new Storage({
      apiEndpoint: server.origin,
      projectId: "azcp-test",
      credentials: { client_email: account.json.client_email, private_key: account.json.private_key },
    });
    const [url] = await signer
      .bucket("signed")
      .file("dir/naïve name.txt")
      .getSignedUrl({ version: "v4", action: "read", expires: Date.now() + 600_000 });
    expect(new URL(url).origin).toBe(server.origin);
    const good = await fetch(url);
    expect(good.status).toBe(200);
    expect(await good.text()).toBe("signed content");
    const ranged = await fetch(url, { headers: { range: "bytes=7-13" } });
    expect([ranged.status, await ranged.text()]).toEqual([206, "content"]);
    const altered = await fetch(url.replace("X-Goog-Expires=", "X-Goog-Expires=1"));
    expect(altered.status).toBe(403);
    const [expired] = await signer
      .bucket("signed")
      .file("dir/naïve name.txt")
      .getSignedUrl({ version: "v4", action: "read", expires: Date.now() + 1000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await fetch(expired)).status).toBe(403);
  });
});
