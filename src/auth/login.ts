// `azcp login`, `login status` and `logout`: build the sign-in from flags and environment, prove
// it by getting a storage token, and keep it in the login store.
import { badInput } from "../errors.js";
import { registerSecret } from "../location/redact.js";
import { type Environment, readSetting } from "../settings.js";
import { type CredentialHooks, createCredential, STORAGE_SCOPE } from "./credentials.js";
import type { DeviceCodeCredential } from "./device-code.js";
import {
  autoLoginFromEnvironment,
  DEFAULT_TENANT,
  describeLogin,
  type LoginSpec,
  type LoginType,
  managedIdentitySelector,
  normalizeAuthorityHost,
  parseLoginType,
  servicePrincipalSpec,
} from "./login-spec.js";
import type { SignIn } from "./sign-in.js";
import type { LoginStoreBackend } from "./store/backend.js";
import { LoginStore, type PersistedLogin } from "./store/login-store.js";
import { RefreshingTokenCredential } from "./token-cache.js";
import { principalOf } from "./token-claims.js";

export interface LoginRequest {
  /** device, spn, msi, azcli, pscred or workload; device when nothing says otherwise. */
  loginType?: string | undefined;
  identity?: boolean | undefined;
  servicePrincipal?: boolean | undefined;
  tenantId?: string | undefined;
  aadEndpoint?: string | undefined;
  identityClientId?: string | undefined;
  identityObjectId?: string | undefined;
  identityResourceId?: string | undefined;
  applicationId?: string | undefined;
  certificatePath?: string | undefined;
  /** Overrides AZCOPY_SPA_CLIENT_SECRET (for a secret typed at a prompt). */
  clientSecret?: string | undefined;
  /** Overrides AZCOPY_SPA_CERT_PASSWORD. */
  certificatePassword?: string | undefined;
}

export function loginTypeOf(request: LoginRequest): LoginType {
  if (request.identity && request.servicePrincipal) {
    throw badInput(
      "--identity and --service-principal cannot be used together.",
      "Choose one way to sign in.",
    );
  }
  const shortcut = request.identity
    ? "--identity"
    : request.servicePrincipal
      ? "--service-principal"
      : undefined;
  if (shortcut && request.loginType !== undefined) {
    throw badInput(
      `${shortcut} and --login-type cannot be used together.`,
      `Use --login-type ${request.identity ? "msi" : "spn"} alone, or ${shortcut} alone.`,
    );
  }
  if (request.identity) return "MSI";
  if (request.servicePrincipal) return "SPN";
  return parseLoginType(request.loginType ?? "device", "--login-type");
}

export function loginSpecFromRequest(request: LoginRequest, env: Environment): LoginSpec {
  const type = loginTypeOf(request);
  const tenant = request.tenantId ?? readSetting("AZCOPY_TENANT_ID", env);
  const host = () =>
    normalizeAuthorityHost(request.aadEndpoint ?? readSetting("AZCOPY_ACTIVE_DIRECTORY_ENDPOINT", env));
  switch (type) {
    case "DEVICE":
      return { type, authority: { host: host(), tenantId: tenant ?? DEFAULT_TENANT } };
    case "SPN": {
      const secrets: Environment = {
        ...env,
        ...(request.clientSecret !== undefined ? { AZCOPY_SPA_CLIENT_SECRET: request.clientSecret } : {}),
        ...(request.certificatePassword !== undefined
          ? { AZCOPY_SPA_CERT_PASSWORD: request.certificatePassword }
          : {}),
      };
      return servicePrincipalSpec(
        {
          applicationId: request.applicationId ?? readSetting("AZCOPY_SPA_APPLICATION_ID", env),
          tenantId: tenant,
          authorityHost: host(),
          certificatePath: request.certificatePath ?? readSetting("AZCOPY_SPA_CERT_PATH", env),
        },
        secrets,
      );
    }
    case "MSI":
      return {
        type,
        identity: managedIdentitySelector(
          {
            clientId: request.identityClientId ?? readSetting("AZCOPY_MSI_CLIENT_ID", env),
            objectId: request.identityObjectId ?? readSetting("AZCOPY_MSI_OBJECT_ID", env),
            resourceId: request.identityResourceId ?? readSetting("AZCOPY_MSI_RESOURCE_STRING", env),
          },
          ["--identity-client-id", "--identity-object-id", "--identity-resource-id"],
        ),
      };
    case "AZCLI":
    case "PSCRED":
      return { type, tenantId: tenant };
    case "WORKLOAD": {
      const spec = autoLoginFromEnvironment({
        ...env,
        AZCOPY_AUTO_LOGIN_TYPE: "WORKLOAD",
        AZCOPY_TENANT_ID: tenant,
      });
      if (!spec) throw new Error("workload sign-in spec missing");
      return request.aadEndpoint && spec.type === "WORKLOAD"
        ? { ...spec, authority: { ...spec.authority, host: host() } }
        : spec;
    }
  }
}

