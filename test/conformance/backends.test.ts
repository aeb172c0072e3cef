// One suite every storage backend passes, in the manner of rclone's fstests: each backend is
// opened through storage/registry as the engine opens it, and must list (with and without
// descending), read ranges, write through a temporary name (abort leaves nothing), keep the
// overwrite rule, handle folders, and delete, for names with unicode, spaces, "%" and "#", and
// a 0-byte object. A new backend is done when it passes here. Sources that cannot be written
// (a plain http(s) URL, Amazon S3, Google Cloud Storage) pass the read side.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Access } from "../../src/auth/authorize.js";
import { s3Access } from "../../src/auth/aws.js";
import { gcsAccess } from "../../src/auth/google.js";
import { transportAuth } from "../../src/engine/job-environment.js";
import { parseLocation, type RemoteLocation, type ServiceKind } from "../../src/location/location.js";
import {
  type Backend,
  type Destination,
  ObjectExistsError,
  type SourceObject,
  type WriteOptions,
} from "../../src/storage/backend.js";
import { openBackend } from "../../src/storage/registry.js";
import { RestTransport } from "../../src/transport/http.js";
import { Semaphore } from "../../src/transport/limits.js";
import { GcsTestServer } from "../support/gcs-server.js";
import {
  createContainer,
  createFileSystem,
  createShare,
  dfsSas,
  filesSas,
  stack,
  testHome,
} from "../support/harness.js";
import { startS3, type TestS3 } from "../support/s3-server.js";

interface Fixture {
  name: string;
  /** A fresh, empty place for this backend, as the URL or path a user would type. */
  place(): Promise<{ text: string; service?: ServiceKind }>;
}

const FIXTURES: Fixture[] = [
  { name: "local disk", place: async () => ({ text: join(await testHome(), "root") }) },
  {
    name: "Blob (Azurite)",
    place: async () => ({ text: (await createContainer()).sasUrl(), service: "blob" }),
  },
  {
    name: "Azure Files (test server)",
    place: async () => ({ text: `${(await createShare()).url}?${filesSas()}`, service: "file" }),
  },
  {
    name: "Data Lake (test server)",
    place: async () => ({ text: `${(await createFileSystem()).url}?${dfsSas()}`, service: "dfs" }),
  },
];

async function open(text: string, service?: ServiceKind): Promise<Backend> {
  const location = parseLocation(text, service ? { serviceHint: service } : {});
  return openBackend(location, {
    authorize: async (): Promise<Access> => ({ kind: "sas" }),
    transport: (remote: RemoteLocation) =>
      new RestTransport(
        new URL(remote.accountUrl).origin,
        { kind: "sas", sas: remote.sas ?? "" },
        {
          label: "conformance",
          connections: 8,
          requests: new Semaphore(8),
          retry: { maxTries: 2, baseDelayMs: 50, maxDelayMs: 200 },
        },
      ),
  });
}

const NAMES: Record<string, Buffer> = {
  "a.txt": Buffer.from("hello, world"),
  "dir/b.bin": randomBytes(3000),
  "dir/sub/c.txt": Buffer.from("deep"),
  "unicode é ü/ñ.txt": Buffer.from("unicode"),
  "with space/x y.txt": Buffer.from("spaces"),
  "percent%/p%20q.txt": Buffer.from("percent"),
  "hash#/h#1.txt": Buffer.from("hash"),
  "empty.bin": Buffer.alloc(0),
};

function options(size: number, extra: Partial<WriteOptions> = {}): WriteOptions {
  return { plan: { kind: "single", size }, headers: {}, jobId: "conformance", transferId: "", ...extra };
}

async function put(
  destination: Destination,
  relativePath: string,
  data: Buffer,
  extra: Partial<WriteOptions> = {},
) {
  const writer = await destination.writer(destination.keyFor(relativePath), options(data.length, extra));
  await writer.writeAll(data);
  await writer.commit();
}

async function listed(backend: Backend, recursive = true, withFolders = false): Promise<SourceObject[]> {
  const { source } = await backend.resolveSource({
    recursive,
    asSubdir: false,
    followSymlinks: false,
    withMetadata: false,
    withFolders,
  });
  const objects: SourceObject[] = [];
  for await (const object of source.enumerate()) objects.push(object);
  return objects;
}

