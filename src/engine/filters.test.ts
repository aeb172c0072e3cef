import { describe, expect, it } from "vitest";
import { compileFilter, parseFlagDate } from "./filters.js";

const keep = (options: Parameters<typeof compileFilter>[0], paths: string[]) => {
  const filter = compileFilter(options);
  return paths.filter((relativePath) => filter({ relativePath }));
};

describe("include and exclude", () => {
  it("matches --include-pattern against the file name at every depth", () => {
    expect(
      keep({ includePattern: "*.pdf;*.jpeg;exactName" }, [
        "bla.pdf",
        "deep/dir/socool.jpeg.pdf",
        "exactName",
        "x/exactName",
        "bla.pdff",
        "eexactName",
        "pdf/readme.txt",
      ]),
    ).toEqual(["bla.pdf", "deep/dir/socool.jpeg.pdf", "exactName", "x/exactName"]);
  });

  it("anchors --include-path and --exclude-path at the root, by whole components", () => {
    const paths = ["dir/a.txt", "dir/sub/b.txt", "dir2/c.txt", "other/dir/d.txt", "dir"];
    expect(keep({ includePath: "dir" }, paths)).toEqual(["dir/a.txt", "dir/sub/b.txt", "dir"]);
    expect(keep({ excludePath: "dir/sub;dir2" }, paths)).toEqual(["dir/a.txt", "other/dir/d.txt", "dir"]);
  });

  it("ORs includes of one kind, ANDs kinds, and lets any exclude reject", () => {
    const paths = ["a/x.txt", "a/y.csv", "b/x.txt", "a/skip.txt"];
    expect(keep({ includePattern: "*.txt;*.csv", includePath: "a" }, paths)).toEqual([
      "a/x.txt",
      "a/y.csv",
      "a/skip.txt",
    ]);
    expect(keep({ includePattern: "*.txt", excludePattern: "skip*" }, paths)).toEqual(["a/x.txt", "b/x.txt"]);
  });

  it("searches regular expressions in the relative path", () => {
    expect(keep({ includeRegex: "^a/.*\\.txt$" }, ["a/x.txt", "b/a/x.txt"])).toEqual(["a/x.txt"]);
    expect(keep({ excludeRegex: "/x\\." }, ["a/x.txt", "b/y.txt"])).toEqual(["b/y.txt"]);
    expect(() => compileFilter({ includeRegex: "(" })).toThrow(/not a valid regular expression/);
  });

  it("keeps files modified on or before / on or after the given times", () => {
    const filter = compileFilter({
      includeAfter: new Date("2024-01-01T00:00:00Z"),
      includeBefore: new Date("2024-12-31T00:00:00Z"),
    });
    expect(filter({ relativePath: "a", lastModified: new Date("2024-01-01T00:00:00Z") })).toBe(true);
    expect(filter({ relativePath: "a", lastModified: new Date("2023-12-31T23:59:59Z") })).toBe(false);
    expect(filter({ relativePath: "a", lastModified: new Date("2024-12-31T00:00:01Z") })).toBe(false);
  });

  it("reads dates as AzCopy does", () => {
    expect(parseFlagDate("2020-08-19T15:04:00Z", "--include-after").toISOString()).toBe(
      "2020-08-19T15:04:00.000Z",
    );
    expect(parseFlagDate("2020-08-19", "--include-after").getTime()).toBe(new Date(2020, 7, 19).getTime());
    expect(() => parseFlagDate("yesterday", "--include-after")).toThrow(/not an ISO 8601/);
  });
});
