// Turn what @azure/identity and MSAL throw into one line a person can act on: what failed, and
// what to change. Secrets never appear (messages pass through redaction when printed).
import { AzcpError, isAzcpError } from "../errors.js";
import type { SignIn } from "./sign-in.js";

interface Explanation {
  cause: string;
  remedy: string;
}

function explainCode(code: number, login: SignIn): Explanation | undefined {
  const spec = login.spec;
  const app =
    spec.type === "SPN" ? spec.applicationId : spec.type === "WORKLOAD" ? spec.clientId : "the application";
  const tenant = "authority" in spec ? spec.authority.tenantId : "the tenant";
  switch (code) {
    case 7000215:
      return {
        cause: "Microsoft Entra ID rejected the client secret (AADSTS7000215: invalid client secret).",
        remedy:
          "Set AZCOPY_SPA_CLIENT_SECRET to a current secret *value* of that app registration (not the secret's ID).",
      };
    case 7000222:
      return {
        cause: "the client secret has expired (AADSTS7000222).",
        remedy: "Create a new client secret for the app registration and set AZCOPY_SPA_CLIENT_SECRET to it.",
      };
    case 700016:
      return {
        cause: `application ${app} does not exist in tenant ${tenant} (AADSTS700016).`,
        remedy:
          "Check AZCOPY_SPA_APPLICATION_ID (or --application-id) and AZCOPY_TENANT_ID (or --tenant-id).",
      };
    case 90002:
    case 900023:
      return {
        cause: `tenant ${tenant} does not exist (AADSTS${code}).`,
        remedy: "Set AZCOPY_TENANT_ID (or --tenant-id) to your directory's tenant id or domain.",
      };
    case 700027:
    case 700024:
    case 50012:
      return {
        cause: `Microsoft Entra ID rejected the certificate (AADSTS${code}): it is not registered on application ${app}, or the assertion signed with it is invalid.`,
        remedy:
          "Upload this certificate's public part to the app registration, or point AZCOPY_SPA_CERT_PATH at the certificate that is registered.",
      };
    case 70021:
    case 700211:
    case 700212:
    case 700213:
      return {
        cause: `no federated credential of application ${app} matches the workload's token (AADSTS${code}).`,
        remedy:
          "Add a federated credential to the app registration with the issuer and subject of this workload's service account.",
      };
    case 50173:
    case 700082:
    case 70043:
    case 700084:
      return {
        cause: `the sign-in has expired or was revoked (AADSTS${code}).`,
        remedy: "Run `azcp login` again.",
      };
    case 70020:
      return {
        cause: "the device code expired before the sign-in was completed (AADSTS70020).",
        remedy: "Run the command again and complete the sign-in in the browser within 15 minutes.",
      };
    case 70007:
      return {
        cause: "the sign-in was declined in the browser (AADSTS70007).",
        remedy: "Run the command again and approve it.",
      };
    case 90033:
      return {
        cause: "Microsoft Entra ID is temporarily unavailable (AADSTS90033).",
        remedy: "Try again in a few minutes.",
      };
  }
  return undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const response = (error as { errorResponse?: { errorDescription?: string } }).errorResponse;
    return `${error.message} ${response?.errorDescription ?? ""}`;
  }
  return String(error);
}

const NETWORK_CODES =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|socket hang up|network_error|fetch failed|Network request failed/i;

export function isTransientSignInError(error: unknown): boolean {
  if (isAzcpError(error)) return error.kind === "network" || error.kind === "throttled";
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined && (status === 408 || status === 429 || status >= 500)) return true;
  const text = messageOf(error);
  if (/AADSTS(90033|50196|7000112)\b|temporarily_unavailable|server_error|status code:? 5\d\d/i.test(text))
    return true;
  return NETWORK_CODES.test(text) && !/ENOTFOUND/.test(text);
}

