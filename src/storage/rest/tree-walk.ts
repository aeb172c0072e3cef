// Walking a service with real directories (Azure Files, Data Lake) one directory at a time, in
// the same name order as the local walk, so that sync can merge it with any other listing. The
// services do not promise an order across directories; sorting each directory ourselves does.
import { AzcpError } from "../../errors.js";
import { compareNames } from "../name-order.js";

export interface TreeEntry {
  /** The entry's own name (no slashes). */
  name: string;
  isDirectory: boolean;
  size: number;
  lastModified: Date | undefined;
  creationTime?: Date | undefined;
  lastWriteTime?: Date | undefined;
  attributes?: string | undefined;
  /** Azure Files: the key of the entry's security descriptor in its share. */
  permissionKey?: string | undefined;
  /** The entry's ETag, quoted as in a response header. */
  etag?: string | undefined;
}

export interface WalkedEntry {
  /** Path from the walk's root, "/"-separated. */
  path: string;
  entry: TreeEntry;
}

export interface WalkOptions {
  recursive: boolean;
  /** Yield directories as well (before what they hold). */
  withFolders: boolean;
  /** Keep only top-level names this accepts. */
  nameFilter?: ((name: string) => boolean) | undefined;
}

/** Every entry under `root` ("" for the top), depth first, each directory sorted by name. */
export async function* walkTree(
  listDirectory: (directory: string) => Promise<TreeEntry[]>,
  root: string,
  options: WalkOptions,
): AsyncGenerator<WalkedEntry> {
  yield* walk(listDirectory, root, "", true, options);
}

async function* walk(
  listDirectory: (directory: string) => Promise<TreeEntry[]>,
  directory: string,
  relative: string,
  top: boolean,
  options: WalkOptions,
): AsyncGenerator<WalkedEntry> {
  const entries = await listDirectory(directory);
  // Directories sort as "name/", so walking in this order lists paths in name order overall.
  const sortKey = (entry: TreeEntry) => (entry.isDirectory ? `${entry.name}/` : entry.name);
  entries.sort((a, b) => compareNames(sortKey(a), sortKey(b)));
  for (const entry of entries) {
    if (top && options.nameFilter && !options.nameFilter(entry.name)) continue;
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (!entry.isDirectory) {
      yield { path, entry };
      continue;
    }
    if (!options.recursive) continue;
    if (options.withFolders) yield { path, entry };
    yield* walk(listDirectory, directory ? `${directory}/${entry.name}` : entry.name, path, false, options);
  }
}

/** Refuses a name these services would read as leaving its directory ("..", ".", empty parts). */
export function checkRelativePath(relativePath: string): string {
  if (relativePath.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) {
    throw new AzcpError(
      "bad-input",
      `The name "${relativePath}" has an empty, "." or ".." part and could land outside the destination directory.`,
      { remedy: "Rename it at the source, or exclude it with --exclude-path or --exclude-regex." },
    );
  }
  return relativePath;
}

/**
 * Deletes the directories under `root` (and `root` itself) that hold nothing, deepest first; a
 * directory that still holds something (what a filter kept) stays.
 */
export async function deleteEmptyFolders(
  listDirectory: (directory: string) => Promise<TreeEntry[]>,
  root: string,
  deleteFolder: (path: string) => Promise<unknown>,
): Promise<void> {
  const folders: string[] = [];
  for await (const { path, entry } of walkTree(listDirectory, root, { recursive: true, withFolders: true })) {
    if (entry.isDirectory) folders.push(root ? `${root}/${path}` : path);
  }
  if (root) folders.push(root);
  folders.sort((a, b) => b.split("/").length - a.split("/").length);
  for (const folder of folders) {
    await deleteFolder(folder).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 409 && error.statusCode !== 404) throw error;
    });
  }
}
