// One object's transfer against an in-memory source and destination: what is committed, what a
// source that changed leaves behind (nothing), and the overwrite rule.
import { describe, expect, it } from "vitest";
import { AzcpError } from "../errors.js";
import {
  type Destination,
  ObjectExistsError,
  type ObjectWriter,
  type Source,
  SourceChangedError,
  type SourceObject,
  type WriteOptions,
} from "../storage/backend.js";
import { BufferPool, ByteBudget } from "./concurrency.js";
import { streamedRanges, type TransferContext, type TransferSettings, transferObject } from "./transfer.js";

class MemorySource implements Source {
  readonly description = "memory";
  changed = false;
  constructor(readonly data: Map<string, Buffer>) {}
  async *enumerate(): AsyncGenerator<SourceObject> {
    for (const [key, data] of this.data)
      yield { relativePath: key, key, size: data.length, lastModified: undefined };
  }
  async read(object: SourceObject, offset: number, length: number, into: Buffer): Promise<void> {
    this.data.get(object.key)!.copy(into, 0, offset, offset + length);
  }
  async checkUnchanged(object: SourceObject): Promise<void> {
    if (this.changed) throw new SourceChangedError(object.key, "it was written to");
  }
  display(object: SourceObject): string {
    return `memory:${object.key}`;
  }
}

class MemoryDestination implements Destination {
  readonly description = "memory";
  readonly stored = new Map<string, Buffer>();
  copyFromUrl = false;
  readonly blobTypes = false;
  readonly createsIfAbsent = true;
  readonly maxChunkSize = 4;
  keyFor(relativePath: string): string {
    return relativePath;
  }
  display(key: string): string {
    return `out:${key}`;
  }
  async stat(key: string) {
    const data = this.stored.get(key);
    return data ? { size: data.length, lastModified: undefined } : undefined;
  }
  async writer(key: string, options: WriteOptions): Promise<ObjectWriter> {
    const staged = Buffer.alloc(options.plan.size);
    const stored = this.stored;
    return {
      parallelChunks: true,
      async writeAll(data: Buffer) {
        data.copy(staged);
      },
      async writeChunk(_index: number, offset: number, data: Buffer) {
        data.copy(staged, offset);
      },
      async commit() {
        if (options.ifNotExists && stored.has(key)) throw new ObjectExistsError(key);
        stored.set(key, staged);
      },
      async abort() {},
    };
  }
}

function context(
  source: Source,
  destination: Destination,
  settings: Partial<TransferSettings> = {},
): TransferContext {
  return {
    source,
    destination,
    settings: {
      jobId: "test",
      direction: "upload",
      overwrite: "true",
      blobType: "Detect",
      headers: {},
      guessMimeType: false,
      putMd5: false,
      checkMd5: "NoCheck",
      preserveLastModifiedTime: false,
      s2sPreserveProperties: false,
      s2sPreserveAccessTier: false,
      preserveInfo: false,
      preservePermissions: false,
      blockSize: 4,
      ...settings,
    },
    memory: new ByteBudget(1024),
    pool: new BufferPool(1024),
    signal: new AbortController().signal,
    onBytes: () => undefined,
    notice: () => undefined,
    warn: () => undefined,
    explain: async (error) =>
      error instanceof AzcpError ? error : new AzcpError("service", String((error as Error).message)),
  };
}

const object = (key: string, size: number): SourceObject => ({
  relativePath: key,
  key,
  size,
  lastModified: undefined,
});

describe("one object's transfer", () => {
  it("commits the source's bytes, whole or in chunks", async () => {
    const source = new MemorySource(
      new Map([
        ["small", Buffer.from("abc")],
        ["large", Buffer.from("0123456789")],
      ]),
    );
    const destination = new MemoryDestination();
    expect((await transferObject(context(source, destination), object("small", 3))).status).toBe("Success");
    expect((await transferObject(context(source, destination), object("large", 10))).status).toBe("Success");
    expect(destination.stored.get("small")?.toString()).toBe("abc");
    expect(destination.stored.get("large")?.toString()).toBe("0123456789");
  });

  it("fails a source that changed while it was read, and commits nothing", async () => {
    for (const [key, data] of [
      ["small", "abc"],
      ["large", "0123456789"],
    ] as const) {
      const source = new MemorySource(new Map([[key, Buffer.from(data)]]));
      source.changed = true;
      const destination = new MemoryDestination();
      const result = await transferObject(context(source, destination), object(key, data.length));
      expect(result.status).toBe("Failed");
      expect(result.error?.message).toMatch(/source modified during transfer/);
      expect(destination.stored.size).toBe(0);
    }
  });

  it("fails an object the listing marked, without reading it", async () => {
    const source = new MemorySource(new Map());
    const destination = new MemoryDestination();
    const marked = { ...object("bad", 3), failure: new AzcpError("bad-input", "not valid UTF-8") };
    const result = await transferObject(context(source, destination), marked);
    expect(result).toMatchObject({ status: "Failed", error: { message: "not valid UTF-8" } });
  });

  it("refuses names with a '..' part, and keeps what exists with overwrite false", async () => {
    const source = new MemorySource(new Map([["a", Buffer.from("new")]]));
    const destination = new MemoryDestination();
    expect((await transferObject(context(source, destination), object("x/../a", 3))).status).toBe("Failed");
    destination.stored.set("a", Buffer.from("old"));
    const kept = await transferObject(context(source, destination, { overwrite: "false" }), object("a", 3));
    expect(kept.status).toBe("SkippedEntityAlreadyExists");
    expect(destination.stored.get("a")?.toString()).toBe("old");
  });
});

describe("ranges of a download streamed to a file", () => {
  const MIB = 1024 * 1024;
  const blocks = (size: number, blockSize: number) =>
    ({ kind: "blocks", size, blockSize, count: Math.ceil(size / blockSize) }) as const;

  it("are longer for large files, up to 32 MiB, and never fewer than 16 when the file allows", () => {
    expect(streamedRanges(blocks(1024 * MIB, 8 * MIB))).toEqual(blocks(1024 * MIB, 32 * MIB));
    expect(streamedRanges(blocks(256 * MIB, 8 * MIB))).toEqual(blocks(256 * MIB, 16 * MIB));
    expect(streamedRanges(blocks(100 * MIB, 8 * MIB))).toEqual(blocks(100 * MIB, 8 * MIB));
    expect(streamedRanges(blocks(10_000 * MIB, 64 * MIB))).toEqual(blocks(10_000 * MIB, 64 * MIB));
    expect(streamedRanges({ kind: "single", size: 5 })).toEqual({ kind: "single", size: 5 });
  });
});
