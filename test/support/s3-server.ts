// A local Amazon S3 for tests: s3rver over HTTPS with the stack's certificate, its objects in a
// temporary folder. Objects are put through its S3 API (signed with SigV4, as S3 wants), except
// the sparse multi-GiB ones, which are written straight into its store.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import aws4 from "aws4";
import S3rver from "s3rver";
import { stack } from "./harness.js";

/** s3rver's one account: a key ID it knows (it checks the ID, not the SigV4 signature). */
export const S3_KEY = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface TestS3 {
  /** https://127.0.0.1:PORT */
  origin: string;
  /** AWS_* variables that sign as s3rver's account. */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  put(bucket: string, key: string, body: Buffer | string, headers?: Record<string, string>): Promise<void>;
  remove(bucket: string, key: string): Promise<void>;
  /** A sparse object of `size` bytes with `marks` written at their offsets; returns its MD5 (hex). */
  putSparse(bucket: string, key: string, size: number, marks: Record<number, Buffer>): Promise<string>;
  /** An object whose data is a copy of a local file (large ones, without an upload). */
  putFile(bucket: string, key: string, path: string): Promise<string>;
  /** An object whose ETag is not the MD5 of its bytes, as S3 gives one encrypted with KMS. */
  putWithOpaqueEtag(bucket: string, key: string, body: Buffer): Promise<void>;
  /** The URL azcp is given for a bucket or an object (path-style; --from-to S3Blob names it S3). */
  url(bucket: string, key?: string): string;
  close(): Promise<void>;
}

/** Writes an object into s3rver's file store: the data, its metadata and its MD5 beside it. */
async function storeObject(
  directory: string,
  bucket: string,
  key: string,
  write: (file: string) => Promise<void>,
  etag?: string,
): Promise<string> {
  const file = join(directory, bucket, key);
  await mkdir(dirname(file), { recursive: true });
  await write(`${file}._S3rver_object`);
  const hash = createHash("md5");
  for await (const chunk of createReadStream(`${file}._S3rver_object`)) hash.update(chunk as Buffer);
  const md5 = hash.digest("hex");
  await writeFile(`${file}._S3rver_object.md5`, etag ?? md5);
  await writeFile(
    `${file}._S3rver_metadata.json`,
    JSON.stringify({ "content-type": "application/octet-stream" }),
  );
  return md5;
}

const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");

/** s3rver with the stack's certificate, or with the one given (the benchmark has no stack). */
export async function startS3(tls?: { keyPem: string; certPem: string; caPem: string }): Promise<TestS3> {
  const info = tls ? undefined : stack();
  const directory = await mkdtemp(join(tmpdir(), "azcp-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    key: tls?.keyPem ?? (await readFile(info!.serverKeyPath)),
    cert: tls?.certPem ?? (await readFile(info!.serverCertPath)),
  });
  const { port } = await server.run();
  const host = `127.0.0.1:${port}`;
  const ca = tls?.caPem ?? (await readFile(info!.caCertPath));

  const send = (method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) => {
    const signed = aws4.sign(
      {
        service: "s3",
        region: "us-east-1",
        host,
        method,
        path,
        headers: { ...headers },
        ...(body ? { body } : {}),
      },
      S3_KEY,
    );
    return new Promise<void>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, method, path: signed.path, headers: signed.headers, ca },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            (res.statusCode ?? 500) < 300
              ? resolve()
              : reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  };

  return {
    origin: `https://${host}`,
    env: { AWS_ACCESS_KEY_ID: S3_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_KEY.secretAccessKey },
    createBucket: (name) => send("PUT", `/${name}`),
    put: (bucket, key, body, headers = {}) =>
      send("PUT", `/${bucket}/${encodeKey(key)}`, Buffer.from(body), headers),
    remove: (bucket, key) => send("DELETE", `/${bucket}/${encodeKey(key)}`),
    putSparse: (bucket, key, size, marks) =>
      storeObject(directory, bucket, key, async (file) => {
        const handle = await open(file, "w");
        await handle.truncate(size);
        for (const [offset, bytes] of Object.entries(marks))
          await handle.write(bytes, 0, bytes.length, Number(offset));
        await handle.close();
      }),
    putFile: (bucket, key, path) => storeObject(directory, bucket, key, (file) => copyFile(path, file)),
    async putWithOpaqueEtag(bucket, key, body) {
      // 32 hex digits, as a KMS-encrypted object's ETag is, but not the MD5 of these bytes.
      const etag = createHash("md5").update(body).update("kms").digest("hex");
      await storeObject(directory, bucket, key, (file) => writeFile(file, body), etag);
    },
    url: (bucket, key) => `https://${host}/${bucket}${key === undefined ? "" : `/${encodeKey(key)}`}`,
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
