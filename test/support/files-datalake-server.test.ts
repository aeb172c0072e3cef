// The Files/Data Lake test server must speak the protocol the official SDKs speak, and refuse
// what the real services refuse, or end-to-end tests against it prove nothing.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { ClientSecretCredential, type TokenCredential } from "@azure/identity";
import {
  DataLakeFileSystemClient,
  DataLakeServiceClient,
  newPipeline as newDataLakePipeline,
} from "@azure/storage-file-datalake";
import {
  AccountSASPermissions,
  FileSystemAttributes,
  generateAccountSASQueryParameters,
  newPipeline,
  type Pipeline,
  type RequestPolicyFactory,
  ShareClient,
  ShareServiceClient,
  StorageSharedKeyCredential,
} from "@azure/storage-file-share";
import { describe, expect, it } from "vitest";
import {
  createContainer,
  createFileSystem,
  createShare,
  dfsSas,
  emulator,
  fileSystemHashes,
  filesSas,
  md5,
  restServer,
  shareHashes,
  stack,
} from "./harness.js";

const MiB = 1024 * 1024;

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<RawResponse> {
  const ca = await readFile(stack().caCertPath);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.headers ?? {}, ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The SDK's error for a failing call: status, service code and the service's message. */
async function failure(
  call: Promise<unknown>,
): Promise<{ statusCode: number; code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    // The Files SDK keeps the parsed error body in `details`; the Data Lake SDK in the message.
    const { statusCode, code, message, details } = error as {
      statusCode: number;
      code: string;
      message: string;
      details?: { message?: string };
    };
    return { statusCode, code, message: details?.message ?? message };
  }
  throw new Error("expected the call to fail");
}

function credentialFor(clientId: string, secret: string): TokenCredential {
  const info = stack();
  return new ClientSecretCredential(info.tenantId, clientId, secret, {
    authorityHost: info.identityUrl,
    disableInstanceDiscovery: true,
  });
}

/** A service principal of the test's own, so that restricting its roles touches no other test. */
async function ownPrincipal() {
  const secret = `secret-${randomBytes(9).toString("base64url")}`;
  const app = await emulator.registerApp({ secrets: [secret], displayName: "conformance principal" });
  return { objectId: app.objectId, credential: credentialFor(app.clientId, secret) };
}

/**
 * ShareFileClient.rename and DataLakePathClient.move build the destination URL as
 * /<share or file system>/<path>, which on a path-style endpoint (https://127.0.0.1:PORT/<account>/...)
 * drops the account, and Data Lake's x-ms-rename-source from the source URL's path, which keeps
 * it. On the services' host-style URLs both come out as documented; this policy makes the requests
 * what they would be there, so that the server is held to the documented forms.
 */
function hostStyleRenames(): RequestPolicyFactory {
  const account = stack().accountName;
  return {
    create: (next) => ({
      sendRequest: (request) => {
        const url = new URL(request.url);
        if (url.pathname.split("/")[1] !== account) {
          url.pathname = `/${account}${url.pathname}`;
          request.url = url.toString();
        }
        const source = request.headers.get("x-ms-rename-source");
        if (source?.startsWith(`/${account}/`))
          request.headers.set("x-ms-rename-source", source.slice(account.length + 1));
        return next.sendRequest(request);
      },
    }),
  };
}

function renamingPipeline(credential?: TokenCredential): Pipeline {
  const pipeline = newPipeline(credential);
  pipeline.factories.push(hostStyleRenames());
  return pipeline;
}

function movingPipeline(): ReturnType<typeof newDataLakePipeline> {
  const pipeline = newDataLakePipeline();
  pipeline.factories.push(hostStyleRenames());
  return pipeline;
}

