// A small Google Cloud Storage for tests, over HTTPS: the OAuth token endpoint a service account's
// JWT is exchanged at (signatures checked against the account's public key), the JSON API calls
// azcp and the official client make (list objects with paging, object resources, media in
// ranges with ifGenerationMatch), and the XML API GET that V4 signed URLs make (signature,
// expiry and host checked). Its protocol is checked against @google-cloud/storage in
// gcs-server.test.ts.
import { createHash, createVerify, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface StoredObject {
  name: string;
  size: number;
  /** Bytes [first, last]; a sparse object makes them as asked. */
  read(first: number, last: number): Buffer;
  /** MD5 of the whole object, base64. */
  md5: string;
  generation: string;
  updated: string;
  contentType: string;
  contentEncoding?: string | undefined;
  contentLanguage?: string | undefined;
  contentDisposition?: string | undefined;
  cacheControl?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface ObjectOptions {
  contentType?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
}

export interface ServiceAccountKey {
  /** Path of the JSON key file (for GOOGLE_APPLICATION_CREDENTIALS). */
  path: string;
  json: { type: string; project_id: string; client_email: string; private_key: string; token_uri: string };
}

export interface GcsLogEntry {
  method: string;
  path: string;
  status: number;
  /** "bearer", "signed-url" or "none". */
  auth: string;
}

/** RFC 3986 encoding, as V4 signing canonicalizes. */
function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function md5Of(parts: Buffer[]): string {
  const hash = createHash("md5");
  for (const part of parts) hash.update(part);
  return hash.digest("base64");
}

function base64urlJson(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

export class GcsTestServer {
  private readonly server: Server;
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly publicKeys = new Map<string, string>();
  private readonly tokens = new Set<string>();
  private nextGeneration = 1_700_000_000_000_000;
  readonly log: GcsLogEntry[] = [];
  origin = "";
  /** Objects per list page (small in tests, so that paging is exercised). */
  pageSize = 1000;

  /** Over HTTPS with `tls`; plain HTTP without (for clients that cannot be given a CA). */
  constructor(private readonly tls?: { keyPem: string; certPem: string }) {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      void this.handle(req, res).catch((error: unknown) => {
        this.json(res, 500, { error: { code: 500, message: String(error) } });
      });
    };
    this.server = tls
      ? createServer({ key: tls.keyPem, cert: tls.certPem }, handler)
      : createHttpServer(handler);
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.origin = `${this.tls ? "https" : "http"}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.origin;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A new service account whose key the token endpoint and signed URLs accept. */
  async createServiceAccount(projectId = "azcp-test"): Promise<ServiceAccountKey> {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const email = `sa-${randomBytes(4).toString("hex")}@${projectId}.iam.gserviceaccount.com`;
    this.publicKeys.set(email, publicKey.export({ type: "spki", format: "pem" }).toString());
    const json = {
      type: "service_account",
      project_id: projectId,
      client_email: email,
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      token_uri: `${this.origin}/token`,
    };
    const path = join(await mkdtemp(join(tmpdir(), "azcp-gcs-key-")), "key.json");
    await writeFile(path, JSON.stringify(json), { mode: 0o600 });
    return { path, json };
  }

  createBucket(name: string): void {
    this.buckets.set(name, new Map());
  }

  /** Stores (or replaces, with a new generation) an object. */
  put(bucket: string, name: string, data: Buffer | string, options: ObjectOptions = {}): void {
    const bytes = Buffer.from(data);
    this.store(
      bucket,
      name,
      bytes.length,
      (first, last) => bytes.subarray(first, last + 1),
      md5Of([bytes]),
      options,
    );
  }

  /**
   * A sparse object of `size` bytes, zero but for `marks` at their offsets, made range by range
   * as it is read (a multi-GiB object without the memory). Returns its MD5 (hex).
   */
  putSparse(bucket: string, name: string, size: number, marks: Record<number, Buffer>): string {
    const read = (first: number, last: number) => {
      const part = Buffer.alloc(last - first + 1);
      for (const [offset, bytes] of Object.entries(marks)) {
        const at = Number(offset);
        if (at + bytes.length > first && at <= last)
          bytes.copy(
            part,
            Math.max(0, at - first),
            Math.max(0, first - at),
            Math.min(bytes.length, last + 1 - at),
          );
      }
      return part;
    };
    const hash = createHash("md5");
    for (let first = 0; first < size; first += 64 * 1024 * 1024)
      hash.update(read(first, Math.min(size, first + 64 * 1024 * 1024) - 1));
    const md5 = hash.digest();
    this.store(bucket, name, size, read, md5.toString("base64"), {});
    return md5.toString("hex");
  }

  private store(
    bucket: string,
    name: string,
    size: number,
    read: StoredObject["read"],
    md5: string,
    options: ObjectOptions,
  ): void {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new Error(`no bucket ${bucket}`);
    objects.set(name, {
      name,
      size,
      read,
      md5,
      generation: String(this.nextGeneration++),
      updated: new Date().toISOString(),
      contentType: options.contentType ?? "application/octet-stream",
      ...options,
    });
  }

  /** An object whose bytes were damaged after Cloud Storage recorded their MD5. */
  putDamaged(bucket: string, name: string, data: Buffer): void {
    const damaged = Buffer.from(data);
    damaged[0] = damaged[0]! ^ 0xff;
    this.store(
      bucket,
      name,
      damaged.length,
      (first, last) => damaged.subarray(first, last + 1),
      md5Of([data]),
      {},
    );
  }

  remove(bucket: string, name: string): void {
    this.buckets.get(bucket)?.delete(name);
  }

  private json(res: ServerResponse, status: number, body: unknown, entry?: GcsLogEntry): void {
    if (entry) entry.status = status;
    const text = Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
      "content-type": "application/json; charset=UTF-8",
      "content-length": text.length,
    });
    res.end(text);
  }

  private error(res: ServerResponse, status: number, message: string, entry: GcsLogEntry) {
    this.json(
      res,
      status,
      { error: { code: status, message, errors: [{ message, reason: "error" }] } },
      entry,
    );
  }

  private resource(bucket: string, object: StoredObject): Record<string, unknown> {
    return {
      kind: "storage#object",
      id: `${bucket}/${object.name}/${object.generation}`,
      name: object.name,
      bucket,
      generation: object.generation,
      metageneration: "1",
      contentType: object.contentType,
      size: String(object.size),
      md5Hash: object.md5,
      etag: `C${object.generation}`,
      timeCreated: object.updated,
      updated: object.updated,
      ...(object.contentEncoding ? { contentEncoding: object.contentEncoding } : {}),
      ...(object.contentLanguage ? { contentLanguage: object.contentLanguage } : {}),
      ...(object.contentDisposition ? { contentDisposition: object.contentDisposition } : {}),
      ...(object.cacheControl ? { cacheControl: object.cacheControl } : {}),
      ...(object.metadata ? { metadata: object.metadata } : {}),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const entry: GcsLogEntry = {
      method: req.method ?? "",
      path: url.pathname,
      status: 0,
      auth: bearer ? "bearer" : url.searchParams.has("X-Goog-Signature") ? "signed-url" : "none",
    };
    this.log.push(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");

    if (req.method === "POST" && url.pathname === "/token") return this.token(res, body, entry);
    if (url.pathname.startsWith("/storage/v1/")) {
      if (!bearer || !this.tokens.has(bearer)) return this.error(res, 401, "Invalid Credentials", entry);
      return this.jsonApi(req, res, url, entry);
    }
    if (req.method === "GET" || req.method === "HEAD") return this.signedGet(req, res, url, entry);
    return this.error(res, 405, "Method not allowed", entry);
  }

  /** The JWT bearer grant: the assertion must be signed by a known account's key, for this endpoint. */
  private token(res: ServerResponse, body: string, entry: GcsLogEntry) {
    const form = new URLSearchParams(body);
    const refuse = (description: string) =>
      this.json(res, 400, { error: "invalid_grant", error_description: description }, entry);
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return refuse("Unsupported grant type.");
    const [header, claims, signature] = (form.get("assertion") ?? "").split(".");
    if (!header || !claims || !signature) return refuse("Invalid JWT.");
    const payload = base64urlJson(claims);
    const key = this.publicKeys.get(String(payload.iss));
    if (!key) return refuse("Invalid grant: account not found");
    const valid = createVerify("RSA-SHA256")
      .update(`${header}.${claims}`)
      .verify(key, Buffer.from(signature, "base64url"));
    if (!valid) return refuse("Invalid JWT Signature.");
    if (payload.aud !== `${this.origin}/token`) return refuse("Invalid JWT: audience.");
    if (typeof payload.exp !== "number" || payload.exp * 1000 < Date.now())
      return refuse("Invalid JWT: expired.");
    if (!String(payload.scope).includes("devstorage")) return refuse("Invalid JWT: no Cloud Storage scope.");
    const token = `ya29.${randomBytes(24).toString("base64url")}`;
    this.tokens.add(token);
    this.json(res, 200, { access_token: token, expires_in: 3599, token_type: "Bearer" }, entry);
  }

  private jsonApi(req: IncomingMessage, res: ServerResponse, url: URL, entry: GcsLogEntry) {
    if (url.pathname === "/storage/v1/b" && req.method === "GET") return this.listBuckets(res, url, entry);
    const match = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    if (!match || req.method !== "GET") return this.error(res, 404, "Not Found", entry);
    const bucketName = decodeURIComponent(match[1]!);
    const objects = this.buckets.get(bucketName);
    if (!objects) return this.error(res, 404, "The specified bucket does not exist.", entry);
    if (match[2] === undefined) return this.listObjects(res, url, bucketName, objects, entry);
    const name = decodeURIComponent(match[2]);
    const object = objects.get(name);
    if (!object) return this.error(res, 404, `No such object: ${bucketName}/${name}`, entry);
    const wantedGeneration = url.searchParams.get("ifGenerationMatch");
    if (wantedGeneration && wantedGeneration !== object.generation)
      return this.error(res, 412, "At least one of the pre-conditions you specified did not hold.", entry);
    if (url.searchParams.get("alt") === "media") return this.media(req, res, object, entry);
    this.json(res, 200, this.resource(bucketName, object), entry);
  }

  /** Buckets of a project, paged like objects; a project is required, as Google requires it. */
  private listBuckets(res: ServerResponse, url: URL, entry: GcsLogEntry) {
    const project = url.searchParams.get("project");
    if (!project) return this.error(res, 400, "Required parameter: project", entry);
    const names = [...this.buckets.keys()].sort();
    const start = url.searchParams.get("pageToken");
    const from = start ? names.indexOf(start) : 0;
    const page = names.slice(from, from + this.pageSize);
    const next = names[from + this.pageSize];
    this.json(
      res,
      200,
      {
        kind: "storage#buckets",
        items: page.map((name) => ({ kind: "storage#bucket", name, id: name, projectNumber: "1" })),
        ...(next ? { nextPageToken: next } : {}),
      },
      entry,
    );
  }

  private listObjects(
    res: ServerResponse,
    url: URL,
    bucket: string,
    objects: Map<string, StoredObject>,
    entry: GcsLogEntry,
  ) {
    const prefix = url.searchParams.get("prefix") ?? "";
    const delimiter = url.searchParams.get("delimiter");
    const start = url.searchParams.get("pageToken");
    const max = Math.min(Number(url.searchParams.get("maxResults") ?? 1000), this.pageSize);
    const names = [...objects.keys()].filter((name) => name.startsWith(prefix)).sort();
    const items: Record<string, unknown>[] = [];
    const prefixes = new Set<string>();
    let next: string | undefined;
    for (const name of names) {
      if (start && Buffer.compare(Buffer.from(name), Buffer.from(start)) < 0) continue;
      if (items.length >= max) {
        next = name;
        break;
      }
      const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) prefixes.add(name.slice(0, cut + delimiter!.length));
      else items.push(this.resource(bucket, objects.get(name)!));
    }
    this.json(
      res,
      200,
      {
        kind: "storage#objects",
        ...(items.length ? { items } : {}),
        ...(prefixes.size ? { prefixes: [...prefixes] } : {}),
        ...(next ? { nextPageToken: next } : {}),
      },
      entry,
    );
  }

  private media(req: IncomingMessage, res: ServerResponse, object: StoredObject, entry: GcsLogEntry) {
    const headers = {
      "content-type": object.contentType,
      "x-goog-generation": object.generation,
      etag: `"${Buffer.from(object.md5, "base64").toString("hex")}"`,
      "last-modified": new Date(object.updated).toUTCString(),
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (!range) {
      entry.status = 200;
      res.writeHead(200, { ...headers, "content-length": object.size });
      res.end(req.method === "HEAD" || object.size === 0 ? undefined : object.read(0, object.size - 1));
      return;
    }
    const first = Number(range[1]);
    const last = Math.min(range[2] ? Number(range[2]) : object.size - 1, object.size - 1);
    if (first >= object.size) return this.error(res, 416, "Requested range not satisfiable", entry);
    const part = object.read(first, last);
    entry.status = 206;
    res.writeHead(206, {
      ...headers,
      "content-length": part.length,
      "content-range": `bytes ${first}-${last}/${object.size}`,
    });
    res.end(req.method === "HEAD" ? undefined : part);
  }

  /** The XML API read that a V4 signed URL makes: signature, expiry and host are checked. */
  private signedGet(req: IncomingMessage, res: ServerResponse, url: URL, entry: GcsLogEntry) {
    const refuse = (code: string, message: string) => {
      entry.status = 403;
      const text = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
      res.writeHead(403, {
        "content-type": "application/xml; charset=UTF-8",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
    };
    const query = url.searchParams;
    const signature = query.get("X-Goog-Signature");
    if (!signature)
      return refuse("AccessDenied", "Anonymous caller does not have storage.objects.get access.");
    const credential = query.get("X-Goog-Credential") ?? "";
    const email = credential.split("/")[0] ?? "";
    const key = this.publicKeys.get(email);
    const datetime = query.get("X-Goog-Date") ?? "";
    const expires = Number(query.get("X-Goog-Expires") ?? 0);
    const signedHeaders = (query.get("X-Goog-SignedHeaders") ?? "").split(";");
    if (!key || query.get("X-Goog-Algorithm") !== "GOOG4-RSA-SHA256")
      return refuse("SignatureDoesNotMatch", "Unknown signer.");
    const issued = Date.parse(
      `${datetime.slice(0, 4)}-${datetime.slice(4, 6)}-${datetime.slice(6, 8)}T${datetime.slice(9, 11)}:${datetime.slice(11, 13)}:${datetime.slice(13, 15)}Z`,
    );
    if (!(issued + expires * 1000 > Date.now())) return refuse("ExpiredToken", "The signed URL has expired.");
    const canonicalQuery = [...query.entries()]
      .filter(([name]) => name !== "X-Goog-Signature")
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${strictEncode(name)}=${strictEncode(value)}`)
      .join("&");
    const path = url.pathname
      .split("/")
      .map((segment) => strictEncode(decodeURIComponent(segment)))
      .join("/");
    // Google's signers sign the host the request went to, without a port (there is none on
    // storage.googleapis.com, which tests reach through a proxy under that name).
    const host = (req.headers.host ?? url.host).replace(/:\d+$/, "");
    const headerValue = (name: string) => (name === "host" ? host : String(req.headers[name] ?? "").trim());
    const headerLines = signedHeaders.map((name) => `${name}:${headerValue(name)}`);
    const canonicalRequest = [
      req.method,
      path,
      canonicalQuery,
      ...headerLines,
      "",
      signedHeaders.join(";"),
      "UNSIGNED-PAYLOAD",
    ].join("\n");
    const stringToSign = [
      "GOOG4-RSA-SHA256",
      datetime,
      credential.slice(email.length + 1),
      createHash("sha256").update(canonicalRequest).digest("hex"),
    ].join("\n");
    const valid = createVerify("RSA-SHA256").update(stringToSign).verify(key, Buffer.from(signature, "hex"));
    if (!valid) return refuse("SignatureDoesNotMatch", "The request signature we calculated does not match.");
    const [, bucketName, ...rest] = url.pathname.split("/");
    const object = this.buckets
      .get(decodeURIComponent(bucketName ?? ""))
      ?.get(rest.map(decodeURIComponent).join("/"));
    const generation = query.get("generation");
    if (!object || (generation && generation !== object.generation)) {
      entry.status = 404;
      res.writeHead(404).end();
      return;
    }
    this.media(req, res, object, entry);
  }
}
