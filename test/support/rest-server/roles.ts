// Role emulation. Azurite grants a valid token everything; here too, unless a test restricts a
// principal (by object id) to a set of built-in roles, so that 403s can be provoked.
// https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/storage

export type Action = "read" | "list" | "write" | "delete" | "manageAcl";
export type ServiceName = "file" | "dfs";

const ROLES: Record<string, { service: ServiceName; actions: Action[] }> = {
  // Azure Files OAuth over REST: https://learn.microsoft.com/en-us/azure/storage/files/authorize-oauth-rest
  "Storage File Data Privileged Reader": { service: "file", actions: ["read", "list"] },
  "Storage File Data Privileged Contributor": {
    service: "file",
    actions: ["read", "list", "write", "delete"],
  },
  "Storage Blob Data Reader": { service: "dfs", actions: ["read", "list"] },
  "Storage Blob Data Contributor": { service: "dfs", actions: ["read", "list", "write", "delete"] },
  // The owner role makes its holder a Data Lake super-user: it may also change owners and ACLs.
  // https://learn.microsoft.com/en-us/azure/storage/blobs/data-lake-storage-access-control-model
  "Storage Blob Data Owner": { service: "dfs", actions: ["read", "list", "write", "delete", "manageAcl"] },
};

export const ROLE_NAMES = Object.keys(ROLES);

export class RoleAssignments {
  private readonly restricted = new Map<string, string[]>();

  /** Restrict a principal to these roles; null lifts the restriction. Throws on an unknown role. */
  set(objectId: string, roles: string[] | null): void {
    if (roles === null) {
      this.restricted.delete(objectId);
      return;
    }
    const unknown = roles.filter((role) => !ROLES[role]);
    if (unknown.length)
      throw new Error(`unknown role(s): ${unknown.join(", ")}; known: ${ROLE_NAMES.join(", ")}`);
    this.restricted.set(objectId, [...roles]);
  }

  /** True when the principal's roles grant the action (an unrestricted principal has every role). */
  allows(objectId: string | undefined, service: ServiceName, action: Action): boolean {
    const roles = objectId === undefined ? undefined : this.restricted.get(objectId);
    if (!roles) return true;
    return roles.some((role) => ROLES[role]!.service === service && ROLES[role]!.actions.includes(action));
  }
}
