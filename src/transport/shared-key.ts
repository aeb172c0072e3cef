// Shared Key authorization (an account name and key, as ACCOUNT_NAME / ACCOUNT_KEY hand them
// to AzCopy): each request is signed with HMAC-SHA256 over its canonical form, as the Blob,
// Files and Data Lake services define it.
// https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
import { createHmac } from "node:crypto";

export interface SharedKey {
  account: string;
  /** Base64, as the portal shows it. A secret. */
  key: string;
}

/** Headers, in the order the string to sign takes them. */
const STANDARD = [
  "content-encoding",
  "content-language",
  "content-length",
  "content-md5",
  "content-type",
  "date",
  "if-modified-since",
  "if-match",
  "if-none-match",
  "if-unmodified-since",
  "range",
];

/**
 * The Authorization header for a request. `path` is the encoded path from the origin (for an
 * emulator it starts with the account), `query` the decoded query parameters.
 */
export function sharedKeyAuthorization(
  credential: SharedKey,
  method: string,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string>,
): string {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = String(value);
  const standard = STANDARD.map((name) =>
    name === "content-length" && lower[name] === "0" ? "" : (lower[name] ?? ""),
  );
  const canonicalHeaders = Object.keys(lower)
    .filter((name) => name.startsWith("x-ms-"))
    .sort()
    .map((name) => `${name}:${lower[name]!.trim()}\n`)
    .join("");
  const parameters = Object.keys(query)
    .map((name) => name.toLowerCase())
    .sort()
    .map((name) => {
      const value = Object.entries(query).find(([key]) => key.toLowerCase() === name)![1];
      return `\n${name}:${value}`;
    })
    .join("");
  const resource = `/${credential.account}${path || "/"}${parameters}`;
  const toSign = `${method.toUpperCase()}\n${standard.join("\n")}\n${canonicalHeaders}${resource}`;
  const signature = createHmac("sha256", Buffer.from(credential.key, "base64"))
    .update(toSign, "utf8")
    .digest("base64");
  return `SharedKey ${credential.account}:${signature}`;
}
