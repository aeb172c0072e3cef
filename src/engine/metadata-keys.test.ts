import { describe, expect, it } from "vitest";
import { acceptableMetadata } from "./metadata-keys.js";

describe("--s2s-handle-invalid-metadata", () => {
  const metadata = { good_key: "1", "123-invalid": "content", "a b": "2" };

  it("keeps valid metadata as it is", () => {
    expect(acceptableMetadata({ a: "1", _b2: "2" }, "FailIfInvalid")).toEqual({ a: "1", _b2: "2" });
  });

  it("leaves out invalid keys by default, and says which", () => {
    const excluded: string[] = [];
    expect(acceptableMetadata(metadata, "ExcludeIfInvalid", (keys) => excluded.push(...keys))).toEqual({
      good_key: "1",
    });
    expect(excluded).toEqual(["123-invalid", "a b"]);
  });

  it("fails with AzCopy's words", () => {
    expect(() => acceptableMetadata(metadata, "FailIfInvalid")).toThrow(
      /metadata with keys '123-invalid, a b' {2}in source is invalid/,
    );
  });

  it("renames as AzCopy does: rename_<key> holds the value, rename_key_<key> the original name", () => {
    expect(acceptableMetadata(metadata, "RenameIfInvalid")).toEqual({
      good_key: "1",
      rename_123_invalid: "content",
      rename_key_123_invalid: "123-invalid",
      rename_a_b: "2",
      rename_key_a_b: "a b",
    });
    expect(acceptableMetadata({ "é-1": "x" }, "RenameIfInvalid")).toEqual({
      rename___1: "x",
      rename_key___1: "é-1",
    });
  });

  it("fails a rename that would collide", () => {
    expect(() => acceptableMetadata({ "a-b": "1", "a.b": "2" }, "RenameIfInvalid")).toThrow(
      /failed to rename invalid metadata key "a.b"/,
    );
  });
});
