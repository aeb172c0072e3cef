// The SMB side of Azure Files that the REST API carries: file ids, attributes, the four times and
// security descriptors (stored once per share, referred to by permission key).
// https://learn.microsoft.com/en-us/rest/api/storageservices/create-file
// https://learn.microsoft.com/en-us/rest/api/storageservices/set-file-properties

import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { type ServiceError, serviceTime } from "./errors.js";
import { header } from "./http.js";

export interface Smb {
  fileId: string;
  parentId: string;
  attributes: string;
  creationTime: string;
  lastWriteTime: string;
  changeTime: string;
  lastAccessTime: string;
  permissionKey: string;
}

type Fail = (code: string, details?: Record<string, string>) => ServiceError;

const ATTRIBUTES = [
  "ReadOnly",
  "Hidden",
  "System",
  "None",
  "Archive",
  "Temporary",
  "Offline",
  "NotContentIndexed",
  "NoScrubData",
  "Directory",
];

let lastFileId = 13_835_128_424_026_341_376n;

export function newFileId(): string {
  lastFileId += 1n;
  return lastFileId.toString();
}

/** "Archive | ReadOnly" style; "None" (or nothing) means a plain file / plain directory. */
export function attributesFrom(value: string, kind: "file" | "directory", fail: Fail): string {
  const names = value
    .split("|")
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!ATTRIBUTES.includes(name))
      throw fail("InvalidHeaderValue", { HeaderName: "x-ms-file-attributes", HeaderValue: value });
  }
  const kept = names.filter((name) => name !== "None" && name !== "Directory");
  if (kind === "directory") return ["Directory", ...kept].join(" | ");
  return kept.length ? kept.join(" | ") : "Archive";
}

/** An SMB time header: "now", "preserve" (keep `current`), or ISO 8601 kept to 100 ns. */
export function smbTimeFrom(
  headers: IncomingHttpHeaders,
  name: string,
  current: string,
  fallback: "now" | "preserve",
  fail: Fail,
): string {
  const value = header(headers, name) ?? fallback;
  if (value === "now") return serviceTime(new Date());
  if (value === "preserve") return current;
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?Z$/.exec(value);
  if (!match || Number.isNaN(Date.parse(value)))
    throw fail("InvalidHeaderValue", { HeaderName: name, HeaderValue: value });
  return `${match[1]}.${(match[2] ?? "").padEnd(7, "0")}Z`;
}

export function smbResponseHeaders(smb: Smb): Record<string, string> {
  return {
    "x-ms-file-permission-key": smb.permissionKey,
    "x-ms-file-attributes": smb.attributes,
    "x-ms-file-creation-time": smb.creationTime,
    "x-ms-file-last-write-time": smb.lastWriteTime,
    "x-ms-file-change-time": smb.changeTime,
    "x-ms-file-id": smb.fileId,
    "x-ms-file-parent-id": smb.parentId,
  };
}

/** A share's security descriptors (SDDL), each stored once and named by a key. */
export class Permissions {
  private readonly byKey = new Map<string, string>();
  readonly defaultKey: string;

  constructor() {
    this.defaultKey = this.keyFor("O:SYG:SYD:(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1301bf;;;AU)");
  }

  keyFor(permission: string): string {
    const digest = createHash("sha256").update(permission).digest();
    const key = `${digest.readBigUInt64BE(0) % 10_000_000_000_000_000_000n}*${digest.readUInt8(8) % 10}`;
    this.byKey.set(key, permission);
    return key;
  }

  get(key: string): string | undefined {
    return this.byKey.get(key);
  }
}

/**
 * The permission key a create or set-properties request asks for: x-ms-file-permission (an SDDL,
 * "inherit" or "preserve") or x-ms-file-permission-key, never both.
 */
export function permissionKeyFrom(
  headers: IncomingHttpHeaders,
  permissions: Permissions,
  current: string,
  inherited: string,
  fallback: "inherit" | "preserve",
  fail: Fail,
): string {
  const permission = header(headers, "x-ms-file-permission");
  const key = header(headers, "x-ms-file-permission-key");
  if (permission !== undefined && key !== undefined)
    throw fail("InvalidHeaderValue", { HeaderName: "x-ms-file-permission-key", HeaderValue: key });
  if (key !== undefined) {
    if (!permissions.get(key))
      throw fail("InvalidHeaderValue", { HeaderName: "x-ms-file-permission-key", HeaderValue: key });
    return key;
  }
  const value = permission ?? fallback;
  if (value === "inherit") return inherited;
  if (value === "preserve") return current;
  return permissions.keyFor(value);
}
