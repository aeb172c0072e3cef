// Hide secrets before anything is shown or written: SAS signatures in URLs, bearer tokens,
// and any value the caller knows to be secret.

const SECRET_PARAMETER =
  /([?&](?:sig|client_secret|client_assertion|access_token|refresh_token|x-amz-signature|x-amz-security-token|x-goog-signature)=)[^&#\s"'<\\:]*/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9\-_=.]+/g;
const JWT_LIKE = /\beyJ[A-Za-z0-9\-_]{8,}\.[A-Za-z0-9\-_]{8,}\.[A-Za-z0-9\-_]*/g;

export const REDACTED = "REDACTED";

/** Replace SAS signatures, bearer tokens and JWTs in free text. */
export function redactText(text: string): string {
  // Each pattern needs its literal part; most lines (a dry run prints one per object) have none.
  let out = text;
  if (out.includes("=")) out = out.replace(SECRET_PARAMETER, `$1${REDACTED}`);
  if (out.includes("Bearer")) out = out.replace(BEARER, `$1${REDACTED}`);
  if (out.includes("eyJ")) out = out.replace(JWT_LIKE, REDACTED);
  return out;
}

const knownSecrets = new Set<string>();

/** Register a value (client secret, certificate password) that must never be printed. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

/** redactText plus every registered secret, including its URL-encoded form. */
export function redactAll(text: string): string {
  let out = redactText(text);
  for (const secret of knownSecrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/** Redact every string inside a value (before it is serialized, so escapes stay intact). */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redactAll(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactDeep(inner)])) as T;
  }
  return value;
}
