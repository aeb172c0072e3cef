import { describe, expect, it } from "vitest";
import { compressionOf } from "./decompression.js";

describe("--decompress", () => {
  it("reads gzip and deflate from Content-Encoding, in any case, and refuses the rest", () => {
    expect(compressionOf(undefined)).toBeUndefined();
    expect(compressionOf("")).toBeUndefined();
    expect(compressionOf("GZip")).toBe("gzip");
    expect(compressionOf("deflate")).toBe("deflate");
    expect(() => compressionOf("br")).toThrow(/encoding type 'br' is not recognised/);
  });
});