async function read(backend: Backend, object: SourceObject, offset: number, length: number): Promise<Buffer> {
  const { source } = await backend.resolveSource({
    recursive: true,
    asSubdir: false,
    followSymlinks: false,
    withMetadata: false,
  });
  const into = Buffer.alloc(length);
  await source.read(object, offset, length, into);
  await source.release?.(object);
  return into;
}

describe.each(FIXTURES)("backend conformance: $name", (fixture) => {
  const seeded = async () => {
    const place = await fixture.place();
    const backend = await open(place.text, place.service);
    const destination = await backend.destination(false);
    for (const [name, data] of Object.entries(NAMES)) await put(destination, name, data);
    return { place, backend, destination };
  };

  it("lists what was written, by relative path and size, in name order, descending or not", async () => {
    const { backend, place } = await seeded();
    const all = (await listed(backend)).filter((object) => !object.folder);
    expect(Object.fromEntries(all.map((object) => [object.relativePath, object.size]))).toEqual(
      Object.fromEntries(Object.entries(NAMES).map(([name, data]) => [name, data.length])),
    );
    const paths = all.map((object) => object.relativePath);
    expect(paths).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    // One level: a wildcard in the last segment, without --recursive.
    const top = await open(
      `${place.text.split("?")[0]}/dir/*${place.text.includes("?") ? `?${place.text.split("?")[1]}` : ""}`,
      place.service,
    );
    expect(
      (await listed(top, false)).filter((object) => !object.folder).map((object) => object.relativePath),
    ).toEqual(["b.bin"]);
  });

  it("reads ranges of an object, and names one object as a single source", async () => {
    const { backend } = await seeded();
    const object = (await listed(backend)).find((entry) => entry.relativePath === "dir/b.bin")!;
    expect(await read(backend, object, 100, 900)).toEqual(NAMES["dir/b.bin"]!.subarray(100, 1000));
    const single = await backend.child("dir/b.bin").resolveSource({
      recursive: false,
      asSubdir: false,
      followSymlinks: false,
      withMetadata: false,
    });
    expect(single.single).toBe(true);
    const objects: SourceObject[] = [];
    for await (const entry of single.source.enumerate()) objects.push(entry);
    expect(objects.map((entry) => [entry.relativePath, entry.size])).toEqual([["b.bin", 3000]]);
  });

  it("says what is missing is missing", async () => {
    const { backend } = await seeded();
    await expect(
      backend
        .child("no-such-thing")
        .resolveSource({ recursive: true, asSubdir: false, followSymlinks: false, withMetadata: false }),
    ).rejects.toMatchObject({ kind: expect.stringMatching(/not-found|bad-input/) });
    const empty: SourceObject[] = [];
    for await (const object of backend
      .child("no-such-dir")
      .syncListing({ recursive: true, withMd5: false, withMetadata: false })
      .enumerate())
      empty.push(object);
    expect(empty).toEqual([]);
  });

  it("leaves nothing under the final name when a write is aborted, whole or in blocks", async () => {
    const { destination } = await seeded();
    const whole = await destination.writer(destination.keyFor("aborted.bin"), options(10));
    await whole.writeAll(randomBytes(10));
    await whole.abort();
    expect(await destination.stat(destination.keyFor("aborted.bin"))).toBeUndefined();
    const blocks = await destination.writer(destination.keyFor("aborted-blocks.bin"), {
      ...options(8),
      plan: { kind: "blocks", size: 8, blockSize: 4, count: 2 },
      transferId: "abortedblocks0001",
    });
    await blocks.writeChunk(0, 0, randomBytes(4));
    await blocks.abort();
    expect(await destination.stat(destination.keyFor("aborted-blocks.bin"))).toBeUndefined();
    expect(await destination.stat(destination.keyFor("a.txt"))).toMatchObject({
      size: NAMES["a.txt"]!.length,
    });
  });

  it("keeps the overwrite rule: ifNotExists never replaces an object", async () => {
    const { backend, destination } = await seeded();
    await expect(
      put(destination, "a.txt", Buffer.from("replaced?"), { ifNotExists: true }),
    ).rejects.toBeInstanceOf(ObjectExistsError);
    const object = (await listed(backend)).find((entry) => entry.relativePath === "a.txt")!;
    expect(await read(backend, object, 0, object.size)).toEqual(NAMES["a.txt"]);
    await put(destination, "a.txt", Buffer.from("replaced"));
    const again = (await listed(backend)).find((entry) => entry.relativePath === "a.txt")!;
    expect(await read(backend, again, 0, again.size)).toEqual(Buffer.from("replaced"));
  });

  it("keeps empty folders where folders are real", async () => {
    const { backend, destination } = await seeded();
    if (!backend.features.realFolders) return;
    await destination.makeFolder!(destination.keyFor("empty-folder"));
    const folders = (await listed(backend, true, true))
      .filter((object) => object.folder)
      .map((object) => object.relativePath);
    expect(folders).toContain("empty-folder");
  });

  it("deletes what its sync listing gives", async () => {
    const { backend } = await seeded();
    const listing = backend.syncListing({ recursive: true, withMd5: false, withMetadata: false });
    for await (const object of listing.enumerate())
      if (object.relativePath === "hash#/h#1.txt" || object.relativePath === "empty.bin")
        await backend.deleteListed(object);
    const left = (await listed(backend))
      .filter((object) => !object.folder)
      .map((object) => object.relativePath);
    expect(left).not.toContain("hash#/h#1.txt");
    expect(left).not.toContain("empty.bin");
    expect(left).toContain("a.txt");
  });
});

