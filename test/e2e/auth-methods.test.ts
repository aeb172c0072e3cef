// Every sign-in method of AZCOPY_AUTO_LOGIN_TYPE, end to end: azcp lists a container with the
// token, and the emulator's log shows the flow that produced it.
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createClientCertificate, encryptedPem, thumbprints, toPfx } from "../support/certs.js";
import {
  createContainer,
  emulator,
  md5,
  runAzcp,
  stack,
  testHome,
  uniqueTenant,
} from "../support/harness.js";
import { workloadIdentity } from "../support/workload-identity.js";

const TRUST_LOCAL = ["--trusted-microsoft-suffixes", "127.0.0.1"];
const execFileAsync = promisify(execFile);

async function listable() {
  const container = await createContainer();
  await container.upload("hello.txt", "hello from azcp");
  return container;
}

async function expectListed(args: { env: Record<string, string | undefined>; home?: string }) {
  const container = await listable();
  const home = args.home ?? (await testHome());
  const result = await runAzcp(["list", container.url, ...TRUST_LOCAL], home, { env: args.env });
  expect(result.stderr).toBe("");
  expect(result.stdout).toBe("hello.txt; Content Length: 15.00 B\n");
  expect(result.code).toBe(0);
  // A small upload and download with the same sign-in, checked byte for byte.
  const data = randomBytes(40_000);
  await writeFile(join(home, "up.bin"), data);
  const up = await runAzcp(["copy", join(home, "up.bin"), `${container.url}/up.bin`, ...TRUST_LOCAL], home, {
    env: args.env,
  });
  expect(up.code, up.all).toBe(0);
  const down = await runAzcp(
    ["copy", `${container.url}/up.bin`, join(home, "down.bin"), ...TRUST_LOCAL],
    home,
    { env: args.env },
  );
  expect(down.code, down.all).toBe(0);
  expect(md5(await readFile(join(home, "down.bin")))).toBe(md5(data));
  const access = await runAzcp(["access", container.url, "--write", ...TRUST_LOCAL], home, { env: args.env });
  expect(access.stdout).toMatch(/\nlist: allowed\nread: allowed\nwrite: allowed\ndelete: allowed\n$/);
  expect(access.code).toBe(0);
  return result;
}

describe.concurrent("service principal", () => {
  it("signs in with a client secret", async () => {
    const tenant = uniqueTenant();
    const info = stack();
    await expectListed({
      env: {
        AZCOPY_AUTO_LOGIN_TYPE: "spn",
        AZCOPY_SPA_APPLICATION_ID: info.spn.clientId,
        AZCOPY_SPA_CLIENT_SECRET: info.spn.secret,
        AZCOPY_TENANT_ID: tenant,
      },
    });
    const [request] = await emulator.requests({ tenant, kind: "token" });
    expect(request).toMatchObject({ grantType: "client_credentials", usedSecret: true, status: 200 });
  });

  const certificate = createClientCertificate();
  const variants: [string, (dir: string) => Promise<{ path: string; password?: string }>][] = [
    [
      "PEM",
      async (dir) => {
        const path = join(dir, "sp.pem");
        await writeFile(path, certificate.keyPem + certificate.certPem);
        return { path };
      },
    ],
    [
      "PEM with an encrypted key",
      async (dir) => {
        const path = join(dir, "sp-encrypted.pem");
        await writeFile(path, encryptedPem(certificate, "pem-pass-1"));
        return { path, password: "pem-pass-1" };
      },
    ],
    [
      "PFX with a password",
      async (dir) => {
        const path = join(dir, "sp.pfx");
        await writeFile(path, toPfx(certificate, "pfx-pass-2"));
        return { path, password: "pfx-pass-2" };
      },
    ],
    [
      "PFX without a password",
      async (dir) => {
        const path = join(dir, "sp-open.pfx");
        await writeFile(path, toPfx(certificate, null));
        return { path };
      },
    ],
    [
      "PFX written by OpenSSL 3 (AES-256, PBKDF2), which AzCopy 10.32 cannot read",
      async (dir) => {
        const keyPath = join(dir, "key.pem");
        const certPath = join(dir, "cert.pem");
        await writeFile(keyPath, certificate.keyPem);
        await writeFile(certPath, certificate.certPem);
        const path = join(dir, "openssl.pfx");
        await execFileAsync("openssl", [
          "pkcs12",
          "-export",
          "-inkey",
          keyPath,
          "-in",
          certPath,
          "-out",
          path,
          "-passout",
          "pass:ossl-pass-3",
        ]);
        return { path, password: "ossl-pass-3" };
      },
    ],
  ];
  for (const [name, write] of variants) {
    it(`signs in with a certificate: ${name}`, async () => {
      const app = await emulator.registerApp({ certificates: [certificate.certPem] });
      const tenant = uniqueTenant();
      const home = await testHome();
      const file = await write(home);
      await expectListed({
        home,
        env: {
          AZCOPY_AUTO_LOGIN_TYPE: "SPN",
          AZCOPY_SPA_APPLICATION_ID: app.clientId,
          AZCOPY_SPA_CERT_PATH: file.path,
          AZCOPY_SPA_CERT_PASSWORD: file.password,
          AZCOPY_TENANT_ID: tenant,
        },
      });
      const [request] = await emulator.requests({ tenant, kind: "token" });
      expect(request).toMatchObject({ grantType: "client_credentials", usedSecret: false, status: 200 });
      expect(request?.assertionHeader?.["x5t#S256"]).toBe(thumbprints(certificate.certPem).sha256);
    });
  }
});

