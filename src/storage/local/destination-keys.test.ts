// Where a local destination puts each relative path: under its folder, never outside it.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalDestination } from "./local.js";

describe("LocalDestination.keyFor", () => {
  it("puts each name under the folder, as path.join would", () => {
    for (const folder of ["/data/out", "/data/out/", "/data//out/./x/..", "/"]) {
      const destination = new LocalDestination({ path: folder, mode: "directory" });
      for (const name of ["a.bin", "dir/sub/file name.txt", "é/😀", "..x/y..", ".hidden"])
        expect(destination.keyFor(name), `${folder} + ${name}`).toBe(join(folder, name));
    }
  });

  it("refuses names that would leave the folder or are not plain paths", () => {
    const destination = new LocalDestination({ path: "/data/out", mode: "directory" });
    for (const name of [
      "../escape",
      "a/../../escape",
      "a//b",
      "/rooted",
      "a/./b",
      "back\\slash",
      "nul\0",
      "dir/",
    ])
      expect(() => destination.keyFor(name), name).toThrow(/cannot be saved safely/);
  });

  it("writes a named file where it is named", () => {
    expect(new LocalDestination({ path: "/data/one.bin", mode: "file" }).keyFor("anything")).toBe(
      "/data/one.bin",
    );
  });
});
