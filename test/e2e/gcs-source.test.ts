// Google Cloud Storage as a source (the project's Cloud Storage test server over HTTPS, checked
// against @google-cloud/storage): a service account's key exchanged for tokens, trees copied and
// synced to Blob byte-exact by the service from V4 signed URLs and through this machine, and the
// failures a user meets (no key, a refused key, a missing bucket, an object replaced mid-copy).
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GcsTestServer, type ObjectOptions, type ServiceAccountKey } from "../support/gcs-server.js";
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
  testHome,
  viaProxy,
} from "../support/harness.js";
import { copyWhileReplaced, REPLACED_CASES, replacedTitle } from "../support/replaced-mid-copy.js";
import { expectSparseCopiedByService, SPARSE_MARKS, SPARSE_SIZE } from "../support/sparse-copy.js";

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TREE: Record<string, Buffer> = {
  "top.txt": Buffer.from("top level\n"),
  "a/b/c/deep.bin": randomBytes(70_000),
  "dir ü/ñame with spaces.txt": Buffer.from("unicode and spaces\n"),
  "empty.bin": Buffer.alloc(0),
  "odd +%#?(1)*!'.txt": Buffer.from("characters a URL must encode"),
  "big/nine-mib.bin": randomBytes(9 * MIB + 5),
};

/** A copy of a bucket (or of every bucket) into the stack's account, signed in with the Azure CLI login. */
const intoAccountArgs = (source: string) => [
  "copy",
  source,
  stack().blobEndpoint,
  "--recursive",
  "--from-to",
  "GCPBlob",
  "--trusted-microsoft-suffixes",
  "127.0.0.1",
];

let gcs: GcsTestServer;
let key: ServiceAccountKey;
let env: Record<string, string>;
let bucketCount = 0;

function bucketWith(files: Record<string, Buffer | string>, options: ObjectOptions = {}): string {
  const bucket = `gcs-bucket-${bucketCount++}`;
  gcs.createBucket(bucket);
  for (const [name, data] of Object.entries(files)) gcs.put(bucket, name, data, options);
  return bucket;
}

const url = (bucket: string, name?: string) =>
  `${gcs.origin}/${bucket}${name === undefined ? "" : `/${name.split("/").map(encodeURIComponent).join("/")}`}`;

beforeAll(async () => {
  const info = stack();
  gcs = new GcsTestServer({
    keyPem: await readFile(info.serverKeyPath, "utf8"),
    certPem: await readFile(info.serverCertPath, "utf8"),
  });
  await gcs.start();
  // Listings come two objects a page, so paging is always exercised.
  gcs.pageSize = 2;
  key = await gcs.createServiceAccount();
  env = { GOOGLE_APPLICATION_CREDENTIALS: key.path };
});
afterAll(async () => {
  await gcs?.close();
});

