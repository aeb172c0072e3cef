// One token per credential for the whole process, refreshed before it expires. Every request
// to the identity endpoint is shared by all callers waiting at that moment (no storm when
// hundreds of transfers need a token), a transient failure is retried with backoff, and while a
// background refresh fails the current token keeps serving until it is about to expire.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type { RenewableCredential } from "../transport/token.js";
import type { SignIn } from "./sign-in.js";
import { isTransientSignInError, signInError } from "./sign-in-errors.js";

export interface RefreshOptions {
  login: SignIn;
  /** Attempts when there is no usable token to fall back on. */
  attempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

interface HeldToken {
  token: AccessToken;
  obtainedAt: number;
}

const MAX_REFRESH_MARGIN_MS = 5 * 60_000;
const MAX_SAFETY_MARGIN_MS = 30_000;

export class RefreshingTokenCredential implements TokenCredential, RenewableCredential {
  private held: HeldToken | undefined;
  private inFlight: Promise<AccessToken> | undefined;
  private backgroundFailures = 0;
  private nextBackgroundAttemptAt = 0;
  /** How many times the underlying credential was asked (diagnostics and tests). */
  requests = 0;

  constructor(
    private readonly inner: TokenCredential,
    private readonly options: RefreshOptions,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const now = Date.now();
    const held = this.held;
    if (held && now < refreshAt(held)) return held.token;
    if (held && now < usableUntil(held)) {
      if (!this.inFlight && now >= this.nextBackgroundAttemptAt) this.refreshInBackground(scopes, options);
      return held.token;
    }
    return this.obtain(scopes, options);
  }

  private refreshInBackground(scopes: string | string[], options: GetTokenOptions | undefined): void {
    this.requestOnce(scopes, options).then(
      () => {
        this.backgroundFailures = 0;
      },
      () => {
        this.backgroundFailures++;
        this.nextBackgroundAttemptAt = Date.now() + Math.min(1000 * 2 ** this.backgroundFailures, 30_000);
      },
    );
  }

  private async obtain(
    scopes: string | string[],
    options: GetTokenOptions | undefined,
  ): Promise<AccessToken> {
    const attempts = this.options.attempts ?? 4;
    let backoff = this.options.initialBackoffMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce(scopes, options);
      } catch (error) {
        if (!isTransientSignInError(error) || attempt >= attempts)
          throw signInError(error, this.options.login);
        await new Promise((resolve) => setTimeout(resolve, backoff * (0.75 + Math.random() / 2)));
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 8000);
      }
    }
  }

  /** The service called a token expired: forget it unless it was obtained after that request left. */
  discardTokensOlderThan(timestamp: number): void {
    if (this.held && this.held.obtainedAt < timestamp) this.held = undefined;
  }

  /** One request to the identity endpoint, shared by everyone who asks while it runs. */
  private requestOnce(scopes: string | string[], options: GetTokenOptions | undefined): Promise<AccessToken> {
    this.inFlight ??= (async () => {
      this.requests++;
      const obtainedAt = Date.now();
      // A transfer's abort signal must not cancel a request that other transfers wait on.
      const token = await this.inner.getToken(scopes, { ...options, abortSignal: undefined });
      if (!token) throw new Error("The credential returned no token.");
      this.held = { token, obtainedAt };
      return token;
    })().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }
}

function lifetime(held: HeldToken): number {
  return Math.max(0, held.token.expiresOnTimestamp - held.obtainedAt);
}

function refreshAt(held: HeldToken): number {
  const byLifetime = held.token.expiresOnTimestamp - Math.min(MAX_REFRESH_MARGIN_MS, lifetime(held) / 2);
  const suggested = held.token.refreshAfterTimestamp;
  return suggested ? Math.min(byLifetime, suggested) : byLifetime;
}

/** Past this, a request signed with the token might reach the service after it expired. */
function usableUntil(held: HeldToken): number {
  return held.token.expiresOnTimestamp - Math.min(MAX_SAFETY_MARGIN_MS, lifetime(held) / 10);
}
