// Choose how a location is authorized, in AzCopy's order: a SAS in the URL, then auto-login
// from the environment, then the persisted login, then anonymous access for a Blob source,
// else an error that names the three ways to authorize.
import type { TokenCredential } from "@azure/core-auth";
import { AzcpError, badInput } from "../errors.js";
import type { RemoteLocation } from "../location/location.js";
import { registerSecret } from "../location/redact.js";
import { type Environment, readSetting } from "../settings.js";
import type { SharedKey } from "../transport/shared-key.js";
import { s3Access } from "./aws.js";
import { type CredentialHooks, createCredential, type DevicePersistence } from "./credentials.js";
import type { ForeignAccess } from "./foreign-access.js";
import { gcsAccess } from "./google.js";
import { HandedTokenCredential, handedTokenFromEnvironment } from "./handed-token.js";
import { autoLoginFromEnvironment, describeLogin, type LoginSpec } from "./login-spec.js";
import type { SignIn } from "./sign-in.js";
import { LoginStore } from "./store/login-store.js";
import { RefreshingTokenCredential } from "./token-cache.js";

export type { SignIn } from "./sign-in.js";

import type { TrustedHosts } from "./trusted-hosts.js";

export type Access =
  | { readonly kind: "sas" }
  | { readonly kind: "token"; readonly credential: TokenCredential; readonly login: SignIn }
  | { readonly kind: "sharedKey"; readonly credential: SharedKey }
  | { readonly kind: "anonymous" }
  | ForeignAccess;

export type LocationRole = "source" | "destination";

export interface AuthorizerOptions {
  env: Environment;
  trustedHosts: TrustedHosts;
  hooks?: CredentialHooks;
  /** Where `azcp login` saved its login (default: the store for env). */
  store?: LoginStore;
  /** Whether a person can answer a new device code prompt (a terminal). */
  interactive?: boolean;
  /** A credential the program gave (the library's `credential` option): used for every token. */
  credential?: TokenCredential;
}

export const THREE_WAYS =
  "Authorize in one of three ways: run `azcp login`, set AZCOPY_AUTO_LOGIN_TYPE (DEVICE, MSI, SPN, AZCLI, PSCRED or WORKLOAD) for this command, or append a SAS token to the URL.";

export class Authorizer {
  private signIn: Promise<{ credential: TokenCredential; login: SignIn } | undefined> | undefined;

  constructor(private readonly options: AuthorizerOptions) {}

  get trustedHosts(): TrustedHosts {
    return this.options.trustedHosts;
  }

  async accessFor(location: RemoteLocation, role: LocationRole): Promise<Access> {
    // Other clouds have their own credentials, read from the environment as AzCopy reads them.
    if (location.service === "s3") return s3Access(this.options.env, location.region);
    if (location.service === "gcs") return gcsAccess(this.options.env);
    if (location.sas) return { kind: "sas" };
    const { env } = this.options;
    const forced = readSetting("AZCOPY_CRED_TYPE", env)?.toLowerCase();
    if (forced === "anonymous") return { kind: "anonymous" };
    const shared = sharedKeyFor(location, env);
    if (forced === "sharedkey") {
      if (!shared)
        throw badInput(
          `AZCOPY_CRED_TYPE is SharedKey, but ACCOUNT_NAME and ACCOUNT_KEY do not name the account ${location.accountName}.`,
          "Set ACCOUNT_NAME and ACCOUNT_KEY for this account, or leave AZCOPY_CRED_TYPE out.",
        );
      this.options.trustedHosts.assertMaySendToken(location.accountUrl);
      return { kind: "sharedKey", credential: shared };
    }
    const signedIn = forced === "oauthtoken" || !shared ? await this.credential() : undefined;
    if (signedIn) {
      this.options.trustedHosts.assertMaySendToken(location.accountUrl);
      return { kind: "token", ...signedIn };
    }
    if (shared) {
      this.options.trustedHosts.assertMaySendToken(location.accountUrl);
      return { kind: "sharedKey", credential: shared };
    }
    if (role === "source" && location.service === "blob") return { kind: "anonymous" };
    throw new AzcpError("authentication", `azcp has no credentials for ${location.accountUrl}.`, {
      remedy: THREE_WAYS,
    });
  }

  /** The process's one credential: from auto-login if set, else the persisted login. */
  credential(): Promise<{ credential: TokenCredential; login: SignIn } | undefined> {
    this.signIn ??= this.resolveSignIn();
    return this.signIn;
  }

  private async resolveSignIn() {
    if (this.options.credential) {
      const login: SignIn = {
        // Only sign-in error messages read this; a given credential explains its own errors.
        spec: {
          type: "DEVICE",
          authority: { host: "https://login.microsoftonline.com", tenantId: "common" },
        },
        origin: "given",
        description: "the credential the program passed",
      };
      return { credential: this.options.credential, login };
    }
    // A token handed over by the program that started azcp comes first, as with AzCopy.
    const handed = handedTokenFromEnvironment(this.options.env);
    if (handed) {
      const spec: LoginSpec = handed.refresh ?? {
        type: "DEVICE",
        authority: { host: "https://login.microsoftonline.com", tenantId: "common" },
      };
      const login: SignIn = {
        spec,
        origin: "handed",
        description: `the token in AZCOPY_OAUTH_TOKEN_INFO${handed.refresh ? ` (renewed with ${describeLogin(handed.refresh)})` : ""}`,
      };
      const renew = handed.refresh
        ? new RefreshingTokenCredential(await createCredential(handed.refresh, this.options.hooks), { login })
        : undefined;
      return { credential: new HandedTokenCredential(handed, renew), login };
    }
    const auto = autoLoginFromEnvironment(this.options.env);
    if (auto) return this.signInWith(auto, "auto-login");
    const store = this.options.store ?? new LoginStore(this.options.env);
    const saved = await store.load();
    if (!saved) return undefined;
    const { login: record, backend } = saved;
    if (record.spec.type === "SPN") {
      registerSecret(
        record.spec.proof.kind === "secret" ? record.spec.proof.secret : record.spec.proof.password,
      );
    }
    const persistence: DevicePersistence = {
      mayPrompt: this.options.interactive ?? false,
      cache: {
        initial: record.msalCache,
        save: async (serialized) => {
          record.msalCache = serialized;
          await store.save(record, backend);
        },
      },
    };
    return this.signInWith(record.spec, "login", persistence);
  }

  private async signInWith(spec: LoginSpec, origin: SignIn["origin"], persistence?: DevicePersistence) {
    const login: SignIn = { spec, origin, description: describeLogin(spec) };
    const inner = await createCredential(spec, this.options.hooks, persistence);
    return { credential: new RefreshingTokenCredential(inner, { login }), login };
  }
}

/** The account key handed over in ACCOUNT_NAME / ACCOUNT_KEY, when it is this location's account. */
function sharedKeyFor(location: RemoteLocation, env: Environment): SharedKey | undefined {
  const account = readSetting("ACCOUNT_NAME", env);
  const key = readSetting("ACCOUNT_KEY", env);
  if (!account || !key || account.toLowerCase() !== location.accountName.toLowerCase()) return undefined;
  registerSecret(key);
  return { account: location.accountName, key };
}
