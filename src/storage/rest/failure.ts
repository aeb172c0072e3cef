// The one place backends turn a failed request into an AzcpError, with what only the caller
// knows: the operation, the access in use, and (for a refused token) who the token speaks for.
import type { Access } from "../../auth/authorize.js";
import { STORAGE_SCOPE } from "../../auth/credentials.js";
import type { DataAction } from "../../auth/diagnose.js";
import { type Principal, principalOf } from "../../auth/token-claims.js";
import type { AzcpError } from "../../errors.js";
import { type RemoteLocation, remoteUrl, sasExpiry } from "../../location/location.js";
import { serviceError } from "./service-errors.js";

const PERMISSION_CODES = new Set([
  "AuthorizationPermissionMismatch",
  "AuthorizationResourceTypeMismatch",
  "AuthorizationServiceMismatch",
]);

export interface FailureContext {
  location: RemoteLocation;
  access: Access;
  /** What azcp was doing, e.g. "list blobs in". */
  operation: string;
  action: DataAction;
  /** Path inside the container that was the target (default: the location's). */
  path?: string;
}

export async function storageFailure(error: unknown, context: FailureContext): Promise<AzcpError> {
  const { location, access } = context;
  const code =
    (error as { details?: { errorCode?: string }; code?: string }).details?.errorCode ??
    (error as { code?: string }).code;
  let principal: Principal | undefined;
  if (access.kind === "token" && code && PERMISSION_CODES.has(code)) {
    const token = await access.credential.getToken(STORAGE_SCOPE).catch(() => null);
    principal = token ? principalOf(token.token) : undefined;
  }
  return serviceError(error, {
    operation: context.operation,
    target:
      location.container === undefined
        ? location.accountUrl
        : remoteUrl(location, context.path ?? location.path),
    access: access.kind,
    service: location.service,
    action: context.action,
    sasExpiresOn: sasExpiry(location.sas),
    principal,
    signIn: access.kind === "token" ? access.login.description : undefined,
  });
}
