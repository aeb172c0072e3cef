// A local Microsoft Entra ID for tests: OpenID discovery, the v2.0 token endpoint (client
// secret, certificate assertion, federated assertion, device code, refresh token), the device
// code endpoint with a sign-in page a person (or a browser in a test) uses, IMDS and App Service
// managed identity endpoints, and a token source for the fake `az` and `pwsh`.
// It issues v1 access tokens that Azurite accepts, logs every request, and can be told to fail.
import { createPublicKey, randomBytes, randomUUID, X509Certificate } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { decodeProtectedHeader, exportJWK, importPKCS8, type JWK, jwtVerify, SignJWT } from "jose";
import { thumbprints } from "./certs.js";

export const STORAGE_AUDIENCE = "https://storage.azure.com";

export interface AppRegistration {
  clientId: string;
  /** Object id of the service principal. */
  objectId: string;
  displayName: string;
  secrets: string[];
  /** PEM certificates whose key may sign client assertions. */
  certificates: string[];
  /** Federated credentials (workload identity): issuer and subject that may stand in for a secret. */
  federated: { issuer: string; subject: string }[];
}

export interface ManagedIdentity {
  clientId: string;
  objectId: string;
  resourceId: string;
  system: boolean;
}

export interface User {
  upn: string;
  objectId: string;
  name: string;
}

/** Which requests a setting or fault applies to; every given field must match. */
export interface Match {
  tenant?: string;
  clientId?: string;
  /** Request kind: discovery, token, devicecode, imds, appservice, cli. */
  kind?: string;
  grantType?: string;
}

export type FaultType = "unreachable" | "http500" | "invalid_grant" | "wrong_audience" | "slow";

export interface Fault {
  id: string;
  match: Match;
  type: FaultType;
  /** How many matching requests fail before the endpoint recovers; unlimited when absent. */
  remaining?: number;
  delayMs?: number;
}

export interface TokenSettings {
  match: Match;
  lifetimeSeconds: number;
}

export interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  kind: string;
  tenant?: string;
  clientId?: string;
  grantType?: string;
  scope?: string;
  /** client_id / object_id / msi_res_id / mi_res_id of a managed identity request. */
  identityQuery?: Record<string, string>;
  /** Header of a client assertion (alg, x5t#S256, ...), never its signature. */
  assertionHeader?: Record<string, unknown>;
  usedSecret?: boolean;
  status: number;
  error?: string;
  fault?: FaultType;
}

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  tenant: string;
  scope: string;
  expiresAt: number;
  approvedBy?: User;
  declined?: boolean;
}

interface RefreshGrant {
  clientId: string;
  tenant: string;
  user: User;
  scope: string;
  revoked: boolean;
}

export const DEFAULT_TENANT = "72f988bf-0000-4000-8000-00000000a2c9";
export const DEFAULT_USER: User = {
  upn: "alice@contoso.test",
  objectId: "a11ce000-0000-4000-8000-000000000001",
  name: "Alice Tester",
};

export interface IdentityEmulatorOptions {
  tls: { keyPem: string; certPem: string };
  port?: number;
  defaultLifetimeSeconds?: number;
}