describe.concurrent("managed identity", () => {
  it("uses the system-assigned identity through IMDS", async () => {
    const before = Date.now();
    await expectListed({ env: { AZCOPY_AUTO_LOGIN_TYPE: "MSI" } });
    const system = stack().systemIdentity;
    const requests = (await emulator.requests({ kind: "imds", clientId: system.clientId })).filter(
      (r) => Date.parse(r.at) >= before - 1000,
    );
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]?.identityQuery).toMatchObject({
      resource: "https://storage.azure.com",
      "api-version": "2018-02-01",
    });
    expect(requests[0]?.identityQuery).not.toHaveProperty("client_id");
  });

  const selectors = [
    ["AZCOPY_MSI_CLIENT_ID", "client_id", "clientId"],
    ["AZCOPY_MSI_OBJECT_ID", "object_id", "objectId"],
    ["AZCOPY_MSI_RESOURCE_STRING", "msi_res_id", "resourceId"],
  ] as const;
  for (const [variable, parameter, field] of selectors) {
    it(`uses a user-assigned identity chosen by ${variable}`, async () => {
      const identity = await emulator.registerManagedIdentity();
      await expectListed({ env: { AZCOPY_AUTO_LOGIN_TYPE: "MSI", [variable]: identity[field] } });
      const requests = await emulator.requests({ kind: "imds", clientId: identity.clientId });
      expect(requests).toHaveLength(4);
      expect(requests.every((request) => request.identityQuery?.[parameter] === identity[field])).toBe(true);
    });
  }

  it("uses the App Service endpoint when IDENTITY_ENDPOINT and IDENTITY_HEADER are set", async () => {
    const identity = await emulator.registerManagedIdentity();
    await expectListed({
      env: {
        AZCOPY_AUTO_LOGIN_TYPE: "MSI",
        AZCOPY_MSI_CLIENT_ID: identity.clientId,
        IDENTITY_ENDPOINT: `${stack().identityUrl}/msi/token`,
        IDENTITY_HEADER: randomUUID(),
      },
    });
    const requests = await emulator.requests({ kind: "appservice", clientId: identity.clientId });
    expect(requests).toHaveLength(4);
    expect(requests[0]?.identityQuery).toMatchObject({
      client_id: identity.clientId,
      "api-version": "2019-08-01",
    });
  });
});

describe.concurrent("developer tools and workloads", () => {
  it("uses the Azure CLI's token (AZCLI), passing the tenant", async () => {
    const tenant = uniqueTenant();
    await expectListed({ env: { AZCOPY_AUTO_LOGIN_TYPE: "AZCLI", AZCOPY_TENANT_ID: tenant } });
    expect(await emulator.requests({ kind: "cli", clientId: "az", tenant })).toHaveLength(4);
  });

  it("uses Azure PowerShell's token (PSCRED), passing the tenant", async () => {
    const tenant = uniqueTenant();
    await expectListed({ env: { AZCOPY_AUTO_LOGIN_TYPE: "PSCRED", AZCOPY_TENANT_ID: tenant } });
    expect(await emulator.requests({ kind: "cli", clientId: "pwsh", tenant })).toHaveLength(4);
  });

  it("says to run az login when the Azure CLI has no account", async () => {
    const container = await createContainer();
    const result = await runAzcp(["list", container.url, ...TRUST_LOCAL], await testHome(), {
      env: { AZCOPY_AUTO_LOGIN_TYPE: "AZCLI", AZCP_FAKE_AZ_LOGGED_OUT: "1" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/no signed-in account.*az login/);
  });

  it("signs in with workload identity federation (WORKLOAD)", async () => {
    const { clientId, tenant, env } = await workloadIdentity(
      "https://oidc.kubernetes.test/cluster-1",
      "system:serviceaccount:jobs:azcp",
    );
    await expectListed({ home: await testHome(), env });
    const [request] = await emulator.requests({ tenant, kind: "token" });
    expect(request).toMatchObject({
      grantType: "client_credentials",
      clientId,
      usedSecret: false,
      status: 200,
    });
  });
});
