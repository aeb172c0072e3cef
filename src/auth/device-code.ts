// Device code sign-in through MSAL, with its token cache (account and refresh token) kept where
// azcp says: in memory for auto-login, in the login store for `azcp login`. A later process
// signs in silently with the refresh token; when that is revoked it asks again only if a person
// can answer, and otherwise says to run `azcp login`.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type {
  AuthenticationResult,
  ICachePlugin,
  PublicClientApplication,
  TokenCacheContext,
} from "@azure/msal-node";
import { AzcpError } from "../errors.js";
import type { Authority } from "./login-spec.js";

/** What a person needs to sign in with a device code. */
export interface DeviceCodePrompt {
  verificationUri: string;
  userCode: string;
  message: string;
}

export interface DeviceCodeCache {
  /** MSAL's serialized cache as last saved. */
  initial: string | undefined;
  save(serialized: string): Promise<void>;
}

export interface DeviceCodeOptions {
  clientId: string;
  authority: Authority;
  knownAuthority: boolean;
  onDeviceCode: (prompt: DeviceCodePrompt) => void;
  cache?: DeviceCodeCache;
  /** Whether the device flow may start when no saved sign-in works. */
  mayPrompt: boolean;
}

export class DeviceCodeCredential implements TokenCredential {
  private app: Promise<PublicClientApplication> | undefined;
  /** Who signed in, once a token was obtained. */
  account: { username: string; tenantId: string } | undefined;

  constructor(private readonly options: DeviceCodeOptions) {}

  private client(): Promise<PublicClientApplication> {
    this.app ??= (async () => {
      const { PublicClientApplication } = await import("@azure/msal-node");
      const authority = `${this.options.authority.host}/${this.options.authority.tenantId}`;
      const cache = this.options.cache;
      let loaded = false;
      const cachePlugin: ICachePlugin | undefined = cache && {
        async beforeCacheAccess(context: TokenCacheContext) {
          if (!loaded && cache.initial) context.tokenCache.deserialize(cache.initial);
          loaded = true;
        },
        async afterCacheAccess(context: TokenCacheContext) {
          if (context.cacheHasChanged) await cache.save(context.tokenCache.serialize());
        },
      };
      return new PublicClientApplication({
        auth: {
          clientId: this.options.clientId,
          authority,
          knownAuthorities: this.options.knownAuthority ? [] : [authority],
        },
        ...(cachePlugin ? { cache: { cachePlugin } } : {}),
      });
    })();
    return this.app;
  }

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const scopeList = typeof scopes === "string" ? [scopes] : scopes;
    const app = await this.client();
    const [account] = await app.getTokenCache().getAllAccounts();
    if (account) {
      try {
        return this.accept(await app.acquireTokenSilent({ account, scopes: scopeList }));
      } catch (error) {
        const needsPerson = (error as { name?: string }).name === "InteractionRequiredAuthError";
        if (!needsPerson || !this.options.mayPrompt) throw error;
      }
    } else if (!this.options.mayPrompt) {
      throw new AzcpError("authentication", "The saved device sign-in holds no account.", {
        remedy: "Run `azcp login` again.",
      });
    }
    const result = await app.acquireTokenByDeviceCode({
      scopes: scopeList,
      deviceCodeCallback: (response) =>
        this.options.onDeviceCode({
          verificationUri: response.verificationUri,
          userCode: response.userCode,
          message: response.message,
        }),
    });
    return this.accept(result);
  }

  private accept(result: AuthenticationResult | null): AccessToken {
    if (result?.account)
      this.account = { username: result.account.username, tenantId: result.account.tenantId };
    return toAccessToken(result);
  }
}

function toAccessToken(result: AuthenticationResult | null): AccessToken {
  if (!result?.accessToken || !result.expiresOn) throw new Error("The sign-in returned no access token.");
  return {
    token: result.accessToken,
    expiresOnTimestamp: result.expiresOn.getTime(),
    ...(result.refreshOn ? { refreshAfterTimestamp: result.refreshOn.getTime() } : {}),
  };
}