function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.signature`;
}

describe.concurrent("Files/Data Lake test server: Azure Files", () => {
  it("creates, lists, reads ranges of, updates and deletes what the SDK writes", async () => {
    const share = await createShare(undefined, { quotaGb: 7 });
    expect((await share.client.getProperties()).quota).toBe(7);
    expect((await failure(share.client.create())).code).toBe("ShareAlreadyExists");

    const dir = share.client.getDirectoryClient("dir");
    await dir.create();
    expect(await failure(dir.create())).toMatchObject({ statusCode: 409, code: "ResourceAlreadyExists" });
    expect(await failure(share.client.getDirectoryClient("no/such").create())).toMatchObject({
      statusCode: 404,
      code: "ParentNotFound",
    });

    const data = randomBytes(6 * MiB + 123);
    const file = dir.getFileClient("big.bin");
    await file.create(data.length, {
      fileHttpHeaders: { fileContentType: "application/x-test", fileCacheControl: "no-cache" },
      metadata: { origin: "conformance" },
      lastWriteTime: new Date("2001-02-03T04:05:06.789Z"),
    });
    expect((await file.getProperties()).fileLastWriteOn?.toISOString()).toBe("2001-02-03T04:05:06.789Z");
    // Writing a range moves the last-write time to now (x-ms-file-last-write-time defaults to now).
    await file.uploadRange(data.subarray(0, 4 * MiB), 0, 4 * MiB);
    await file.uploadRange(data.subarray(4 * MiB), 4 * MiB, data.length - 4 * MiB);
    await dir.getFileClient("a.txt").uploadData(Buffer.from("alpha"));
    await dir.getDirectoryClient("sub").create();

    const names: string[] = [];
    for await (const item of dir.listFilesAndDirectories({
      includeTimestamps: true,
      includeAttributes: true,
    }))
      names.push(`${item.kind}:${item.name}`);
    expect(names).toEqual(["file:a.txt", "file:big.bin", "directory:sub"]);
    const pages: number[] = [];
    for await (const page of dir.listFilesAndDirectories().byPage({ maxPageSize: 2 }))
      pages.push(page.segment.fileItems.length + page.segment.directoryItems.length);
    expect(pages).toEqual([2, 1]);

    const ranged = await file.download(5 * MiB, 100);
    expect(ranged.contentLength).toBe(100);
    expect(ranged.contentRange).toBe(`bytes ${5 * MiB}-${5 * MiB + 99}/${data.length}`);
    expect(await file.downloadToBuffer(4 * MiB - 10, 20)).toEqual(data.subarray(4 * MiB - 10, 4 * MiB + 10));
    expect(md5(await file.downloadToBuffer())).toBe(md5(data));

    const properties = await file.getProperties();
    expect(properties).toMatchObject({
      contentLength: data.length,
      contentType: "application/x-test",
      cacheControl: "no-cache",
      metadata: { origin: "conformance" },
    });
    expect(properties.fileLastWriteOn!.getTime()).toBeGreaterThan(Date.now() - 60_000);

    // Set File Properties clears the content headers it is not sent.
    await file.setHttpHeaders({ fileContentType: "text/plain" });
    const updated = await file.getProperties();
    expect(updated.contentType).toBe("text/plain");
    expect(updated.cacheControl).toBeUndefined();
    await file.setMetadata({ replaced: "yes" });
    expect((await file.getProperties()).metadata).toEqual({ replaced: "yes" });

    expect(await shareHashes(share, "dir")).toEqual({ "a.txt": md5("alpha"), "big.bin": md5(data) });
    expect(await failure(dir.delete())).toMatchObject({ statusCode: 409, code: "DirectoryNotEmpty" });
    await file.delete();
    expect(await failure(file.getProperties())).toMatchObject({ statusCode: 404 });
  });

  it("refuses a range over 4 MiB, a range past the end, and a body that does not match the range", async () => {
    const share = await createShare();
    const file = share.client.getDirectoryClient("").getFileClient("f.bin");
    await file.create(5 * MiB);
    const url = `${share.url}/f.bin?comp=range&${filesSas()}`;
    const tooBig = await raw(url, {
      method: "PUT",
      headers: { "x-ms-version": "2025-11-05", "x-ms-write": "update", "x-ms-range": `bytes=0-${4 * MiB}` },
      body: Buffer.alloc(4 * MiB + 1),
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers["x-ms-error-code"]).toBe("RequestBodyTooLarge");
    expect(tooBig.text).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?><Error><Code>RequestBodyTooLarge<\/Code><Message>.*\nRequestId:[0-9a-f-]+\nTime:\d{4}-\d\d-\d\dT[\d:.]+Z<\/Message>/s,
    );
    expect(await failure(file.uploadRange(Buffer.alloc(10), 5 * MiB - 5, 10))).toMatchObject({
      statusCode: 416,
      code: "InvalidRange",
    });
    const mismatched = await raw(url, {
      method: "PUT",
      headers: { "x-ms-version": "2025-11-05", "x-ms-write": "update", "x-ms-range": "bytes=0-9" },
      body: Buffer.alloc(5),
    });
    expect(mismatched.status).toBe(400);
    expect(mismatched.headers["x-ms-error-code"]).toBe("InvalidHeaderValue");
  });

  it("copies ranges from a Blob (SAS) and from a Files source read with a token and the backup intent", async () => {
    const info = stack();
    const container = await createContainer();
    const data = randomBytes(300_000);
    await container.upload("source.bin", data);
    const share = await createShare();
    const target = share.client.getDirectoryClient("").getFileClient("copy.bin");
    await target.create(data.length);
    const since = await restServer.lastSeq();
    const blobSource = container.sasUrl("r").replace("?", "/source.bin?");
    await target.uploadRangeFromURL(blobSource, 0, 0, 200_000);
    await target.uploadRangeFromURL(blobSource, 200_000, 200_000, 100_000);
    expect(md5(await target.downloadToBuffer())).toBe(md5(data));

    const credential = credentialFor(info.spn.clientId, info.spn.secret);
    const token = (await credential.getToken("https://storage.azure.com/.default"))!.token;
    const second = share.client.getDirectoryClient("").getFileClient("second.bin");
    await second.create(data.length);
    await second.uploadRangeFromURL(`${share.url}/copy.bin`, 0, 0, data.length, {
      sourceAuthorization: { scheme: "Bearer", value: token },
    });
    expect(md5(await second.downloadToBuffer())).toBe(md5(data));

    // Other test files use the shared server at the same time: look at this test's requests only.
    const log = (await restServer.requests(since)).filter(
      (entry) => entry.path.includes(`/${share.name}/`) || entry.path.includes(`/${container.name}/`),
    );
    expect(log.filter((entry) => entry.copySource).map((entry) => entry.copySource)).toEqual([
      { url: `${info.blobEndpoint}/${container.name}/source.bin`, authorization: "sas" },
      { url: `${info.blobEndpoint}/${container.name}/source.bin`, authorization: "sas" },
      { url: `${share.url}/copy.bin`, authorization: "bearer" },
    ]);
    // The server's own read of the Files source carried the token and the backup intent.
    expect(log.find((entry) => entry.auth === "bearer" && entry.path.endsWith("/copy.bin"))).toMatchObject({
      method: "GET",
      intent: "backup",
      status: 206,
    });
    expect(JSON.stringify(log)).not.toContain(token);

    const missing = await raw(`${share.url}/copy.bin?comp=range&${filesSas()}`, {
      method: "PUT",
      headers: {
        "x-ms-version": "2025-11-05",
        "x-ms-write": "update",
        "x-ms-range": "bytes=0-9",
        "x-ms-source-range": "bytes=0-9",
        "x-ms-copy-source": container.sasUrl("r").replace("?", "/nothing.bin?"),
      },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers).toMatchObject({
      "x-ms-error-code": "CannotVerifyCopySource",
      "x-ms-copy-source-status-code": "404",
      "x-ms-copy-source-error-code": "BlobNotFound",
    });
  });

  it("lists shares, and Data Lake file systems both as the dfs and as the Blob endpoint answers", async () => {
    const info = stack();
    const share = await createShare(undefined, { quotaGb: 3 });
    const shares = [];
    for await (const item of new ShareServiceClient(`${info.filesEndpoint}?${filesSas()}`).listShares({
      prefix: share.name,
    }))
      shares.push([item.name, item.properties.quota]);
    expect(shares).toEqual([[share.name, 3]]);

    const fileSystem = await createFileSystem();
    const names = [];
    for await (const item of new DataLakeServiceClient(`${info.dfsEndpoint}?${dfsSas()}`).listFileSystems({
      prefix: fileSystem.name,
    }))
      names.push(item.name);
    expect(names).toEqual([fileSystem.name]);
    const dfs = await raw(`${info.dfsEndpoint}?resource=account&prefix=${fileSystem.name}&${dfsSas()}`, {
      headers: { "x-ms-version": "2025-11-05" },
    });
    expect(JSON.parse(dfs.text)).toEqual({
      filesystems: [
        { name: fileSystem.name, lastModified: expect.any(String), etag: expect.stringMatching(/^0x8D/) },
      ],
    });
  });

  it("serves a token with the backup intent, and refuses one without it as the service does", async () => {
    const info = stack();
    const share = await createShare();
    const credential = credentialFor(info.spn.clientId, info.spn.secret);
    const withIntent = new ShareClient(share.url, credential, { fileRequestIntent: "backup" });
    await withIntent.getDirectoryClient("t").create();
    await withIntent.getDirectoryClient("t").getFileClient("x.txt").uploadData(Buffer.from("token"));
    expect(
      (await withIntent.getDirectoryClient("t").getFileClient("x.txt").downloadToBuffer()).toString(),
    ).toBe("token");

    const withoutIntent = new ShareClient(share.url, credential);
    expect(
      await failure(withoutIntent.getDirectoryClient("t").listFilesAndDirectories().next()),
    ).toMatchObject({
      statusCode: 400,
      code: "MissingRequiredHeader",
      message: expect.stringMatching(/^An HTTP header that's mandatory for this request is not specified\./),
    });
    const token = (await credential.getToken("https://storage.azure.com/.default"))!.token;
    const answer = await raw(`${share.url}/t?restype=directory&comp=list`, {
      headers: { authorization: `Bearer ${token}`, "x-ms-version": "2025-11-05" },
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("<HeaderName>x-ms-file-request-intent</HeaderName>");
  });

  it("refuses a bad signature, an expired SAS, another service's SAS, a missing permission or resource type", async () => {
    const share = await createShare();
    const sas = new URLSearchParams(filesSas());
    const withSas = (changes: Record<string, string>) => {
      const query = new URLSearchParams(sas);
      for (const [name, value] of Object.entries(changes)) query.set(name, value);
      return new ShareClient(`${share.url}?${query}`);
    };
    const forged = new URLSearchParams(sas);
    forged.set("sig", Buffer.alloc(32).toString("base64"));
    const badSignature = await raw(`${share.url}?restype=share&${forged}`);
    expect(badSignature.status).toBe(403);
    expect(badSignature.text).toContain("<AuthenticationErrorDetail>Signature did not match.");
    expect(await failure(withSas({ sp: "rl" }).getProperties())).toMatchObject({
      statusCode: 403,
      code: "AuthenticationFailed",
    });
    const past = new Date(Date.now() - 60_000);
    expect(await failure(new ShareClient(`${share.url}?${filesSas(past)}`).getProperties())).toMatchObject({
      statusCode: 403,
      code: "AuthenticationFailed",
    });
    const expired = await raw(`${share.url}?restype=share&${filesSas(past)}`);
    expect(expired.text).toContain(
      "<AuthenticationErrorDetail>Signature not valid in the specified time frame",
    );
    expect(await failure(new ShareClient(`${share.url}?${dfsSas()}`).getProperties())).toMatchObject({
      statusCode: 403,
      code: "AuthorizationServiceMismatch",
    });
    const info = stack();
    const key = new StorageSharedKeyCredential(info.accountName, info.accountKey);
    const expiresOn = new Date(Date.now() + 600_000);
    const readOnly = generateAccountSASQueryParameters(
      { services: "f", resourceTypes: "sco", permissions: AccountSASPermissions.parse("rl"), expiresOn },
      key,
    ).toString();
    expect(
      await failure(new ShareClient(`${share.url}?${readOnly}`).getDirectoryClient("d").create()),
    ).toMatchObject({ statusCode: 403, code: "AuthorizationPermissionMismatch" });
    const objectsOnly = generateAccountSASQueryParameters(
      { services: "f", resourceTypes: "o", permissions: AccountSASPermissions.parse("rwdlc"), expiresOn },
      key,
    ).toString();
    const listing = new ShareClient(`${share.url}?${objectsOnly}`)
      .getDirectoryClient("")
      .listFilesAndDirectories();
    expect(await failure(listing.next())).toMatchObject({
      statusCode: 403,
      code: "AuthorizationResourceTypeMismatch",
    });
    expect(await failure(new ShareClient(share.url).getProperties())).toMatchObject({
      statusCode: 401,
      code: "NoAuthenticationInformation",
    });
  });

  it("answers an expired or foreign token with 401 and the challenge", async () => {
    const share = await createShare();
    const now = Math.floor(Date.now() / 1000);
    const base = {
      iss: "https://sts.windows.net/t/",
      aud: "https://storage.azure.com",
      iat: now - 600,
      nbf: now - 600,
    };
    const call = (claims: Record<string, unknown>) =>
      raw(`${share.url}?restype=share`, {
        headers: {
          authorization: `Bearer ${unsignedToken({ ...base, ...claims })}`,
          "x-ms-file-request-intent": "backup",
          "x-ms-version": "2025-11-05",
        },
      });
    const expired = await call({ exp: now - 60 });
    expect(expired.status).toBe(401);
    expect(expired.headers["x-ms-error-code"]).toBe("InvalidAuthenticationInfo");
    expect(expired.text).toContain(
      "<AuthenticationErrorDetail>Lifetime validation failed. The token is expired.",
    );
    expect(expired.headers["www-authenticate"]).toBe(
      `Bearer authorization_uri=https://login.microsoftonline.com/${stack().tenantId}/oauth2/authorize resource_id=https://storage.azure.com`,
    );
    expect((await call({ exp: now + 600, iss: "https://login.microsoftonline.com/t/v2.0" })).text).toContain(
      "Issuer validation failed",
    );
    expect((await call({ exp: now + 600, aud: "https://management.azure.com" })).text).toContain(
      "Audience validation failed",
    );
    expect((await call({ exp: now + 600 })).status).toBe(200);
  });

  it("denies a principal what its Files role does not grant", async () => {
    const share = await createShare();
    await share.client.getDirectoryClient("").getFileClient("r.txt").uploadData(Buffer.from("readable"));
    const { objectId, credential } = await ownPrincipal();
    const client = new ShareClient(share.url, credential, { fileRequestIntent: "backup" });
    await restServer.setRoles(objectId, ["Storage File Data Privileged Reader"]);
    expect((await client.getDirectoryClient("").getFileClient("r.txt").downloadToBuffer()).toString()).toBe(
      "readable",
    );
    expect(await failure(client.getDirectoryClient("").getFileClient("w.txt").create(1))).toMatchObject({
      statusCode: 403,
      code: "AuthorizationPermissionMismatch",
      message: expect.stringMatching(
        /^This request is not authorized to perform this operation using this permission\./,
      ),
    });
    await restServer.setRoles(objectId, null);
    await client.getDirectoryClient("").getFileClient("w.txt").create(1);
    const denied = (await restServer.requests()).filter(
      (entry) => entry.principal === objectId && entry.errorCode === "AuthorizationPermissionMismatch",
    );
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      service: "file",
      method: "PUT",
      auth: "bearer",
      intent: "backup",
      status: 403,
    });
  });
});

