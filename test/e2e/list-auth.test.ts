import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  createContainer,
  emulator,
  parseJsonLines,
  runAzcp,
  spnEnv,
  stack,
  testHome,
  uniqueTenant,
} from "../support/harness.js";
import { startRecordingServer } from "../support/recording-server.js";

const TRUST_LOCAL = ["--trusted-microsoft-suffixes", "127.0.0.1"];

async function containerWithFiles() {
  const container = await createContainer();
  await container.upload("a.txt", "x".repeat(1024));
  await container.upload("dir/b.bin", Buffer.alloc(2_000_000, 7));
  await container.upload("dir/sub/c.json", "{}");
  await container.upload("uni ü #%.txt", "hello");
  return container;
}

describe.concurrent("azcp list", () => {
  it("lists a container with a SAS in the URL, as text", async () => {
    const container = await containerWithFiles();
    const home = await testHome();
    const result = await runAzcp(["list", container.sasUrl("rl"), "--running-tally"], home);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "a.txt; Content Length: 1.00 KiB",
        "dir/b.bin; Content Length: 1.91 MiB",
        "dir/sub/c.json; Content Length: 2.00 B",
        "uni ü #%.txt; Content Length: 5.00 B",
        "",
        "File count: 4",
        "Total file size: 1.91 MiB",
        "",
      ].join("\n"),
    );
  });

  it("lists a virtual directory, with properties and machine-readable sizes, as JSON", async () => {
    const container = await containerWithFiles();
    const home = await testHome();
    const url = container.sasUrl("rl").replace(`/${container.name}?`, `/${container.name}/dir?`);
    const result = await runAzcp(
      [
        "list",
        url,
        "--output-type",
        "json",
        "--machine-readable",
        "--running-tally",
        "--properties",
        "BlobType;ContentMD5",
      ],
      home,
    );
    expect(result.code).toBe(0);
    const messages = parseJsonLines(result.stdout);
    expect(messages.map((message) => message.MessageType)).toEqual([
      "ListObject",
      "ListObject",
      "ListSummary",
      "EndOfJob",
    ]);
    const objects = messages
      .filter((m) => m.MessageType === "ListObject")
      .map((m) => JSON.parse(m.MessageContent));
    expect(objects[0]).toEqual({
      Path: "b.bin",
      BlobType: "BlockBlob",
      ContentMD5: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
      ContentLength: "2000000",
    });
    expect(objects[1].Path).toBe("sub/c.json");
    expect(JSON.parse(messages[2]!.MessageContent)).toEqual({ FileCount: "2", TotalFileSize: "2000002" });
  });

  it("lists with SPN auto-login: the token comes from the emulator and Azurite accepts it", async () => {
    const container = await containerWithFiles();
    const home = await testHome();
    const tenant = uniqueTenant();
    const result = await runAzcp(["list", container.url, ...TRUST_LOCAL], home, { env: spnEnv(tenant) });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toContain("dir/b.bin; Content Length: 1.91 MiB");
    const tokenRequests = await emulator.requests({ tenant, kind: "token" });
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toMatchObject({
      grantType: "client_credentials",
      clientId: stack().spn.clientId,
      usedSecret: true,
      scope: expect.stringContaining("https://storage.azure.com/.default"),
      status: 200,
    });
  });

  it("a wrong client secret gives one line with cause and fix, exit 1, and the secret appears nowhere", async () => {
    const container = await createContainer();
    const home = await testHome();
    const secret = "Wr0ng~Secret~Value~9f3e1c";
    const result = await runAzcp(["list", container.url, ...TRUST_LOCAL, "--log-level", "DEBUG"], home, {
      env: spnEnv(uniqueTenant(), { AZCOPY_SPA_CLIENT_SECRET: secret }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/rejected the client secret/);
    expect(lines[0]).toMatch(/AADSTS7000215/);
    expect(lines[0]).toMatch(/Set AZCOPY_SPA_CLIENT_SECRET/);
    expect(result.all).not.toContain(secret);
    expect(result.all).not.toContain(encodeURIComponent(secret));

    const json = await runAzcp(["list", container.url, ...TRUST_LOCAL, "--output-type", "json"], home, {
      env: spnEnv(uniqueTenant(), { AZCOPY_SPA_CLIENT_SECRET: secret }),
    });
    expect(json.code).toBe(1);
    const messages = parseJsonLines(json.stdout);
    // As AzCopy: one Error message, and no EndOfJob, for a command that cannot run.
    expect(messages.map((m) => m.MessageType)).toEqual(["Error"]);
    expect(json.all).not.toContain(secret);
  });

  it("without any credential, names the three ways to authorize", async () => {
    const container = await createContainer();
    const home = await testHome();
    const result = await runAzcp(["list", container.url], home);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no credentials/);
    expect(result.stderr).toMatch(/azcp login/);
    expect(result.stderr).toMatch(/AZCOPY_AUTO_LOGIN_TYPE/);
    expect(result.stderr).toMatch(/SAS/);
  });

  it("an expired token is rejected by Azurite and azcp says the token expired", async () => {
    const container = await createContainer();
    const home = await testHome();
    const tenant = uniqueTenant();
    await emulator.setTokenLifetime({ tenant }, -120);
    const result = await runAzcp(["list", container.url, ...TRUST_LOCAL], home, { env: spnEnv(tenant) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/403 AuthenticationFailed/);
    expect(result.stderr).toMatch(/token has expired/);
    expect(result.stderr).toMatch(/clock/);
  });

  it("an expired SAS is told apart from other failures", async () => {
    const container = await createContainer();
    const home = await testHome();
    const result = await runAzcp(["list", container.sasUrl("rl", new Date(Date.now() - 3600_000))], home);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/SAS token expired at \d{4}-/);
    expect(result.stderr).toMatch(/Create a new SAS/);
    expect(result.all).not.toMatch(/sig=[^R]/);
  });
});

