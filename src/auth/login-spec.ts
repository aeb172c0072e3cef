// What a sign-in needs, as data: built from AZCOPY_* variables (auto-login) or from `azcp login`
// flags, stored by the login store, and turned into a credential by credentials.ts.
import { badInput } from "../errors.js";
import { registerSecret } from "../location/redact.js";
import { type Environment, readSetting } from "../settings.js";

export const LOGIN_TYPES = ["DEVICE", "MSI", "SPN", "AZCLI", "PSCRED", "WORKLOAD"] as const;
export type LoginType = (typeof LOGIN_TYPES)[number];

export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";
export const DEFAULT_TENANT = "common";

export interface Authority {
  /** https://login.microsoftonline.com or a national cloud's (or an emulator's) host. */
  readonly host: string;
  readonly tenantId: string;
}

export type ManagedIdentitySelector =
  | { readonly kind: "system" }
  | { readonly kind: "client-id" | "object-id" | "resource-id"; readonly id: string };

export type ServicePrincipalProof =
  | { readonly kind: "secret"; readonly secret: string }
  | { readonly kind: "certificate"; readonly path: string; readonly password?: string | undefined };

export type LoginSpec =
  | { readonly type: "DEVICE"; readonly authority: Authority }
  | { readonly type: "MSI"; readonly identity: ManagedIdentitySelector }
  | {
      readonly type: "SPN";
      readonly authority: Authority;
      readonly applicationId: string;
      readonly proof: ServicePrincipalProof;
    }
  | { readonly type: "AZCLI"; readonly tenantId: string | undefined }
  | { readonly type: "PSCRED"; readonly tenantId: string | undefined }
  | {
      readonly type: "WORKLOAD";
      readonly authority: Authority;
      readonly clientId: string;
      readonly tokenFile: string;
    };

export function parseLoginType(value: string, source: string): LoginType {
  const upper = value.trim().toUpperCase();
  if ((LOGIN_TYPES as readonly string[]).includes(upper)) return upper as LoginType;
  throw badInput(
    `${source} is "${value}", which is not a login type azcp knows.`,
    `Use one of ${LOGIN_TYPES.join(", ")} (any case).`,
  );
}

export function normalizeAuthorityHost(value: string | undefined): string {
  const host = (value ?? DEFAULT_AUTHORITY_HOST).trim().replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw badInput(
      `The Microsoft Entra endpoint "${host}" is not a URL.`,
      `Set AZCOPY_ACTIVE_DIRECTORY_ENDPOINT (or --aad-endpoint) to a URL such as ${DEFAULT_AUTHORITY_HOST}.`,
    );
  }
  if (url.protocol !== "https:") {
    throw badInput(
      `The Microsoft Entra endpoint "${host}" is not HTTPS.`,
      "Sign-in only works over HTTPS: use an https:// endpoint.",
    );
  }
  return host;
}

export interface ManagedIdentityIds {
  clientId?: string | undefined;
  objectId?: string | undefined;
  resourceId?: string | undefined;
}

export function managedIdentitySelector(
  ids: ManagedIdentityIds,
  names: [string, string, string],
): ManagedIdentitySelector {
  const given = (
    [
      ["client-id", ids.clientId, names[0]],
      ["object-id", ids.objectId, names[1]],
      ["resource-id", ids.resourceId, names[2]],
    ] as const
  ).filter(([, value]) => value !== undefined && value !== "");
  if (given.length > 1) {
    throw badInput(
      `More than one managed identity id is set (${given.map(([, , name]) => name).join(", ")}).`,
      "Set only one of them: a user-assigned identity is chosen by its client id, object id or resource id.",
    );
  }
  const [only] = given;
  return only ? { kind: only[0], id: only[1]! } : { kind: "system" };
}

