// Which Azure role grants a data operation, and how to say so when the service refuses it.
import type { ServiceKind } from "../location/location.js";
import { describePrincipal, type Principal } from "./token-claims.js";

export type DataAction = "list" | "read" | "write" | "delete";

const READER = { blob: "Storage Blob Data Reader", file: "Storage File Data Privileged Reader" };
const WRITER = { blob: "Storage Blob Data Contributor", file: "Storage File Data Privileged Contributor" };

/** The built-in roles that allow an action, least powerful first. */
export function rolesFor(service: ServiceKind, action: DataAction): string[] {
  if (service === "file")
    return action === "list" || action === "read" ? [READER.file, WRITER.file] : [WRITER.file];
  return action === "list" || action === "read"
    ? [READER.blob, WRITER.blob, "Storage Blob Data Owner"]
    : [WRITER.blob, "Storage Blob Data Owner"];
}

const VERBS: Record<DataAction, string> = {
  list: "listing",
  read: "reading",
  write: "writing",
  delete: "deleting",
};

export const ROLE_SCOPES =
  "the container (or share), the storage account, its resource group or the subscription";

export interface PermissionContext {
  service: ServiceKind;
  action: DataAction;
  principal: Principal | undefined;
  /** How the principal signed in, e.g. "device code sign-in". */
  signIn: string | undefined;
}

export function permissionRemedy(context: PermissionContext): string {
  const roles = rolesFor(context.service, context.action);
  const who = context.principal ? describePrincipal(context.principal) : "The signed-in identity";
  const how = context.signIn ? `, signed in with ${context.signIn},` : "";
  const acl =
    context.service === "dfs"
      ? " On Data Lake Storage an ACL entry can stand in for the role: write on the target directory (read for downloads) and execute on the container and every parent directory."
      : "";
  return (
    `${who}${how} has no data role that allows ${VERBS[context.action]} here: assign it ${roles[0]}` +
    `${roles.length > 1 ? ` (or ${roles.slice(1).join(" or ")})` : ""} on ${ROLE_SCOPES}.${acl}` +
    " A new role assignment can take up to 5 minutes to apply."
  );
}