export class IdentityEmulator {
  readonly apps = new Map<string, AppRegistration>();
  readonly managedIdentities: ManagedIdentity[] = [];
  readonly users: User[] = [DEFAULT_USER];
  readonly log: LoggedRequest[] = [];
  private readonly deviceCodes = new Map<string, DeviceCode>();
  private readonly refreshGrants = new Map<string, RefreshGrant>();
  private faults: Fault[] = [];
  private tokenSettings: TokenSettings[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Duplex>();
  private signingKey: Awaited<ReturnType<typeof importPKCS8>> | undefined;
  private jwk: JWK | undefined;
  private readonly kid = randomBytes(8).toString("hex");
  private readonly defaultLifetimeSeconds: number;
  url = "";

  constructor(private readonly options: IdentityEmulatorOptions) {
    this.defaultLifetimeSeconds = options.defaultLifetimeSeconds ?? 3600;
    this.server = createServer({ key: options.tls.keyPem, cert: options.tls.certPem }, (req, res) => {
      this.handle(req, res).catch((error) => {
        if (!res.headersSent) sendJson(res, 500, { error: "server_error", error_description: String(error) });
        else res.destroy();
      });
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.managedIdentities.push({
      clientId: randomUUID(),
      objectId: randomUUID(),
      resourceId:
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/azcp/providers/Microsoft.Compute/virtualMachines/test-vm",
      system: true,
    });
  }

  async start(): Promise<string> {
    const { generateKeyPairSync } = await import("node:crypto");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    this.signingKey = await importPKCS8(pem, "RS256");
    this.jwk = { ...(await exportJWK(createPublicKey(privateKey))), kid: this.kid, use: "sig", alg: "RS256" };
    await new Promise<void>((resolve) => this.server.listen(this.options.port ?? 0, "127.0.0.1", resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  registerApp(
    input: Partial<Omit<AppRegistration, "clientId">> & { clientId?: string } = {},
  ): AppRegistration {
    const app: AppRegistration = {
      clientId: input.clientId ?? randomUUID(),
      objectId: input.objectId ?? randomUUID(),
      displayName: input.displayName ?? "azcp test app",
      secrets: input.secrets ?? [],
      certificates: input.certificates ?? [],
      federated: input.federated ?? [],
    };
    this.apps.set(app.clientId, app);
    return app;
  }

  registerManagedIdentity(): ManagedIdentity {
    const clientId = randomUUID();
    const identity = {
      clientId,
      objectId: randomUUID(),
      resourceId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/azcp/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi-${clientId.slice(0, 8)}`,
      system: false,
    };
    this.managedIdentities.push(identity);
    return identity;
  }

  get systemIdentity(): ManagedIdentity {
    return this.managedIdentities.find((identity) => identity.system)!;
  }

  addFault(fault: Omit<Fault, "id">): Fault {
    const added = { ...fault, id: randomUUID() };
    this.faults.push(added);
    return added;
  }

  clearFaults(match?: Match): void {
    this.faults = match ? this.faults.filter((fault) => !sameMatch(fault.match, match)) : [];
  }

  setTokenLifetime(match: Match, lifetimeSeconds: number): void {
    this.tokenSettings = this.tokenSettings.filter((setting) => !sameMatch(setting.match, match));
    this.tokenSettings.push({ match, lifetimeSeconds });
  }

  revokeRefreshTokens(match: { tenant?: string; clientId?: string; upn?: string }): number {
    let count = 0;
    for (const grant of this.refreshGrants.values()) {
      if (match.tenant && grant.tenant !== match.tenant) continue;
      if (match.clientId && grant.clientId !== match.clientId) continue;
      if (match.upn && grant.user.upn !== match.upn) continue;
      grant.revoked = true;
      count++;
    }
    return count;
  }

  /** Approve a pending device code as a user (what a person does on the sign-in page). */
  approveDeviceCode(userCode: string, upn = DEFAULT_USER.upn): boolean {
    const code = [...this.deviceCodes.values()].find(
      (candidate) => candidate.userCode === userCode.trim().toUpperCase(),
    );
    const user = this.users.find((candidate) => candidate.upn === upn);
    if (!code || !user || code.expiresAt < Date.now()) return false;
    code.approvedBy = user;
    return true;
  }

  requests(match: Match = {}): LoggedRequest[] {
    return this.log.filter((entry) => matches(match, entry));
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const body = await readBody(req);
    const path = url.pathname;

    if (path.startsWith("/_emulator/")) return this.handleAdmin(req.method ?? "GET", path, url, body, res);

    const entry: LoggedRequest = {
      at: new Date().toISOString(),
      method: req.method ?? "GET",
      path,
      kind: "other",
      status: 0,
    };
    const respond = (status: number, payload: unknown, contentType = "application/json") => {
      entry.status = status;
      if (status >= 400 && payload && typeof payload === "object" && "error" in payload) {
        entry.error = String((payload as { error: unknown }).error);
      }
      this.log.push(entry);
      if (contentType === "application/json") sendJson(res, status, payload);
      else {
        res.writeHead(status, { "content-type": contentType });
        res.end(payload as string);
      }
    };

    // Tenant-scoped routes: /{tenant}/...
    const [, tenant = "", route = ""] = /^\/([^/]+)(\/.*)$/.exec(path) ?? [];
    if (route === "/v2.0/.well-known/openid-configuration") {
      entry.kind = "discovery";
      entry.tenant = tenant;
      if (await this.applyFault(entry, res)) return;
      return respond(200, this.discoveryDocument(tenant));
    }
    if (route === "/discovery/v2.0/keys") {
      entry.kind = "keys";
      return respond(200, { keys: [this.jwk] });
    }
    if (route === "/oauth2/v2.0/token" && req.method === "POST") {
      const form = new URLSearchParams(body.toString("utf8"));
      entry.kind = "token";
      entry.tenant = tenant;
      entry.grantType = form.get("grant_type") ?? undefined;
      entry.clientId = form.get("client_id") ?? undefined;
      entry.scope = form.get("scope") ?? undefined;
      entry.usedSecret = form.has("client_secret");
      const assertion = form.get("client_assertion");
      if (assertion) {
        try {
          entry.assertionHeader = decodeProtectedHeader(assertion) as Record<string, unknown>;
        } catch {
          entry.assertionHeader = { malformed: true };
        }
      }
      if (await this.applyFault(entry, res)) return;
      const [status, payload] = await this.token(tenant, form);
      return respond(status, payload);
    }
    if (route === "/oauth2/v2.0/devicecode" && req.method === "POST") {
      const form = new URLSearchParams(body.toString("utf8"));
      entry.kind = "devicecode";
      entry.tenant = tenant;
      entry.clientId = form.get("client_id") ?? undefined;
      entry.scope = form.get("scope") ?? undefined;
      if (await this.applyFault(entry, res)) return;
      return respond(200, this.startDeviceCode(tenant, form));
    }
    if (path === "/devicelogin") {
      entry.kind = "devicelogin";
      const [status, html] = this.deviceLoginPage(
        req.method ?? "GET",
        new URLSearchParams(body.toString("utf8")),
      );
      return respond(status, html, "text/html; charset=utf-8");
    }
    if (path === "/metadata/identity/oauth2/token" || path === "/metadata/identity/oauth2/token/") {
      entry.kind = "imds";
      entry.identityQuery = pick(url.searchParams, [
        "client_id",
        "object_id",
        "msi_res_id",
        "api-version",
        "resource",
      ]);
      if (req.headers.metadata !== "true") {
        return respond(400, {
          error: "invalid_request",
          error_description: "Required metadata header not specified",
        });
      }
      return this.managedIdentityToken(
        entry,
        url.searchParams,
        ["client_id", "object_id", "msi_res_id"],
        res,
        respond,
      );
    }
    if (path === "/msi/token" || path === "/msi/token/") {
      entry.kind = "appservice";
      entry.identityQuery = pick(url.searchParams, [
        "client_id",
        "object_id",
        "principal_id",
        "mi_res_id",
        "api-version",
        "resource",
      ]);
      if (!req.headers["x-identity-header"]) {
        return respond(400, { error: "invalid_request", error_description: "X-IDENTITY-HEADER is missing" });
      }
      return this.managedIdentityToken(
        entry,
        url.searchParams,
        ["client_id", "object_id", "mi_res_id"],
        res,
        respond,
      );
    }
    return respond(404, { error: "not_found", error_description: `No route for ${req.method} ${path}` });
  }

  private discoveryDocument(tenant: string) {
    const base = `${this.url}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.url}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "nbf",
        "name",
        "oid",
        "tid",
        "preferred_username",
      ],
      tenant_region_scope: "WW",
      cloud_instance_name: "127.0.0.1",
      cloud_graph_host_name: "127.0.0.1",
      msgraph_host: "127.0.0.1",
      rbac_url: "https://127.0.0.1",
    };
  }

  /** Returns true when a fault answered (or dropped) the request. */
  private async applyFault(entry: LoggedRequest, res: ServerResponse): Promise<boolean> {
    const fault = this.faults.find(
      (candidate) => matches(candidate.match, entry) && (candidate.remaining ?? 1) > 0,
    );
    if (!fault || fault.type === "wrong_audience") return false;
    if (fault.remaining !== undefined) fault.remaining--;
    entry.fault = fault.type;
    if (fault.type === "slow") {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 5000));
      return false;
    }
    this.log.push(entry);
    switch (fault.type) {
      case "unreachable":
        entry.status = 0;
        res.socket?.destroy();
        return true;
      case "http500":
        entry.status = 500;
        entry.error = "server_error";
        sendJson(
          res,
          500,
          aadError("temporarily_unavailable", 90033, "A transient error has occurred. Please try again."),
        );
        return true;
      case "invalid_grant":
        entry.status = 400;
        entry.error = "invalid_grant";
        sendJson(
          res,
          400,
          aadError(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
          ),
        );
        return true;
    }
  }

  private lifetimeFor(entry: Match): number {
    const setting = [...this.tokenSettings].reverse().find((candidate) => matches(candidate.match, entry));
    return setting?.lifetimeSeconds ?? this.defaultLifetimeSeconds;
  }

  private audienceFor(entry: Match, requested: string): string {
    const wrong = this.faults.find((fault) => fault.type === "wrong_audience" && matches(fault.match, entry));
    if (wrong) {
      if (wrong.remaining !== undefined) {
        if (wrong.remaining <= 0) return requested;
        wrong.remaining--;
      }
      return "https://management.azure.com";
    }
    return requested;
  }

  private async accessToken(
    claims: Record<string, unknown>,
    tenant: string,
    lifetimeSeconds: number,
    audience: string,
  ) {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      ...claims,
      aud: audience,
      iss: `https://sts.windows.net/${tenant}/`,
      tid: tenant,
      ver: "1.0",
      uti: randomBytes(8).toString("base64url"),
    })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.kid })
      .setIssuedAt(now - 1)
      .setNotBefore(now - 1)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(this.signingKey!);
    return { token, expiresOn: now + lifetimeSeconds };
  }

  private tenantOf(pathTenant: string): string {
    return ["common", "organizations", "consumers"].includes(pathTenant.toLowerCase())
      ? DEFAULT_TENANT
      : pathTenant;
  }

  private async token(pathTenant: string, form: URLSearchParams): Promise<[number, unknown]> {
    const tenant = this.tenantOf(pathTenant);
    const grantType = form.get("grant_type");
    const clientId = form.get("client_id") ?? "";
    const scope = form.get("scope") ?? "";
    const resource = resourceOf(scope);
    if (!resource) {
      return [
        400,
        aadError(
          "invalid_scope",
          70011,
          `The provided value for the input parameter 'scope' is not valid (${scope}).`,
        ),
      ];
    }
    const match = { tenant: pathTenant, clientId, grantType: grantType ?? undefined, kind: "token" };
    const lifetime = this.lifetimeFor(match);
    const audience = this.audienceFor(match, resource);

    if (grantType === "client_credentials") {
      const app = this.apps.get(clientId);
      if (!app) {
        return [
          400,
          aadError(
            "unauthorized_client",
            700016,
            `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
          ),
        ];
      }
      const secret = form.get("client_secret");
      const assertion = form.get("client_assertion");
      if (secret !== null) {
        if (!app.secrets.includes(secret)) {
          return [
            401,
            aadError(
              "invalid_client",
              7000215,
              `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
            ),
          ];
        }
      } else if (assertion !== null) {
        const failure = await this.verifyAssertion(
          app,
          assertion,
          `${this.url}/${pathTenant}/oauth2/v2.0/token`,
        );
        if (failure) return [401, failure];
      } else {
        return [
          400,
          aadError(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
          ),
        ];
      }
      const { token, expiresOn } = await this.accessToken(
        {
          appid: clientId,
          appidacr: secret !== null ? "1" : "2",
          oid: app.objectId,
          sub: app.objectId,
          idtyp: "app",
        },
        tenant,
        lifetime,
        audience,
      );
      return [
        200,
        {
          token_type: "Bearer",
          expires_in: lifetime,
          ext_expires_in: lifetime,
          access_token: token,
          expires_on: expiresOn,
        },
      ];
    }

    if (grantType === "urn:ietf:params:oauth:grant-type:device_code" || grantType === "device_code") {
      const code = this.deviceCodes.get(form.get("device_code") ?? "");
      if (!code) return [400, aadError("invalid_grant", 70000, "The provided device code is not valid.")];
      if (code.expiresAt < Date.now()) {
        return [
          400,
          aadError(
            "expired_token",
            70020,
            "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
          ),
        ];
      }
      if (code.declined)
        return [400, aadError("authorization_declined", 70007, "The user declined the sign-in.")];
      if (!code.approvedBy) {
        return [
          400,
          aadError(
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
          ),
        ];
      }
      this.deviceCodes.delete(code.deviceCode);
      return [
        200,
        await this.userTokens(code.clientId, code.tenant, code.approvedBy, code.scope, lifetime, audience),
      ];
    }

    if (grantType === "refresh_token") {
      const grant = this.refreshGrants.get(form.get("refresh_token") ?? "");
      if (!grant)
        return [400, aadError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")];
      if (grant.revoked) {
        return [
          400,
          aadError(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
          ),
        ];
      }
      this.refreshGrants.delete(form.get("refresh_token")!);
      return [
        200,
        await this.userTokens(grant.clientId, grant.tenant, grant.user, scope, lifetime, audience),
      ];
    }

    return [
      400,
      aadError(
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${grantType}'.`,
      ),
    ];
  }

  private async verifyAssertion(
    app: AppRegistration,
    assertion: string,
    tokenEndpoint: string,
  ): Promise<unknown | undefined> {
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(assertion) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(assertion.split(".")[1] ?? "", "base64url").toString("utf8"));
    } catch {
      return aadError("invalid_client", 50027, "JWT token is invalid or malformed.");
    }
    if (claims.iss !== app.clientId) return this.verifyFederatedAssertion(app, claims);

    const thumbprint = header["x5t#S256"] ?? header.x5t;
    const certificate = app.certificates.find((pem) => {
      const prints = thumbprints(pem);
      return prints.sha256 === thumbprint || prints.sha1 === thumbprint;
    });
    if (!certificate) {
      return aadError(
        "invalid_client",
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(thumbprint)}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`,
      );
    }
    try {
      await jwtVerify(assertion, new X509Certificate(certificate).publicKey, {
        algorithms: ["PS256", "RS256"],
        audience: tokenEndpoint,
        issuer: app.clientId,
        subject: app.clientId,
        clockTolerance: 60,
        requiredClaims: ["exp", "aud", "iss", "sub"],
      });
    } catch (error) {
      const reason = (error as { code?: string }).code ?? "invalid";
      if (reason === "ERR_JWT_EXPIRED")
        return aadError("invalid_client", 700024, "Client assertion is not within its valid time range.");
      if (reason === "ERR_JWT_CLAIM_VALIDATION_FAILED" && /aud/.test(String((error as Error).message))) {
        return aadError(
          "invalid_client",
          50012,
          "Client assertion audience claim does not match Realm issuer.",
        );
      }
      return aadError(
        "invalid_client",
        700027,
        `Client assertion failed signature validation. [Reason - ${reason}]`,
      );
    }
    return undefined;
  }

  private verifyFederatedAssertion(
    app: AppRegistration,
    claims: Record<string, unknown>,
  ): unknown | undefined {
    const exp = typeof claims.exp === "number" ? claims.exp : 0;
    if (exp * 1000 < Date.now())
      return aadError("invalid_client", 700024, "Client assertion is not within its valid time range.");
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes("api://AzureADTokenExchange")) {
      return aadError(
        "invalid_client",
        700212,
        "No matching federated identity record found for presented assertion audience.",
      );
    }
    const ok = app.federated.some((record) => record.issuer === claims.iss && record.subject === claims.sub);
    if (!ok) {
      return aadError(
        "invalid_client",
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${String(claims.iss)}'. Assertion Subject: '${String(claims.sub)}'.`,
      );
    }
    return undefined;
  }

  private async userTokens(
    clientId: string,
    tenant: string,
    user: User,
    scope: string,
    lifetime: number,
    audience: string,
  ) {
    const { token } = await this.accessToken(
      {
        appid: clientId,
        appidacr: "0",
        oid: user.objectId,
        sub: user.objectId,
        upn: user.upn,
        unique_name: user.upn,
        name: user.name,
        scp: "user_impersonation",
        idtyp: "user",
      },
      tenant,
      lifetime,
      audience,
    );
    const refreshToken = `rt.${randomBytes(24).toString("base64url")}`;
    this.refreshGrants.set(refreshToken, { clientId, tenant, user, scope, revoked: false });
    const now = Math.floor(Date.now() / 1000);
    const idToken = [
      b64json({ alg: "none", typ: "JWT" }),
      b64json({
        aud: clientId,
        iss: `${this.url}/${tenant}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        name: user.name,
        oid: user.objectId,
        preferred_username: user.upn,
        sub: user.objectId,
        tid: tenant,
        ver: "2.0",
      }),
      "",
    ].join(".");
    return {
      token_type: "Bearer",
      scope:
        `${audience}/user_impersonation ${scope.includes("offline_access") ? "offline_access " : ""}openid profile`.trim(),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: token,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: b64json({ uid: user.objectId, utid: tenant }),
    };
  }

  private startDeviceCode(pathTenant: string, form: URLSearchParams) {
    const deviceCode = randomBytes(32).toString("base64url");
    const userCode = Array.from(randomBytes(9), (byte) => "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[byte % 32]).join(
      "",
    );
    const expiresIn = 900;
    this.deviceCodes.set(deviceCode, {
      deviceCode,
      userCode,
      clientId: form.get("client_id") ?? "",
      tenant: this.tenantOf(pathTenant),
      scope: form.get("scope") ?? "",
      expiresAt: Date.now() + expiresIn * 1000,
    });
    const verificationUri = `${this.url}/devicelogin`;
    return {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: expiresIn,
      interval: 1,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    };
  }

  private deviceLoginPage(method: string, form: URLSearchParams): [number, string] {
    if (method === "GET") {
      return [
        200,
        page(
          "Enter code",
          `<p>Enter the code displayed on your app or device.</p>
<form method="post" action="/devicelogin"><input type="hidden" name="step" value="code">
<input id="otc" name="otc" aria-label="Code" autocomplete="off" required>
<button id="next" type="submit">Next</button></form>`,
        ),
      ];
    }
    const userCode = (form.get("otc") ?? "").trim().toUpperCase();
    const pending = [...this.deviceCodes.values()].find(
      (code) => code.userCode === userCode && code.expiresAt > Date.now(),
    );
    if (!pending) {
      return [
        400,
        page(
          "Enter code",
          `<p id="error">That code didn't work. Check the code and try again.</p>
<form method="post" action="/devicelogin"><input type="hidden" name="step" value="code">
<input id="otc" name="otc" aria-label="Code" autocomplete="off" required>
<button id="next" type="submit">Next</button></form>`,
        ),
      ];
    }
    if (form.get("step") === "code") {
      return [
        200,
        page(
          "Sign in",
          `<p>Are you trying to sign in to azcp?</p>
<form method="post" action="/devicelogin"><input type="hidden" name="step" value="approve">
<input type="hidden" name="otc" value="${userCode}">
<label>Account <input id="username" name="username" value="${DEFAULT_USER.upn}"></label>
<button id="continue" name="decision" value="approve" type="submit">Continue</button>
<button id="cancel" name="decision" value="decline" type="submit">Cancel</button></form>`,
        ),
      ];
    }
    if (form.get("decision") === "decline") {
      pending.declined = true;
      return [200, page("Sign-in declined", `<p id="done">You have declined the sign-in.</p>`)];
    }
    const user = this.users.find((candidate) => candidate.upn === form.get("username"));
    if (!user) return [400, page("Sign in", `<p id="error">This account does not exist.</p>`)];
    pending.approvedBy = user;
    return [
      200,
      page(
        "Signed in",
        `<p id="done">You have signed in to azcp on your device. You may now close this window.</p>`,
      ),
    ];
  }

  private async managedIdentityToken(
    entry: LoggedRequest,
    query: URLSearchParams,
    [clientKey, objectKey, resourceKey]: [string, string, string],
    res: ServerResponse,
    respond: (status: number, payload: unknown) => void,
  ): Promise<void> {
    const clientId = query.get(clientKey);
    const objectId = query.get(objectKey) ?? query.get("principal_id");
    const resourceId = query.get(resourceKey);
    const identity = clientId
      ? this.managedIdentities.find((candidate) => candidate.clientId === clientId)
      : objectId
        ? this.managedIdentities.find((candidate) => candidate.objectId === objectId)
        : resourceId
          ? this.managedIdentities.find(
              (candidate) => candidate.resourceId.toLowerCase() === resourceId.toLowerCase(),
            )
          : this.systemIdentity;
    entry.clientId = identity?.clientId ?? clientId ?? undefined;
    entry.tenant = DEFAULT_TENANT;
    if (await this.applyFault(entry, res)) return;
    if (!identity) {
      // IMDS answers 400 for an identity the VM does not have (a 404 would be retried for ~20 s).
      return respond(400, {
        error: "invalid_request",
        error_description: "Identity not found",
      });
    }
    const resource = (query.get("resource") ?? "").replace(/\/+$/, "");
    if (!resource)
      return respond(400, {
        error: "invalid_request",
        error_description: "Required query variable 'resource' is missing",
      });
    const lifetime = this.lifetimeFor(entry);
    const { token, expiresOn } = await this.accessToken(
      {
        appid: identity.clientId,
        appidacr: "2",
        oid: identity.objectId,
        sub: identity.objectId,
        idtyp: "app",
        xms_mirid: identity.resourceId,
      },
      DEFAULT_TENANT,
      lifetime,
      this.audienceFor(entry, resource),
    );
    respond(200, {
      access_token: token,
      client_id: identity.clientId,
      expires_in: String(lifetime),
      expires_on: String(expiresOn),
      ext_expires_in: String(lifetime),
      not_before: String(expiresOn - lifetime),
      resource,
      token_type: "Bearer",
    });
  }

  /** Token for the fake `az` / `pwsh`: what their own signed-in session would hand out. */
  async cliToken(tool: string, tenant: string | undefined, resource: string) {
    const entry: LoggedRequest = {
      at: new Date().toISOString(),
      method: "POST",
      path: "/_emulator/cli-token",
      kind: "cli",
      clientId: tool,
      tenant: tenant ?? DEFAULT_TENANT,
      scope: resource,
      status: 200,
    };
    this.log.push(entry);
    const user = DEFAULT_USER;
    const lifetime = this.lifetimeFor(entry);
    return this.accessToken(
      {
        appid:
          tool === "pwsh" ? "1950a258-227b-4e31-a9cf-717495945fc2" : "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        oid: user.objectId,
        sub: user.objectId,
        upn: user.upn,
        name: user.name,
        scp: "user_impersonation",
        idtyp: "user",
      },
      tenant ?? DEFAULT_TENANT,
      lifetime,
      this.audienceFor(entry, resource.replace(/\/+$/, "")),
    );
  }

  // ---- admin API (for tests in other processes and for the fake CLIs) ----

  private async handleAdmin(method: string, path: string, url: URL, body: Buffer, res: ServerResponse) {
    const input = body.length ? JSON.parse(body.toString("utf8")) : {};
    const route = `${method} ${path}`;
    switch (route) {
      case "POST /_emulator/apps":
        return sendJson(res, 200, this.registerApp(input));
      case "POST /_emulator/managed-identities":
        return sendJson(res, 200, this.registerManagedIdentity());
      case "GET /_emulator/managed-identities":
        return sendJson(res, 200, this.managedIdentities);
      case "POST /_emulator/faults":
        return sendJson(res, 200, this.addFault(input));
      case "DELETE /_emulator/faults":
        this.clearFaults(Object.keys(input).length ? input : undefined);
        return sendJson(res, 200, {});
      case "POST /_emulator/token-lifetime":
        this.setTokenLifetime(input.match ?? {}, input.lifetimeSeconds);
        return sendJson(res, 200, {});
      case "POST /_emulator/revoke-refresh-tokens":
        return sendJson(res, 200, { revoked: this.revokeRefreshTokens(input) });
      case "POST /_emulator/approve-device-code":
        return sendJson(res, this.approveDeviceCode(input.userCode, input.upn) ? 200 : 404, {});
      case "GET /_emulator/requests": {
        const match = Object.fromEntries(url.searchParams) as Match;
        return sendJson(res, 200, this.requests(match));
      }
      case "POST /_emulator/cli-token": {
        if (!input.resource) return sendJson(res, 400, { error: "resource is required" });
        return sendJson(res, 200, await this.cliToken(input.tool, input.tenant, input.resource));
      }
      default:
        return sendJson(res, 404, { error: `no admin route ${route}` });
    }
  }
}

function resourceOf(scope: string): string | undefined {
  const resourceScope = scope
    .split(/\s+/)
    .find((part) => part.endsWith("/.default") || part.includes("user_impersonation"));
  return resourceScope?.replace(/\/(\.default|user_impersonation)$/, "");
}

function aadError(error: string, code: number, description: string) {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

function matches(match: Match, entry: Partial<LoggedRequest>): boolean {
  return (
    (match.tenant === undefined || match.tenant === entry.tenant) &&
    (match.clientId === undefined || match.clientId === entry.clientId) &&
    (match.kind === undefined || match.kind === entry.kind) &&
    (match.grantType === undefined || match.grantType === entry.grantType)
  );
}

function sameMatch(a: Match, b: Match): boolean {
  return (
    a.tenant === b.tenant && a.clientId === b.clientId && a.kind === b.kind && a.grantType === b.grantType
  );
}

function pick(params: URLSearchParams, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = params.get(key);
    if (value !== null) out[key] = value;
  }
  return out;
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

function page(title: string, content: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${content}</body></html>`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
