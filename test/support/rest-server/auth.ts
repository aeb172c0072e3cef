// Who is asking: an account SAS (verified with the account key), a Microsoft Entra bearer token
// (checked as Azurite checks it: claims only, no signature), or nobody.
import { createHmac, timingSafeEqual } from "node:crypto";
import { ServiceError, withStatus } from "./errors.js";
import { header, httpDate, type Request } from "./http.js";

export interface AccountSas {
  version: string;
  services: string;
  resourceTypes: string;
  permissions: string;
  start: Date | undefined;
  expiry: Date;
  ip: string | undefined;
  protocol: string | undefined;
}

export type Auth =
  | { kind: "sas"; sas: AccountSas }
  | { kind: "bearer"; objectId: string | undefined; claims: Record<string, unknown> }
  | { kind: "none" };

export interface AuthContext {
  accountName: string;
  accountKey: string;
  /** The account URLs a token may name as its audience (this listener's). */
  accountUrls: string[];
  /** The tenant the 401 challenge names (the real service names the account's tenant). */
  tenantId: string;
  /** The service's error factory (XML or JSON catalogue). */
  error: (code: string, details?: Record<string, string>, headers?: Record<string, string>) => ServiceError;
}

/** The audiences Azurite accepts, which are the ones the service accepts for storage. */
const STORAGE_AUDIENCES = [
  "https://storage.azure.com",
  "https://storage.azure.com/",
  "e406a681-f3d4-42a8-90b6-c2b029497af1",
];

export function authenticate(request: Request, context: AuthContext): Auth {
  const authorization = header(request.headers, "authorization");
  if (authorization?.startsWith("Bearer ")) return bearer(authorization.slice(7).trim(), context);
  if (authorization !== undefined) {
    throw context.error("AuthenticationFailed", {
      AuthenticationErrorDetail:
        "The azcp test server accepts an account SAS or a bearer token, not Shared Key.",
    });
  }
  if (request.query.sig !== undefined) return { kind: "sas", sas: accountSas(request, context) };
  return { kind: "none" };
}

/** The 401 challenge that names the authority and resource, as the service sends it. */
function challenge(context: AuthContext): Record<string, string> {
  return {
    "www-authenticate": `Bearer authorization_uri=https://login.microsoftonline.com/${context.tenantId}/oauth2/authorize resource_id=https://storage.azure.com`,
  };
}

export function noCredentials(context: AuthContext): ServiceError {
  return context.error("NoAuthenticationInformation", {}, challenge(context));
}

/**
 * Token errors answer 401 InvalidAuthenticationInfo with the validation failure as
 * AuthenticationErrorDetail and a WWW-Authenticate challenge (as the service does, e.g. "Audience
 * validation failed. Audience did not match." in https://github.com/Azure/AzureStor/issues/119).
 */
function bearer(token: string, context: AuthContext): Auth {
  const fail = (detail: string) =>
    context.error("InvalidAuthenticationInfo", { AuthenticationErrorDetail: detail }, challenge(context));
  let claims: Record<string, unknown>;
  try {
    const payload = token.split(".")[1];
    if (!payload) throw new Error("not a JWT");
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw withStatus(context.error("InvalidAuthenticationInfo"), 400);
  }
  const issuer = typeof claims.iss === "string" ? claims.iss : "";
  if (!issuer.startsWith("https://sts.windows.net/"))
    throw fail("Issuer validation failed. Issuer did not match.");
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const accepted = [...STORAGE_AUDIENCES, ...context.accountUrls.flatMap((url) => [url, `${url}/`])];
  if (!audiences.some((audience) => typeof audience === "string" && accepted.includes(audience)))
    throw fail("Audience validation failed. Audience did not match.");
  const now = Date.now() / 1000;
  const { nbf, exp, iat } = claims;
  if (typeof nbf !== "number" || typeof exp !== "number" || typeof iat !== "number")
    throw fail("Lifetime validation failed. The token is missing a lifetime claim.");
  if (now < nbf) throw fail("Lifetime validation failed. The token is not yet valid.");
  if (now >= exp) throw fail("Lifetime validation failed. The token is expired.");
  return { kind: "bearer", objectId: typeof claims.oid === "string" ? claims.oid : undefined, claims };
}

