// What `azcp bench` moves without touching a disk: files generated in memory as they are read
// (an upload benchmark's source), and a destination that keeps nothing (a download benchmark's).
import { randomFillSync } from "node:crypto";
import type { Destination, ObjectWriter, Source, SourceObject } from "../backend.js";

/** Random bytes, made once and repeated: generating each file's bytes afresh would be measured too. */
const PATTERN = randomFillSync(Buffer.alloc(4 * 1024 * 1024));

export interface GeneratedOptions {
  count: number;
  /** Bytes per file. */
  size: number;
  /** Spread the files over this many folders (0: none). */
  folders: number;
  /** Folder the files go under (unique per run, so a benchmark never overwrites data). */
  root: string;
}

export class GeneratedSource implements Source {
  readonly description: string;

  constructor(private readonly options: GeneratedOptions) {
    this.description = `${options.count} generated files of ${options.size} bytes`;
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    const { count, size, folders, root } = this.options;
    const names: string[] = [];
    for (let index = 0; index < count; index++) {
      const folder = folders > 0 ? `folder-${index % folders}/` : "";
      names.push(`${root}/${folder}file-${String(index).padStart(7, "0")}.dat`);
    }
    // Sources list in name order, as every backend does.
    names.sort();
    for (const name of names) yield { relativePath: name, key: name, size, lastModified: new Date() };
  }

  async read(_object: SourceObject, offset: number, length: number, into: Buffer): Promise<void> {
    let done = 0;
    while (done < length) {
      const at = (offset + done) % PATTERN.length;
      done += PATTERN.copy(into, done, at, Math.min(PATTERN.length, at + length - done));
    }
  }

  display(object: SourceObject): string {
    return `generated:${object.key}`;
  }
}

/** Counts what arrives and keeps none of it. */
export class DiscardingDestination implements Destination {
  readonly description = "nowhere (download benchmark)";
  copyFromUrl = false;
  readonly blobTypes = false;
  readonly createsIfAbsent = true;

  keyFor(relativePath: string): string {
    return relativePath;
  }

  display(key: string): string {
    return `discarded:${key}`;
  }

  async stat(): Promise<undefined> {
    return undefined;
  }

  async writer(): Promise<ObjectWriter> {
    return {
      parallelChunks: true,
      writeAll: async () => undefined,
      writeChunk: async () => undefined,
      commit: async () => undefined,
      abort: async () => undefined,
    };
  }
}