describe.concurrent("Files/Data Lake test server: Azure Files rename", () => {
  it("renames a file as the SDK asks, keeping its bytes and properties, and replaces only when told to", async () => {
    const info = stack();
    const share = await createShare();
    const client = new ShareClient(share.sasUrl, renamingPipeline());
    await client.getDirectoryClient("d").create();
    const data = randomBytes(300_000);
    const temp = client.getDirectoryClient("d").getFileClient(".final.bin.azcp-tmp");
    await temp.create(data.length, { metadata: { origin: "rename" } });
    await temp.uploadRange(data, 0, data.length);
    await temp.setProperties({
      fileHttpHeaders: {
        fileContentType: "application/x-test",
        fileContentMD5: Buffer.from(md5(data), "hex"),
      },
      fileAttributes: FileSystemAttributes.parse("Hidden | Archive"),
      creationTime: new Date("2000-01-02T03:04:05.678Z"),
      lastWriteTime: new Date("2001-02-03T04:05:06.789Z"),
    });
    const before = await temp.getProperties();
    const since = await restServer.lastSeq();

    const { destinationFileClient } = await temp.rename("d/final.bin");
    expect(md5(await destinationFileClient.downloadToBuffer())).toBe(md5(data));
    const final = client.getDirectoryClient("d").getFileClient("final.bin");
    const after = await final.getProperties();
    expect(after).toMatchObject({
      contentLength: data.length,
      contentType: "application/x-test",
      metadata: { origin: "rename" },
      fileId: before.fileId,
      fileParentId: before.fileParentId,
      fileAttributes: before.fileAttributes,
    });
    expect(after.fileAttributes).toContain("Hidden");
    expect(Buffer.from(after.contentMD5!).toString("hex")).toBe(md5(data));
    expect(after.fileCreatedOn?.toISOString()).toBe("2000-01-02T03:04:05.678Z");
    expect(after.fileLastWriteOn?.toISOString()).toBe("2001-02-03T04:05:06.789Z");
    expect(await failure(temp.getProperties())).toMatchObject({ statusCode: 404 });

    // An existing destination is kept unless replaceIfExists is true.
    const other = client.getDirectoryClient("d").getFileClient("other.bin");
    await other.uploadData(Buffer.from("second"));
    expect(await failure(other.rename("d/final.bin"))).toMatchObject({
      statusCode: 409,
      code: "ResourceAlreadyExists",
    });
    expect(await failure(other.rename("d/final.bin", { replaceIfExists: false }))).toMatchObject({
      statusCode: 409,
      code: "ResourceAlreadyExists",
    });
    expect(await shareHashes(share, "d")).toEqual({ "final.bin": md5(data), "other.bin": md5("second") });
    await other.rename("d/final.bin", { replaceIfExists: true });
    expect(await shareHashes(share, "d")).toEqual({ "final.bin": md5("second") });

    // A read-only destination needs ignoreReadOnly too; a directory is never a destination.
    const third = client.getDirectoryClient("d").getFileClient("third.bin");
    await third.uploadData(Buffer.from("third"));
    await final.setProperties({ fileAttributes: FileSystemAttributes.parse("ReadOnly") });
    expect(await failure(third.rename("d/final.bin", { replaceIfExists: true }))).toMatchObject({
      statusCode: 409,
      code: "ReadOnlyAttribute",
    });
    await third.rename("d/final.bin", { replaceIfExists: true, ignoreReadOnly: true });
    expect(await shareHashes(share, "d")).toEqual({ "final.bin": md5("third") });
    const fourth = client.getDirectoryClient("").getFileClient("fourth.bin");
    await fourth.uploadData(Buffer.from("4"));
    expect(await failure(fourth.rename("d", { replaceIfExists: true }))).toMatchObject({
      statusCode: 409,
      code: "ResourceTypeMismatch",
    });
    expect(await failure(fourth.rename("no/such/parent.bin"))).toMatchObject({
      statusCode: 404,
      code: "ParentNotFound",
    });
    expect(await failure(other.rename("d/gone.bin"))).toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });

    const log = (await restServer.requests(since)).filter(
      (entry) =>
        entry.query.comp === "rename" && entry.path.startsWith(`/${info.accountName}/${share.name}/`),
    );
    expect(log[0]).toMatchObject({
      service: "file",
      method: "PUT",
      path: `/${info.accountName}/${share.name}/d/final.bin`,
      renameSource: `/${info.accountName}/${share.name}/d/.final.bin.azcp-tmp`,
      auth: "sas",
      status: 200,
    });
    expect(log.map((entry) => entry.errorCode ?? entry.status)).toEqual([
      200,
      "ResourceAlreadyExists",
      "ResourceAlreadyExists",
      200,
      "ReadOnlyAttribute",
      200,
      "ResourceTypeMismatch",
      "ParentNotFound",
      "ResourceNotFound",
    ]);
    const signature = new URLSearchParams(filesSas()).get("sig")!;
    expect(JSON.stringify(log)).not.toContain(signature);
  });

  it("takes the source as a full URL, wants the source's SAS with a SAS, and checks a token's role", async () => {
    const share = await createShare();
    const file = (name: string) => share.client.getDirectoryClient("").getFileClient(name);
    await file("a.bin").uploadData(Buffer.from("alpha"));
    const rename = (to: string, source: string, headers: Record<string, string> = {}) =>
      raw(`${share.url}/${to}?comp=rename&${filesSas()}`, {
        method: "PUT",
        headers: { "x-ms-version": "2025-11-05", "x-ms-file-rename-source": source, ...headers },
      });
    const bare = await rename("b.bin", `${share.url}/a.bin`);
    expect(bare.status).toBe(403);
    expect(bare.headers["x-ms-error-code"]).toBe("AuthorizationPermissionMismatch");
    const notUrl = await rename("b.bin", `/${share.name}/a.bin?${filesSas()}`);
    expect(notUrl.status).toBe(400);
    expect(notUrl.text).toContain("<HeaderName>x-ms-file-rename-source</HeaderName>");
    const renamed = await rename("b%20c.bin", `${share.url}/a.bin?${filesSas()}`, {
      "x-ms-file-rename-replace-if-exists": "false",
    });
    expect(renamed.status).toBe(200);
    expect(renamed.headers).toMatchObject({
      etag: expect.stringMatching(/^"0x8D/),
      "x-ms-file-id": expect.any(String),
      "x-ms-file-parent-id": "0",
      "x-ms-file-attributes": "Archive",
      "x-ms-request-server-encrypted": "true",
    });
    expect(await shareHashes(share)).toEqual({ "b c.bin": md5("alpha") });

    const { objectId, credential } = await ownPrincipal();
    const asPrincipal = new ShareClient(share.url, renamingPipeline(credential), {
      fileRequestIntent: "backup",
    });
    await restServer.setRoles(objectId, ["Storage File Data Privileged Reader"]);
    const source = asPrincipal.getDirectoryClient("").getFileClient("b c.bin");
    expect(await failure(source.rename("d.bin"))).toMatchObject({
      statusCode: 403,
      code: "AuthorizationPermissionMismatch",
    });
    await restServer.setRoles(objectId, ["Storage File Data Privileged Contributor"]);
    await source.rename("d.bin");
    expect(await shareHashes(share)).toEqual({ "d.bin": md5("alpha") });
    await restServer.setRoles(objectId, null);
  });
});

