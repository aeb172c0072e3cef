// azcp login / login status / logout, the login store's backends, and what a saved login does
// for later processes.
import { spawn } from "node:child_process";
import { chmod, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { approveDeviceCodeInBrowser } from "../support/browser.js";
import {
  AZCP_BIN,
  baseEnv,
  createContainer,
  emulator,
  parseJsonLines,
  runAzcp,
  runProcess,
  stack,
  testHome,
  uniqueTenant,
} from "../support/harness.js";

const TRUST_LOCAL = ["--trusted-microsoft-suffixes", "127.0.0.1"];

function spnLoginEnv(tenant: string): Record<string, string> {
  const info = stack();
  return { AZCOPY_SPA_CLIENT_SECRET: info.spn.secret, AZCOPY_TENANT_ID: tenant };
}

async function containerWithOneBlob() {
  const container = await createContainer();
  await container.upload("kept.txt", "saved login works");
  return container;
}

/** Every file under a folder, as bytes, to prove a secret was not written there. */
async function allBytes(folder: string): Promise<string> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  const contents = await Promise.all(files.map((file) => readFile(file).catch(() => Buffer.alloc(0))));
  return Buffer.concat(contents).toString("latin1");
}

describe.concurrent("azcp login with the file store", () => {
  it("saves a service principal login that a later process uses, and logout removes it", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const container = await containerWithOneBlob();
    const login = await runAzcp(
      ["login", "--service-principal", "--application-id", stack().spn.clientId, "--tenant-id", tenant],
      home,
      { env: spnLoginEnv(tenant) },
    );
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/^Login succeeded\.\n/);
    const file = join(home, ".config", "azcp", "login.json");
    expect(login.stdout).toContain(`saved in the file ${file}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, ".config", "azcp"))).mode & 0o777).toBe(0o700);

    const list = await runAzcp(["list", container.url, ...TRUST_LOCAL], home);
    expect(list.stdout).toBe("kept.txt; Content Length: 17.00 B\n");
    expect(list.code).toBe(0);

    const status = await runAzcp(["login", "status", "--output-type", "json"], home);
    expect(status.code).toBe(0);
    const [info] = parseJsonLines(status.stdout);
    expect(info?.MessageType).toBe("LoginStatusInfo");
    expect(JSON.parse(info!.MessageContent)).toEqual({
      valid: true,
      tenantID: tenant,
      AADEndpoint: stack().identityUrl,
      authMethod: "SPN",
    });
    const statusText = await runAzcp(["login", "status", "--tenant", "--method"], home);
    expect(statusText.stdout).toContain(`INFO: Microsoft Entra tenant ID: ${tenant}\n`);
    expect(statusText.stdout).toContain("INFO: Authorization method: SPN\n");

    const logout = await runAzcp(["logout"], home);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toMatch(/^Logout succeeded\./);
    await expect(stat(file)).rejects.toThrow();

    const after = await runAzcp(["list", container.url, ...TRUST_LOCAL], home);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/azcp login.*AZCOPY_AUTO_LOGIN_TYPE.*SAS/);
    const again = await runAzcp(["logout"], home);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not logged in/);
    const statusAfter = await runAzcp(["login", "status"], home);
    expect(statusAfter.code).toBe(1);
    expect(statusAfter.stdout).toMatch(/not logged in/);
  });

  it("refuses a login file whose permissions were loosened, and says how to fix it", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const container = await containerWithOneBlob();
    await runAzcp(["login", "--service-principal", "--application-id", stack().spn.clientId], home, {
      env: spnLoginEnv(tenant),
    });
    const file = join(home, ".config", "azcp", "login.json");
    await chmod(file, 0o644);
    const list = await runAzcp(["list", container.url, ...TRUST_LOCAL], home);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`its permissions (0644) let other users read it. Run: chmod 600 ${file}`);
    await chmod(file, 0o600);
    await chmod(join(home, ".config", "azcp"), 0o755);
    const again = await runAzcp(["list", container.url, ...TRUST_LOCAL], home);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Run: chmod 700 ${join(home, ".config", "azcp")}`);
  });

  it("saves nothing when the sign-in fails", async () => {
    const home = await testHome();
    const secret = "not-the-right-secret-7781";
    const login = await runAzcp(
      ["login", "--service-principal", "--application-id", stack().spn.clientId],
      home,
      {
        env: { AZCOPY_SPA_CLIENT_SECRET: secret, AZCOPY_TENANT_ID: uniqueTenant() },
      },
    );
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(/AADSTS7000215/);
    expect(login.all).not.toContain(secret);
    await expect(stat(join(home, ".config", "azcp", "login.json"))).rejects.toThrow();
  });

  it("rejects --identity with --login-type, and --identity with --service-principal", async () => {
    const home = await testHome();
    const both = await runAzcp(["login", "--identity", "--login-type", "msi"], home);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--identity and --login-type cannot be used together/);
    const two = await runAzcp(["login", "--identity", "--service-principal"], home);
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(/cannot be used together/);
  });

  it("logs in with a managed identity and keeps which identity it was", async () => {
    const home = await testHome();
    const identity = await emulator.registerManagedIdentity();
    const container = await containerWithOneBlob();
    const login = await runAzcp(["login", "--identity", "--identity-object-id", identity.objectId], home);
    expect(login.code).toBe(0);
    const saved = JSON.parse(await readFile(join(home, ".config", "azcp", "login.json"), "utf8"));
    expect(saved.spec).toEqual({ type: "MSI", identity: { kind: "object-id", id: identity.objectId } });
    const list = await runAzcp(["list", container.url, ...TRUST_LOCAL], home);
    expect(list.code).toBe(0);
    expect((await emulator.requests({ kind: "imds", clientId: identity.clientId })).length).toBe(2);
  });
});

