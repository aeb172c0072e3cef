// Turn a storage service error into one line with a remedy, telling apart the causes a 403
// hides: a missing data role, a firewall or network rule, a bad or expired token, an expired SAS.
import { type DataAction, permissionRemedy } from "../../auth/diagnose.js";
import type { Principal } from "../../auth/token-claims.js";
import { AzcpError } from "../../errors.js";
import type { ServiceKind } from "../../location/location.js";
import { redactText } from "../../location/redact.js";

export type AccessKind = "sas" | "token" | "sharedKey" | "anonymous" | "foreign";

export interface ServiceErrorContext {
  /** What azcp was doing, e.g. "list blobs in". */
  operation: string;
  /** Redacted URL of the target. */
  target: string;
  access: AccessKind;
  service: ServiceKind;
  /** The kind of data operation, for naming the role that allows it. */
  action: DataAction;
  /** When the SAS in use expires (its se= parameter). */
  sasExpiresOn?: Date | undefined;
  /** Who the token speaks for, when the access is a token. */
  principal?: Principal | undefined;
  signIn?: string | undefined;
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  details?: {
    errorCode?: string;
    authenticationErrorDetail?: string;
    AuthenticationErrorDetail?: string;
    message?: string;
  };
  response?: { headers?: { get(name: string): string | undefined } };
}

export const THREE_WAYS_SHORT =
  "Authorize with `azcp login`, with AZCOPY_AUTO_LOGIN_TYPE, or with a SAS token in the URL.";