/** The auto-login of AZCOPY_AUTO_LOGIN_TYPE, or undefined when it is not set. */
export function autoLoginFromEnvironment(env: Environment): LoginSpec | undefined {
  const typeValue = readSetting("AZCOPY_AUTO_LOGIN_TYPE", env);
  if (typeValue === undefined) return undefined;
  const type = parseLoginType(typeValue, "AZCOPY_AUTO_LOGIN_TYPE");
  const tenant = readSetting("AZCOPY_TENANT_ID", env);
  const authorityHost = () => normalizeAuthorityHost(readSetting("AZCOPY_ACTIVE_DIRECTORY_ENDPOINT", env));

  switch (type) {
    case "DEVICE":
      return { type, authority: { host: authorityHost(), tenantId: tenant ?? DEFAULT_TENANT } };
    case "MSI":
      return {
        type,
        identity: managedIdentitySelector(
          {
            clientId: readSetting("AZCOPY_MSI_CLIENT_ID", env),
            objectId: readSetting("AZCOPY_MSI_OBJECT_ID", env),
            resourceId: readSetting("AZCOPY_MSI_RESOURCE_STRING", env),
          },
          ["AZCOPY_MSI_CLIENT_ID", "AZCOPY_MSI_OBJECT_ID", "AZCOPY_MSI_RESOURCE_STRING"],
        ),
      };
    case "SPN":
      return servicePrincipalSpec(
        {
          applicationId: readSetting("AZCOPY_SPA_APPLICATION_ID", env),
          tenantId: tenant,
          authorityHost: authorityHost(),
          certificatePath: readSetting("AZCOPY_SPA_CERT_PATH", env),
        },
        env,
      );
    case "AZCLI":
    case "PSCRED":
      return { type, tenantId: tenant };
    case "WORKLOAD": {
      const clientId = readSetting("AZURE_CLIENT_ID", env);
      const tokenFile = readSetting("AZURE_FEDERATED_TOKEN_FILE", env);
      const workloadTenant = tenant ?? readSetting("AZURE_TENANT_ID", env);
      if (!clientId || !tokenFile || !workloadTenant) {
        throw badInput(
          "WORKLOAD sign-in needs AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE, and not all are set.",
          "Run inside a pod with workload identity enabled, or set the three variables yourself.",
        );
      }
      return { type, clientId, tokenFile, authority: { host: authorityHost(), tenantId: workloadTenant } };
    }
  }
}

export interface ServicePrincipalInput {
  applicationId: string | undefined;
  tenantId: string | undefined;
  authorityHost: string;
  certificatePath: string | undefined;
}

/** A service principal sign-in; the secret or certificate password comes only from the environment. */
export function servicePrincipalSpec(input: ServicePrincipalInput, env: Environment): LoginSpec {
  if (!input.applicationId) {
    throw badInput(
      "Service principal sign-in needs the application (client) id, and none was given.",
      "Set AZCOPY_SPA_APPLICATION_ID (or pass --application-id to azcp login).",
    );
  }
  if (!input.tenantId) {
    throw badInput(
      "Service principal sign-in needs the tenant id, and none was given.",
      "Set AZCOPY_TENANT_ID (or pass --tenant-id to azcp login).",
    );
  }
  const authority = { host: input.authorityHost, tenantId: input.tenantId };
  if (input.certificatePath) {
    const password = readSetting("AZCOPY_SPA_CERT_PASSWORD", env);
    registerSecret(password);
    return {
      type: "SPN",
      authority,
      applicationId: input.applicationId,
      proof: { kind: "certificate", path: input.certificatePath, password },
    };
  }
  const secret = readSetting("AZCOPY_SPA_CLIENT_SECRET", env);
  if (!secret) {
    throw badInput(
      "Service principal sign-in needs a client secret or a certificate, and neither was given.",
      "Set AZCOPY_SPA_CLIENT_SECRET, or AZCOPY_SPA_CERT_PATH (and AZCOPY_SPA_CERT_PASSWORD if the certificate has one).",
    );
  }
  registerSecret(secret);
  return { type: "SPN", authority, applicationId: input.applicationId, proof: { kind: "secret", secret } };
}

/** Short description of a sign-in for messages: never includes a secret. */
export function describeLogin(spec: LoginSpec): string {
  switch (spec.type) {
    case "DEVICE":
      return `device code sign-in (tenant ${spec.authority.tenantId})`;
    case "MSI":
      return spec.identity.kind === "system"
        ? "system-assigned managed identity"
        : `user-assigned managed identity (${spec.identity.kind} ${spec.identity.id})`;
    case "SPN":
      return `service principal ${spec.applicationId} with a ${spec.proof.kind === "secret" ? "client secret" : "certificate"} (tenant ${spec.authority.tenantId})`;
    case "AZCLI":
      return "the Azure CLI's sign-in";
    case "PSCRED":
      return "the Azure PowerShell sign-in";
    case "WORKLOAD":
      return `workload identity ${spec.clientId} (tenant ${spec.authority.tenantId})`;
  }
}
