// Read who a token speaks for, without verifying it (the service does that): for messages such
// as "alice@contoso.com has no role that allows this".

export interface Principal {
  /** User principal name for a person, else the application id. */
  name: string;
  kind: "user" | "application" | "managed identity";
  objectId: string | undefined;
  tenantId: string | undefined;
  applicationId: string | undefined;
}

export function decodeClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

export function principalOf(token: string): Principal | undefined {
  const claims = decodeClaims(token);
  if (!claims) return undefined;
  const text = (name: string) => (typeof claims[name] === "string" ? (claims[name] as string) : undefined);
  const user = text("upn") ?? text("unique_name") ?? text("preferred_username");
  const applicationId = text("appid") ?? text("azp");
  const objectId = text("oid");
  const kind = user ? "user" : text("xms_mirid") ? "managed identity" : "application";
  return {
    name: user ?? applicationId ?? objectId ?? "an unknown principal",
    kind,
    objectId,
    tenantId: text("tid"),
    applicationId,
  };
}

export function describePrincipal(principal: Principal): string {
  const label = principal.kind === "user" ? principal.name : `${principal.kind} ${principal.name}`;
  return principal.objectId ? `${label} (object id ${principal.objectId})` : label;
}
