import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SpillList } from "./spill-list.js";

describe("SpillList", () => {
  it("gives back every entry in order, past what it keeps in memory, and leaves no file", async () => {
    const list = new SpillList<{ key: string; size: number }>(10);
    for (let index = 0; index < 2_345; index++) list.push({ key: `k${index}`, size: index });
    const file = (list as unknown as { file?: string }).file;
    expect(file && existsSync(file)).toBe(true);
    const back: number[] = [];
    for await (const item of list.drain()) back.push(item.size);
    expect(back).toEqual(Array.from({ length: 2_345 }, (_, index) => index));
    expect(existsSync(file!)).toBe(false);
  });

  it("stays in memory when small", async () => {
    const list = new SpillList<number>(10);
    for (let index = 0; index < 5; index++) list.push(index);
    const back: number[] = [];
    for await (const item of list.drain()) back.push(item);
    expect(back).toEqual([0, 1, 2, 3, 4]);
    expect((list as unknown as { file?: string }).file).toBeUndefined();
  });
});
