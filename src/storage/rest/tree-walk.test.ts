import { describe, expect, it } from "vitest";
import { compareNames } from "../name-order.js";
import { type TreeEntry, walkTree } from "./tree-walk.js";

function directoryLister(tree: Record<string, string[]>) {
  return async (directory: string): Promise<TreeEntry[]> =>
    (tree[directory] ?? []).map((name) => ({
      name: name.replace(/\/$/, ""),
      isDirectory: name.endsWith("/"),
      size: 1,
      lastModified: undefined,
    }));
}

describe("walkTree", () => {
  // The services list a directory in their own order; the walk must still come out in name
  // order overall ("a-b" sorts before "a/x", since "-" < "/"), or sync would refuse it.
  const tree = {
    "": ["b.txt", "a/", "a-b", "\u{1F600}", "\uFF01"],
    a: ["x", "sub/", "empty/"],
    "a/sub": ["z"],
  };

  it("lists files in name order across directories", async () => {
    const paths: string[] = [];
    for await (const { path } of walkTree(directoryLister(tree), "", { recursive: true, withFolders: false }))
      paths.push(path);
    expect(paths).toEqual(["a-b", "a/sub/z", "a/x", "b.txt", "\uFF01", "\u{1F600}"]);
    expect([...paths].sort(compareNames)).toEqual(paths);
  });

  it("yields folders (empty ones too) before what they hold, and stops at the top without recursion", async () => {
    const withFolders: string[] = [];
    for await (const { path, entry } of walkTree(directoryLister(tree), "", {
      recursive: true,
      withFolders: true,
    }))
      withFolders.push(entry.isDirectory ? `${path}/` : path);
    expect(withFolders).toEqual([
      "a-b",
      "a/",
      "a/empty/",
      "a/sub/",
      "a/sub/z",
      "a/x",
      "b.txt",
      "\uFF01",
      "\u{1F600}",
    ]);

    const top: string[] = [];
    for await (const { path } of walkTree(directoryLister(tree), "", { recursive: false, withFolders: true }))
      top.push(path);
    expect(top).toEqual(["a-b", "b.txt", "\uFF01", "\u{1F600}"]);
  });
});
