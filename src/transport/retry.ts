// When a failed request is worth trying again, and how long to wait first: exponential backoff
// with jitter, or what the service asks for with Retry-After.

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxTries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxTries: 10, baseDelayMs: 500, maxDelayMs: 60_000 };

export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ECONNABORTED",
  "AZCP_TRUNCATED",
  "AZCP_CORRUPT",
]);

export function isRetryable(error: unknown): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined) return RETRYABLE_STATUS.has(status);
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: string }).code;
    if (code && NETWORK_CODES.has(code)) return true;
    if (/socket hang up|other side closed/i.test(String((current as Error).message ?? ""))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Retry-After as milliseconds: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(policy.maxDelayMs, exponential * (0.8 + Math.random() * 0.4));
}