/**
 * An account SAS: the signature is an HMAC-SHA256 with the account key over the string-to-sign,
 * which gained a signed-encryption-scope line in version 2020-12-06.
 * https://learn.microsoft.com/en-us/rest/api/storageservices/create-account-sas
 */
function accountSas(request: Request, context: AuthContext): AccountSas {
  const q = request.query;
  const fail = (detail: string) =>
    context.error("AuthenticationFailed", { AuthenticationErrorDetail: detail });
  if (q.ss === undefined && q.sr !== undefined)
    throw fail("The azcp test server verifies account SAS only; this is a service SAS.");
  for (const field of ["sv", "ss", "srt", "sp", "se"]) {
    if (!q[field]) throw fail(`${field} is mandatory. Cannot be empty`);
  }
  const stringToSign = [
    context.accountName,
    q.sp,
    q.ss,
    q.srt,
    q.st ?? "",
    q.se,
    q.sip ?? "",
    q.spr ?? "",
    q.sv,
    ...(q.sv! >= "2020-12-06" ? [q.ses ?? ""] : []),
    "",
  ].join("\n");
  const expected = createHmac("sha256", Buffer.from(context.accountKey, "base64"))
    .update(stringToSign, "utf8")
    .digest();
  const given = Buffer.from(q.sig!, "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw fail(`Signature did not match. String to sign used was ${stringToSign}`);
  const start = q.st ? new Date(q.st) : undefined;
  const expiry = new Date(q.se!);
  const now = new Date();
  if (Number.isNaN(expiry.getTime()) || (start && Number.isNaN(start.getTime())))
    throw fail("Signed start or expiry time is not a valid ISO 8601 date.");
  if ((start && now < start) || now >= expiry) {
    throw fail(
      `Signature not valid in the specified time frame: Start [${start ? httpDate(start) : ""}] - Expiry [${httpDate(expiry)}] - Current [${httpDate(now)}]`,
    );
  }
  return {
    version: q.sv!,
    services: q.ss!,
    resourceTypes: q.srt!,
    permissions: q.sp!,
    start,
    expiry,
    ip: q.sip,
    protocol: q.spr,
  };
}

export interface SasNeed {
  /** "f" for Files; "b" for Data Lake, which the service authorizes as Blob. */
  service: "f" | "b";
  resourceType: "s" | "c" | "o";
  /** Any one of these permission letters suffices. */
  permissions: string;
}

/**
 * What an account SAS must grant for an operation (the tables "Account SAS permissions by
 * operation" in https://learn.microsoft.com/en-us/rest/api/storageservices/create-account-sas).
 */
export function checkSas(sas: AccountSas, need: SasNeed, request: Request, context: AuthContext): void {
  if (sas.protocol !== undefined && !["https", "https,http", "http,https"].includes(sas.protocol))
    throw context.error("AuthorizationProtocolMismatch");
  if (sas.ip !== undefined && !ipAllowed(sas.ip, request.remoteAddress)) {
    const error = context.error("AuthorizationSourceIPMismatch");
    throw withMessage(error, error.message.replace("{SourceIP}", request.remoteAddress));
  }
  if (!sas.services.includes(need.service)) throw context.error("AuthorizationServiceMismatch");
  if (!sas.resourceTypes.includes(need.resourceType))
    throw context.error("AuthorizationResourceTypeMismatch");
  if (![...need.permissions].some((letter) => sas.permissions.includes(letter)))
    throw context.error("AuthorizationPermissionMismatch");
}

function withMessage(error: ServiceError, message: string): ServiceError {
  return new ServiceError(error.status, error.code, message, error.details, error.headers);
}

function ipNumber(ip: string): number {
  return ip.split(".").reduce((value, part) => value * 256 + Number(part), 0);
}

function ipAllowed(allowed: string, remote: string): boolean {
  const address = remote.replace(/^::ffff:/, "");
  const [from = "", to = from] = allowed.split("-");
  const value = ipNumber(address);
  return value >= ipNumber(from) && value <= ipNumber(to);
}