// Read-only backends that name one object (a plain web server): the read side of the suite.
describe("backend conformance: http(s) source (read side)", () => {
  const served = async () => {
    const container = await createContainer();
    // A public container: Azurite then serves its blobs to plain GETs, as any web server would.
    await container.service.getContainerClient(container.name).setAccessPolicy("blob");
    for (const [name, data] of Object.entries(NAMES)) await container.upload(name, data);
    const url = (name: string) => `${container.url}/${name.split("/").map(encodeURIComponent).join("/")}`;
    return { container, url };
  };

  it("names one file, reads its ranges, and pins what it read", async () => {
    const { container, url } = await served();
    for (const [name, data] of Object.entries(NAMES)) {
      const backend = await open(url(name), "http");
      expect(backend.features.objectProperties).toBe(true);
      const { source, single } = await backend.resolveSource({
        recursive: false,
        asSubdir: false,
        followSymlinks: false,
        withMetadata: false,
      });
      expect(single).toBe(true);
      const objects: SourceObject[] = [];
      for await (const object of source.enumerate()) objects.push(object);
      expect(objects.map((object) => [object.relativePath, object.size])).toEqual([
        [name.slice(name.lastIndexOf("/") + 1), data.length],
      ]);
      const into = Buffer.alloc(Math.max(0, data.length - 2));
      await source.read(objects[0]!, Math.min(2, data.length), into.length, into);
      expect(into).toEqual(data.subarray(Math.min(2, data.length)));
    }
    // Replaced after it was listed: the next read fails instead of mixing two versions.
    const backend = await open(url("dir/b.bin"), "http");
    const { source } = await backend.resolveSource({
      recursive: false,
      asSubdir: false,
      followSymlinks: false,
      withMetadata: false,
    });
    const [object] = await (async () => {
      const all: SourceObject[] = [];
      for await (const entry of source.enumerate()) all.push(entry);
      return all;
    })();
    await container.upload("dir/b.bin", randomBytes(3000));
    await expect(source.read(object!, 0, 10, Buffer.alloc(10))).rejects.toMatchObject({
      kind: "source-changed",
    });
  });

  it("says a missing file is missing, and refuses to be written", async () => {
    const { url } = await served();
    const missing = await open(url("no-such-file"), "http");
    await expect(
      missing.resolveSource({
        recursive: false,
        asSubdir: false,
        followSymlinks: false,
        withMetadata: false,
      }),
    ).rejects.toMatchObject({ kind: "not-found" });
    await expect((await open(url("a.txt"), "http")).destination(true)).rejects.toThrow(
      /can only be a source/,
    );
  });
});

/** Another cloud's bucket, seeded with NAMES, and how to replace one of its objects. */
interface BucketFixture {
  name: string;
  service: ServiceKind;
  seeded(): Promise<{ url: string; access: Access; replace(name: string, data: Buffer): Promise<void> }>;
}

let s3: TestS3 | undefined;
let gcs: GcsTestServer | undefined;
let buckets = 0;

