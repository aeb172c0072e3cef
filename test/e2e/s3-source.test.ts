// Amazon S3 as a source (s3rver over HTTPS): trees copied and synced to Blob byte-exact, by the
// service itself from presigned URLs (the proxy's copy-from-URL shim) and through this machine;
// metadata and content headers as AzCopy carries them; bad keys, missing buckets and objects
// replaced mid-copy end with a clear error and nothing under a final name.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blobHashes,
  blobNames,
  createContainer,
  hashesOf,
  parseJsonLines,
  proxyInFrontOfAzurite,
  runAzcp,
  sharedKeyService,
  stack,
  type TestContainer,
  testHome,
  viaProxy,
} from "../support/harness.js";
import { copyWhileReplaced, REPLACED_CASES, replacedTitle } from "../support/replaced-mid-copy.js";
import { startS3, type TestS3 } from "../support/s3-server.js";
import { expectSparseCopiedByService, SPARSE_MARKS, SPARSE_SIZE } from "../support/sparse-copy.js";
import { serviceError } from "../support/storage-proxy.js";

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TREE: Record<string, Buffer> = {
  "top.txt": Buffer.from("top level\n"),
  "a/b/c/deep.bin": randomBytes(100_000),
  "dir ü/ñame with spaces.txt": Buffer.from("unicode and spaces\n"),
  "dir ü/日本語.md": Buffer.from("# 見出し\n"),
  "empty.bin": Buffer.alloc(0),
  "odd +%#?(1)*!'.txt": Buffer.from("characters a URL must encode"),
  "big/nine-mib.bin": randomBytes(9 * MIB + 17),
};

let s3: TestS3;
let uniqueBucket = 0;

async function bucketWith(files: Record<string, Buffer>): Promise<string> {
  const bucket = `bucket-${process.pid}-${uniqueBucket++}`;
  await s3.createBucket(bucket);
  for (const [key, body] of Object.entries(files)) await s3.put(bucket, key, body);
  return bucket;
}

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
});

