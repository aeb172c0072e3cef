import { describe, expect, it } from "vitest";
import { compareNames } from "./name-order.js";

describe("compareNames", () => {
  it("orders as UTF-8 bytes do, where UTF-16 code units disagree", () => {
    const names = ["a\u{1F600}", "a\uFF01", "a/b", "a", "a0", "é"];
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...names].sort(compareNames)).toEqual(byBytes);
    expect(byBytes.indexOf("a\uFF01")).toBeLessThan(byBytes.indexOf("a\u{1F600}"));
    expect(compareNames("same", "same")).toBe(0);
  });
});
