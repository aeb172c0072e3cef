// Turn a LoginSpec into a TokenCredential from @azure/identity (loaded only when needed).
import type { TokenCredential } from "@azure/core-auth";
import { loadCertificate } from "./certificate.js";
import { type DeviceCodeCache, DeviceCodeCredential, type DeviceCodePrompt } from "./device-code.js";

export type { DeviceCodePrompt } from "./device-code.js";

import type { LoginSpec } from "./login-spec.js";

/** AzCopy's first-party public client, used for device code sign-in. */
export const AZCOPY_CLIENT_ID = "579a7132-0e58-4d80-b1e1-7a1e2d337859";

export { STORAGE_SCOPE } from "../transport/token.js";

const MICROSOFT_AUTHORITY_HOSTS = new Set([
  "login.microsoftonline.com",
  "login.chinacloudapi.cn",
  "login.microsoftonline.us",
  "login.microsoftonline.de",
]);

export interface CredentialHooks {
  /** Show the device code to the person signing in. */
  onDeviceCode?: (prompt: DeviceCodePrompt) => void;
}

export interface DevicePersistence {
  cache: DeviceCodeCache;
  /** Whether a new device code may be asked for when the saved sign-in no longer works. */
  mayPrompt: boolean;
}

function authorityOptions(host: string) {
  const hostname = new URL(host).hostname.toLowerCase();
  return {
    authorityHost: host,
    // MSAL asks login.microsoftonline.com to validate any other authority; national clouds are
    // known to it, other hosts (Azure Stack, emulators) must skip that step.
    disableInstanceDiscovery: !MICROSOFT_AUTHORITY_HOSTS.has(hostname),
  };
}

export async function createCredential(
  spec: LoginSpec,
  hooks: CredentialHooks = {},
  persistence?: DevicePersistence,
): Promise<TokenCredential> {
  if (spec.type !== "DEVICE") return identityCredential(spec);
  const { disableInstanceDiscovery } = authorityOptions(spec.authority.host);
  return new DeviceCodeCredential({
    clientId: AZCOPY_CLIENT_ID,
    authority: spec.authority,
    knownAuthority: !disableInstanceDiscovery,
    onDeviceCode: (prompt) => hooks.onDeviceCode?.(prompt),
    mayPrompt: persistence?.mayPrompt ?? true,
    ...(persistence ? { cache: persistence.cache } : {}),
  });
}

async function identityCredential(spec: Exclude<LoginSpec, { type: "DEVICE" }>): Promise<TokenCredential> {
  const identity = await import("@azure/identity");
  switch (spec.type) {
    case "SPN": {
      const options = authorityOptions(spec.authority.host);
      if (spec.proof.kind === "secret") {
        return new identity.ClientSecretCredential(
          spec.authority.tenantId,
          spec.applicationId,
          spec.proof.secret,
          options,
        );
      }
      const certificate = await loadCertificate(spec.proof.path, spec.proof.password);
      return new identity.ClientCertificateCredential(
        spec.authority.tenantId,
        spec.applicationId,
        certificate.password === undefined
          ? { certificate: certificate.pem }
          : { certificate: certificate.pem, certificatePassword: certificate.password },
        options,
      );
    }
    case "MSI":
      switch (spec.identity.kind) {
        case "system":
          return new identity.ManagedIdentityCredential();
        case "client-id":
          return new identity.ManagedIdentityCredential({ clientId: spec.identity.id });
        case "object-id":
          return new identity.ManagedIdentityCredential({ objectId: spec.identity.id });
        case "resource-id":
          return new identity.ManagedIdentityCredential({ resourceId: spec.identity.id });
      }
      break;
    case "AZCLI":
      return new identity.AzureCliCredential(spec.tenantId ? { tenantId: spec.tenantId } : {});
    case "PSCRED":
      return new identity.AzurePowerShellCredential(spec.tenantId ? { tenantId: spec.tenantId } : {});
    case "WORKLOAD":
      return new identity.WorkloadIdentityCredential({
        tenantId: spec.authority.tenantId,
        clientId: spec.clientId,
        tokenFilePath: spec.tokenFile,
        ...authorityOptions(spec.authority.host),
      });
  }
}