afterAll(async () => {
  await s3?.close();
  await gcs?.close();
});

const BUCKETS: BucketFixture[] = [
  {
    name: "Amazon S3 (s3rver)",
    service: "s3",
    async seeded() {
      s3 ??= await startS3();
      const server = s3;
      const bucket = `conformance-${buckets++}`;
      await server.createBucket(bucket);
      for (const [name, data] of Object.entries(NAMES)) await server.put(bucket, name, data);
      return {
        url: server.url(bucket),
        access: s3Access(server.env, undefined),
        replace: (name, data) => server.put(bucket, name, data),
      };
    },
  },
  {
    name: "Google Cloud Storage (test server)",
    service: "gcs",
    async seeded() {
      if (!gcs) {
        const info = stack();
        gcs = new GcsTestServer({
          keyPem: await readFile(info.serverKeyPath, "utf8"),
          certPem: await readFile(info.serverCertPath, "utf8"),
        });
        await gcs.start();
        gcs.pageSize = 3;
      }
      const server = gcs;
      const key = await server.createServiceAccount();
      const bucket = `conformance-${buckets++}`;
      server.createBucket(bucket);
      for (const [name, data] of Object.entries(NAMES)) server.put(bucket, name, data);
      return {
        url: `${server.origin}/${bucket}`,
        access: gcsAccess({ GOOGLE_APPLICATION_CREDENTIALS: key.path }),
        replace: async (name, data) => server.put(bucket, name, data),
      };
    },
  },
];

async function openBucket(text: string, service: ServiceKind, access: Access): Promise<Backend> {
  return openBackend(parseLocation(text, { serviceHint: service }), {
    authorize: async () => access,
    transport: (remote: RemoteLocation, granted: Access) =>
      new RestTransport(new URL(remote.accountUrl).origin, transportAuth(remote, granted), {
        label: "conformance",
        connections: 8,
        requests: new Semaphore(8),
        retry: { maxTries: 2, baseDelayMs: 50, maxDelayMs: 200 },
      }),
  });
}

describe.each(BUCKETS)("backend conformance: $name (read side)", (fixture) => {
  it("lists every object by relative path and size in name order, descending or one level", async () => {
    const { url, access } = await fixture.seeded();
    const all = await listed(await openBucket(url, fixture.service, access));
    expect(Object.fromEntries(all.map((object) => [object.relativePath, object.size]))).toEqual(
      Object.fromEntries(Object.entries(NAMES).map(([name, data]) => [name, data.length])),
    );
    const paths = all.map((object) => object.relativePath);
    expect(paths).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    const top = await openBucket(`${url}/dir/*`, fixture.service, access);
    expect((await listed(top, false)).map((object) => object.relativePath)).toEqual(["b.bin"]);
  });

  it("reads ranges, names one object as a single source, and pins what it listed", async () => {
    const { url, access, replace } = await fixture.seeded();
    const backend = await openBucket(url, fixture.service, access);
    const object = (await listed(backend)).find((entry) => entry.relativePath === "dir/b.bin")!;
    expect(await read(backend, object, 100, 900)).toEqual(NAMES["dir/b.bin"]!.subarray(100, 1000));
    const single = await backend
      .child("unicode é ü/ñ.txt")
      .resolveSource({ recursive: false, asSubdir: false, followSymlinks: false, withMetadata: false });
    expect(single.single).toBe(true);
    const objects: SourceObject[] = [];
    for await (const entry of single.source.enumerate()) objects.push(entry);
    expect(objects.map((entry) => [entry.relativePath, entry.size])).toEqual([["ñ.txt", 7]]);
    await replace("dir/b.bin", randomBytes(3000));
    await expect(read(backend, object, 0, 10)).rejects.toMatchObject({ kind: "source-changed" });
  });

  it("says what is missing is missing, and refuses to be written", async () => {
    const { url, access } = await fixture.seeded();
    const backend = await openBucket(url, fixture.service, access);
    await expect(
      backend
        .child("no-such-thing")
        .resolveSource({ recursive: true, asSubdir: false, followSymlinks: false, withMetadata: false }),
    ).rejects.toMatchObject({ kind: "not-found" });
    await expect(backend.destination(false)).rejects.toThrow(/can only be a source/);
  });
});
