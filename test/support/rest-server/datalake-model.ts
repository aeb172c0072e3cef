// Data Lake's stored state: file systems of real directories and files, each with POSIX owner,
// group, permissions and ACL, files with committed bytes plus the appended-but-unflushed data,
// and the ACL checks the operations need.
import type { IncomingHttpHeaders } from "node:http";
import { allows, EXECUTE, type Posix, READ, WRITE } from "./acl.js";
import type { ServiceError } from "./errors.js";
import { header, httpDate } from "./http.js";
import {
  Content,
  type ContentHeaders,
  type DirNode,
  type FileNode,
  type Stamp,
  stamp,
  Tree,
  type TreeNode,
} from "./store.js";

export interface LakeEntity {
  stamp: Stamp;
  created: Date;
  metadata: Record<string, string>;
  posix: Posix;
}

export type LakeDir = LakeEntity;

export interface LakeFile extends LakeEntity {
  content: Content;
  headers: ContentHeaders;
  contentMd5: string | undefined;
  /** Appended data not yet flushed, by position. */
  uncommitted: Map<number, Buffer>;
}

export type LakeNode = TreeNode<LakeFile, LakeDir>;
export type LakeDirNode = DirNode<LakeFile, LakeDir>;
export type LakeFileNode = FileNode<LakeFile>;

export interface FileSystem {
  name: string;
  stamp: Stamp;
  created: Date;
  metadata: Record<string, string>;
  tree: Tree<LakeFile, LakeDir>;
}

export function newFileSystem(name: string, root: Posix, metadata: Record<string, string>): FileSystem {
  const now = new Date();
  return {
    name,
    stamp: stamp(),
    created: now,
    metadata,
    tree: new Tree<LakeFile, LakeDir>({ stamp: stamp(), created: now, metadata: {}, posix: root }, false),
  };
}

export function newFile(
  name: string,
  posix: Posix,
  headers: ContentHeaders,
  metadata: Record<string, string>,
): LakeFileNode {
  return {
    kind: "file",
    name,
    props: {
      stamp: stamp(),
      created: new Date(),
      metadata,
      posix,
      content: new Content(0),
      headers,
      contentMd5: undefined,
      uncommitted: new Map(),
    },
  };
}

/**
 * x-ms-properties: "name=base64(value),..." (values decoded here; ASCII names).
 * https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/create
 */
export function parseProperties(
  headers: IncomingHttpHeaders,
  fail: (code: string, details?: Record<string, string>) => ServiceError,
): Record<string, string> | undefined {
  const text = header(headers, "x-ms-properties");
  if (text === undefined) return undefined;
  const metadata: Record<string, string> = {};
  for (const pair of text.split(",")) {
    if (pair.trim() === "") continue;
    const equals = pair.indexOf("=");
    const name = (equals < 0 ? pair : pair.slice(0, equals)).trim();
    const value = equals < 0 ? "" : pair.slice(equals + 1).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
      throw fail("InvalidHeaderValue", { HeaderName: "x-ms-properties", HeaderValue: text });
    metadata[name] = Buffer.from(value, "base64").toString("utf8");
  }
  return metadata;
}

export function formatProperties(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([name, value]) => `${name}=${Buffer.from(value, "utf8").toString("base64")}`)
    .join(",");
}

/** Metadata as x-ms-meta-* headers, as the Blob endpoint returns it (printable ASCII values only). */
export function blobMetadataHeaders(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata)
      .filter(([, value]) => /^[\x20-\x7e]*$/.test(value))
      .map(([name, value]) => [`x-ms-meta-${name}`, value]),
  );
}

/** Windows file time (100 ns since 1601), as Path - List's creationTime. */
export function fileTime(date: Date): string {
  return ((BigInt(date.getTime()) + 11_644_473_600_000n) * 10_000n).toString();
}

export function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, "");
}

export function entityDates(entity: { stamp: Stamp }): Record<string, string> {
  return {
    etag: entity.stamp.etag,
    "last-modified": httpDate(entity.stamp.lastModified),
  };
}

/**
 * ACL checks, written from "Common scenarios related to ACL permissions": reading a file needs
 * R on it and X on every directory above it; creating or deleting needs WX on the parent and X
 * above it; listing a directory needs RX on it and X above it.
 * https://learn.microsoft.com/en-us/azure/storage/blobs/data-lake-storage-access-control#common-scenarios-related-to-acl-permissions
 */
export const AclChecks = {
  /** Every directory in `chain` can be traversed. */
  traverse(chain: LakeDirNode[], principal: string | undefined): boolean {
    return chain.every((dir) => allows(dir.props.posix, principal, EXECUTE));
  },

  /** X on every directory above `dir`, and `bits` on `dir` itself. */
  onLast(chain: LakeDirNode[], principal: string | undefined, bits: number): boolean {
    const last = chain.at(-1);
    return (
      last !== undefined &&
      AclChecks.traverse(chain.slice(0, -1), principal) &&
      allows(last.props.posix, principal, bits)
    );
  },

  /** A node's own permission, reached through its (existing) ancestors. */
  node(
    chain: LakeDirNode[],
    node: LakeNode | undefined,
    principal: string | undefined,
    bits: number,
  ): boolean {
    if (!AclChecks.traverse(chain, principal)) return false;
    return node === undefined || allows(node.props.posix, principal, bits);
  },

  /** Listing: RX on the directory (and on every directory below it when recursive). */
  list(
    chain: LakeDirNode[],
    dir: LakeNode | undefined,
    tree: Tree<LakeFile, LakeDir>,
    principal: string | undefined,
    recursive: boolean,
  ): boolean {
    if (!AclChecks.traverse(chain, principal)) return false;
    if (dir?.kind !== "dir") return true;
    if (!allows(dir.props.posix, principal, READ | EXECUTE)) return false;
    if (!recursive) return true;
    for (const { node } of tree.walk(dir, "")) {
      if (node.kind === "dir" && !allows(node.props.posix, principal, READ | EXECUTE)) return false;
    }
    return true;
  },

  /** Deleting: WX on the parent, and on every directory inside a directory deleted recursively. */
  delete(
    chain: LakeDirNode[],
    node: LakeNode | undefined,
    tree: Tree<LakeFile, LakeDir>,
    principal: string | undefined,
  ): boolean {
    if (!AclChecks.onLast(chain, principal, WRITE | EXECUTE)) return false;
    if (node?.kind !== "dir") return true;
    if (node.children.size > 0 && !allows(node.props.posix, principal, WRITE | EXECUTE)) return false;
    for (const { node: inner } of tree.walk(node, "")) {
      if (
        inner.kind === "dir" &&
        inner.children.size > 0 &&
        !allows(inner.props.posix, principal, WRITE | EXECUTE)
      )
        return false;
    }
    return true;
  },
};