describe.concurrent("Amazon S3 source", () => {
  it("copies a tree to Blob by the service itself from presigned URLs: nested prefixes, unicode, spaces, 0 bytes", async () => {
    const home = await testHome();
    const bucket = await bucketWith(TREE);
    // A folder marker, as the S3 console makes one: skipped, as AzCopy skips it.
    await s3.put(bucket, "made-in-console/", "");
    const proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
    try {
      const destination = await createContainer();
      const result = await runAzcp(
        [
          "copy",
          s3.url(bucket),
          viaProxy(proxy, destination),
          "--recursive",
          "--from-to",
          "S3Blob",
          "--block-size-mb",
          "4",
        ],
        home,
        { env: s3.env },
      );
      expect(result.code, result.all).toBe(0);
      // A whole bucket into a whole container arrives without the bucket's name, as with AzCopy.
      expect(await blobHashes(destination)).toEqual(hashesOf(TREE));
      const copies = proxy.log.filter((entry) => entry.copyFromUrl);
      // Every byte went from S3 to the service: one Put Blob From URL per small object, three
      // Put Block From URL for the 9 MiB one; no data passed through azcp.
      expect(copies.length).toBe(Object.keys(TREE).length - 1 + 3);
      expect(copies.every((entry) => entry.copyFromUrl!.source.startsWith(s3.origin))).toBe(true);
      // Each object copied in one piece had its bytes checked against its ETag (its MD5) by the
      // service, and the blob keeps that MD5; the 9 MiB one's blocks could not be.
      expect(copies.filter((entry) => entry.copyFromUrl!.md5Checked)).toHaveLength(
        Object.values(TREE).filter((data) => data.length > 0 && data.length < 4 * MIB).length,
      );
      const client = destination.service.getContainerClient(destination.name);
      const deep = await client.getBlobClient("a/b/c/deep.bin").getProperties();
      expect(Buffer.from(deep.contentMD5!).toString("hex")).toBe(hashesOf(TREE)["a/b/c/deep.bin"]);
      // What azcp itself sent was one block list (the 9 MiB object's blocks are committed once
      // its ETag is checked again), a few hundred bytes; a small object is one request.
      const sent = proxy.log.filter((entry) => entry.bytesIn > 0);
      expect(sent.length).toBe(1);
      expect(sent.every((entry) => entry.bytesIn < 1024)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it("an ETag that is not the object's MD5 (KMS) is not kept: the copy is redone unchecked", async () => {
    const home = await testHome();
    const bucket = await bucketWith({});
    const data = randomBytes(3000);
    await s3.putWithOpaqueEtag(bucket, "kms.bin", data);
    const proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
    try {
      const destination = await createContainer();
      const result = await runAzcp(
        ["copy", s3.url(bucket, "kms.bin"), viaProxy(proxy, destination), "--from-to", "S3Blob"],
        home,
        { env: s3.env },
      );
      expect(result.code, result.all).toBe(0);
      expect(await blobHashes(destination)).toEqual(hashesOf({ "kms.bin": data }));
      // The service refused the ETag as an MD5 once; the block went again without it.
      expect(proxy.log.filter((entry) => entry.status === 400)).toHaveLength(1);
      const properties = await destination.service
        .getContainerClient(destination.name)
        .getBlobClient("kms.bin")
        .getProperties();
      expect(properties.contentMD5).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it("copies through this machine where the destination cannot fetch from a URL (Azurite), with the same bytes", async () => {
    const home = await testHome();
    const bucket = await bucketWith(TREE);
    const destination = await createContainer();
    const result = await runAzcp(
      [
        "copy",
        s3.url(bucket),
        destination.sasUrl(),
        "--recursive",
        "--as-subdir=false",
        "--from-to",
        "S3Blob",
      ],
      home,
      { env: s3.env },
    );
    expect(result.code, result.all).toBe(0);
    expect(await blobHashes(destination)).toEqual(hashesOf(TREE));
  });

  it("carries content headers and metadata as AzCopy does; invalid keys are left out, or renamed on request", async () => {
    const home = await testHome();
    const bucket = `props-${process.pid}`;
    await s3.createBucket(bucket);
    await s3.put(bucket, "page.html", "<p>hi</p>", {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "max-age=60",
      "content-disposition": "inline",
      "content-language": "de",
      "content-encoding": "identity",
      "x-amz-meta-author": "Ada",
      "x-amz-meta-my-key": "hyphenated",
    });
    const destination = await createContainer();
    const excluded = await runAzcp(
      [
        "copy",
        s3.url(bucket, "page.html"),
        `${destination.url}/excluded.html?${destination.sasUrl().split("?")[1]}`,
        "--from-to",
        "S3Blob",
      ],
      home,
      { env: s3.env },
    );
    expect(excluded.code, excluded.all).toBe(0);
    const renamed = await runAzcp(
      [
        "copy",
        s3.url(bucket, "page.html"),
        `${destination.url}/renamed.html?${destination.sasUrl().split("?")[1]}`,
        "--from-to",
        "S3Blob",
        "--s2s-handle-invalid-metadata",
        "RenameIfInvalid",
      ],
      home,
      { env: s3.env },
    );
    expect(renamed.code, renamed.all).toBe(0);
    const client = destination.service.getContainerClient(destination.name);
    const first = await client.getBlobClient("excluded.html").getProperties();
    expect(first.contentType).toBe("text/html; charset=utf-8");
    expect(first.cacheControl).toBe("max-age=60");
    expect(first.contentDisposition).toBe("inline");
    expect(first.contentLanguage).toBe("de");
    expect(first.contentEncoding).toBe("identity");
    // Go's canonical header form, as AzCopy passes S3 metadata keys on; "My-Key" is not a valid name.
    expect(first.metadata).toEqual({ author: "Ada" });
    const second = await client.getBlobClient("renamed.html").getProperties();
    expect(second.metadata).toEqual({
      author: "Ada",
      rename_my_key: "hyphenated",
      rename_key_my_key: "My-Key",
    });
  });

  it("syncs a bucket to Blob: only what changed is copied again, and deletions follow with --delete-destination", async () => {
    const home = await testHome();
    const bucket = await bucketWith({
      "keep.txt": Buffer.from("keep"),
      "change.txt": Buffer.from("v1"),
      "gone.txt": Buffer.from("bye"),
    });
    const destination = await createContainer();
    const sync = () =>
      runAzcp(
        [
          "sync",
          s3.url(bucket),
          destination.sasUrl(),
          "--from-to",
          "S3Blob",
          "--delete-destination",
          "true",
          "--output-type",
          "json",
        ],
        home,
        { env: s3.env },
      );
    const first = await sync();
    expect(first.code, first.all).toBe(0);
    // S3 times are whole seconds: the change lands in a later second than the first copy.
    await sleep(1100);
    await s3.put(bucket, "change.txt", "v2, longer");
    await s3.remove(bucket, "gone.txt");
    const second = await sync();
    expect(second.code, second.all).toBe(0);
    const end = JSON.parse(
      parseJsonLines(second.stdout).find((line) => line.MessageType === "EndOfJob")!.MessageContent,
    );
    // One copy (the changed object, 10 bytes) and one deletion.
    expect([end.TotalBytesTransferred, end.DeleteTransfersCompleted]).toEqual(["10", "1"]);
    expect(await blobHashes(destination)).toEqual(
      hashesOf({ "keep.txt": "keep", "change.txt": "v2, longer" }),
    );
  });
});

describe.concurrent("Amazon S3 source into a destination authorized by Microsoft Entra ID", () => {
  it("copies with the signed-in identity, and a missing data role is named with the principal", async () => {
    const home = await testHome();
    const bucket = await bucketWith({ "a.txt": Buffer.from("a"), "b/c.txt": Buffer.from("c") });
    const proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
    try {
      const allowed = await createContainer();
      const denied = await createContainer();
      proxy.rules.push({
        methods: ["PUT"],
        path: `/${denied.name}(/|$)`,
        reply: serviceError(403, "AuthorizationPermissionMismatch"),
      });
      const copyTo = (container: TestContainer) =>
        runAzcp(
          [
            "copy",
            s3.url(bucket),
            `${proxy.origin}/${stack().accountName}/${container.name}`,
            "--recursive",
            "--as-subdir=false",
            "--from-to",
            "S3Blob",
            "--trusted-microsoft-suffixes",
            "127.0.0.1",
          ],
          home,
          { env: { ...s3.env, AZCOPY_AUTO_LOGIN_TYPE: "AZCLI" } },
        );
      const ok = await copyTo(allowed);
      expect(ok.code, ok.all).toBe(0);
      expect(await blobHashes(allowed)).toEqual(hashesOf({ "a.txt": "a", "b/c.txt": "c" }));
      expect(proxy.log.filter((entry) => entry.copyFromUrl).length).toBe(2);
      const refused = await copyTo(denied);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("alice@contoso.test");
      expect(refused.stderr).toContain("Storage Blob Data Contributor");
      expect(await blobNames(denied)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe("a copy of every bucket of an S3 service", () => {
  it("makes a container per bucket, named as AzCopy names them, with each bucket's objects", async () => {
    // A server of its own: the other tests' buckets change while they run.
    const own = await startS3();
    try {
      const home = await testHome();
      const buckets = {
        [`svc-${process.pid}-plain`]: "p",
        [`svc.${process.pid}.dots`]: "d",
        [`svc--${process.pid}`]: "r",
      };
      for (const [bucket, content] of Object.entries(buckets)) {
        await own.createBucket(bucket);
        await own.put(bucket, "dir/file.txt", content);
      }
      const copy = (extra: string[]) =>
        runAzcp(
          [
            "copy",
            `${own.origin}/`,
            stack().blobEndpoint,
            "--from-to",
            "S3Blob",
            "--trusted-microsoft-suffixes",
            "127.0.0.1",
            ...extra,
          ],
          home,
          { env: { ...own.env, AZCOPY_AUTO_LOGIN_TYPE: "AZCLI" } },
        );
      const notRecursive = await copy([]);
      expect(notRecursive.code).toBe(1);
      expect(notRecursive.all).toMatch(/--recursive/);
      const result = await copy(["--recursive"]);
      expect(result.code, result.all).toBe(0);
      const client = sharedKeyService();
      const landed: Record<string, Record<string, string>> = {};
      for (const container of [
        `svc-${process.pid}-plain`,
        `svc-${process.pid}-dots`,
        `svc-2-${process.pid}`,
      ]) {
        const files: Record<string, string> = {};
        for await (const blob of client.getContainerClient(container).listBlobsFlat())
          files[blob.name] = (
            await client.getContainerClient(container).getBlobClient(blob.name).downloadToBuffer()
          ).toString();
        landed[container] = files;
      }
      expect(landed).toEqual({
        [`svc-${process.pid}-plain`]: { "dir/file.txt": "p" },
        [`svc-${process.pid}-dots`]: { "dir/file.txt": "d" },
        [`svc-2-${process.pid}`]: { "dir/file.txt": "r" },
      });
    } finally {
      await own.close();
    }
  });
});

describe.concurrent("Amazon S3 source: failures", () => {
  it("a key ID S3 does not know ends with exit 1, a message that names it, and nothing copied", async () => {
    const home = await testHome();
    const bucket = await bucketWith({ "a.txt": Buffer.from("a") });
    const destination = await createContainer();
    const result = await runAzcp(
      ["copy", s3.url(bucket), destination.sasUrl(), "--recursive", "--from-to", "S3Blob"],
      home,
      {
        env: { AWS_ACCESS_KEY_ID: "AKIAWRONGWRONGWRONG", AWS_SECRET_ACCESS_KEY: "not-the-secret" },
      },
    );
    expect(result.code).toBe(1);
    expect(result.all).toMatch(/does not know the access key ID in AWS_ACCESS_KEY_ID/);
    expect(result.all).not.toContain("not-the-secret");
    expect(await blobNames(destination)).toEqual([]);
  });

  it("half a key is refused before anything is sent", async () => {
    const home = await testHome();
    const destination = await createContainer();
    const result = await runAzcp(
      ["copy", s3.url("any"), destination.sasUrl(), "--recursive", "--from-to", "S3Blob"],
      home,
      {
        env: { AWS_ACCESS_KEY_ID: "S3RVER" },
      },
    );
    expect(result.code).toBe(1);
    expect(result.all).toMatch(/AWS_SECRET_ACCESS_KEY is not set/);
  });

  it("a missing bucket is named", async () => {
    const home = await testHome();
    const destination = await createContainer();
    const result = await runAzcp(
      ["copy", s3.url("no-such-bucket"), destination.sasUrl(), "--recursive", "--from-to", "S3Blob"],
      home,
      { env: s3.env },
    );
    expect(result.code).toBe(1);
    expect(result.all).toMatch(/the bucket no-such-bucket does not exist/);
  });

  for (const kind of REPLACED_CASES) {
    it(replacedTitle(kind), async () => {
      const bucket = await bucketWith({ "data.bin": randomBytes(kind.size) });
      await copyWhileReplaced({
        case: kind,
        source: s3.url(bucket, "data.bin"),
        fromTo: "S3Blob",
        env: s3.env,
        replace: () => s3.put(bucket, "data.bin", randomBytes(kind.size)),
      });
    });
  }
});

describe("Amazon S3 source: a sparse object over 2 GiB", () => {
  it("is copied by the service byte-exact", { timeout: 240_000 }, async () => {
    const bucket = `sparse-${process.pid}`;
    await s3.createBucket(bucket);
    const sourceMd5 = await s3.putSparse(bucket, "disk.img", SPARSE_SIZE, SPARSE_MARKS);
    await expectSparseCopiedByService({
      source: s3.url(bucket, "disk.img"),
      fromTo: "S3Blob",
      env: s3.env,
      sourceMd5,
    });
  });
});
