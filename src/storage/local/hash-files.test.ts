import { mkdtemp, readFile, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashFilePath, mtimeNsOf, nanosOf, rfc3339Nano, storedMd5, storeMd5 } from "./hash-files.js";

describe("hash files (--local-hash-storage-mode HiddenFiles)", () => {
  it("names them as AzCopy does, beside the file or mirrored under --hash-meta-dir", () => {
    expect(hashFilePath({ root: "/data" }, "/data/a/b.txt")).toBe("/data/a/.b.txt.azcopysyncmeta");
    expect(hashFilePath({ root: "/data", folder: "/meta" }, "/data/a/b.txt")).toBe(
      "/meta/a/.b.txt.azcopysyncmeta",
    );
  });

  it("reads and writes RFC 3339 times to the nanosecond, in any offset", () => {
    expect(rfc3339Nano(1_796_145_032_365_394_740n)).toBe("2026-12-01T17:10:32.36539474Z");
    expect(rfc3339Nano(1_000_000_000n)).toBe("1970-01-01T00:00:01Z");
    expect(nanosOf("2026-12-01T17:10:32.36539474Z")).toBe(1_796_145_032_365_394_740n);
    expect(nanosOf("2026-12-01T18:10:32.365394740+01:00")).toBe(1_796_145_032_365_394_740n);
    expect(nanosOf("yesterday")).toBeUndefined();
  });

  it("gives a stored MD5 back only while the file keeps its modification time", async () => {
    const folder = await mkdtemp(join(tmpdir(), "azcp-hash-"));
    const file = join(folder, "f.txt");
    await writeFile(file, "x");
    const storage = { root: folder };
    const mtime = await mtimeNsOf(file);
    expect(await storedMd5(storage, file, mtime)).toBeUndefined();
    expect(await storeMd5(storage, file, mtime, "md5==")).toBe(true);
    expect(JSON.parse(await readFile(join(folder, ".f.txt.azcopysyncmeta"), "utf8"))).toEqual({
      Mode: 1,
      Data: "md5==",
      LMT: rfc3339Nano(mtime),
    });
    expect(await storedMd5(storage, file, mtime)).toBe("md5==");
    await utimes(file, new Date("2020-01-01"), new Date("2020-01-01"));
    expect(await storedMd5(storage, file, await mtimeNsOf(file))).toBeUndefined();
  });
});
