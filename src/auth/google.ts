// Google Cloud Storage's credentials: a service account's JSON key (GOOGLE_APPLICATION_CREDENTIALS),
// exchanged for OAuth access tokens (the JWT bearer grant), and V4 signed URLs made with its
// private key, which Azure Storage fetches for a service-side copy.
import { createHash, createSign } from "node:crypto";
import { readFileSync } from "node:fs";
import { AzcpError, badInput } from "../errors.js";
import { registerSecret } from "../location/redact.js";
import { type Environment, readSetting } from "../settings.js";
import { postForm } from "../transport/http.js";
import type { ForeignAccess } from "./foreign-access.js";

export interface GoogleServiceAccount {
  readonly clientEmail: string;
  readonly privateKey: string;
  readonly tokenUri: string;
  readonly projectId?: string | undefined;
}

const READ_SCOPE = "https://www.googleapis.com/auth/devstorage.read_only";

/** The service account whose key GOOGLE_APPLICATION_CREDENTIALS names. */
export function googleServiceAccountFrom(env: Environment): GoogleServiceAccount {
  const path = readSetting("GOOGLE_APPLICATION_CREDENTIALS", env);
  if (!path)
    throw badInput(
      "A Google Cloud Storage source needs a service account key, and GOOGLE_APPLICATION_CREDENTIALS is not set.",
      "Set GOOGLE_APPLICATION_CREDENTIALS to the path of the service account's JSON key file.",
    );
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw badInput(
      `GOOGLE_APPLICATION_CREDENTIALS names ${path}, which cannot be read as JSON (${(error as NodeJS.ErrnoException).code === "ENOENT" ? "there is no such file" : "it is not a JSON key file"}).`,
      "Point it at the JSON key file downloaded for the service account.",
    );
  }
  const { client_email: clientEmail, private_key: privateKey, token_uri: tokenUri, type } = parsed;
  if (type !== "service_account" || typeof clientEmail !== "string" || typeof privateKey !== "string")
    throw badInput(
      `${path} is not a service account key (it needs "type": "service_account", client_email and private_key).`,
      "Create a JSON key for a service account (IAM, Service accounts, Keys) and point GOOGLE_APPLICATION_CREDENTIALS at it.",
    );
  registerSecret(privateKey);
  return {
    clientEmail,
    privateKey,
    tokenUri: typeof tokenUri === "string" ? tokenUri : "https://oauth2.googleapis.com/token",
    projectId: typeof parsed.project_id === "string" ? parsed.project_id : undefined,
  };
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

/** The signed JWT a service account presents to the token endpoint. */
export function jwtAssertion(account: GoogleServiceAccount, now: Date = new Date()): string {
  const issued = Math.floor(now.getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const claims = base64url(
    JSON.stringify({
      iss: account.clientEmail,
      scope: READ_SCOPE,
      aud: account.tokenUri,
      iat: issued,
      exp: issued + 3600,
    }),
  );
  const signature = createSign("RSA-SHA256").update(`${header}.${claims}`).sign(account.privateKey);
  return `${header}.${claims}.${base64url(signature)}`;
}

/** OAuth access tokens for the service account, renewed five minutes before they expire. */
export class GoogleTokenSource {
  private current: Promise<{ token: string; expiresAt: number }> | undefined;

  constructor(
    private readonly account: GoogleServiceAccount,
    private readonly post: typeof postForm = postForm,
  ) {}

  async token(): Promise<string> {
    // One request for every caller: the promise is shared before anything is awaited.
    if (!this.current) this.current = this.request();
    const current = this.current;
    const held = await current.catch(() => undefined);
    if (held && held.expiresAt - Date.now() >= 5 * 60_000) return held.token;
    if (this.current === current) this.current = this.request();
    return (await this.current).token;
  }

  private async request(): Promise<{ token: string; expiresAt: number }> {
    const body = new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: jwtAssertion(this.account),
    });
    let response: { status: number; body: string };
    try {
      response = await this.post(this.account.tokenUri, body);
    } catch (error) {
      throw new AzcpError(
        "authentication",
        `Google's token endpoint ${this.account.tokenUri} could not be reached (${(error as Error).message}).`,
        {
          remedy:
            "Check the network, and HTTPS_PROXY / NO_PROXY if a proxy stands between this machine and Google.",
        },
      );
    }
    let answer: Record<string, unknown> = {};
    try {
      answer = JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      // Not JSON: the status says what happened.
    }
    if (response.status !== 200 || typeof answer.access_token !== "string")
      throw new AzcpError(
        "authentication",
        `Google refused the service account ${this.account.clientEmail}: ${String(answer.error_description ?? answer.error ?? response.status)}.`,
        {
          remedy:
            "Check that the key in GOOGLE_APPLICATION_CREDENTIALS is current (not deleted or disabled) and that the service account may read the bucket (Storage Object Viewer).",
        },
      );
    registerSecret(answer.access_token);
    const lifetime = typeof answer.expires_in === "number" ? answer.expires_in : 3600;
    return { token: answer.access_token, expiresAt: Date.now() + lifetime * 1000 };
  }
}

/** RFC 3986 encoding, as V4 signing wants it (encodeURIComponent leaves !'()* alone). */
function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A V4 signed URL (GOOG4-RSA-SHA256) that reads one object until it expires, signed with the
 * service account's private key. `url` is the object's XML API URL (https://storage.googleapis.com/bucket/name).
 */
export function signGoogleUrl(
  account: GoogleServiceAccount,
  url: URL,
  expiresSeconds: number,
  now: Date = new Date(),
): string {
  const datetime = now.toISOString().replace(/[:-]|\.\d{3}/g, "");
  const scope = `${datetime.slice(0, 8)}/auto/storage/goog4_request`;
  const query: [string, string][] = [
    // The URL's own parameters (a generation to read) are signed with the rest.
    ...url.searchParams.entries(),
    ["X-Goog-Algorithm", "GOOG4-RSA-SHA256"],
    ["X-Goog-Credential", `${account.clientEmail}/${scope}`],
    ["X-Goog-Date", datetime],
    ["X-Goog-Expires", String(expiresSeconds)],
    ["X-Goog-SignedHeaders", "host"],
  ];
  const canonicalQuery = query
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${strictEncode(key)}=${strictEncode(value)}`)
    .join("&");
  const path = url.pathname
    .split("/")
    .map((segment) => strictEncode(decodeURIComponent(segment)))
    .join("/");
  // The host is signed without a port, as Google's own signers sign it.
  const canonicalRequest = [
    "GET",
    path,
    canonicalQuery,
    `host:${url.hostname}`,
    "",
    "host",
    "UNSIGNED-PAYLOAD",
  ].join("\n");
  const stringToSign = [
    "GOOG4-RSA-SHA256",
    datetime,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const signature = createSign("RSA-SHA256").update(stringToSign).sign(account.privateKey, "hex");
  return `${url.protocol}//${url.host}${path}?${canonicalQuery}&X-Goog-Signature=${signature}`;
}

/** How a Cloud Storage location is read: OAuth tokens and signed URLs of the service account. */
export function gcsAccess(env: Environment): ForeignAccess {
  const account = googleServiceAccountFrom(env);
  const tokens = new GoogleTokenSource(account);
  return {
    kind: "foreign",
    description: `the service account ${account.clientEmail}`,
    sign: async (request) => {
      request.headers.authorization = `Bearer ${await tokens.token()}`;
    },
    presign: (url, seconds) => signGoogleUrl(account, url, seconds),
    project: readSetting("GOOGLE_CLOUD_PROJECT", env),
  };
}
