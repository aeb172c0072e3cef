// azcp sync: list both sides as sorted streams and compare them in one pass, so copying starts
// before listing ends and memory stays bounded whatever the number of objects. A source object
// is copied when the destination lacks it or holds an older one (or, with --compare-hash MD5, a
// different one); destination-only objects are deleted only with --delete-destination.
import { badInput } from "../errors.js";
import type { Source, SourceObject } from "../storage/backend.js";
import { compareNames } from "../storage/name-order.js";
import type { ObjectFilter } from "./filters.js";
import type { JobTask } from "./job.js";
import { SpillList } from "./spill-list.js";
import type { SyncCounts } from "./summary.js";

export type DeleteDestination = "true" | "false" | "prompt";
export type CompareHash = "None" | "MD5";

export interface SyncPlanOptions {
  source: Source;
  /** The destination, listed with the same relative paths as the source. */
  destinationListing: Source;
  /** How to delete a destination-only object. */
  deleteObject: (object: SourceObject) => Promise<void>;
  displayDestination: (object: SourceObject) => string;
  filter: ObjectFilter;
  /** Objects the filter leaves to another shard but whose blocks this shard stages (--shard). */
  help?: ((object: SourceObject) => boolean) | undefined;
  deleteDestination: DeleteDestination;
  askDelete?: ((target: string) => Promise<boolean>) | undefined;
  compareHash: CompareHash;
  mirrorMode: boolean;
  /**
   * The destination's listing carries the source time recorded at upload (`contentTime`): compare
   * exactly with it, whatever second the upload fell in.
   */
  exactTimes?: boolean | undefined;
  /** The source's times are whole seconds (a service's Last-Modified) and the destination's finer (a disk). */
  wholeSecondSource?: boolean | undefined;
  /** Compare SMB last-write times where a side has them (--preserve-info). */
  preserveInfo?: boolean | undefined;
  /** MD5 (base64) of a local file on that side, computed when a hash comparison needs it. */
  sourceMd5?: ((object: SourceObject) => Promise<string>) | undefined;
  destinationMd5?: ((object: SourceObject) => Promise<string>) | undefined;
  /** Hash every source file, even those the destination lacks, so each run leaves its hash stored. */
  hashEverySource?: boolean | undefined;
  counts: SyncCounts;
}

/** Yields items in order, failing loudly if the listing is not sorted (a merge would be wrong). */
async function* sortedChecked(
  objects: AsyncIterable<SourceObject>,
  side: string,
): AsyncGenerator<SourceObject> {
  let previous: string | undefined;
  for await (const object of objects) {
    if (previous !== undefined && compareNames(object.relativePath, previous) <= 0) {
      throw badInput(
        `The ${side} listing is not in name order ("${object.relativePath}" came after "${previous}"), so azcp cannot compare it safely.`,
        "Use azcp copy --overwrite ifSourceNewer instead for this location.",
      );
    }
    previous = object.relativePath;
    yield object;
  }
}

async function needsCopy(
  options: SyncPlanOptions,
  source: SourceObject,
  destination: SourceObject,
): Promise<boolean> {
  if (options.mirrorMode) return true;
  if (options.compareHash === "MD5") {
    // A blob without a stored MD5 cannot be compared: it counts as different.
    const sourceMd5 = source.contentMd5 ?? (await options.sourceMd5?.(source));
    const destinationMd5 = destination.contentMd5 ?? (await options.destinationMd5?.(destination));
    return !sourceMd5 || !destinationMd5 || sourceMd5 !== destinationMd5;
  }
  // AzCopy's rule (the source is newer), on exact times instead of whole seconds.
  if (options.exactTimes && source.contentTime && destination.contentTime)
    return exactNanoseconds(source.contentTime) > exactNanoseconds(destination.contentTime);
  // With --preserve-info a copied file keeps its source's SMB last-write time, so that is the
  // time to compare where a side has one (the service's Last-Modified is the copy's own time).
  const time = (object: SourceObject) =>
    (options.preserveInfo ? object.smb?.lastWriteTime : undefined) ?? object.lastModified;
  const sourceTime = time(source);
  const destinationTime = time(destination);
  if (!sourceTime || !destinationTime) return true;
  const sourceMs = sourceTime.getTime();
  const destinationMs = destinationTime.getTime();
  // A service keeps whole seconds: a source at second S may have changed any time in [S, S+1).
  // When a finer destination time falls inside that second, the copy may predate the change:
  // copy again rather than miss it (the next sync, a second later, settles it).
  if (options.wholeSecondSource && sourceMs % 1000 === 0 && destinationMs % 1000 !== 0)
    return destinationMs < sourceMs + 1000;
  return sourceMs > destinationMs;
}