describe.concurrent("Google Cloud Storage source", () => {
  it("copies a tree to Blob by the service itself from V4 signed URLs", async () => {
    const home = await testHome();
    const bucket = bucketWith(TREE);
    gcs.put(bucket, "console-folder/", "");
    const proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
    try {
      const destination = await createContainer();
      const result = await runAzcp(
        [
          "copy",
          url(bucket),
          viaProxy(proxy, destination),
          "--recursive",
          "--as-subdir=false",
          "--from-to",
          "GCPBlob",
          "--block-size-mb",
          "4",
        ],
        home,
        { env },
      );
      expect(result.code, result.all).toBe(0);
      expect(await blobHashes(destination)).toEqual(hashesOf(TREE));
      const fetched = gcs.log.filter(
        (entry) => entry.auth === "signed-url" && entry.path.startsWith(`/${bucket}/`),
      );
      // One signed read per small object, three for the 9 MiB one's blocks; none refused.
      expect(fetched.length).toBe(Object.keys(TREE).length - 1 + 3);
      expect(fetched.every((entry) => entry.status === 200 || entry.status === 206)).toBe(true);
      expect(proxy.log.filter((entry) => entry.bytesIn > 1024)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("an object whose bytes do not match its MD5 fails, and nothing takes its name", async () => {
    const home = await testHome();
    const bucket = bucketWith({ "good.txt": "fine" });
    gcs.putDamaged(bucket, "damaged.bin", randomBytes(5000));
    const proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
    try {
      const destination = await createContainer();
      const result = await runAzcp(
        ["copy", url(bucket), viaProxy(proxy, destination), "--recursive", "--from-to", "GCPBlob"],
        home,
        { env },
      );
      expect(result.code, result.all).toBe(1);
      expect(result.all).toMatch(/damaged\.bin does not match its MD5/);
      expect(await blobNames(destination)).toEqual(["good.txt"]);
      const good = await destination.service
        .getContainerClient(destination.name)
        .getBlobClient("good.txt")
        .getProperties();
      expect(Buffer.from(good.contentMD5!).toString("hex")).toBe(hashesOf({ x: "fine" }).x);
    } finally {
      await proxy.close();
    }
  });

  it("copies through this machine where the destination cannot fetch from a URL, with the same bytes", async () => {
    const home = await testHome();
    const bucket = bucketWith(TREE);
    const destination = await createContainer();
    const result = await runAzcp(
      ["copy", url(bucket), destination.sasUrl(), "--recursive", "--from-to", "GCPBlob"],
      home,
      {
        env,
      },
    );
    expect(result.code, result.all).toBe(0);
    // A whole bucket into a whole container arrives without the bucket's name, as with AzCopy.
    expect(await blobHashes(destination)).toEqual(hashesOf(TREE));
  });

  it("carries content headers and metadata; invalid metadata keys follow --s2s-handle-invalid-metadata", async () => {
    const home = await testHome();
    const bucket = bucketWith(
      { "page.html": "<p>hi</p>" },
      {
        contentType: "text/html",
        cacheControl: "public, max-age=60",
        contentDisposition: "attachment",
        contentLanguage: "fr",
        metadata: { owner: "Grace", "bad-key": "x" },
      },
    );
    const destination = await createContainer();
    const result = await runAzcp(
      [
        "copy",
        url(bucket, "page.html"),
        `${destination.url}/page.html?${destination.sasUrl().split("?")[1]}`,
        "--from-to",
        "GCPBlob",
      ],
      home,
      { env },
    );
    expect(result.code, result.all).toBe(0);
    const properties = await destination.service
      .getContainerClient(destination.name)
      .getBlobClient("page.html")
      .getProperties();
    expect(properties).toMatchObject({
      contentType: "text/html",
      cacheControl: "public, max-age=60",
      contentDisposition: "attachment",
      contentLanguage: "fr",
      metadata: { owner: "Grace" },
    });
    // Cloud Storage's MD5 travels with the copy.
    expect(Buffer.from(properties.contentMD5!).toString("hex")).toBe(
      (await import("node:crypto")).createHash("md5").update("<p>hi</p>").digest("hex"),
    );
  });

  it("syncs a bucket: only what changed is copied again, and deletions follow with --delete-destination", async () => {
    const home = await testHome();
    const bucket = bucketWith({ "keep.txt": "keep", "change.txt": "v1", "gone.txt": "bye" });
    const destination = await createContainer();
    // Cloud Storage keeps milliseconds, a blob whole seconds: a blob written in the same second as
    // its object would look older and be copied again (as AzCopy would), so the first sync waits a second.
    await sleep(1100);
    const sync = () =>
      runAzcp(
        [
          "sync",
          url(bucket),
          destination.sasUrl(),
          "--from-to",
          "GCPBlob",
          "--delete-destination",
          "true",
          "--output-type",
          "json",
        ],
        home,
        { env },
      );
    expect((await sync()).code).toBe(0);
    await sleep(1100);
    gcs.put(bucket, "change.txt", "v2, longer");
    gcs.remove(bucket, "gone.txt");
    const second = await sync();
    expect(second.code, second.all).toBe(0);
    const end = JSON.parse(
      parseJsonLines(second.stdout).find((line) => line.MessageType === "EndOfJob")!.MessageContent,
    );
    expect([end.TotalBytesTransferred, end.DeleteTransfersCompleted]).toEqual(["10", "1"]);
    expect(await blobHashes(destination)).toEqual(
      hashesOf({ "keep.txt": "keep", "change.txt": "v2, longer" }),
    );
  });
});

describe.concurrent("Google Cloud Storage bucket to a storage account", () => {
  const intoAccount = (bucket: string, home: string) =>
    runAzcp(intoAccountArgs(url(bucket)), home, { env: { ...env, AZCOPY_AUTO_LOGIN_TYPE: "AZCLI" } });

  it("lands in a container of the bucket's name, made valid as AzCopy makes it", async () => {
    const home = await testHome();
    const bucket = `azcp.gcs_names-${process.pid}-${bucketCount++}`;
    gcs.createBucket(bucket);
    gcs.put(bucket, "dir/a.txt", "a");
    const result = await intoAccount(bucket, home);
    expect(result.code, result.all).toBe(0);
    const container = bucket.replace(/[._]/g, "-");
    const client = sharedKeyService();
    const names: string[] = [];
    for await (const blob of client.getContainerClient(container).listBlobsFlat()) names.push(blob.name);
    expect(names).toEqual(["dir/a.txt"]);
  });

  it("a bucket name that cannot be made a container name ends with exit 1 and the fix", async () => {
    const home = await testHome();
    const bucket = `${"a".repeat(50)}.${"b".repeat(20)}.${bucketCount++}`;
    gcs.createBucket(bucket);
    gcs.put(bucket, "a.txt", "a");
    const result = await intoAccount(bucket, home);
    expect(result.code).toBe(1);
    expect(result.all).toMatch(/is not a valid container name, and azcp cannot make one of it/);
    expect(result.all).toMatch(/put the container in the destination URL/);
  });
});

describe("a copy of every bucket of a Cloud Storage project", () => {
  it("makes a container per bucket, and without GOOGLE_CLOUD_PROJECT says it is needed", async () => {
    const info = stack();
    const own = new GcsTestServer({
      keyPem: await readFile(info.serverKeyPath, "utf8"),
      certPem: await readFile(info.serverCertPath, "utf8"),
    });
    await own.start();
    own.pageSize = 1;
    try {
      const ownKey = await own.createServiceAccount();
      const home = await testHome();
      for (const [bucket, content] of [
        [`proj_${process.pid}.one`, "1"],
        [`proj-${process.pid}-two`, "2"],
      ] as const) {
        own.createBucket(bucket);
        own.put(bucket, "x/y.txt", content);
      }
      const copy = (project: string | undefined) =>
        runAzcp(intoAccountArgs(`${own.origin}/`), home, {
          env: {
            GOOGLE_APPLICATION_CREDENTIALS: ownKey.path,
            GOOGLE_CLOUD_PROJECT: project,
            AZCOPY_AUTO_LOGIN_TYPE: "AZCLI",
          },
        });
      const noProject = await copy(undefined);
      expect(noProject.code).toBe(1);
      expect(noProject.all).toMatch(/GOOGLE_CLOUD_PROJECT is not set/);
      const result = await copy("azcp-test");
      expect(result.code, result.all).toBe(0);
      const client = sharedKeyService();
      for (const [container, content] of [
        [`proj-${process.pid}-one`, "1"],
        [`proj-${process.pid}-two`, "2"],
      ] as const)
        expect(
          (await client.getContainerClient(container).getBlobClient("x/y.txt").downloadToBuffer()).toString(),
        ).toBe(content);
    } finally {
      await own.close();
    }
  });
});

describe.concurrent("Google Cloud Storage source: failures", () => {
  it("no key, a file that is not a key, and a key Google does not know each end with exit 1 and say which", async () => {
    const home = await testHome();
    const bucket = bucketWith({ "a.txt": "a" });
    const destination = await createContainer();
    const copy = (extra: Record<string, string | undefined>) =>
      runAzcp(["copy", url(bucket), destination.sasUrl(), "--recursive", "--from-to", "GCPBlob"], home, {
        env: extra,
      });
    const none = await copy({ GOOGLE_APPLICATION_CREDENTIALS: undefined });
    expect(none.code).toBe(1);
    expect(none.all).toMatch(/GOOGLE_APPLICATION_CREDENTIALS is not set/);
    const notJson = join(home, "not-a-key.json");
    await writeFile(notJson, "hello");
    const garbled = await copy({ GOOGLE_APPLICATION_CREDENTIALS: notJson });
    expect(garbled.code).toBe(1);
    expect(garbled.all).toMatch(/cannot be read as JSON/);
    // A key of the right shape that the token endpoint does not know.
    const stranger = join(home, "stranger.json");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await writeFile(
      stranger,
      JSON.stringify({
        ...key.json,
        client_email: "nobody@x.iam.gserviceaccount.com",
        private_key: privatePem,
      }),
    );
    const refused = await copy({ GOOGLE_APPLICATION_CREDENTIALS: stranger });
    expect(refused.code).toBe(1);
    expect(refused.all).toMatch(/Google refused the service account nobody@x\.iam\.gserviceaccount\.com/);
    // Nothing of the key file is echoed: not a line of its private key.
    expect(refused.all).not.toContain(privatePem.split("\n")[1]!);
    expect(await blobNames(destination)).toEqual([]);
  });

  it("a missing bucket is named", async () => {
    const home = await testHome();
    const destination = await createContainer();
    const result = await runAzcp(
      ["copy", url("no-such-bucket"), destination.sasUrl(), "--recursive", "--from-to", "GCPBlob"],
      home,
      {
        env,
      },
    );
    expect(result.code).toBe(1);
    expect(result.all).toMatch(/the bucket no-such-bucket does not exist/);
  });

  for (const kind of REPLACED_CASES) {
    it(replacedTitle(kind), async () => {
      const bucket = bucketWith({ "data.bin": randomBytes(kind.size) });
      await copyWhileReplaced({
        case: kind,
        source: url(bucket, "data.bin"),
        fromTo: "GCPBlob",
        env: env,
        replace: async () => gcs.put(bucket, "data.bin", randomBytes(kind.size)),
      });
    });
  }
});

describe("Google Cloud Storage source: a sparse object over 2 GiB", () => {
  it("is copied by the service byte-exact", { timeout: 240_000 }, async () => {
    const bucket = `gcs-sparse-${bucketCount++}`;
    gcs.createBucket(bucket);
    const sourceMd5 = gcs.putSparse(bucket, "disk.img", SPARSE_SIZE, SPARSE_MARKS);
    await expectSparseCopiedByService({
      source: url(bucket, "disk.img"),
      fromTo: "GCPBlob",
      env: env,
      sourceMd5,
    });
  });
});
