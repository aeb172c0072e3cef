// A token handed over in AZCOPY_OAUTH_TOKEN_INFO, as the Azure CLI and Storage Explorer hand one
// to AzCopy: used as it is while it is valid, then renewed the way its `_token_refresh_source`
// says where the JSON carries what that needs (a service principal's secret, a managed
// identity, the Azure CLI's or PowerShell's sign-in, workload identity). The values never
// appear anywhere: they are registered as secrets the moment they are read.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { AzcpError, badInput } from "../errors.js";
import { registerSecret } from "../location/redact.js";
import { type Environment, readSetting } from "../settings.js";
import type { LoginSpec } from "./login-spec.js";

export interface HandedToken {
  token: AccessToken;
  /** How to get the next token, when the JSON says and carries enough; undefined otherwise. */
  refresh: LoginSpec | undefined;
  /** What `_token_refresh_source` said, for messages. */
  source: string;
}

const SOURCES: Record<string, string> = {
  "0": "device",
  "1": "spn",
  "2": "msi",
  "3": "azcli",
  "4": "pscred",
  "5": "workload",
  "255": "tokenstore",
};

/** Renew this long before expiry, as AzCopy does. */
const MARGIN_MS = 5 * 60_000;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== ""
    ? value
    : typeof value === "number"
      ? String(value)
      : undefined;
}

export function handedTokenFromEnvironment(env: Environment): HandedToken | undefined {
  const raw = readSetting("AZCOPY_OAUTH_TOKEN_INFO", env);
  if (!raw) return undefined;
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw badInput(
      "AZCOPY_OAUTH_TOKEN_INFO is not JSON.",
      'Hand over the token as AzCopy takes it: {"access_token": ..., "expires_on": ...}.',
    );
  }
  for (const secret of [info.access_token, info.refresh_token, info._spn_secret])
    if (typeof secret === "string" && secret) registerSecret(secret);
  const accessToken = text(info.access_token);
  const expiresOn = Number(text(info.expires_on));
  if (!accessToken || !Number.isFinite(expiresOn)) {
    throw badInput(
      "AZCOPY_OAUTH_TOKEN_INFO has no access_token and expires_on.",
      'Hand over the token as AzCopy takes it: {"access_token": ..., "expires_on": <seconds since 1970>}.',
    );
  }
  const sourceValue = (text(info._token_refresh_source) ?? "device").toLowerCase();
  const source = SOURCES[sourceValue] ?? sourceValue;
  const tenantId = text(info._tenant) ?? "common";
  const host = text(info._ad_endpoint) ?? "https://login.microsoftonline.com";
  const authority = { host: host.replace(/\/+$/, ""), tenantId };
  let refresh: LoginSpec | undefined;
  switch (source) {
    case "spn": {
      const applicationId = text(info._application_id) ?? text(info._client_id);
      const secret = text(info._spn_secret);
      const certificate = text(info._spn_cert_path);
      if (applicationId && (secret || certificate))
        refresh = {
          type: "SPN",
          authority,
          applicationId,
          proof: secret
            ? { kind: "secret", secret }
            : { kind: "certificate", path: certificate!, password: env.AZCOPY_SPA_CERT_PASSWORD },
        };
      break;
    }
    case "msi": {
      const clientId = text(info._identity_client_id);
      const objectId = text(info._identity_object_id);
      const resourceId = text(info._identity_msi_res_id);
      refresh = {
        type: "MSI",
        identity: clientId
          ? { kind: "client-id", id: clientId }
          : objectId
            ? { kind: "object-id", id: objectId }
            : resourceId
              ? { kind: "resource-id", id: resourceId }
              : { kind: "system" },
      };
      break;
    }
    case "azcli":
      refresh = { type: "AZCLI", tenantId: text(info._tenant) };
      break;
    case "pscred":
      refresh = { type: "PSCRED", tenantId: text(info._tenant) };
      break;
    case "workload": {
      const clientId = env.AZURE_CLIENT_ID;
      const tokenFile = env.AZURE_FEDERATED_TOKEN_FILE;
      if (clientId && tokenFile)
        refresh = {
          type: "WORKLOAD",
          authority: { ...authority, tenantId: env.AZURE_TENANT_ID ?? tenantId },
          clientId,
          tokenFile,
        };
      break;
    }
  }
  return { token: { token: accessToken, expiresOnTimestamp: expiresOn * 1000 }, refresh, source };
}

/** The handed token while it is valid; then the refresh credential, or a clear error. */
export class HandedTokenCredential implements TokenCredential {
  constructor(
    private readonly handed: HandedToken,
    private readonly renew: TokenCredential | undefined,
  ) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    if (Date.now() < this.handed.token.expiresOnTimestamp - MARGIN_MS) return this.handed.token;
    if (this.renew) {
      const next = await this.renew.getToken(scopes);
      if (next) return next;
    }
    throw new AzcpError(
      "authentication",
      `The token handed over in AZCOPY_OAUTH_TOKEN_INFO ${Date.now() < this.handed.token.expiresOnTimestamp ? "expires" : "expired"} at ${new Date(this.handed.token.expiresOnTimestamp).toISOString()}, and its refresh source (${this.handed.source}) gives azcp no way to renew it.`,
      {
        remedy:
          "Hand over a fresh token, or include what renews it (for example _token_refresh_source spn with _application_id and _spn_secret), or sign in with azcp login or AZCOPY_AUTO_LOGIN_TYPE.",
      },
    );
  }
}