/** An RFC 3339 time to nanoseconds since the epoch, for an exact comparison. */
export function exactNanoseconds(time: string): bigint {
  const match = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  const milliseconds = Date.parse(match ? `${match[1]}${match[3]}` : time);
  if (!match || Number.isNaN(milliseconds)) return -1n;
  return BigInt(milliseconds) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0") || "0");
}

export async function* syncTasks(options: SyncPlanOptions): AsyncGenerator<JobTask> {
  const sources = sortedChecked(options.source.enumerate(), "source")[Symbol.asyncIterator]();
  const destinations = sortedChecked(options.destinationListing.enumerate(), "destination")[
    Symbol.asyncIterator
  ]();
  // A shard that helps with others' large files compares every destination object, so that it
  // decides about a file as the shard that owns it does; it deletes only what it owns.
  const help = options.help;
  const kept = {
    scannedAtSource: (object: SourceObject) => options.filter(object) || help?.(object) === true,
    scannedAtDestination: (object: SourceObject) => help !== undefined || options.filter(object),
  };
  const nextKept = async (iterator: AsyncIterator<SourceObject>, side: keyof SyncCounts) => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return undefined;
      options.counts[side]++;
      if (kept[side](next.value)) return next.value;
    }
  };
  // A shard copies what it owns; of a large file it owns not, it stages its blocks only.
  const copyOf = (object: SourceObject): JobTask =>
    options.filter(object) ? { kind: "copy", object } : { kind: "part", object };
  let source = await nextKept(sources, "scannedAtSource");
  let destination = await nextKept(destinations, "scannedAtDestination");
  // Deletions wait until both listings were merged in full: an object only looks
  // destination-only until a listing out of order is caught, and a deletion cannot be undone.
  // They are kept on disk past the first ten thousand, so memory stays bounded.
  const destinationOnly = new SpillList<SourceObject>();
  while (source || destination) {
    const order = source && destination ? compareNames(source.relativePath, destination.relativePath) : 0;
    if (source && (!destination || order < 0)) {
      if (options.hashEverySource && options.filter(source)) await options.sourceMd5?.(source);
      yield copyOf(source);
      source = await nextKept(sources, "scannedAtSource");
    } else if (destination && (!source || order > 0)) {
      // Only the shard that owns a name deletes it.
      if (options.deleteDestination !== "false" && options.filter(destination)) {
        const { relativePath, key, size } = destination;
        destinationOnly.push({ relativePath, key, size, lastModified: undefined });
      }
      destination = await nextKept(destinations, "scannedAtDestination");
    } else if (source && destination) {
      if (await needsCopy(options, source, destination)) yield copyOf(source);
      source = await nextKept(sources, "scannedAtSource");
      destination = await nextKept(destinations, "scannedAtDestination");
    }
  }
  for await (const doomed of destinationOnly.drain()) {
    const target = options.displayDestination(doomed);
    const remove = options.deleteDestination === "true" || (await options.askDelete?.(target)) === true;
    if (remove)
      yield {
        kind: "operation",
        verb: "remove",
        object: doomed,
        target,
        run: () => options.deleteObject(doomed),
      };
  }
}
