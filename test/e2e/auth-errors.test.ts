// Each way a sign-in goes wrong gives one line with the cause and the fix, exit code 1, and
// never shows a secret.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createClientCertificate, toPfx } from "../support/certs.js";
import { createContainer, emulator, runAzcp, stack, testHome, uniqueTenant } from "../support/harness.js";

const TRUST_LOCAL = ["--trusted-microsoft-suffixes", "127.0.0.1"];

async function failsWithOneLine(env: Record<string, string | undefined>, home?: string) {
  const container = await createContainer();
  const result = await runAzcp(
    ["list", container.url, ...TRUST_LOCAL, "--log-level", "DEBUG"],
    home ?? (await testHome()),
    {
      env,
    },
  );
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  return { line: lines[0]!, all: result.all };
}

describe.concurrent("sign-in failures", () => {
  it("a certificate that is not registered on the app", async () => {
    const registered = createClientCertificate();
    const other = createClientCertificate();
    const app = await emulator.registerApp({ certificates: [registered.certPem] });
    const home = await testHome();
    const path = join(home, "other.pem");
    await writeFile(path, other.keyPem + other.certPem);
    const { line } = await failsWithOneLine(
      {
        AZCOPY_AUTO_LOGIN_TYPE: "SPN",
        AZCOPY_SPA_APPLICATION_ID: app.clientId,
        AZCOPY_SPA_CERT_PATH: path,
        AZCOPY_TENANT_ID: uniqueTenant(),
      },
      home,
    );
    expect(line).toMatch(/rejected the certificate \(AADSTS700027\).*Upload this certificate's public part/);
  });

  it("an unknown application id", async () => {
    const { line, all } = await failsWithOneLine({
      AZCOPY_AUTO_LOGIN_TYPE: "SPN",
      AZCOPY_SPA_APPLICATION_ID: "0badc0de-0000-4000-8000-000000000000",
      AZCOPY_SPA_CLIENT_SECRET: "some-Secret-value-55",
      AZCOPY_TENANT_ID: uniqueTenant(),
    });
    expect(line).toMatch(
      /application 0badc0de-0000-4000-8000-000000000000 does not exist in tenant .*\(AADSTS700016\)\. Check AZCOPY_SPA_APPLICATION_ID/,
    );
    expect(all).not.toContain("some-Secret-value-55");
  });

  it("a wrong PFX password", async () => {
    const certificate = createClientCertificate();
    const app = await emulator.registerApp({ certificates: [certificate.certPem] });
    const home = await testHome();
    const path = join(home, "sp.pfx");
    await writeFile(path, toPfx(certificate, "right-pfx-password"));
    const { line, all } = await failsWithOneLine(
      {
        AZCOPY_AUTO_LOGIN_TYPE: "SPN",
        AZCOPY_SPA_APPLICATION_ID: app.clientId,
        AZCOPY_SPA_CERT_PATH: path,
        AZCOPY_SPA_CERT_PASSWORD: "Wrong-pfx-password-42",
        AZCOPY_TENANT_ID: uniqueTenant(),
      },
      home,
    );
    expect(line).toMatch(
      /password for the certificate file .*sp\.pfx is wrong\. Set AZCOPY_SPA_CERT_PASSWORD/,
    );
    expect(all).not.toContain("Wrong-pfx-password-42");
  });

  it("a managed identity chosen by two ids", async () => {
    const { line } = await failsWithOneLine({
      AZCOPY_AUTO_LOGIN_TYPE: "MSI",
      AZCOPY_MSI_CLIENT_ID: "11111111-1111-4111-8111-111111111111",
      AZCOPY_MSI_OBJECT_ID: "22222222-2222-4222-8222-222222222222",
    });
    expect(line).toMatch(
      /More than one managed identity id is set \(AZCOPY_MSI_CLIENT_ID, AZCOPY_MSI_OBJECT_ID\)\. Set only one/,
    );
  });

  it("an unknown login type", async () => {
    const { line } = await failsWithOneLine({ AZCOPY_AUTO_LOGIN_TYPE: "KERBEROS" });
    expect(line).toBe(
      'AZCOPY_AUTO_LOGIN_TYPE is "KERBEROS", which is not a login type azcp knows. Use one of DEVICE, MSI, SPN, AZCLI, PSCRED, WORKLOAD (any case).',
    );
  });

  it("an unreachable identity endpoint", async () => {
    const { line, all } = await failsWithOneLine({
      AZCOPY_AUTO_LOGIN_TYPE: "SPN",
      AZCOPY_SPA_APPLICATION_ID: stack().spn.clientId,
      AZCOPY_SPA_CLIENT_SECRET: stack().spn.secret,
      AZCOPY_TENANT_ID: uniqueTenant(),
      AZCOPY_ACTIVE_DIRECTORY_ENDPOINT: "https://127.0.0.1:9",
    });
    expect(line).toMatch(
      /could not read the OpenID configuration of https:\/\/127\.0\.0\.1:9\/.*Check AZCOPY_ACTIVE_DIRECTORY_ENDPOINT/,
    );
    expect(all).not.toContain(stack().spn.secret);
  });

  it("an identity endpoint that keeps failing (HTTP 500)", async () => {
    const tenant = uniqueTenant();
    await emulator.addFault({ match: { tenant, kind: "token" }, type: "http500" });
    const { line, all } = await failsWithOneLine({
      AZCOPY_AUTO_LOGIN_TYPE: "SPN",
      AZCOPY_SPA_APPLICATION_ID: stack().spn.clientId,
      AZCOPY_SPA_CLIENT_SECRET: stack().spn.secret,
      AZCOPY_TENANT_ID: tenant,
    });
    expect(line).toMatch(/temporarily unavailable \(AADSTS90033\)\. Try again/);
    expect(all).not.toContain(stack().spn.secret);
    // Retried with backoff, not hammered and not given up at the first failure.
    const attempts = (await emulator.requests({ tenant, kind: "token" })).length;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(12);
  });

  it("an identity endpoint that fails twice, then recovers", async () => {
    const tenant = uniqueTenant();
    await emulator.addFault({ match: { tenant, kind: "token" }, type: "http500", remaining: 2 });
    const container = await createContainer();
    const result = await runAzcp(["list", container.url, ...TRUST_LOCAL], await testHome(), {
      env: {
        AZCOPY_AUTO_LOGIN_TYPE: "SPN",
        AZCOPY_SPA_APPLICATION_ID: stack().spn.clientId,
        AZCOPY_SPA_CLIENT_SECRET: stack().spn.secret,
        AZCOPY_TENANT_ID: tenant,
      },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});
