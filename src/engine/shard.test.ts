import { describe, expect, it } from "vitest";
import { compileFilter, objectFilter } from "./filters.js";
import { shardFrom, shardOf } from "./shard.js";

describe("--shard", () => {
  it("reads <index>/<count>, or <count> with the Indexed Job's JOB_COMPLETION_INDEX", () => {
    expect(shardFrom("3/8", {})).toEqual({ index: 3, count: 8 });
    expect(shardFrom(undefined, { AZCP_SHARD: "0/1" })).toEqual({ index: 0, count: 1 });
    expect(shardFrom("8", { JOB_COMPLETION_INDEX: "5" })).toEqual({ index: 5, count: 8 });
    expect(shardFrom(undefined, { AZCP_SHARD: "4", JOB_COMPLETION_INDEX: "2" })).toEqual({
      index: 2,
      count: 4,
    });
    // The flag wins over the variable.
    expect(shardFrom("1/2", { AZCP_SHARD: "0/2" })).toEqual({ index: 1, count: 2 });
    expect(shardFrom(undefined, {})).toBeUndefined();
  });

  it("refuses what cannot be a shard, saying what to give", () => {
    expect(() => shardFrom("8", {})).toThrow(/without an index, and JOB_COMPLETION_INDEX is not set/);
    expect(() => shardFrom("8/8", {})).toThrow(/index 8 is not below the shard count 8/);
    expect(() => shardFrom("0/0", {})).toThrow(/asks for 0 shards/);
    expect(() => shardFrom("a/b", {})).toThrow(/not <index>\/<count>/);
    expect(() => shardFrom(undefined, { AZCP_SHARD: "-1/4" })).toThrow(/AZCP_SHARD is "-1\/4"/);
    expect(() => shardFrom("4", { JOB_COMPLETION_INDEX: "x" })).toThrow(/JOB_COMPLETION_INDEX is "x"/);
  });

  it("gives every path one owner, the same on every run (FNV-1a of the NFC UTF-8 path)", () => {
    // Fixed values: a change here moves objects between shards of jobs already running.
    expect(shardOf("", 1_000_003)).toBe(0x811c9dc5 % 1_000_003);
    expect(shardOf("a", 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
    expect(shardOf("foobar", 2 ** 31)).toBe(0xbf9cf968 % 2 ** 31);
    // The same name composed or decomposed is the same object on every machine.
    expect(shardOf("caf\u00e9/r\u00e9sum\u00e9.txt", 97)).toBe(
      shardOf("cafe\u0301/re\u0301sume\u0301.txt", 97),
    );
  });

  it("spreads similar names evenly", () => {
    for (const count of [2, 4, 8]) {
      const sizes = new Array<number>(count).fill(0);
      for (let index = 0; index < 20_000; index++)
        sizes[shardOf(`data/d${index % 37}/f${index}.bin`, count)]!++;
      const mean = 20_000 / count;
      for (const size of sizes) expect(Math.abs(size - mean) / mean, `${count}: ${sizes}`).toBeLessThan(0.05);
    }
  });

  it("as a filter, splits a listing into disjoint parts that make up the whole", async () => {
    const paths = Array.from({ length: 1000 }, (_, index) => `dir${index % 10}/file${index}`);
    const owners = new Map<string, number>();
    for (let index = 0; index < 4; index++) {
      const filter = objectFilter(await compileFilter({ shard: { index, count: 4 } }), {
        single: false,
        rootName: "src",
      });
      for (const path of paths) {
        // The source folder's own name (--as-subdir) does not change the owner.
        if (filter({ relativePath: `src/${path}` })) {
          expect(owners.has(path), path).toBe(false);
          owners.set(path, index);
        }
      }
    }
    expect(owners.size).toBe(paths.length);
  });
});
