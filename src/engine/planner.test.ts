import { describe, expect, it } from "vitest";
import { parseMebibytes } from "../options/values.js";
import { chunkRange } from "../storage/chunks.js";
import { blockSizeFor, MIB, planChunks } from "./planner.js";

const TIB = 1024 * 1024 * MIB;

describe("block planning", () => {
  it("keeps 8 MiB blocks while 50,000 of them suffice", () => {
    expect(blockSizeFor(100 * MIB)).toBe(8 * MIB);
    expect(blockSizeFor(50_000 * 8 * MIB)).toBe(8 * MIB);
    expect(blockSizeFor(50_000 * 8 * MIB + 1)).toBe(16 * MIB);
  });

  it("plans a 1 TiB file in 32 MiB blocks, 32,768 of them, without uploading anything", () => {
    const plan = planChunks(TIB);
    expect(plan).toEqual({ kind: "blocks", size: TIB, blockSize: 32 * MIB, count: 32_768 });
    expect(chunkRange(plan, 32_767)).toEqual({ offset: TIB - 32 * MIB, length: 32 * MIB });
  });

  it("keeps every request within a destination's chunk limit (Azure Files: 4 MiB ranges)", () => {
    expect(planChunks(4 * MIB, { maxChunkSize: 4 * MIB })).toEqual({ kind: "single", size: 4 * MIB });
    expect(planChunks(9 * MIB, { maxChunkSize: 4 * MIB })).toEqual({
      kind: "blocks",
      size: 9 * MIB,
      blockSize: 4 * MIB,
      count: 3,
    });
    expect(
      planChunks(9 * MIB, { maxChunkSize: 4 * MIB, blockSize: 16 * MIB, putBlobSize: 64 * MIB }).kind,
    ).toBe("blocks");
  });

  it("sends files up to the put-blob size in one request", () => {
    expect(planChunks(8 * MIB)).toEqual({ kind: "single", size: 8 * MIB });
    expect(planChunks(8 * MIB + 1)).toMatchObject({ kind: "blocks", count: 2 });
    expect(planChunks(0)).toEqual({ kind: "single", size: 0 });
    expect(planChunks(20 * MIB, { putBlobSize: 64 * MIB })).toEqual({ kind: "single", size: 20 * MIB });
    expect(planChunks(20 * MIB, { blockSize: 4 * MIB })).toMatchObject({
      kind: "blocks",
      blockSize: 4 * MIB,
      count: 5,
    });
  });

  it("cuts the last block short", () => {
    const plan = planChunks(10 * MIB + 5, { blockSize: 4 * MIB });
    expect(chunkRange(plan, 2)).toEqual({ offset: 8 * MIB, length: 2 * MIB + 5 });
  });

  it("refuses a requested block size that would need more than 50,000 blocks", () => {
    expect(() => blockSizeFor(TIB, 8 * MIB)).toThrow(/more than 50000 blocks/);
  });

  it("reads --block-size-mb as AzCopy does", () => {
    expect(parseMebibytes("0.25", "--block-size-mb", 4000 * MIB)).toBe(262_144);
    expect(parseMebibytes("8", "--block-size-mb", 4000 * MIB)).toBe(8 * MIB);
    expect(() => parseMebibytes("-1", "--block-size-mb", 4000 * MIB)).toThrow(/not a positive number/);
    expect(() => parseMebibytes("0.1", "--block-size-mb", 4000 * MIB)).toThrow(/not a whole number of bytes/);
    expect(() => parseMebibytes("abc", "--block-size-mb", 4000 * MIB)).toThrow(/not a positive number/);
    expect(() => parseMebibytes("5000", "--block-size-mb", 4000 * MIB)).toThrow(
      /larger than the service allows/,
    );
  });
});
