// Azure Files and Data Lake Storage through the CLI, against the stack's Files/Data Lake test
// server (Azurite has neither): every copy direction with SAS, a service principal and a managed
// identity, checked byte for byte; the backup intent on every Files request signed with a token.
import { randomBytes } from "node:crypto";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  blobHashes,
  createContainer,
  createFileSystem,
  createShare,
  fileSystemHashes,
  hashesOf,
  localHashes,
  restServer,
  runAzcp,
  shareHashes,
  spnEnv,
  testHome,
  uniqueTenant,
  writeTree,
} from "../support/harness.js";

type Auth = "SAS" | "SPN" | "MSI";
type Service = "File" | "BlobFS";

/** Tokens go to the test server and Azurite on 127.0.0.1 only because the test trusts that host. */
const TRUST_LOCAL = { AZCP_TRUSTED_MICROSOFT_SUFFIXES: "127.0.0.1" };

function authEnv(auth: Auth): Record<string, string> {
  if (auth === "SPN") return spnEnv(uniqueTenant(), TRUST_LOCAL);
  if (auth === "MSI") return { AZCOPY_AUTO_LOGIN_TYPE: "MSI", ...TRUST_LOCAL };
  return {};
}

function tree(): Record<string, Buffer | string> {
  return {
    "a.txt": "alpha",
    "dir/b.bin": randomBytes(5000),
    // Over 4 MiB: more than one Files range, and several Data Lake appends at 1 MiB blocks.
    "dir/deeper/big.bin": randomBytes(5 * 1024 * 1024 + 7),
    "name with spaces #1.txt": "spaces",
  };
}

async function remoteSide(service: Service, auth: Auth) {
  const side = service === "File" ? await createShare() : await createFileSystem();
  return {
    name: side.name,
    url: auth === "SAS" ? side.sasUrl : side.url,
    hashes: (prefix?: string) =>
      service === "File"
        ? shareHashes(side as Awaited<ReturnType<typeof createShare>>, prefix)
        : fileSystemHashes(side as Awaited<ReturnType<typeof createFileSystem>>, prefix),
    directoryExists: (path: string) =>
      service === "File"
        ? (side as Awaited<ReturnType<typeof createShare>>).client.getDirectoryClient(path).exists()
        : (side as Awaited<ReturnType<typeof createFileSystem>>).client.getDirectoryClient(path).exists(),
  };
}

const CASES: [Service, Auth][] = [
  ["File", "SAS"],
  ["File", "SPN"],
  ["File", "MSI"],
  ["BlobFS", "SAS"],
  ["BlobFS", "SPN"],
  ["BlobFS", "MSI"],
];

describe.concurrent("Azure Files and Data Lake: every direction", () => {
  it.each(CASES)(
    "%s with %s: local -> it -> local, it -> it, it -> Blob, Blob -> it, byte for byte",
    async (service, auth) => {
      const home = await testHome();
      const env = authEnv(auth);
      const files = tree();
      const root = await writeTree(join(home, "tree"), files);
      await mkdir(join(root, "empty"));
      const expected = hashesOf(files);
      const first = await remoteSide(service, auth);
      const since = await restServer.lastSeq();
      const run = (args: string[]) => runAzcp([...args, "--output-type", "json"], home, { env });
      const blockSize = service === "BlobFS" ? ["--block-size-mb", "1"] : [];

      const up = await run([
        "copy",
        root,
        first.url,
        "--recursive",
        "--from-to",
        `Local${service}`,
        ...blockSize,
      ]);
      expect(up.stderr).toBe("");
      expect(up.code).toBe(0);
      expect(await first.hashes("tree")).toEqual(expected);
      // Folders are real on these services: the empty one arrives too.
      expect(await first.directoryExists("tree/empty")).toBe(true);

      const down = join(home, "down");
      const get = await run([
        "copy",
        `${at(first.url, "tree")}`,
        down,
        "--recursive",
        "--from-to",
        `${service}Local`,
        // The large file in 1 MiB ranges, each streamed from the socket to its place in the file.
        "--block-size-mb",
        "1",
      ]);
      expect(get.code).toBe(0);
      expect(await localHashes(join(down, "tree"))).toEqual(expected);
      expect((await stat(join(down, "tree", "empty"))).isDirectory()).toBe(true);

      const second = await remoteSide(service, auth);
      const across = await run([
        "copy",
        at(first.url, "tree"),
        second.url,
        "--recursive",
        "--from-to",
        `${service}${service}`,
      ]);
      expect(across.code).toBe(0);
      expect(await second.hashes("tree")).toEqual(expected);

      const container = await createContainer();
      const blobUrl = auth === "SAS" ? container.sasUrl() : container.url;
      const toBlob = await run([
        "copy",
        at(first.url, "tree"),
        blobUrl,
        "--recursive",
        "--from-to",
        `${service}Blob`,
      ]);
      expect(toBlob.code).toBe(0);
      expect(await blobHashes(container, "tree/")).toEqual(expected);

      const third = await remoteSide(service, auth);
      const fromBlob = await run([
        "copy",
        at(blobUrl, "tree"),
        third.url,
        "--recursive",
        "--from-to",
        `Blob${service}`,
      ]);
      expect(fromBlob.code).toBe(0);
      expect(await third.hashes("tree")).toEqual(expected);

      // What azcp sent (the test's own SDK calls, authorized by SAS, are in the log too).
      const requests = (await restServer.requests(since)).filter(
        (request) =>
          request.userAgent?.startsWith("azcp/") &&
          [first.name, second.name, third.name].some((name) => request.path.includes(`/${name}`)),
      );
      expect(requests.length).toBeGreaterThan(10);
      expect(new Set(requests.map((request) => request.auth))).toEqual(
        new Set([auth === "SAS" ? "sas" : "bearer"]),
      );
      if (service === "File") {
        // File -> File and Blob -> File are copied by the service, range by range (Put Range From
        // URL): five ranges each, the 5 MiB file taking two.
        expect(requests.filter((request) => request.copySource).length).toBe(10);
      }
      if (service === "File" && auth !== "SAS") {
        // Every Files request signed with a token says it is a backup-intent request.
        expect(requests.filter((request) => request.intent !== "backup")).toEqual([]);
      }
    },
  );
});

/** The URL of a path inside a container/share URL that may carry a SAS. */
function at(url: string, path: string): string {
  const [base, query] = url.split("?");
  return `${base}/${path}${query ? `?${query}` : ""}`;
}