export function serviceError(error: unknown, context: ServiceErrorContext): AzcpError {
  if (error instanceof AzcpError) return error;
  const rest = error as RestErrorLike;
  const status = rest.statusCode;
  const errorCode = rest.details?.errorCode ?? rest.code ?? rest.response?.headers?.get("x-ms-error-code");
  const detail = rest.details?.authenticationErrorDetail ?? rest.details?.AuthenticationErrorDetail;
  const doing = `Could not ${context.operation} ${context.target}`;
  const said = `${status ?? "no response"}${errorCode ? ` ${errorCode}` : ""}`;
  const base = { statusCode: status, errorCode, cause: error } as const;

  if (status === undefined) {
    const reason = rest.code ?? rest.message ?? String(error);
    return new AzcpError(
      "network",
      `${doing}: the service could not be reached (${redactText(String(reason))}).`,
      {
        ...base,
        remedy: "Check the URL's host name and your network, proxy and firewall settings.",
      },
    );
  }
  if (status === 403 || status === 401) {
    const expiredSas =
      context.access === "sas" && context.sasExpiresOn && context.sasExpiresOn.getTime() < Date.now();
    if (expiredSas) {
      return new AzcpError(
        "authentication",
        `${doing}: the SAS token expired at ${context.sasExpiresOn!.toISOString()} (${said}).`,
        {
          ...base,
          remedy: "Create a new SAS with a later expiry (se=) and run the command again.",
        },
      );
    }
    switch (errorCode) {
      case "AuthorizationPermissionMismatch":
      case "AuthorizationResourceTypeMismatch":
      case "AuthorizationServiceMismatch": {
        return new AzcpError("permission", `${doing}: the service refused the operation (${said}).`, {
          ...base,
          remedy:
            context.access === "sas"
              ? "The SAS does not grant this operation: create a SAS with the needed permissions (r to read, l to list, w and c to write, d to delete)."
              : permissionRemedy({
                  service: context.service,
                  action: context.action,
                  principal: context.principal,
                  signIn: context.signIn,
                }),
        });
      }
      case "AuthorizationFailure":
        if (context.access === "anonymous") {
          return new AzcpError(
            "authentication",
            `${doing}: the request had no credentials and anonymous access is not allowed (${said}).`,
            {
              ...base,
              remedy: THREE_WAYS_SHORT,
            },
          );
        }
        return new AzcpError(
          "network-rules",
          `${doing}: the storage account refused the request (${said}). The service says this when its firewall, virtual network rules or private endpoint keep this client out${context.access === "sas" ? ", when the SAS allows other IP addresses (its sip field) or only HTTPS, or when the account does not accept SAS or shared key at all" : ", or when the account does not allow this kind of access"}.`,
          {
            ...base,
            remedy:
              context.access === "sas"
                ? "Check the SAS's allowed IP range and protocol, then the account's networking rules (or run azcp from an allowed network)."
                : "Add this client's IP address or network to the storage account's networking rules, or run azcp from an allowed network.",
          },
        );
      case "AuthenticationFailed":
      case "InvalidAuthenticationInfo": {
        const text = `${detail ?? ""} ${rest.message ?? ""}`;
        if (
          context.access === "sas" &&
          /expired|time frame|signed expiry|not valid in the specified time/i.test(text)
        ) {
          return new AzcpError(
            "authentication",
            `${doing}: the SAS token has expired or is not yet valid (${said}).`,
            {
              ...base,
              remedy: "Create a new SAS with a later expiry (se=) and run the command again.",
            },
          );
        }
        if (context.access === "token") {
          const expired = /expired|lifetime/i.test(text);
          return new AzcpError(
            "authentication",
            `${doing}: the service rejected the Microsoft Entra token (${said}${expired ? ": the token has expired" : detail ? `: ${firstSentence(detail)}` : ""}).`,
            {
              ...base,
              remedy: expired
                ? "Check the clock of this machine, and sign in again (azcp login, or the identity behind AZCOPY_AUTO_LOGIN_TYPE)."
                : "Sign in to the tenant that owns the storage account, and check --aad-endpoint for national clouds.",
            },
          );
        }
        return new AzcpError(
          "authentication",
          `${doing}: the service rejected the SAS token (${said}${detail ? `: ${firstSentence(detail)}` : ""}).`,
          {
            ...base,
            remedy:
              "Check that the SAS was made for this account and resource and is complete (copy it again from its source).",
          },
        );
      }
      case "NoAuthenticationInformation":
        return new AzcpError("authentication", `${doing}: the request had no credentials (${said}).`, {
          ...base,
          remedy: THREE_WAYS_SHORT,
        });
    }
    return new AzcpError("permission", `${doing}: access was refused (${said}).`, {
      ...base,
      remedy: THREE_WAYS_SHORT,
    });
  }
  if (status === 404) {
    const what =
      errorCode === "ContainerNotFound"
        ? "the container does not exist"
        : errorCode === "BlobNotFound"
          ? "the blob does not exist"
          : errorCode === "ShareNotFound"
            ? "the file share does not exist"
            : errorCode === "FilesystemNotFound"
              ? "the file system does not exist"
              : errorCode === "ParentNotFound"
                ? "its parent directory does not exist"
                : errorCode === "ResourceNotFound" && context.access === "anonymous"
                  ? "it does not exist, or it is private and the request had no credentials"
                  : "it does not exist";
    return new AzcpError("not-found", `${doing}: ${what} (${said}).`, {
      ...base,
      remedy:
        context.access === "anonymous"
          ? `Check the URL's spelling. ${THREE_WAYS_SHORT}`
          : "Check the URL's spelling (names are case-sensitive), or create it first with `azcp make`.",
    });
  }
  if (errorCode === "InvalidBlockList") {
    return new AzcpError(
      "service",
      `${doing}: the service no longer holds the blocks this upload staged (${said}); most likely another program wrote or committed the same blob at the same time.`,
      { ...base, remedy: "Make sure one writer at a time uploads to this blob, then copy it again." },
    );
  }
  if (status === 429 || status === 503) {
    return new AzcpError(
      "throttled",
      `${doing}: the service is busy (${said}) and retries did not get through.`,
      {
        ...base,
        remedy: "Try again later, or lower AZCOPY_CONCURRENCY_VALUE.",
      },
    );
  }
  return new AzcpError(
    "service",
    `${doing}: the service answered ${said}${rest.message ? `: ${firstSentence(rest.message)}` : ""}.`,
    {
      ...base,
      remedy: status >= 500 ? "Try again later." : "Check the command's arguments.",
    },
  );
}

function firstSentence(text: string): string {
  return redactText(text.split("\n")[0]!.trim()).replace(/\.$/, "");
}