export function signInError(error: unknown, login: SignIn): AzcpError {
  if (isAzcpError(error)) return error;
  const text = messageOf(error);
  const via = `Sign-in with ${login.description} failed`;
  const code = /AADSTS(\d+)/.exec(text);
  const explained = code ? explainCode(Number(code[1]), login) : undefined;
  if (explained) {
    return new AzcpError("authentication", `${via}: ${explained.cause}`, {
      remedy: explained.remedy,
      errorCode: `AADSTS${code![1]}`,
      cause: error,
    });
  }
  const spec = login.spec;
  if (/endpoints_resolution_error/.test(text) && "authority" in spec) {
    return new AzcpError(
      "network",
      `${via}: could not read the OpenID configuration of ${spec.authority.host}/${spec.authority.tenantId}: the host is unreachable, is not a Microsoft Entra authority, or its TLS certificate is not trusted.`,
      {
        remedy:
          "Check AZCOPY_ACTIVE_DIRECTORY_ENDPOINT (or --aad-endpoint), the tenant id and your network; behind a TLS-inspecting proxy, set NODE_EXTRA_CA_CERTS to the proxy's CA file.",
        cause: error,
      },
    );
  }
  if (NETWORK_CODES.test(text)) {
    const endpoint =
      spec.type === "MSI"
        ? "the managed identity endpoint"
        : "authority" in spec
          ? spec.authority.host
          : "the identity endpoint";
    return new AzcpError(
      "network",
      `${via}: could not reach ${endpoint} (${NETWORK_CODES.exec(text)![0]}).`,
      {
        remedy:
          spec.type === "MSI"
            ? "Run azcp on an Azure resource that has a managed identity, or check the identity id you gave."
            : "Check your network and AZCOPY_ACTIVE_DIRECTORY_ENDPOINT (or --aad-endpoint).",
        cause: error,
      },
    );
  }
  switch (spec.type) {
    case "AZCLI":
      if (/az login|not logged in|Please run/i.test(text)) {
        return new AzcpError("authentication", `${via}: the Azure CLI has no signed-in account.`, {
          remedy: "Run `az login` (add --tenant if needed), then try again.",
          cause: error,
        });
      }
      if (/not (be )?found|not installed|ENOENT/i.test(text)) {
        return new AzcpError(
          "authentication",
          `${via}: the Azure CLI (az) is not installed or not on PATH.`,
          {
            remedy: "Install the Azure CLI and run `az login`, or choose another AZCOPY_AUTO_LOGIN_TYPE.",
            cause: error,
          },
        );
      }
      break;
    case "PSCRED":
      if (/Connect-AzAccount|login/i.test(text)) {
        return new AzcpError("authentication", `${via}: Azure PowerShell has no signed-in account.`, {
          remedy: "Run `Connect-AzAccount` in pwsh, then try again.",
          cause: error,
        });
      }
      if (/Unable to execute PowerShell|not installed|not (be )?found/i.test(text)) {
        return new AzcpError(
          "authentication",
          `${via}: PowerShell (pwsh) with the Az module is not available.`,
          {
            remedy:
              "Install PowerShell 7 and the Az.Accounts module and run `Connect-AzAccount`, or choose another AZCOPY_AUTO_LOGIN_TYPE.",
            cause: error,
          },
        );
      }
      break;
    case "MSI": {
      const said = /Description: (.*?) - (?:Correlation|Trace)/.exec(text)?.[1] ?? firstLine(text);
      return new AzcpError(
        "authentication",
        `${via}: the managed identity endpoint answered "${said || "no token"}".`,
        {
          remedy:
            spec.identity.kind === "system"
              ? "Enable a system-assigned identity on this Azure resource, or name a user-assigned one with AZCOPY_MSI_CLIENT_ID."
              : "Check that this user-assigned identity is attached to the resource and that its id is right.",
          cause: error,
        },
      );
    }
    case "WORKLOAD":
      if (/ENOENT|no such file|token file/i.test(text)) {
        return new AzcpError(
          "authentication",
          `${via}: cannot read the federated token file ${spec.tokenFile}.`,
          {
            remedy:
              "Check AZURE_FEDERATED_TOKEN_FILE; in Kubernetes, check that workload identity is enabled for the pod.",
            cause: error,
          },
        );
      }
      break;
  }
  return new AzcpError("authentication", `${via}: ${firstLine(text)}`, {
    remedy: "Check the sign-in settings (azcp env shows them), or run with --log-level DEBUG for details.",
    cause: error,
  });
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim().replace(/\.$/, "");
}
