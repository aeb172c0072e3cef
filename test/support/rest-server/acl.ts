// POSIX-like access control lists of Data Lake Storage: parsing and printing x-ms-acl and
// x-ms-permissions, the access check, and what a new file or directory inherits.
// https://learn.microsoft.com/en-us/azure/storage/blobs/data-lake-storage-access-control

export const READ = 4;
export const WRITE = 2;
export const EXECUTE = 1;

export interface AclEntry {
  scope: "access" | "default";
  type: "user" | "group" | "mask" | "other";
  /** Object id for named entries; "" for the owning user, owning group, mask and other. */
  id: string;
  perms: number;
}

export interface Posix {
  owner: string;
  group: string;
  /** Owner, owning group and other as 9 permission bits (0o750 ...). */
  mode: number;
  sticky: boolean;
  /** Named access entries, the access mask, and every default entry. */
  entries: AclEntry[];
}

/** The owner and group of what is created with a SAS or Shared Key. */
export const SUPERUSER = "$superuser";

function permsText(perms: number): string {
  return `${perms & READ ? "r" : "-"}${perms & WRITE ? "w" : "-"}${perms & EXECUTE ? "x" : "-"}`;
}

function permsValue(text: string): number | undefined {
  const match = /^([r-])([w-])([x-])$/.exec(text);
  if (!match) return undefined;
  return (match[1] === "r" ? READ : 0) | (match[2] === "w" ? WRITE : 0) | (match[3] === "x" ? EXECUTE : 0);
}

/** "rwxr-x---" or 4-digit octal "0750" (a leading 1 sets the sticky bit), as x-ms-permissions takes. */
export function parsePermissions(text: string): { mode: number; sticky: boolean } | undefined {
  if (/^[01][0-7]{3}$/.test(text))
    return { mode: Number.parseInt(text.slice(1), 8), sticky: text[0] === "1" };
  const match = /^([r-][w-][x-])([r-][w-][x-])([r-][w-])([xtT-])\+?$/.exec(text);
  if (!match) return undefined;
  const last = match[4]!;
  const other = `${match[3]}${last === "x" || last === "t" ? "x" : "-"}`;
  return {
    mode: (permsValue(match[1]!)! << 6) | (permsValue(match[2]!)! << 3) | permsValue(other)!,
    sticky: last === "t" || last === "T",
  };
}

function extended(posix: Posix): boolean {
  return posix.entries.some((entry) => entry.scope === "access");
}

/** x-ms-permissions: symbolic, "+" when named entries or a mask extend the ACL. */
export function formatPermissions(posix: Posix): string {
  let text = permsText(posix.mode >> 6) + permsText((posix.mode >> 3) & 7) + permsText(posix.mode & 7);
  if (posix.sticky) text = text.slice(0, 8) + (posix.mode & EXECUTE ? "t" : "T");
  return extended(posix) ? `${text}+` : text;
}

/** "[default:]user|group|mask|other:[id]:rwx,..." or undefined when malformed. */
export function parseAcl(text: string): AclEntry[] | undefined {
  const entries: AclEntry[] = [];
  for (const raw of text.split(",")) {
    const parts = raw.trim().split(":");
    const scope = parts[0] === "default" ? "default" : "access";
    if (scope === "default") parts.shift();
    if (parts.length !== 3) return undefined;
    const [type, id, permText] = parts as [string, string, string];
    const perms = permsValue(permText);
    if (perms === undefined || !["user", "group", "mask", "other"].includes(type)) return undefined;
    if ((type === "mask" || type === "other") && id !== "") return undefined;
    entries.push({ scope, type: type as AclEntry["type"], id, perms });
  }
  return entries;
}

/**
 * Replaces the whole ACL, as setAccessControl with x-ms-acl does: the base access entries set the
 * permission bits, everything else replaces the named entries, mask and default ACL.
 * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/update
 */
export function withAcl(posix: Posix, entries: AclEntry[]): Posix {
  let mode = posix.mode;
  const rest: AclEntry[] = [];
  for (const entry of entries) {
    const base = entry.scope === "access" && entry.id === "" && entry.type !== "mask";
    if (!base) {
      rest.push(entry);
      continue;
    }
    const shift = entry.type === "user" ? 6 : entry.type === "group" ? 3 : 0;
    mode = (mode & ~(7 << shift)) | (entry.perms << shift);
  }
  return { ...posix, mode, entries: rest };
}

function entryText(entry: AclEntry): string {
  return `${entry.scope === "default" ? "default:" : ""}${entry.type}:${entry.id}:${permsText(entry.perms)}`;
}

/** x-ms-acl: base and named access entries, mask, other, then the default ACL. */
export function formatAcl(posix: Posix): string {
  const access = posix.entries.filter((entry) => entry.scope === "access");
  const named = (type: AclEntry["type"]) => access.filter((entry) => entry.type === type && entry.id !== "");
  const mask = access.find((entry) => entry.type === "mask");
  const parts = [
    `user::${permsText(posix.mode >> 6)}`,
    ...named("user").map(entryText),
    `group::${permsText((posix.mode >> 3) & 7)}`,
    ...named("group").map(entryText),
    ...(mask ? [entryText(mask)] : []),
    `other::${permsText(posix.mode & 7)}`,
    ...posix.entries.filter((entry) => entry.scope === "default").map(entryText),
  ];
  return parts.join(",");
}

/**
 * The access check of "Access check algorithm": the owning user (no mask), a named user entry
 * (masked), then other (masked, as the documented algorithm has it). Group membership is not
 * emulated: a principal is never a member of the owning or a named group.
 */
export function allows(posix: Posix, principal: string | undefined, wanted: number): boolean {
  if (principal !== undefined && principal === posix.owner) return ((posix.mode >> 6) & wanted) === wanted;
  const access = posix.entries.filter((entry) => entry.scope === "access");
  const mask = access.find((entry) => entry.type === "mask")?.perms ?? 7;
  const named = access.find((entry) => entry.type === "user" && entry.id !== "" && entry.id === principal);
  if (named) return (named.perms & mask & wanted) === wanted;
  return (posix.mode & 7 & mask & wanted) === wanted;
}

/**
 * What a new file or directory gets: the creator as owner, the parent's owning group, and either
 * the parent's default ACL or the requested permissions (default 0777 for a directory, 0666 for a
 * file) less the umask (default 0027).
 * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/create
 */
export function childPosix(
  parent: Posix,
  kind: "file" | "directory",
  owner: string,
  requested: number | undefined,
  umask: number | undefined,
): Posix {
  const mode = requested ?? (kind === "directory" ? 0o777 : 0o666);
  const defaults = parent.entries.filter((entry) => entry.scope === "default");
  if (defaults.length === 0)
    return { owner, group: parent.group, mode: mode & ~(umask ?? 0o027), sticky: false, entries: [] };
  const base = (type: AclEntry["type"]) =>
    defaults.find((entry) => entry.type === type && entry.id === "")?.perms ?? 0;
  const inherited = withAcl(
    { owner, group: parent.group, mode: 0, sticky: false, entries: [] },
    defaults.map((entry) => ({ ...entry, scope: "access" as const })),
  );
  const bits = ((base("user") << 6) | (base("group") << 3) | base("other")) & mode;
  return {
    ...inherited,
    mode: bits,
    entries: [...inherited.entries, ...(kind === "directory" ? defaults : [])],
  };
}
