// Secrets never leak: every command is run with a SAS, a client secret, a certificate password
// and tokens, at every log level and with faults on, and stdout, stderr, log files, plan files
// and the file login store are searched for those values. A SAS signature shows as REDACTED.
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClientCertificate, toPfx } from "../support/certs.js";
import {
  createContainer,
  emulator,
  proxyInFrontOfAzurite,
  type RunResult,
  runAzcp,
  stack,
  testHome,
  uniqueTenant,
  writeTree,
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

/** Everything azcp wrote under home (logs, plans, login store), as text. */
async function writtenFiles(home: string): Promise<string> {
  const entries = await readdir(home, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map((entry) => readFile(join(entry.parentPath, entry.name), "latin1")),
  );
  return texts.join("\n");
}

function expectNoSecret(haystack: string, secrets: string[]) {
  for (const secret of secrets) {
    expect(haystack).not.toContain(secret);
    expect(haystack).not.toContain(encodeURIComponent(secret));
  }
  // No JSON Web Token (access or refresh token, assertion) anywhere.
  expect(haystack).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
}

describe("secrets", () => {
  it("a SAS never appears in output, logs or plans, at any log level and with faults", {
    timeout: 120_000,
  }, async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "src"), {
      "a.txt": "a",
      "b/c.bin": randomBytes(9 * 1024 * 1024),
    });
    const container = await createContainer();
    const sasUrl = container.sasUrl();
    const signature = decodeURIComponent(/sig=([^&]+)/.exec(sasUrl)![1]!);
    proxy.rules.push({
      path: `/${container.name}/`,
      methods: ["PUT"],
      count: 3,
      reply: { ...serviceError(503, "ServerBusy"), retryAfter: "0" },
    });
    proxy.rules.push({
      path: `/${container.name}/nope`,
      reply: serviceError(403, "AuthorizationPermissionMismatch"),
    });
    const proxied = `${proxy.origin}/${stack().accountName}/${container.name}?${sasUrl.split("?")[1]}`;
    const outputs: RunResult[] = [];
    for (const level of ["DEBUG", "INFO", "WARNING", "ERROR"]) {
      for (const type of ["text", "json"]) {
        const common = ["--log-level", level, "--output-type", type];
        outputs.push(
          await runAzcp(["copy", root, proxied, "--recursive", ...common], home, {
            env: { AZCP_RETRY_DELAY_MS: "10" },
          }),
        );
        outputs.push(await runAzcp(["list", proxied, ...common], home));
        outputs.push(await runAzcp(["sync", root, proxied, "--dry-run", ...common], home));
        outputs.push(
          await runAzcp(
            ["copy", proxied, join(home, `down-${level}-${type}`), "--recursive", ...common],
            home,
          ),
        );
        outputs.push(
          await runAzcp(["copy", proxied.replace("?", "/nope?"), join(home, "x"), ...common], home),
        );
        outputs.push(await runAzcp(["remove", proxied.replace("?", "/missing?"), ...common], home));
      }
    }
    const all = outputs.map((output) => output.all).join("\n") + (await writtenFiles(home));
    expect(all).toContain("sig=REDACTED");
    expectNoSecret(all, [signature]);
  });

  it("a client secret, a certificate password and tokens never appear, login store included", {
    timeout: 120_000,
  }, async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    const info = stack();
    const certificate = createClientCertificate();
    const password = `Pfx-Pass-${randomBytes(6).toString("hex")}`;
    const app = await emulator.registerApp({ certificates: [certificate.certPem] });
    await writeFile(join(home, "sp.pfx"), toPfx(certificate, password));
    await writeFile(join(home, "f.txt"), "data");
    const container = await createContainer();
    const outputs: RunResult[] = [];
    const secretEnv = {
      AZCOPY_AUTO_LOGIN_TYPE: "SPN",
      AZCOPY_SPA_APPLICATION_ID: info.spn.clientId,
      AZCOPY_SPA_CLIENT_SECRET: info.spn.secret,
      AZCOPY_TENANT_ID: tenant,
    };
    const certEnv = {
      AZCOPY_AUTO_LOGIN_TYPE: "SPN",
      AZCOPY_SPA_APPLICATION_ID: app.clientId,
      AZCOPY_SPA_CERT_PATH: join(home, "sp.pfx"),
      AZCOPY_SPA_CERT_PASSWORD: password,
      AZCOPY_TENANT_ID: tenant,
    };
    for (const env of [secretEnv, certEnv]) {
      for (const level of ["DEBUG", "INFO"]) {
        const common = [...TRUST_LOCAL, "--log-level", level];
        outputs.push(await runAzcp(["copy", join(home, "f.txt"), container.url, ...common], home, { env }));
        outputs.push(
          await runAzcp(["list", container.url, ...common, "--output-type", "json"], home, { env }),
        );
        outputs.push(await runAzcp(["access", container.url, "--write", ...common], home, { env }));
        outputs.push(await runAzcp(["env", "--output-type", "json"], home, { env }));
      }
      // The wrong secret and the wrong password fail without showing themselves either.
      outputs.push(
        await runAzcp(["list", container.url, ...TRUST_LOCAL], home, {
          env: { ...env, AZCOPY_SPA_CLIENT_SECRET: `${info.spn.secret}x` },
        }),
      );
      outputs.push(
        await runAzcp(["list", container.url, ...TRUST_LOCAL], home, {
          env: { ...env, AZCOPY_SPA_CERT_PASSWORD: `${password}x` },
        }),
      );
    }
    // A saved login keeps the secret only in the (private) store file: nothing else shows it.
    outputs.push(
      await runAzcp(
        ["login", "--service-principal", "--application-id", info.spn.clientId, "--tenant-id", tenant],
        home,
        { env: { AZCOPY_SPA_CLIENT_SECRET: info.spn.secret } },
      ),
    );
    outputs.push(await runAzcp(["login", "status"], home));
    outputs.push(await runAzcp(["list", container.url, ...TRUST_LOCAL, "--log-level", "DEBUG"], home));
    const printed = outputs.map((output) => output.all).join("\n");
    expect(outputs.filter((output) => output.code === 0).length).toBeGreaterThan(10);
    expectNoSecret(printed, [info.spn.secret, password, `${info.spn.secret}x`, `${password}x`]);
    const files = await writtenFiles(home);
    // The login store is the only file allowed to hold the saved secret.
    const store = await readFile(join(home, ".config", "azcp", "login.json"), "latin1");
    expectNoSecret(files.replace(store, ""), [info.spn.secret, password]);
  });
});