describe.concurrent("precedence", () => {
  it("a SAS in the URL wins over auto-login: no token is even requested", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const container = await containerWithOneBlob();
    const result = await runAzcp(["list", container.sasUrl("rl"), ...TRUST_LOCAL], home, {
      env: {
        AZCOPY_AUTO_LOGIN_TYPE: "SPN",
        AZCOPY_SPA_APPLICATION_ID: stack().spn.clientId,
        ...spnLoginEnv(tenant),
      },
    });
    expect(result.code).toBe(0);
    expect(await emulator.requests({ tenant })).toEqual([]);
  });

  it("auto-login wins over the saved login", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const container = await containerWithOneBlob();
    await runAzcp(["login", "--service-principal", "--application-id", stack().spn.clientId], home, {
      env: spnLoginEnv(tenant),
    });
    const before = (await emulator.requests({ tenant, kind: "token" })).length;
    const identity = await emulator.registerManagedIdentity();
    const result = await runAzcp(["list", container.url, ...TRUST_LOCAL], home, {
      env: { AZCOPY_AUTO_LOGIN_TYPE: "MSI", AZCOPY_MSI_CLIENT_ID: identity.clientId },
    });
    expect(result.code).toBe(0);
    expect(await emulator.requests({ kind: "imds", clientId: identity.clientId })).toHaveLength(1);
    expect(await emulator.requests({ tenant, kind: "token" })).toHaveLength(before);
  });

  it("a failing auto-login is an error, not a fall-through to the saved login", async () => {
    const home = await testHome();
    const container = await containerWithOneBlob();
    await runAzcp(["login", "--service-principal", "--application-id", stack().spn.clientId], home, {
      env: spnLoginEnv(uniqueTenant()),
    });
    const result = await runAzcp(["list", container.url, ...TRUST_LOCAL], home, {
      env: { AZCOPY_AUTO_LOGIN_TYPE: "MSI", AZCOPY_MSI_CLIENT_ID: "00000000-0000-0000-0000-00000000dead" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/managed identity/);
  });
});

