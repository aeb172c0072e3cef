// 403s told apart: a missing data role (named, with the principal and where to assign it), a
// network rule, a rejected token, an expired SAS. Azurite checks no roles, so a proxy in front of
// it answers the Blob service's real error bodies for chosen requests.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createContainer,
  parseJsonLines,
  proxyInFrontOfAzurite,
  runAzcp,
  spnEnv,
  stack,
  testHome,
  uniqueTenant,
} from "../support/harness.js";
import { type StorageProxy, serviceError } from "../support/storage-proxy.js";

const TRUST_LOCAL = ["--trusted-microsoft-suffixes", "127.0.0.1"];

let proxy: StorageProxy;

beforeAll(async () => {
  proxy = await proxyInFrontOfAzurite();
});

afterAll(async () => {
  await proxy.close();
});

/** A container reached through the proxy, with rules that apply to its name only. */
async function containerBehindProxy(rules: { methods?: string[]; reply: ReturnType<typeof serviceError> }[]) {
  const container = await createContainer();
  await container.upload("file.txt", "some data");
  for (const rule of rules) proxy.rules.push({ ...rule, path: `/${container.name}(/|$)` });
  return { ...container, proxied: `${proxy.origin}/${stack().accountName}/${container.name}` };
}

describe.concurrent("azcp access", () => {
  it("reports list, read, write and delete as allowed on the stack", async () => {
    const container = await createContainer();
    const result = await runAzcp(["access", container.url, "--write", ...TRUST_LOCAL], await testHome(), {
      env: spnEnv(uniqueTenant()),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`INFO: Authorized by: application ${stack().spn.clientId}`);
    expect(result.stdout).toMatch(/\nlist: allowed\nread: allowed\nwrite: allowed\ndelete: allowed\n$/);
    // The marker blob is gone again.
    const names = [];
    for await (const blob of container.service.getContainerClient(container.name).listBlobsFlat())
      names.push(blob.name);
    expect(names).toEqual([]);
  });

  it("reports write and delete as denied with the role that grants them, and exits 1", async () => {
    const container = await containerBehindProxy([
      { methods: ["PUT", "DELETE"], reply: serviceError(403, "AuthorizationPermissionMismatch") },
    ]);
    const result = await runAzcp(["access", container.proxied, "--write", ...TRUST_LOCAL], await testHome(), {
      env: spnEnv(uniqueTenant()),
    });
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toContain("list: allowed");
    expect(lines).toContain("read: allowed");
    const write = lines.find((line) => line.startsWith("write: "));
    expect(write).toMatch(
      /^write: denied\. Could not write a blob in .*\(403 AuthorizationPermissionMismatch\)/,
    );
    expect(write).toContain(`application ${stack().spn.clientId} (object id ${stack().spn.objectId})`);
    expect(write).toContain("assign it Storage Blob Data Contributor (or Storage Blob Data Owner)");
    expect(write).toMatch(
      /the container \(or share\), the storage account, its resource group or the subscription/,
    );
    expect(write).toMatch(/up to 5 minutes/);
    expect(lines.find((line) => line.startsWith("delete: "))).toMatch(/^delete: denied/);

    const json = await runAzcp(
      ["access", container.proxied, "--write", "--output-type", "json", ...TRUST_LOCAL],
      await testHome(),
      {
        env: spnEnv(uniqueTenant()),
      },
    );
    const checks = parseJsonLines(json.stdout)
      .filter((m) => m.MessageType === "Info" && m.MessageContent.startsWith("{"))
      .map((m) => JSON.parse(m.MessageContent));
    expect(checks.map((c) => [c.Operation, c.Allowed])).toEqual([
      ["list", true],
      ["read", true],
      ["write", false],
      ["delete", false],
    ]);
    expect(checks[2]).toMatchObject({ StatusCode: 403, ErrorCode: "AuthorizationPermissionMismatch" });
  });
});

describe.concurrent("a missing role fails before the work", () => {
  it("copy probes write and remove probes delete before listing anything", async () => {
    const home = await testHome();
    const tree = join(home, "tree");
    await mkdir(tree);
    await writeFile(join(tree, "a.txt"), "a");
    for (const [command, method, args] of [
      ["copy", "PUT", [tree]],
      ["remove", "DELETE", []],
    ] as const) {
      const container = await containerBehindProxy([
        { methods: [method], reply: serviceError(403, "AuthorizationPermissionMismatch") },
      ]);
      const target = command === "copy" ? [...args, container.proxied] : [container.proxied];
      const result = await runAzcp([command, ...target, "--recursive", ...TRUST_LOCAL], home, {
        env: { AZCOPY_AUTO_LOGIN_TYPE: "AZCLI" },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("alice@contoso.test");
      expect(result.stderr).toContain("Storage Blob Data Contributor");
      const seen = proxy.log.filter((entry) => entry.path.includes(`/${container.name}`));
      // One probe, refused; no listing and no transfer was attempted.
      expect(seen.map((entry) => `${entry.method} ${entry.status}`)).toEqual([`${method} 403`]);
      expect(seen[0]!.path).toMatch(/\.azcp-(write|delete)-check-/);
    }
  });
});

describe.concurrent("403s told apart", () => {
  it("a missing reader role names the principal, the operation, Storage Blob Data Reader and the delay", async () => {
    const container = await containerBehindProxy([
      { methods: ["GET"], reply: serviceError(403, "AuthorizationPermissionMismatch") },
    ]);
    const result = await runAzcp(["list", container.proxied, ...TRUST_LOCAL], await testHome(), {
      env: { AZCOPY_AUTO_LOGIN_TYPE: "AZCLI" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/Could not list blobs in .* \(403 AuthorizationPermissionMismatch\)/);
    expect(result.stderr).toContain("alice@contoso.test (object id");
    expect(result.stderr).toContain("signed in with the Azure CLI's sign-in");
    expect(result.stderr).toContain(
      "has no data role that allows listing here: assign it Storage Blob Data Reader",
    );
    expect(result.stderr).toContain("up to 5 minutes");
  });

  it("a network rule (AuthorizationFailure) is not mistaken for a missing role", async () => {
    const container = await containerBehindProxy([{ reply: serviceError(403, "AuthorizationFailure") }]);
    const result = await runAzcp(["list", container.proxied, ...TRUST_LOCAL], await testHome(), {
      env: spnEnv(uniqueTenant()),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/firewall, virtual network rules or private endpoint/);
    expect(result.stderr).toMatch(/networking rules/);
    expect(result.stderr).not.toMatch(/role/);
  });

  it("a rejected token (AuthenticationFailed) says the token was refused, not that a role is missing", async () => {
    const container = await containerBehindProxy([
      { reply: serviceError(403, "AuthenticationFailed", "Issuer validation failed. Issuer did not match.") },
    ]);
    const result = await runAzcp(["list", container.proxied, ...TRUST_LOCAL], await testHome(), {
      env: spnEnv(uniqueTenant()),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /rejected the Microsoft Entra token \(403 AuthenticationFailed: Issuer validation failed/,
    );
    expect(result.stderr).toMatch(/Sign in to the tenant that owns the storage account/);
  });

  it("a SAS without the needed permission says so", async () => {
    const container = await containerBehindProxy([
      { reply: serviceError(403, "AuthorizationPermissionMismatch") },
    ]);
    const sas = container.sasUrl("r").split("?")[1];
    const result = await runAzcp(["list", `${container.proxied}?${sas}`], await testHome());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/SAS does not grant this operation/);
    expect(result.all).not.toMatch(/sig=(?!REDACTED)/);
  });
});