describe.concurrent("Files/Data Lake test server: Data Lake Storage", () => {
  it("creates, appends, flushes, lists, reads and deletes recursively what the SDK writes", async () => {
    const fileSystem = await createFileSystem();
    expect(await failure(fileSystem.client.create())).toMatchObject({ statusCode: 409 });
    const again = await raw(`${fileSystem.url}?resource=filesystem&${dfsSas()}`, {
      method: "PUT",
      headers: { "x-ms-version": "2025-11-05" },
    });
    expect(again.status).toBe(409);
    expect(JSON.parse(again.text)).toEqual({
      error: {
        code: "FilesystemAlreadyExists",
        message: expect.stringMatching(/^The specified filesystem already exists\.\nRequestId:/),
      },
    });

    const data = randomBytes(3 * MiB + 5);
    const file = fileSystem.client.getFileClient("dir/sub/file.bin");
    await file.upload(data, {
      chunkSize: MiB,
      maxConcurrency: 4,
      pathHttpHeaders: { contentType: "application/x-test" },
      metadata: { origin: "conformance" },
    });
    await fileSystem.client.getFileClient("dir/top.txt").upload(Buffer.from("top"));
    expect(md5(await file.readToBuffer())).toBe(md5(data));
    const ranged = await file.read(MiB - 3, 10);
    expect(ranged.contentLength).toBe(10);
    expect(ranged.contentRange).toBe(`bytes ${MiB - 3}-${MiB + 6}/${data.length}`);
    expect(await file.getProperties()).toMatchObject({
      contentLength: data.length,
      contentType: "application/x-test",
      metadata: { origin: "conformance" },
    });

    const listed: string[] = [];
    for await (const path of fileSystem.client.listPaths({ recursive: true }))
      listed.push(`${path.isDirectory ? "d" : "f"}:${path.name}:${path.contentLength}`);
    expect(listed).toEqual([
      "d:dir:0",
      "d:dir/sub:0",
      `f:dir/sub/file.bin:${data.length}`,
      "f:dir/top.txt:3",
    ]);
    const top: string[] = [];
    for await (const path of fileSystem.client.listPaths({ path: "dir" })) top.push(path.name!);
    expect(top).toEqual(["dir/sub", "dir/top.txt"]);
    let pages = 0;
    for await (const _page of fileSystem.client.listPaths({ recursive: true }).byPage({ maxPageSize: 1 }))
      pages++;
    expect(pages).toBe(4);
    expect(await failure(fileSystem.client.listPaths({ path: "nothing" }).next())).toMatchObject({
      statusCode: 404,
      code: "PathNotFound",
    });
    expect(await fileSystemHashes(fileSystem, "dir")).toEqual({
      "sub/file.bin": md5(data),
      "top.txt": md5("top"),
    });

    const directory = fileSystem.client.getDirectoryClient("dir");
    expect(await failure(directory.delete(false))).toMatchObject({
      statusCode: 409,
      code: "DirectoryNotEmpty",
    });
    await directory.delete(true);
    expect(await fileSystemHashes(fileSystem)).toEqual({});
    expect(await failure(directory.delete(true))).toMatchObject({ statusCode: 404, code: "PathNotFound" });
  });

  it("flushes exactly the appended data: out of order is fine, a gap or a wrong position is not", async () => {
    const fileSystem = await createFileSystem();
    const file = fileSystem.client.getFileClient("f.bin");
    await file.create();
    await file.append(Buffer.from("world"), 5, 5);
    await file.append(Buffer.from("hello"), 0, 5);
    expect(await failure(file.flush(7))).toMatchObject({ statusCode: 400, code: "InvalidFlushPosition" });
    await file.flush(10);
    await file.append(Buffer.from("!!"), 12, 2);
    expect(await failure(file.flush(14))).toMatchObject({ statusCode: 400, code: "InvalidFlushPosition" });
    expect(await failure(file.append(Buffer.from("x"), 3, 1))).toMatchObject({
      statusCode: 400,
      code: "InvalidFlushPosition",
    });
    await file.append(Buffer.from("__"), 10, 2);
    await file.append(Buffer.from("!!"), 12, 2);
    await file.flush(14);
    expect((await file.readToBuffer()).toString()).toBe("helloworld__!!");
  });

  it("sets and returns ACLs, and lets an ACL stand in for a missing role", async () => {
    const fileSystem = await createFileSystem();
    await fileSystem.client.getDirectoryClient("drop").create();
    const { objectId, credential } = await ownPrincipal();
    const asPrincipal = new DataLakeFileSystemClient(fileSystem.url, credential);
    await restServer.setRoles(objectId, ["Storage Blob Data Reader"]);
    const target = asPrincipal.getFileClient("drop/a.txt");
    expect(await failure(target.upload(Buffer.from("alpha")))).toMatchObject({
      statusCode: 403,
      code: "AuthorizationPermissionMismatch",
      message: expect.stringMatching(
        /^This request is not authorized to perform this operation using this permission\./,
      ),
    });

    const acl = (text: string) =>
      text.split(",").map((entry) => {
        const [type, id, perms] = entry.split(":") as [string, string, string];
        return {
          accessControlType: type as "user" | "group" | "mask" | "other",
          entityId: id,
          defaultScope: false,
          permissions: { read: perms[0] === "r", write: perms[1] === "w", execute: perms[2] === "x" },
        };
      });
    await fileSystem.client
      .getDirectoryClient("/")
      .setAccessControl(acl(`user::rwx,group::r-x,other::---,user:${objectId}:--x`));
    // Write without execute on the parent is not enough.
    await fileSystem.client
      .getDirectoryClient("drop")
      .setAccessControl(acl(`user::rwx,group::r-x,other::---,user:${objectId}:-w-`));
    expect(await failure(target.upload(Buffer.from("alpha")))).toMatchObject({ statusCode: 403 });
    await fileSystem.client
      .getDirectoryClient("drop")
      .setAccessControl(acl(`user::rwx,group::r-x,other::---,user:${objectId}:-wx`));
    await target.upload(Buffer.from("alpha"));
    expect((await target.readToBuffer()).toString()).toBe("alpha");

    const control = await fileSystem.client.getDirectoryClient("drop").getAccessControl();
    expect(control).toMatchObject({ owner: "$superuser", group: "$superuser" });
    expect(control.permissions).toMatchObject({
      owner: { read: true, write: true, execute: true },
      extendedAcls: true,
    });
    expect(control.acl.map((entry) => `${entry.accessControlType}:${entry.entityId}`)).toEqual([
      "user:",
      `user:${objectId}`,
      "group:",
      "other:",
    ]);
    const created = await fileSystem.client.getFileClient("drop/a.txt").getAccessControl();
    expect(created).toMatchObject({ owner: objectId, group: "$superuser" });
    expect(created.permissions?.group).toEqual({ read: true, write: false, execute: false });

    // A principal that owns nothing cannot change an ACL without the owner role.
    expect(
      await failure(
        asPrincipal.getDirectoryClient("drop").setAccessControl(acl("user::rwx,group::rwx,other::rwx")),
      ),
    ).toMatchObject({ statusCode: 403, code: "AuthorizationPermissionMismatch" });
    await restServer.setRoles(objectId, null);
  });

  it("logs every request without signatures or tokens", async () => {
    const info = stack();
    const since = await restServer.lastSeq();
    const fileSystem = await createFileSystem();
    const credential = credentialFor(info.spn.clientId, info.spn.secret);
    await new DataLakeFileSystemClient(fileSystem.url, credential)
      .getFileClient("t.txt")
      .upload(Buffer.from("t"));
    const token = (await credential.getToken("https://storage.azure.com/.default"))!.token;
    const signature = new URLSearchParams(fileSystem.sasUrl.split("?")[1]).get("sig")!;
    const log = (await restServer.requests(since)).filter((entry) =>
      entry.path.includes(`/${fileSystem.name}`),
    );
    expect(log.map((entry) => [entry.service, entry.method, entry.auth, entry.status])).toEqual([
      ["dfs", "PUT", "sas", 201],
      ["dfs", "PUT", "bearer", 201],
      ["dfs", "PATCH", "bearer", 202],
      ["dfs", "PATCH", "bearer", 200],
    ]);
    expect(log[0]!.query).not.toHaveProperty("sig");
    expect(log[1]!.principal).toBe(info.spn.objectId);
    const text = JSON.stringify(log);
    expect(text).not.toContain(token);
    expect(text).not.toContain(signature);
    expect(text).not.toContain(encodeURIComponent(signature));
  });
});

