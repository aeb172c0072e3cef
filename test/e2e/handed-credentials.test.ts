// Credentials a driving program hands over in the environment, as AzCopy reads them: a token in
// AZCOPY_OAUTH_TOKEN_INFO (the Azure CLI's and Storage Explorer's way), an account key in
// ACCOUNT_NAME / ACCOUNT_KEY (with AZCOPY_CRED_TYPE=SharedKey), and AZCOPY_USER_AGENT_PREFIX.
// The command lines are the ones the Azure CLI builds for az storage copy, remove and blob sync.

import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  blobHashes,
  createContainer,
  hashesOf,
  runAzcp,
  stack,
  testHome,
  uniqueTenant,
  writeTree,
} from "../support/harness.js";

const TREE = { "a.txt": "alpha", "dir/b.txt": "beta", "dir/c.log": "gamma" };
const TRUST_LOCAL = ["--trusted-microsoft-suffixes", "127.0.0.1"];

/** A storage token from the Entra ID emulator, for the stack's service principal. */
async function emulatorToken(tenant: string): Promise<{ access_token: string; expires_in: number }> {
  const info = stack();
  const response = await fetch(`${info.identityUrl}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: info.spn.clientId,
      client_secret: info.spn.secret,
      scope: "https://storage.azure.com/.default",
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; expires_in: number };
}

/** AZCOPY_OAUTH_TOKEN_INFO as the Azure CLI wrote it (numbers as strings). */
function tokenInfo(
  token: string,
  tenant: string,
  expiresOn: number,
  extra: Record<string, string> = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    access_token: token,
    refresh_token: "",
    expires_in: String(expiresOn - now),
    not_before: String(now),
    expires_on: String(expiresOn),
    resource: "https://storage.azure.com",
    token_type: "Bearer",
    _tenant: tenant,
    _ad_endpoint: stack().identityUrl,
    ...extra,
  });
}

async function everythingWritten(home: string): Promise<string> {
  const logs = join(home, ".azcopy");
  const names = await readdir(logs, { recursive: true }).catch(() => [] as string[]);
  const texts = await Promise.all(
    names.map((name) => readFile(join(logs, String(name)), "utf8").catch(() => "")),
  );
  return texts.join("\n");
}

describe.concurrent("credentials handed over in the environment", () => {
  it("runs the Azure CLI's az storage copy, remove and blob sync lines with a token in AZCOPY_OAUTH_TOKEN_INFO", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const { access_token } = await emulatorToken(tenant);
    const env = {
      AZCOPY_OAUTH_TOKEN_INFO: tokenInfo(access_token, tenant, Math.floor(Date.now() / 1000) + 3600),
      AZCOPY_AUTO_LOGIN_TYPE: undefined,
    };
    const root = await writeTree(join(home, "src"), TREE);
    const container = await createContainer();
    // az storage copy -s <dir> -d <container url> --recursive --put-md5 ...
    const copied = await runAzcp(
      [
        "copy",
        root,
        container.url,
        "--recursive",
        "--put-md5",
        "--blob-type=BlockBlob",
        "--s2s-preserve-access-tier=False",
        ...TRUST_LOCAL,
      ],
      home,
      { env },
    );
    expect(copied.code, copied.all).toBe(0);
    expect(await blobHashes(container)).toEqual(
      Object.fromEntries(Object.entries(hashesOf(TREE)).map(([name, hash]) => [`src/${name}`, hash])),
    );
    // az storage blob sync -s <dir> -c <container> --delete-destination true, after a local change.
    await writeTree(root, { "new.txt": "new" });
    const synced = await runAzcp(
      [
        "sync",
        root,
        `${container.url}/src`,
        "--delete-destination=true",
        "--exclude-pattern=*.log",
        ...TRUST_LOCAL,
      ],
      home,
      { env },
    );
    expect(synced.code, synced.all).toBe(0);
    expect(Object.keys(await blobHashes(container)).sort()).toContain("src/new.txt");
    // az storage remove -c <container> -n src --recursive --include-pattern=*.txt
    const removed = await runAzcp(
      ["remove", `${container.url}/src`, "--recursive", "--include-pattern=*.txt", ...TRUST_LOCAL],
      home,
      { env },
    );
    expect(removed.code, removed.all).toBe(0);
    expect(Object.keys(await blobHashes(container))).toEqual(["src/dir/c.log"]);
    const written = `${copied.all}${synced.all}${removed.all}${await everythingWritten(home)}`;
    expect(written).not.toContain(access_token);
  });

  it("renews an expired handed token the way _token_refresh_source says, and explains one it cannot renew", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const { access_token } = await emulatorToken(tenant);
    const container = await createContainer();
    await container.upload("f.txt", "data");
    const expired = Math.floor(Date.now() / 1000) - 60;
    const info = stack();
    const renewed = await runAzcp(["list", container.url, ...TRUST_LOCAL], home, {
      env: {
        AZCOPY_OAUTH_TOKEN_INFO: tokenInfo(access_token, tenant, expired, {
          _token_refresh_source: "spn",
          _application_id: info.spn.clientId,
          _spn_secret: info.spn.secret,
        }),
      },
    });
    expect(renewed.code, renewed.all).toBe(0);
    expect(renewed.stdout).toContain("f.txt");
    expect(renewed.all).not.toContain(info.spn.secret);
    const stale = await runAzcp(["list", container.url, ...TRUST_LOCAL], home, {
      env: {
        AZCOPY_OAUTH_TOKEN_INFO: tokenInfo(access_token, tenant, expired, {
          _token_refresh_source: "tokenstore",
        }),
      },
    });
    expect(stale.code).toBe(1);
    expect(stale.all).toMatch(/AZCOPY_OAUTH_TOKEN_INFO expired at/);
    expect(stale.all).not.toContain(access_token);
  });

  it("signs with an account key from ACCOUNT_NAME / ACCOUNT_KEY, as AzCopy does with AZCOPY_CRED_TYPE=SharedKey", async () => {
    const home = await testHome();
    const info = stack();
    const root = await writeTree(join(home, "src"), TREE);
    const byAzcp = await createContainer();
    const byAzcopy = await createContainer();
    const env = {
      AZCOPY_CRED_TYPE: "SharedKey",
      ACCOUNT_NAME: info.accountName,
      ACCOUNT_KEY: info.accountKey,
    };
    const azcp = await runAzcp(["copy", root, byAzcp.url, "--recursive", ...TRUST_LOCAL], home, { env });
    expect(azcp.code, azcp.all).toBe(0);
    const port = new URL(info.blobEndpoint).port;
    const azcopy = await runAzcopy(
      [
        "copy",
        root,
        byAzcopy.url,
        "--recursive",
        "--from-to",
        "LocalBlob",
        "--trusted-microsoft-suffixes",
        `127.0.0.1:${port}`,
      ],
      home,
      { env },
    );
    expect(azcopy.code, azcopy.stdout).toBe(0);
    expect(await blobHashes(byAzcp)).toEqual(await blobHashes(byAzcopy));
    expect(Object.keys(await blobHashes(byAzcp))).toHaveLength(3);
    // Without AZCOPY_CRED_TYPE the key is used too when nothing else authorizes the account.
    const down = await runAzcp(
      ["copy", `${byAzcp.url}/src`, join(home, "down"), "--recursive", ...TRUST_LOCAL],
      home,
      {
        env: { ACCOUNT_NAME: info.accountName, ACCOUNT_KEY: info.accountKey },
      },
    );
    expect(down.code, down.all).toBe(0);
    expect(`${azcp.all}${down.all}${await everythingWritten(home)}`).not.toContain(info.accountKey);
  });

  it("puts AZCOPY_USER_AGENT_PREFIX before its User-Agent", async () => {
    const home = await testHome();
    const agents: string[] = [];
    const server = createServer((request, response) => {
      agents.push(String(request.headers["user-agent"]));
      response.writeHead(200, {
        "content-length": "5",
        etag: '"x"',
        "last-modified": new Date().toUTCString(),
      });
      response.end(request.method === "HEAD" ? undefined : "hello");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/site/hello.txt`;
      const result = await runAzcp(["copy", url, join(home, "hello.txt"), "--from-to", "HttpLocal"], home, {
        env: { AZCOPY_USER_AGENT_PREFIX: "StorageExplorer/1.35 " },
      });
      expect(result.code, result.all).toBe(0);
      expect(agents.length).toBeGreaterThan(0);
      for (const agent of agents) expect(agent).toMatch(/^StorageExplorer\/1\.35 azcp\//);
    } finally {
      server.close();
    }
  });
});
