import { describe, expect, it } from "vitest";
import { wildcardRegExp } from "../location/wildcard.js";
import { parseFlagDate } from "../options/values.js";
import { compileFilter, objectFilter } from "./filters.js";

const keep = async (options: Parameters<typeof compileFilter>[0], paths: string[]) => {
  const filter = objectFilter(await compileFilter(options), { single: false, rootName: "" });
  return paths.filter((relativePath) => filter({ relativePath }));
};

describe("Go path.Match wildcards", () => {
  const matches = (pattern: string, name: string) => wildcardRegExp(pattern).test(name);
  it("knows *, ?, classes, ranges, ^ negation and \\ escapes", () => {
    expect(matches("?.keep", "a.keep")).toBe(true);
    expect(matches("?.keep", "ab.keep")).toBe(false);
    expect(matches("[ab].txt", "b.txt")).toBe(true);
    expect(matches("[a-c]*", "car")).toBe(true);
    expect(matches("[^a-c]*", "car")).toBe(false);
    expect(matches("[^a-c]*", "dog")).toBe(true);
    // "!" is not a negation in Go's path.Match: it is one more member of the class.
    expect(matches("[!a]x", "!x")).toBe(true);
    expect(matches("[!a]x", "bx")).toBe(false);
    expect(matches("\\*", "*")).toBe(true);
    expect(matches("\\*", "a")).toBe(false);
    expect(matches("*.TXT", "a.txt")).toBe(false);
    expect(matches("ü?", "üé")).toBe(true);
    expect(matches("part-*", "part-1")).toBe(true);
    expect(matches("a.b+(c)|{d}$^", "a.b+(c)|{d}$^")).toBe(true);
    expect(matches("[\\]\\-]", "-")).toBe(true);
    expect(matches("[\\]\\-]", "]")).toBe(true);
  });
  it("refuses malformed patterns", () => {
    for (const bad of ["[", "[]", "[a", "a\\", "[z-a]", "[-a]"]) expect(() => wildcardRegExp(bad)).toThrow();
  });
});

describe("include and exclude", () => {
  it("matches --include-pattern against the file name at every depth", async () => {
    expect(
      await keep({ includePattern: "*.pdf;*.jpeg;exactName" }, [
        "bla.pdf",
        "deep/dir/socool.jpeg.pdf",
        "exactName",
        "x/exactName",
        "bla.pdff",
        "eexactName",
        "pdf/readme.txt",
      ]),
    ).toEqual(["bla.pdf", "deep/dir/socool.jpeg.pdf", "exactName", "x/exactName"]);
    // A pattern with "/" can never match a name.
    expect(await keep({ includePattern: "sub/*.txt" }, ["sub/a.txt"])).toEqual([]);
  });

  it("treats --exclude-path as a plain prefix of the relative path", async () => {
    const paths = ["dir/a.txt", "dir/sub/b.txt", "dir2/c.txt", "other/dir/d.txt", "dir"];
    expect(await keep({ excludePath: "dir/sub;dir2" }, paths)).toEqual([
      "dir/a.txt",
      "other/dir/d.txt",
      "dir",
    ]);
    expect(await keep({ excludePath: "dir" }, paths)).toEqual(["other/dir/d.txt"]);
    expect(await keep({ excludePath: "/dir" }, paths)).toEqual(paths);
  });

  it("ANDs kinds and lets any exclude reject", async () => {
    const paths = ["a/x.txt", "a/y.csv", "b/x.txt", "a/skip.txt"];
    expect(await keep({ includePattern: "*.txt;*.csv", includeRegex: "^a/" }, paths)).toEqual([
      "a/x.txt",
      "a/y.csv",
      "a/skip.txt",
    ]);
    expect(await keep({ includePattern: "*.txt", excludePattern: "skip*" }, paths)).toEqual([
      "a/x.txt",
      "b/x.txt",
    ]);
  });

  it("finds RE2 expressions anywhere in the relative path", async () => {
    expect(await keep({ includeRegex: "^a/.*\\.txt$" }, ["a/x.txt", "b/a/x.txt"])).toEqual(["a/x.txt"]);
    expect(await keep({ excludeRegex: "\\.keep\\z" }, ["a.keep", "a.keep2"])).toEqual(["a.keep2"]);
    expect(await keep({ includeRegex: "(?i)README" }, ["readme.md", "x.md"])).toEqual(["readme.md"]);
    await expect(compileFilter({ excludeRegex: "(?=x)" })).rejects.toThrow(/not a valid RE2/);
    await expect(compileFilter({ excludePattern: "[" })).rejects.toThrow(/not a valid pattern/);
  });

  it("lets folders past name patterns but copies no folders at all with one", async () => {
    const folders = objectFilter(await compileFilter({ excludePath: "x" }), { single: false, rootName: "" });
    expect(folders({ relativePath: "dir", folder: true })).toBe(true);
    const names = objectFilter(await compileFilter({ excludePattern: "*.tmp" }), {
      single: false,
      rootName: "",
    });
    expect(names({ relativePath: "dir", folder: true })).toBe(false);
  });

  it("sees paths without the source folder's own name, and a single file as the path ''", async () => {
    const underRoot = objectFilter(await compileFilter({ includeRegex: "^c\\.txt$" }), {
      single: false,
      rootName: "src",
    });
    expect(underRoot({ relativePath: "src/c.txt" })).toBe(true);
    expect(underRoot({ relativePath: "src/d/c.txt" })).toBe(false);
    const single = objectFilter(await compileFilter({ includePattern: "a.*", excludeRegex: "." }), {
      single: true,
      rootName: "",
    });
    expect(single({ relativePath: "a.txt" })).toBe(true);
  });

  it("keeps files modified on or before / on or after the given times", async () => {
    const filter = await compileFilter({
      includeAfter: new Date("2024-01-01T00:00:00Z"),
      includeBefore: new Date("2024-12-31T00:00:00Z"),
    });
    const at = (iso: string) => filter({ relativePath: "a", name: "a", lastModified: new Date(iso) });
    expect(at("2024-01-01T00:00:00Z")).toBe(true);
    expect(at("2023-12-31T23:59:59Z")).toBe(false);
    expect(at("2024-12-31T00:00:01Z")).toBe(false);
  });

  it("reads dates as AzCopy does", () => {
    const read = (text: string) => parseFlagDate(text, "--include-after").getTime();
    expect(new Date(read("2020-08-19T15:04:00Z")).toISOString()).toBe("2020-08-19T15:04:00.000Z");
    expect(new Date(read("2020-08-19T15:04:00.5+02:00")).toISOString()).toBe("2020-08-19T13:04:00.500Z");
    expect(read("2020-08-19")).toBe(new Date(2020, 7, 19).getTime());
    expect(read("2020-08-19T15")).toBe(new Date(2020, 7, 19, 15).getTime());
    expect(read("2020-08-19T15:04")).toBe(new Date(2020, 7, 19, 15, 4).getTime());
    expect(() => parseFlagDate("yesterday", "--include-after")).toThrow(/not an ISO 8601/);
    expect(() => parseFlagDate("2020-08-19 15:04", "--include-after")).toThrow(/not an ISO 8601/);
  });
});
