import { describe, expect, it } from "vitest";
import { formatByteSize, formatServiceTime } from "./format.js";

describe("formatByteSize", () => {
  it("writes sizes as AzCopy does", () => {
    expect(formatByteSize(0)).toBe("0.00 B");
    expect(formatByteSize(1023)).toBe("1023.00 B");
    expect(formatByteSize(1024)).toBe("1.00 KiB");
    expect(formatByteSize(2_000_000)).toBe("1.91 MiB");
    expect(formatByteSize(2_000_000, true)).toBe("2.00 MB");
    expect(formatByteSize(5 * 1024 ** 4)).toBe("5.00 TiB");
  });

  it("writes times as AzCopy does", () => {
    expect(formatServiceTime(new Date("2026-11-27T16:47:48.123Z"))).toBe("2026-11-27 16:47:48 +0000 GMT");
  });
});
