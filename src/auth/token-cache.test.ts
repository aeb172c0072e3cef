// The cache is tested against a counting credential: the logic under test is ours (when to ask,
// how often, what to do when asking fails), not Azure's.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SignIn } from "./sign-in.js";
import { RefreshingTokenCredential } from "./token-cache.js";

const login: SignIn = {
  spec: { type: "MSI", identity: { kind: "system" } },
  origin: "auto-login",
  description: "system-assigned managed identity",
};

class CountingCredential implements TokenCredential {
  calls = 0;
  failures: Error[] = [];
  constructor(private readonly lifetimeMs: number) {}
  async getToken(): Promise<AccessToken> {
    this.calls++;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const failure = this.failures.shift();
    if (failure) throw failure;
    return { token: `t${this.calls}`, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}

function transient() {
  return Object.assign(new Error("server_error"), { statusCode: 503 });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("RefreshingTokenCredential", () => {
  it("asks once for many concurrent callers", async () => {
    const inner = new CountingCredential(60_000);
    const shared = new RefreshingTokenCredential(inner, { login });
    const tokens = await Promise.all(Array.from({ length: 300 }, () => shared.getToken("s")));
    expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(["t1"]));
    expect(inner.calls).toBe(1);
  });

  it("refreshes in the background at half-life and keeps serving the old token meanwhile", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const inner = new CountingCredential(20_000);
    const shared = new RefreshingTokenCredential(inner, { login });
    expect((await shared.getToken("s")).token).toBe("t1");
    vi.setSystemTime(Date.now() + 11_000);
    expect((await shared.getToken("s")).token).toBe("t1");
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await shared.getToken("s")).token).toBe("t2");
    expect(inner.calls).toBe(2);
  });

  it("retries a transient failure with backoff and then succeeds", async () => {
    const inner = new CountingCredential(60_000);
    inner.failures.push(transient(), transient());
    const shared = new RefreshingTokenCredential(inner, { login, initialBackoffMs: 5 });
    expect((await shared.getToken("s")).token).toBe("t3");
    expect(inner.calls).toBe(3);
  });

  it("gives up on a permanent failure at once, with an explained error", async () => {
    const inner = new CountingCredential(60_000);
    inner.failures.push(new Error("AADSTS700016: Application with identifier 'x' was not found"));
    const shared = new RefreshingTokenCredential(inner, { login, initialBackoffMs: 5 });
    await expect(shared.getToken("s")).rejects.toThrow(/does not exist in tenant/);
    expect(inner.calls).toBe(1);
  });

  it("drops a token the service called expired, once for all requests that saw it", async () => {
    const inner = new CountingCredential(60_000);
    const shared = new RefreshingTokenCredential(inner, { login });
    await shared.getToken("s");
    const sentAt = Date.now() + 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    shared.discardTokensOlderThan(sentAt);
    expect((await shared.getToken("s")).token).toBe("t2");
    // A second request that left with t1 at the same moment must not throw away t2.
    shared.discardTokensOlderThan(sentAt);
    expect((await shared.getToken("s")).token).toBe("t2");
    expect(inner.calls).toBe(2);
  });

  it("keeps the current token while background refreshes fail", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const inner = new CountingCredential(100_000);
    const shared = new RefreshingTokenCredential(inner, { login });
    await shared.getToken("s");
    inner.failures.push(transient());
    vi.setSystemTime(Date.now() + 60_000);
    expect((await shared.getToken("s")).token).toBe("t1");
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Backing off: the failed refresh is not repeated on every call.
    expect((await shared.getToken("s")).token).toBe("t1");
    expect(inner.calls).toBe(2);
  });
});
