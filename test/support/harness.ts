// What end-to-end tests use: the shared stack, the built CLI as a child process, fresh
// containers, shares and file systems, a private folder per test, and the admin APIs of the
// identity emulator and of the Files/Data Lake test server.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BlobServiceClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import {
  AccountSASPermissions as DataLakeAccountSASPermissions,
  DataLakeFileSystemClient,
  StorageSharedKeyCredential as DataLakeSharedKeyCredential,
  generateAccountSASQueryParameters as generateDataLakeAccountSas,
} from "@azure/storage-file-datalake";
import {
  AccountSASPermissions as FilesAccountSASPermissions,
  StorageSharedKeyCredential as FilesSharedKeyCredential,
  generateAccountSASQueryParameters as generateFilesAccountSas,
  ShareClient,
} from "@azure/storage-file-share";
import { inject } from "vitest";
import type { LoggedRequest as RestServerRequest } from "./files-datalake-server.js";
import type { AppRegistration, Fault, LoggedRequest, ManagedIdentity, Match } from "./identity-emulator.js";
import type { StackInfo } from "./stack.js";
import { type StorageProxy, startStorageProxy } from "./storage-proxy.js";

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const AZCP_BIN = join(PROJECT_ROOT, "bin", "azcp.js");

export function stack(): StackInfo {
  return inject("stack");
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for "appears nowhere" checks. */
  all: string;
}

export interface RunOptions {
  /** Added to (or, with undefined, removed from) the test environment. */
  env?: Record<string, string | undefined>;
  stdin?: string;
  timeoutMs?: number;
  cwd?: string;
  /** Extra arguments for node itself (before the script). */
  nodeArgs?: string[];
  /** Leave stdin open until the process exits (AzCopy spins a core when stdin is at its end). */
  keepStdinOpen?: boolean;
}

/** Variables every azcp child gets: the stack's, and nothing of the developer's AZCOPY_* setup. */
export function baseEnv(home: string): Record<string, string> {
  const info = stack();
  return {
    PATH: info.env.PATH!,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    AZCOPY_LOG_LOCATION: join(home, ".azcopy"),
    AZCOPY_JOB_PLAN_LOCATION: join(home, ".azcopy", "plans"),
    AZCP_LOGIN_STORE: "file",
    LANG: "C.UTF-8",
    ...info.env,
  };
}

export async function runAzcp(args: string[], home: string, options: RunOptions = {}): Promise<RunResult> {
  return runProcess(process.execPath, [...(options.nodeArgs ?? []), AZCP_BIN, ...args], home, options);
}

/** A process started to be acted on while it runs: its output so far, and its exit. */
export interface StartedProcess {
  child: ChildProcessWithoutNullStreams;
  /** stdout and stderr together, as they arrived. */
  output(): string;
  exit: Promise<number | null>;
}

