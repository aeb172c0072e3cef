// --cpk-by-value and --cpk-by-name: the encryption headers go on the requests AzCopy puts them on,
// seen by a proxy in front of Azurite, and the key never shows in output or logs.
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  createContainer,
  hashesOf,
  localHashes,
  proxyInFrontOfAzurite,
  runAzcp,
  stack,
  testHome,
  writeTree,
} from "../support/harness.js";
import type { ProxyLogEntry, StorageProxy } from "../support/storage-proxy.js";

const KEY = randomBytes(32).toString("base64");
const KEY_SHA256 = createHash("sha256").update(Buffer.from(KEY, "base64")).digest("base64");
const TREE = { "small.txt": "small", "big.bin": randomBytes(9 * 1024 * 1024) };

let proxy: StorageProxy;
beforeAll(async () => {
  proxy = await proxyInFrontOfAzurite();
});
afterAll(() => proxy.close());

/** Each kind of request on a blob in a container (method and comp), with whether it carried encryption. */
function kinds(entries: ProxyLogEntry[], container: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const segments = entry.path.split("/").filter(Boolean);
    if (segments[1] !== container || segments.length < 3) continue;
    const comp = new URLSearchParams(entry.query).get("comp") ?? "";
    out[`${entry.method} ${comp}`] = entry.encryption
      ? `${entry.encryption.keySha256 ?? ""}|${entry.encryption.algorithm ?? ""}|${entry.encryption.scope ?? ""}`
      : "none";
  }
  return out;
}

function throughProxy(url: string): string {
  return url.replace(stack().blobOrigin, proxy.origin);
}

describe("customer-provided keys", () => {
  it("--cpk-by-value sends the key on the same requests as AzCopy, and never prints it", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    const env = { CPK_ENCRYPTION_KEY: KEY, CPK_ENCRYPTION_KEY_SHA256: KEY_SHA256 };
    const byAzcopy = await createContainer();
    const byAzcp = await createContainer();
    const up = (to: string) => [
      "copy",
      `${root}/*`,
      throughProxy(to),
      "--from-to",
      "LocalBlob",
      "--cpk-by-value",
      "--block-size-mb",
      "4",
    ];
    const azcopy = await runAzcopy(up(byAzcopy.sasUrl()), home, { env });
    expect(azcopy.code, azcopy.stdout).toBe(0);
    const azcp = await runAzcp(up(byAzcp.sasUrl()), home, { env });
    expect(azcp.code, azcp.all).toBe(0);
    const theirs = kinds(proxy.log, byAzcopy.name);
    const ours = kinds(proxy.log, byAzcp.name);
    // Put Blob, Put Block and Put Block List: made by both, so compared.
    expect(Object.keys(ours).filter((kind) => kind in theirs).length).toBeGreaterThanOrEqual(3);
    for (const [kind, value] of Object.entries(ours))
      if (kind in theirs) expect(value, kind).toBe(theirs[kind]);
    expect(ours["PUT block"]).toBe(`${KEY_SHA256}|AES256|`);

    const down = (from: string, to: string) => [
      "copy",
      throughProxy(from),
      to,
      "--recursive",
      "--as-subdir=false",
      "--from-to",
      "BlobLocal",
      "--cpk-by-value",
    ];
    const azcpDown = await runAzcp(down(byAzcp.sasUrl(), join(home, "down")), home, { env });
    expect(azcpDown.code, azcpDown.all).toBe(0);
    expect(await localHashes(join(home, "down"))).toEqual(hashesOf(TREE));
    const read = kinds(proxy.log, byAzcp.name);
    expect(read["GET "]).toBe(`${KEY_SHA256}|AES256|`);

    expect(`${azcp.all}${azcpDown.all}`).not.toContain(KEY);
    const logs = join(home, ".azcopy");
    for (const file of await readdir(logs, { recursive: true }).catch(() => [] as string[]))
      if (file.endsWith(".log")) expect(await readFile(join(logs, file), "utf8")).not.toContain(KEY);
  });

  it("--cpk-by-name sends the scope on writes, as AzCopy does", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    const byAzcopy = await createContainer();
    const byAzcp = await createContainer();
    const up = (to: string) => [
      "copy",
      `${root}/*`,
      throughProxy(to),
      "--from-to",
      "LocalBlob",
      "--cpk-by-name",
      "myscope",
      "--block-size-mb",
      "4",
    ];
    const azcopy = await runAzcopy(up(byAzcopy.sasUrl()), home);
    expect(azcopy.code, azcopy.stdout).toBe(0);
    const azcp = await runAzcp(up(byAzcp.sasUrl()), home);
    expect(azcp.code, azcp.all).toBe(0);
    const theirs = kinds(proxy.log, byAzcopy.name);
    const ours = kinds(proxy.log, byAzcp.name);
    for (const [kind, value] of Object.entries(ours))
      if (kind in theirs) expect(value, kind).toBe(theirs[kind]);
    expect(ours["PUT blocklist"]).toBe("||myscope");
  });

  it("refuses --cpk-by-value without a usable key, saying where it goes", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "a.txt": "a" });
    const container = await createContainer();
    const missing = await runAzcp(["copy", `${root}/*`, container.sasUrl(), "--cpk-by-value"], home);
    expect(missing.code).toBe(1);
    expect(missing.all).toContain("CPK_ENCRYPTION_KEY");
    const short = await runAzcp(["copy", `${root}/*`, container.sasUrl(), "--cpk-by-value"], home, {
      env: { CPK_ENCRYPTION_KEY: "c2hvcnQ=" },
    });
    expect(short.code).toBe(1);
    expect(short.all).toContain("32 bytes");
  });
});
