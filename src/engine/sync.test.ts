import { describe, expect, it } from "vitest";
import type { Source, SourceObject } from "../storage/backend.js";
import { type SyncPlanOptions, syncTasks } from "./sync.js";

function listing(objects: Partial<SourceObject>[]): Source {
  return {
    description: "memory",
    async *enumerate() {
      for (const object of objects)
        yield { size: 1, lastModified: undefined, key: object.relativePath!, relativePath: "", ...object };
    },
    read: async () => undefined,
    display: (object) => object.key,
  };
}

async function plan(
  source: Partial<SourceObject>[],
  destination: Partial<SourceObject>[],
  options: Partial<SyncPlanOptions> = {},
) {
  const out: string[] = [];
  for await (const task of syncTasks({
    source: listing(source),
    destinationListing: listing(destination),
    deleteObject: async () => undefined,
    displayDestination: (object) => object.relativePath,
    filter: () => true,
    deleteDestination: "true",
    compareHash: "None",
    mirrorMode: false,
    counts: { scannedAtSource: 0, scannedAtDestination: 0 },
    ...options,
  }))
    out.push(`${task.kind === "copy" ? "copy" : "delete"} ${task.object.relativePath}`);
  return out;
}

const at = (iso: string) => new Date(iso);

describe("sync decisions", () => {
  it("copies what is new or newer, keeps what is not, and deletes what only the destination has", async () => {
    expect(
      await plan(
        [
          { relativePath: "a", lastModified: at("2024-01-01T00:00:02Z") },
          { relativePath: "b", lastModified: at("2024-01-01T00:00:00Z") },
          { relativePath: "c", lastModified: at("2024-01-01T00:00:00Z") },
        ],
        [
          { relativePath: "a", lastModified: at("2024-01-01T00:00:01Z") },
          { relativePath: "b", lastModified: at("2024-01-01T00:00:01Z") },
          { relativePath: "d", lastModified: at("2024-01-01T00:00:01Z") },
        ],
      ),
    ).toEqual(["copy a", "copy c", "delete d"]);
  });

  it("with recorded exact times, compares them to the nanosecond, not by the blob's second", async () => {
    const source = [
      {
        relativePath: "same",
        lastModified: at("2024-01-01T00:00:00.700Z"),
        contentTime: "2024-01-01T00:00:00.700000001Z",
      },
      {
        relativePath: "newer",
        lastModified: at("2024-01-01T00:00:00.700Z"),
        contentTime: "2024-01-01T00:00:00.700000002Z",
      },
    ].sort((a, b) => a.relativePath.localeCompare(b.relativePath));
    // The blobs were written in the same second: by Last-Modified alone both look older.
    const destination = [
      {
        relativePath: "newer",
        lastModified: at("2024-01-01T00:00:00Z"),
        contentTime: "2024-01-01T00:00:00.700000001Z",
      },
      {
        relativePath: "same",
        lastModified: at("2024-01-01T00:00:00Z"),
        contentTime: "2024-01-01T00:00:00.700000001Z",
      },
    ].sort((a, b) => a.relativePath.localeCompare(b.relativePath));
    expect(await plan(source, destination, { exactTimes: true })).toEqual(["copy newer"]);
    expect(await plan(source, destination)).toEqual(["copy newer", "copy same"]);
  });

  it("downloads again when the local copy was written inside the blob's last-modified second", async () => {
    const source = [{ relativePath: "f", lastModified: at("2024-01-01T00:00:05Z") }];
    const inside = [{ relativePath: "f", lastModified: at("2024-01-01T00:00:05.400Z") }];
    const after = [{ relativePath: "f", lastModified: at("2024-01-01T00:00:06.100Z") }];
    expect(await plan(source, inside, { wholeSecondSource: true })).toEqual(["copy f"]);
    expect(await plan(source, after, { wholeSecondSource: true })).toEqual([]);
    expect(await plan(source, inside)).toEqual([]);
  });

  it("leaves destination-only objects that the filter rejects", async () => {
    expect(
      await plan([], [{ relativePath: "a.keep" }, { relativePath: "b.txt" }], {
        filter: (object) => !object.relativePath.endsWith(".keep"),
      }),
    ).toEqual(["delete b.txt"]);
  });
});
