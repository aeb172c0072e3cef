// The emulator must enforce what Entra ID enforces for certificate assertions, or tests of
// certificate sign-in prove nothing.
import { createPrivateKey, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createClientCertificate, thumbprints } from "./certs.js";
import { emulator, stack, uniqueTenant } from "./harness.js";

async function postToken(tenant: string, form: Record<string, string>) {
  const info = stack();
  const ca = await readFile(info.caCertPath);
  const body = new URLSearchParams(form).toString();
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      `${info.identityUrl}/${tenant}/oauth2/v2.0/token`,
      { method: "POST", ca, headers: { "content-type": "application/x-www-form-urlencoded" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function assertion(options: {
  signWith: string;
  thumbprintOf: string;
  clientId: string;
  audience: string;
  expiresIn?: number;
}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: "PS256", typ: "JWT", "x5t#S256": thumbprints(options.thumbprintOf).sha256 })
    .setIssuer(options.clientId)
    .setSubject(options.clientId)
    .setAudience(options.audience)
    .setIssuedAt(now - 5)
    .setNotBefore(now - 5)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign(createPrivateKey(options.signWith));
}

describe.concurrent("identity emulator: certificate assertions", () => {
  const registered = createClientCertificate();
  const other = createClientCertificate();

  async function setup() {
    const app = await emulator.registerApp({ certificates: [registered.certPem] });
    const tenant = uniqueTenant();
    return { app, tenant, audience: `${stack().identityUrl}/${tenant}/oauth2/v2.0/token` };
  }

  function form(clientId: string, clientAssertion: string) {
    return {
      grant_type: "client_credentials",
      client_id: clientId,
      scope: "https://storage.azure.com/.default",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: clientAssertion,
    };
  }

  it("issues a token for an assertion signed by the registered certificate's key", async () => {
    const { app, tenant, audience } = await setup();
    const signed = await assertion({
      signWith: registered.keyPem,
      thumbprintOf: registered.certPem,
      clientId: app.clientId,
      audience,
    });
    const response = await postToken(tenant, form(app.clientId, signed));
    expect(response.status).toBe(200);
    const claims = JSON.parse(
      Buffer.from(String(response.json.access_token).split(".")[1]!, "base64url").toString(),
    );
    expect(claims).toMatchObject({
      aud: "https://storage.azure.com",
      iss: `https://sts.windows.net/${tenant}/`,
      appid: app.clientId,
    });
  });

  it("rejects an assertion that names the registered certificate but is signed by another key", async () => {
    const { app, tenant, audience } = await setup();
    const forged = await assertion({
      signWith: other.keyPem,
      thumbprintOf: registered.certPem,
      clientId: app.clientId,
      audience,
    });
    const response = await postToken(tenant, form(app.clientId, forged));
    expect(response.status).toBe(401);
    expect(response.json.error).toBe("invalid_client");
    expect(response.json.error_description).toMatch(
      /^AADSTS700027: Client assertion failed signature validation/,
    );
  });

  it("rejects a certificate that is not registered, an expired assertion, and a wrong audience", async () => {
    const { app, tenant, audience } = await setup();
    const unregistered = await assertion({
      signWith: other.keyPem,
      thumbprintOf: other.certPem,
      clientId: app.clientId,
      audience,
    });
    expect((await postToken(tenant, form(app.clientId, unregistered))).json.error_description).toMatch(
      /^AADSTS700027: The certificate/,
    );
    const expired = await assertion({
      signWith: registered.keyPem,
      thumbprintOf: registered.certPem,
      clientId: app.clientId,
      audience,
      expiresIn: -300,
    });
    expect((await postToken(tenant, form(app.clientId, expired))).json.error_description).toMatch(
      /^AADSTS700024/,
    );
    const elsewhere = await assertion({
      signWith: registered.keyPem,
      thumbprintOf: registered.certPem,
      clientId: app.clientId,
      audience: "https://login.example/other/token",
    });
    expect((await postToken(tenant, form(app.clientId, elsewhere))).json.error_description).toMatch(
      /^AADSTS50012/,
    );
  });
});