export function startProcess(
  file: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): StartedProcess {
  const child = spawn(file, args, { env, cwd });
  let all = "";
  child.stdout.on("data", (chunk: Buffer) => {
    all += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    all += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, output: () => all, exit };
}

export async function runProcess(
  file: string,
  args: string[],
  home: string,
  options: RunOptions = {},
): Promise<RunResult> {
  const env: Record<string, string> = baseEnv(home);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(file, args, { env, cwd: options.cwd ?? home, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  if (options.keepStdinOpen) child.stdin.write(options.stdin ?? "");
  else child.stdin.end(options.stdin ?? "");
  child.stdin.on("error", () => undefined);
  const timeoutMs = options.timeoutMs ?? 45_000;
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `${file} ${args.join(" ").replace(/sig=[^&\s]+/g, "sig=REDACTED")} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, stdout, stderr, all: stdout + stderr };
}

export async function testHome(): Promise<string> {
  return mkdtemp(join(process.env.AZCP_TEST_HOMES ?? tmpdir(), "azcp-test-"));
}

export function uniqueName(prefix = "c"): string {
  return `${prefix}${randomBytes(6).toString("hex")}`;
}

export interface TestContainer {
  name: string;
  /** https://127.0.0.1:PORT/devstoreaccount1/<name> */
  url: string;
  /** The URL with a SAS (read, add, create, write, delete, list). */
  sasUrl(permissions?: string, expiresOn?: Date): string;
  service: BlobServiceClient;
  upload(name: string, data: string | Buffer): Promise<void>;
}

export function sharedKeyService(): BlobServiceClient {
  const info = stack();
  return new BlobServiceClient(
    info.blobEndpoint,
    new StorageSharedKeyCredential(info.accountName, info.accountKey),
  );
}

export async function createContainer(name = uniqueName()): Promise<TestContainer> {
  const info = stack();
  const credential = new StorageSharedKeyCredential(info.accountName, info.accountKey);
  const service = new BlobServiceClient(info.blobEndpoint, credential);
  const container = service.getContainerClient(name);
  await container.create();
  return {
    name,
    url: `${info.blobEndpoint}/${name}`,
    sasUrl(permissions = "racwdl", expiresOn = new Date(Date.now() + 3600_000)) {
      const sas = generateBlobSASQueryParameters(
        { containerName: name, permissions: ContainerSASPermissions.parse(permissions), expiresOn },
        credential,
      ).toString();
      return `${info.blobEndpoint}/${name}?${sas}`;
    },
    service,
    async upload(blobName, data) {
      const body = typeof data === "string" ? Buffer.from(data) : data;
      await container.getBlockBlobClient(blobName).upload(body, body.length);
    },
  };
}

// ---- the identity emulator's admin API ----

async function adminCall<T>(
  method: string,
  path: string,
  body?: unknown,
  base = stack().identityUrl,
): Promise<T> {
  const info = stack();
  const ca = await readFile(info.caCertPath);
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca,
        headers: payload ? { "content-type": "application/json", "content-length": payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if ((res.statusCode ?? 500) >= 400)
            reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
          else resolve(text ? (JSON.parse(text) as T) : (undefined as T));
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export const emulator = {
  registerApp: (input: Partial<AppRegistration> = {}) =>
    adminCall<AppRegistration>("POST", "/_emulator/apps", input),
  registerManagedIdentity: () => adminCall<ManagedIdentity>("POST", "/_emulator/managed-identities"),
  addFault: (fault: Omit<Fault, "id">) => adminCall<Fault>("POST", "/_emulator/faults", fault),
  clearFaults: (match: Match) => adminCall<void>("DELETE", "/_emulator/faults", match),
  setTokenLifetime: (match: Match, lifetimeSeconds: number) =>
    adminCall<void>("POST", "/_emulator/token-lifetime", { match, lifetimeSeconds }),
  revokeRefreshTokens: (match: { tenant?: string; clientId?: string; upn?: string }) =>
    adminCall<{ revoked: number }>("POST", "/_emulator/revoke-refresh-tokens", match),
  approveDeviceCode: (userCode: string, upn?: string) =>
    adminCall<void>("POST", "/_emulator/approve-device-code", { userCode, upn }),
  requests: (match: Match = {}) => {
    const query = new URLSearchParams(
      Object.entries(match).filter(([, value]) => value !== undefined) as [string, string][],
    );
    return adminCall<LoggedRequest[]>("GET", `/_emulator/requests?${query}`);
  },
};

// ---- Azure Files and Data Lake on the Files/Data Lake test server ----

/** An account SAS for the stack's Files endpoint (every permission, service "f"), without "?". */
export function filesSas(expiresOn = new Date(Date.now() + 3600_000)): string {
  const info = stack();
  return generateFilesAccountSas(
    {
      services: "f",
      resourceTypes: "sco",
      permissions: FilesAccountSASPermissions.parse("rwdlacup"),
      expiresOn,
    },
    new FilesSharedKeyCredential(info.accountName, info.accountKey),
  ).toString();
}

/** An account SAS for the stack's Data Lake endpoint (which authorizes it as Blob: service "b"). */
export function dfsSas(expiresOn = new Date(Date.now() + 3600_000)): string {
  const info = stack();
  return generateDataLakeAccountSas(
    {
      services: "b",
      resourceTypes: "sco",
      permissions: DataLakeAccountSASPermissions.parse("rwdlacup"),
      expiresOn,
    },
    new DataLakeSharedKeyCredential(info.accountName, info.accountKey),
  ).toString();
}

export interface TestShare {
  name: string;
  /** https://127.0.0.1:PORT/devstoreaccount1/<name> */
  url: string;
  /** The URL with an account SAS (every permission). */
  sasUrl: string;
  /** The official SDK's client, authorized by that SAS. */
  client: ShareClient;
}

/** A new share (or, with `existing`, a handle on one that is there). */
export async function createShare(
  name = uniqueName("s"),
  options: { existing?: boolean; quotaGb?: number } = {},
): Promise<TestShare> {
  const url = `${stack().filesEndpoint}/${name}`;
  const sasUrl = `${url}?${filesSas()}`;
  const client = new ShareClient(sasUrl);
  if (!options.existing) await client.create(options.quotaGb ? { quota: options.quotaGb } : {});
  return { name, url, sasUrl, client };
}

export interface TestFileSystem {
  name: string;
  /** https://127.0.0.1:PORT/devstoreaccount1/<name> */
  url: string;
  /** The URL with an account SAS (every permission). */
  sasUrl: string;
  /** The official SDK's client, authorized by that SAS. */
  client: DataLakeFileSystemClient;
}

/** A new Data Lake file system (or, with `existing`, a handle on one that is there). */
export async function createFileSystem(
  name = uniqueName("f"),
  options: { existing?: boolean } = {},
): Promise<TestFileSystem> {
  const url = `${stack().dfsEndpoint}/${name}`;
  const sasUrl = `${url}?${dfsSas()}`;
  const client = new DataLakeFileSystemClient(sasUrl);
  if (!options.existing) await client.create();
  return { name, url, sasUrl, client };
}

/** Path (relative to the directory `prefix`) -> MD5 of every file in a share, read with the SDK. */
export async function shareHashes(share: TestShare, prefix = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const root = prefix.replace(/^\/+|\/+$/g, "");
  const walk = async (directory: string, relativePath: string) => {
    const client = share.client.getDirectoryClient(directory);
    for await (const item of client.listFilesAndDirectories()) {
      const path = directory ? `${directory}/${item.name}` : item.name;
      const relative = relativePath ? `${relativePath}/${item.name}` : item.name;
      if (item.kind === "directory") await walk(path, relative);
      else out[relative] = md5(await client.getFileClient(item.name).downloadToBuffer());
    }
  };
  await walk(root, "");
  return out;
}

/** Path (relative to the directory `prefix`) -> MD5 of every file in a file system, read with the SDK. */
export async function fileSystemHashes(
  fileSystem: TestFileSystem,
  prefix = "",
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const root = prefix.replace(/^\/+|\/+$/g, "");
  for await (const path of fileSystem.client.listPaths({
    recursive: true,
    ...(root ? { path: root } : {}),
  })) {
    if (path.isDirectory || !path.name) continue;
    const relative = root ? path.name.slice(root.length + 1) : path.name;
    out[relative] = md5(await fileSystem.client.getFileClient(path.name).readToBuffer());
  }
  return out;
}

/** The Files/Data Lake test server's admin API (the same on both of its listeners). */
export const restServer = {
  /** Every request received after sequence number `since`. */
  requests: (since = 0) =>
    adminCall<RestServerRequest[]>("GET", `/_admin/requests?since=${since}`, undefined, stack().filesOrigin),
  /** Restrict a principal (object id) to these built-in roles; null lifts the restriction. */
  setRoles: (objectId: string, roles: string[] | null) =>
    adminCall<void>("PUT", "/_admin/roles", { objectId, roles }, stack().filesOrigin),
  /** The sequence number of the latest request, to pass to `requests` later. */
  lastSeq: async () =>
    (await adminCall<{ seq: number }>("GET", "/_admin/last-seq", undefined, stack().filesOrigin)).seq,
};

/** A tenant id of the test's own, so that its faults and token lifetimes touch no other test. */
export function uniqueTenant(): string {
  const hex = randomBytes(16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Environment for SPN auto-login with the stack's service principal in the given tenant. */
export function spnEnv(tenant: string, overrides: Record<string, string> = {}): Record<string, string> {
  const info = stack();
  return {
    AZCOPY_AUTO_LOGIN_TYPE: "SPN",
    AZCOPY_SPA_APPLICATION_ID: info.spn.clientId,
    AZCOPY_SPA_CLIENT_SECRET: info.spn.secret,
    AZCOPY_TENANT_ID: tenant,
    ...overrides,
  };
}

/** Parse JSON-lines output, failing on any line that is not a JSON object in AzCopy's envelope. */
export function parseJsonLines(
  stdout: string,
): { MessageType: string; MessageContent: string; TimeStamp: string }[] {
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const parsed = JSON.parse(line);
      if (
        typeof parsed.MessageType !== "string" ||
        typeof parsed.TimeStamp !== "string" ||
        !("MessageContent" in parsed)
      ) {
        throw new Error(`not an AzCopy message: ${line}`);
      }
      return parsed;
    });
}

// ---- trees of files and what is stored ----

export function md5(data: Buffer | string): string {
  return createHash("md5").update(data).digest("hex");
}

/** Writes files (relative path -> content) under a new folder; returns the folder. */
export async function writeTree(root: string, files: Record<string, Buffer | string>): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, ...path.split("/"));
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
  return root;
}

/** Relative path -> MD5 of every file under a folder. */
export async function localHashes(root: string): Promise<Record<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = {};
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(root, full).split(sep).join("/")] = md5(await readFile(full));
  }
  return out;
}

/** Blob name (relative to prefix) -> MD5 of its downloaded bytes. */
export async function blobHashes(container: TestContainer, prefix = ""): Promise<Record<string, string>> {
  const client = container.service.getContainerClient(container.name);
  const out: Record<string, string> = {};
  for await (const blob of client.listBlobsFlat({ prefix })) {
    out[blob.name.slice(prefix.length)] = md5(await client.getBlobClient(blob.name).downloadToBuffer());
  }
  return out;
}

export function hashesOf(files: Record<string, Buffer | string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, content]) => [path, md5(content)]));
}

/** Resolves once `condition` holds; fails with the process's exit if it ends first. */
export async function waitUntil(exit: Promise<number | null>, condition: () => boolean): Promise<void> {
  let ended: number | null | undefined;
  void exit.then((code) => {
    ended = code;
  });
  while (!condition()) {
    if (ended !== undefined) throw new Error(`the process exited (${ended}) before the awaited moment`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Names of the blobs in a container, sorted. */
export async function blobNames(container: TestContainer): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.service.getContainerClient(container.name).listBlobsFlat())
    names.push(blob.name);
  return names.sort();
}

/** A container (or a path in it) reached through a proxy in front of Azurite, with the container's SAS. */
export function viaProxy(proxy: StorageProxy, container: TestContainer, path = ""): string {
  return `${proxy.origin}/${stack().accountName}/${container.name}/${path}?${container.sasUrl().split("?")[1]}`;
}

/** The fault proxy in front of the shared Azurite, terminating TLS with the stack's certificate. */
export async function proxyInFrontOfAzurite(
  options: {
    copyFromUrl?: boolean;
    sourceRoutes?: Record<string, string>;
    versions?: boolean;
    softDeletedSnapshots?: boolean;
  } = {},
): Promise<StorageProxy> {
  const info = stack();
  return startStorageProxy({
    target: info.blobOrigin,
    tls: {
      keyPem: await readFile(info.serverKeyPath, "utf8"),
      certPem: await readFile(info.serverCertPath, "utf8"),
    },
    ca: await readFile(info.caCertPath, "utf8"),
    copyFromUrl: options.copyFromUrl,
    sourceRoutes: options.sourceRoutes,
    versions: options.versions ? { account: info.accountName, key: info.accountKey } : undefined,
    softDeletedSnapshots: options.softDeletedSnapshots,
  });
}