describe.concurrent("Files/Data Lake test server: Data Lake rename", () => {
  it("moves a file as the SDK asks, keeping its bytes, properties and ACL, and refuses an existing destination with If-None-Match: *", async () => {
    const info = stack();
    const fileSystem = await createFileSystem();
    const client = new DataLakeFileSystemClient(fileSystem.sasUrl, movingPipeline());
    const data = randomBytes(3 * MiB + 5);
    const temp = client.getFileClient("dir/.final.bin.azcp-tmp");
    await temp.upload(data, {
      chunkSize: MiB,
      pathHttpHeaders: { contentType: "application/x-test", contentMD5: Buffer.from(md5(data), "hex") },
      metadata: { origin: "move" },
    });
    await temp.setPermissions({
      owner: { read: true, write: true, execute: false },
      group: { read: true, write: false, execute: false },
      other: { read: false, write: false, execute: false },
      stickyBit: false,
      extendedAcls: false,
    });
    const before = await temp.getAccessControl();
    const since = await restServer.lastSeq();

    await temp.move("dir/final.bin");
    const final = client.getFileClient("dir/final.bin");
    expect(md5(await final.readToBuffer())).toBe(md5(data));
    const properties = await final.getProperties();
    expect(properties).toMatchObject({
      contentLength: data.length,
      contentType: "application/x-test",
      metadata: { origin: "move" },
    });
    expect(Buffer.from(properties.contentMD5!).toString("hex")).toBe(md5(data));
    const after = await final.getAccessControl();
    expect({ owner: after.owner, group: after.group, permissions: after.permissions }).toEqual({
      owner: before.owner,
      group: before.group,
      permissions: before.permissions,
    });
    expect(await failure(temp.getProperties())).toMatchObject({ statusCode: 404 });

    // If-None-Match: * refuses an existing destination; without it the destination is replaced.
    const other = client.getFileClient("dir/other.txt");
    await other.upload(Buffer.from("second"));
    expect(
      await failure(other.move("dir/final.bin", { destinationConditions: { ifNoneMatch: "*" } })),
    ).toMatchObject({ statusCode: 409, code: "PathAlreadyExists" });
    expect(await fileSystemHashes(fileSystem, "dir")).toEqual({
      "final.bin": md5(data),
      "other.txt": md5("second"),
    });
    await other.move("dir/final.bin");
    expect(await fileSystemHashes(fileSystem, "dir")).toEqual({ "final.bin": md5("second") });

    expect(await failure(other.move("dir/again.txt"))).toMatchObject({
      statusCode: 404,
      code: "SourcePathNotFound",
    });
    // A rename does not make the destination's parent (Create File does).
    expect(await failure(final.move("elsewhere/final.bin"))).toMatchObject({
      statusCode: 404,
      code: "RenameDestinationParentPathNotFound",
    });
    expect(await failure(final.move("dir"))).toMatchObject({
      statusCode: 409,
      code: "InvalidSourceOrDestinationResourceType",
    });

    const log = (await restServer.requests(since)).filter(
      (entry) =>
        entry.renameSource !== undefined && entry.path.startsWith(`/${info.accountName}/${fileSystem.name}/`),
    );
    expect(log[0]).toMatchObject({
      service: "dfs",
      method: "PUT",
      path: `/${info.accountName}/${fileSystem.name}/dir/final.bin`,
      query: { mode: "legacy" },
      renameSource: `/${info.accountName}/${fileSystem.name}/dir/.final.bin.azcp-tmp`,
      auth: "sas",
      status: 201,
    });
    expect(log.map((entry) => entry.errorCode ?? entry.status)).toEqual([
      201,
      "PathAlreadyExists",
      201,
      "SourcePathNotFound",
      "RenameDestinationParentPathNotFound",
      "InvalidSourceOrDestinationResourceType",
    ]);
    const signature = new URLSearchParams(dfsSas()).get("sig")!;
    expect(JSON.stringify(log)).not.toContain(signature);
    expect(JSON.stringify(log)).not.toContain(encodeURIComponent(signature));
  });

  it("takes x-ms-rename-source as /<file system>/<path>, percent-encoded, with the source's SAS", async () => {
    const fileSystem = await createFileSystem();
    await fileSystem.client.getFileClient("src dir/a b.txt").upload(Buffer.from("alpha"));
    const rename = (to: string, source: string, headers: Record<string, string> = {}) =>
      raw(`${fileSystem.url}/${to}?${dfsSas()}`, {
        method: "PUT",
        headers: { "x-ms-version": "2025-11-05", "x-ms-rename-source": source, ...headers },
      });
    const encoded = `/${fileSystem.name}/src%20dir/a%20b.txt`;
    const bare = await rename("b.txt", encoded);
    expect(bare.status).toBe(403);
    expect(JSON.parse(bare.text).error.code).toBe("AuthorizationPermissionMismatch");
    // The account is not part of the source, even on a path-style endpoint.
    const withAccount = await rename("b.txt", `/${stack().accountName}${encoded}?${dfsSas()}`);
    expect(withAccount.status).toBe(404);
    expect(JSON.parse(withAccount.text).error.code).toBe("FilesystemNotFound");
    const renamed = await rename("b%20c.txt", `${encoded}?${dfsSas()}`);
    expect(renamed.status).toBe(201);
    expect(renamed.headers).toMatchObject({ etag: expect.stringMatching(/^"0x8D/), "content-length": "0" });
    expect(await fileSystemHashes(fileSystem)).toEqual({ "b c.txt": md5("alpha") });
    const sideways = await raw(`${fileSystem.url}/c.txt?mode=sideways&${dfsSas()}`, {
      method: "PUT",
      headers: {
        "x-ms-version": "2025-11-05",
        "x-ms-rename-source": `/${fileSystem.name}/b%20c.txt?${dfsSas()}`,
      },
    });
    expect(sideways.status).toBe(400);
    expect(JSON.parse(sideways.text).error.code).toBe("InvalidQueryParameterValue");
  });

  it("deletes a directory recursively with paginated=true in one call, answering no continuation", async () => {
    const fileSystem = await createFileSystem();
    for (const name of ["top/a.txt", "top/sub/b.txt", "top/sub/deeper/c.txt"])
      await fileSystem.client.getFileClient(name).upload(Buffer.from(name));
    const answer = await raw(`${fileSystem.url}/top?recursive=true&paginated=true&${dfsSas()}`, {
      method: "DELETE",
      headers: { "x-ms-version": "2025-11-05" },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["x-ms-continuation"]).toBeUndefined();
    expect(await fileSystemHashes(fileSystem)).toEqual({});
    await fileSystem.client.getFileClient("again/x.txt").upload(Buffer.from("x"));
    const resumed = await raw(
      `${fileSystem.url}/again?recursive=true&paginated=true&continuation=opaque&${dfsSas()}`,
      { method: "DELETE", headers: { "x-ms-version": "2025-11-05" } },
    );
    expect(resumed.status).toBe(200);
    const bad = await raw(`${fileSystem.url}/nothing?recursive=true&paginated=maybe&${dfsSas()}`, {
      method: "DELETE",
      headers: { "x-ms-version": "2025-11-05" },
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.code).toBe("InvalidQueryParameterValue");
  });
});