describe.concurrent("where tokens go", () => {
  async function tls() {
    const info = stack();
    return {
      keyPem: await readFile(info.serverKeyPath, "utf8"),
      certPem: await readFile(info.serverCertPath, "utf8"),
    };
  }

  it("never sends a token to a host outside the trusted suffixes", async () => {
    const server = await startRecordingServer({ tls: await tls(), hostname: "localhost" });
    try {
      const home = await testHome();
      const tenant = uniqueTenant();
      const result = await runAzcp(["list", `${server.url}/devstoreaccount1/c1`, ...TRUST_LOCAL], home, {
        env: spnEnv(tenant),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/does not send Microsoft Entra tokens to localhost/);
      expect(result.stderr).toMatch(/--trusted-microsoft-suffixes/);
      expect(server.requests.filter((r) => r.authorization)).toEqual([]);
      // It did not even ask for a token it was not going to use.
      expect(await emulator.requests({ tenant, kind: "token" })).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("never sends a token over plain http, even to a trusted host", async () => {
    const server = await startRecordingServer({});
    try {
      const home = await testHome();
      const result = await runAzcp(["list", `${server.url}/devstoreaccount1/c1`, ...TRUST_LOCAL], home, {
        env: spnEnv(uniqueTenant()),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/over plain HTTP/);
      expect(server.requests.filter((r) => r.authorization)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("does not carry a token across a redirect to another host", async () => {
    const material = await tls();
    const target = await startRecordingServer({ tls: material, hostname: "localhost" });
    const redirector = await startRecordingServer({
      tls: material,
      respond: (req, res) => {
        res.writeHead(307, { location: `${target.url}${req.url}` });
        res.end();
      },
    });
    try {
      const home = await testHome();
      const result = await runAzcp(["list", `${redirector.url}/devstoreaccount1/c1`, ...TRUST_LOCAL], home, {
        env: spnEnv(uniqueTenant()),
      });
      expect(result.code).toBe(1);
      expect(redirector.requests.length).toBeGreaterThan(0);
      expect(redirector.requests.every((r) => r.authorization?.startsWith("Bearer "))).toBe(true);
      expect(target.requests.filter((r) => r.authorization)).toEqual([]);
    } finally {
      await Promise.all([target.close(), redirector.close()]);
    }
  });
});