describe("device code login", () => {
  it("is approved in a real browser; a later process lists without a prompt; logout ends it", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const container = await containerWithOneBlob();
    const child = spawn(process.execPath, [AZCP_BIN, "login", "--tenant-id", tenant], {
      env: baseEnv(home),
      cwd: home,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    const prompt = await new Promise<{ uri: string; code: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no device code printed: ${stderr}`)), 30_000);
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
        const match = /open the page (\S+) and enter the code (\S+) /.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve({ uri: match[1]!, code: match[2]! });
        }
      });
    });
    const done = await approveDeviceCodeInBrowser(prompt.uri, prompt.code);
    expect(done).toMatch(/You have signed in/);
    const code = await closed;
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Login succeeded\.\nINFO: Signed in with device code sign-in .* as alice@contoso\.test\./,
    );

    const list = await runAzcp(["list", container.url, ...TRUST_LOCAL], home);
    expect(list.stdout).toBe("kept.txt; Content Length: 17.00 B\n");
    expect(list.stderr).toBe("");
    expect(await emulator.requests({ tenant, kind: "devicecode" })).toHaveLength(1);

    expect((await runAzcp(["logout"], home)).code).toBe(0);
    const saved = await allBytes(home);
    expect(saved).not.toMatch(/"secret"|refresh_token|RefreshToken/);
    const after = await runAzcp(["list", container.url, ...TRUST_LOCAL], home);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/Authorize in one of three ways|azcp login.*AZCOPY_AUTO_LOGIN_TYPE.*SAS/);
  });

  it("a revoked refresh token ends the command with a re-login instruction", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    await emulator.setTokenLifetime({ tenant }, 4);
    const container = await containerWithOneBlob();
    const child = spawn(process.execPath, [AZCP_BIN, "login", "--tenant-id", tenant], {
      env: baseEnv(home),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const closed = new Promise((resolve) => child.on("close", resolve));
    let stderr = "";
    const code = await new Promise<string>((resolve) => {
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
        const match = /enter the code (\S+) /.exec(stderr);
        if (match) resolve(match[1]!);
      });
    });
    await emulator.approveDeviceCode(code);
    expect(await closed).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect((await emulator.revokeRefreshTokens({ tenant })).revoked).toBeGreaterThan(0);
    const list = await runAzcp(["list", container.url, ...TRUST_LOCAL], home);
    expect(list.code).toBe(1);
    expect(list.stderr.trim().split("\n")).toHaveLength(1);
    expect(list.stderr).toMatch(/expired or was revoked \(AADSTS50173\).*Run `azcp login` again/);
  });
});

describe("other login stores", () => {
  it("keeps the login in the Secret Service under a D-Bus session, and writes no secret to disk", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const container = await containerWithOneBlob();
    const secret = stack().spn.secret;
    const script = `
      set -e
      printf 'keyring-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
      node "${AZCP_BIN}" login --service-principal --application-id ${stack().spn.clientId}
      node "${AZCP_BIN}" list "${container.url}" ${TRUST_LOCAL.join(" ")}
      node "${AZCP_BIN}" login status
      node "${AZCP_BIN}" logout
      node "${AZCP_BIN}" login status || echo "status after logout: $?"
    `;
    const result = await runProcess("dbus-run-session", ["--", "bash", "-c", script], home, {
      env: { ...spnLoginEnv(tenant), AZCP_LOGIN_STORE: undefined },
    });
    expect(result.stdout).toContain("INFO: The login is saved in the Secret Service");
    expect(result.stdout).toContain("kept.txt; Content Length: 17.00 B");
    expect(result.stdout).toContain("INFO: You are logged in with service principal");
    expect(result.stdout).toContain("Logout succeeded.");
    expect(result.stdout).toContain("status after logout: 1");
    expect(result.code).toBe(0);
    expect(await allBytes(join(home, ".config"))).not.toContain(secret);
    expect(await allBytes(home)).not.toContain(secret);
  });

  it("keeps the login in the kernel user keyring on request, across sessions", async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const container = await containerWithOneBlob();
    const env = { ...spnLoginEnv(tenant), AZCP_LOGIN_STORE: "keyring" };
    const login = await runProcess(
      "keyctl",
      [
        "session",
        "-",
        process.execPath,
        AZCP_BIN,
        "login",
        "--service-principal",
        "--application-id",
        stack().spn.clientId,
      ],
      home,
      { env },
    );
    expect(login.stdout).toContain("saved in the kernel user keyring");
    expect(login.code).toBe(0);
    const list = await runProcess(
      "keyctl",
      ["session", "-", process.execPath, AZCP_BIN, "list", container.url, ...TRUST_LOCAL],
      home,
      {
        env: { AZCP_LOGIN_STORE: "keyring" },
      },
    );
    expect(list.stdout).toBe("kept.txt; Content Length: 17.00 B\n");
    expect(await allBytes(home)).not.toContain(stack().spn.secret);
    const logout = await runProcess("keyctl", ["session", "-", process.execPath, AZCP_BIN, "logout"], home, {
      env: { AZCP_LOGIN_STORE: "keyring" },
    });
    expect(logout.code).toBe(0);
    const after = await runProcess(
      "keyctl",
      ["session", "-", process.execPath, AZCP_BIN, "login", "status"],
      home,
      {
        env: { AZCP_LOGIN_STORE: "keyring" },
      },
    );
    expect(after.code).toBe(1);
  });
});