export interface LoginOutcome {
  login: SignIn;
  /** Where the login was saved. */
  store: LoginStoreBackend;
  /** Who the storage token speaks for. */
  principal: string | undefined;
  tenantId: string | undefined;
}

/** Sign in, prove it with a storage token, then save it. Nothing is saved if sign-in fails. */
export async function performLogin(
  spec: LoginSpec,
  env: Environment,
  hooks: CredentialHooks,
): Promise<LoginOutcome> {
  const login: SignIn = { spec, origin: "login", description: describeLogin(spec) };
  let msalCache: string | undefined;
  const inner = await createCredential(spec, hooks, {
    mayPrompt: true,
    cache: {
      initial: undefined,
      save: async (serialized) => {
        msalCache = serialized;
      },
    },
  });
  const token = await new RefreshingTokenCredential(inner, { login }).getToken(STORAGE_SCOPE);
  const principal = principalOf(token.token);
  const account = spec.type === "DEVICE" ? (inner as DeviceCodeCredential).account : undefined;
  const record: PersistedLogin = {
    version: 1,
    spec,
    savedAt: new Date().toISOString(),
    ...(msalCache ? { msalCache } : {}),
    ...(account ? { account } : {}),
  };
  const store = await new LoginStore(env).save(record);
  return {
    login,
    store,
    principal: principal?.kind === "user" ? principal.name : undefined,
    tenantId: principal?.tenantId,
  };
}

export interface LoginStatus {
  valid: boolean;
  /** Why the login is not valid (nothing saved, or the saved one no longer works). */
  reason?: string;
  method?: LoginType;
  description?: string;
  tenantId?: string;
  authority?: string;
  store?: string;
  principal?: string;
}

export async function checkLogin(env: Environment, hooks: CredentialHooks = {}): Promise<LoginStatus> {
  const store = new LoginStore(env);
  const saved = await store.load();
  if (!saved)
    return { valid: false, reason: "You are currently not logged in. Please login using 'azcp login'" };
  const { login: record, backend } = saved;
  const spec = record.spec;
  if (spec.type === "SPN")
    registerSecret(spec.proof.kind === "secret" ? spec.proof.secret : spec.proof.password);
  const base: LoginStatus = {
    valid: false,
    method: spec.type,
    description: record.account
      ? `${describeLogin(spec)} as ${record.account.username}`
      : describeLogin(spec),
    store: backend.describe(),
    ...("authority" in spec ? { authority: spec.authority.host, tenantId: spec.authority.tenantId } : {}),
  };
  try {
    const inner = await createCredential(spec, hooks, {
      mayPrompt: false,
      cache: {
        initial: record.msalCache,
        save: async (serialized) => {
          record.msalCache = serialized;
          await store.save(record, backend);
        },
      },
    });
    const login: SignIn = { spec, origin: "login", description: describeLogin(spec) };
    const token = await new RefreshingTokenCredential(inner, { login, attempts: 2 }).getToken(STORAGE_SCOPE);
    const principal = principalOf(token.token);
    return {
      ...base,
      valid: true,
      ...(principal?.tenantId && !base.tenantId ? { tenantId: principal.tenantId } : {}),
      ...(principal?.kind === "user" ? { principal: principal.name } : {}),
    };
  } catch (error) {
    const text =
      error instanceof Error && "describe" in error
        ? (error as { describe(): string }).describe()
        : String(error);
    return { ...base, reason: `The saved login no longer works: ${text}` };
  }
}

export async function removeLogin(env: Environment): Promise<LoginStoreBackend[]> {
  return new LoginStore(env).remove();
}
