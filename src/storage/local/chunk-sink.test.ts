import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalDestination } from "./local.js";

const MIB = 1024 * 1024;

async function writerFor(size: number) {
  const folder = await mkdtemp(join(tmpdir(), "azcp-sink-"));
  const destination = new LocalDestination({ path: folder, mode: "directory", durable: false });
  const key = destination.keyFor("streamed.bin");
  const writer = await destination.writer(key, {
    plan: { kind: "blocks", size, blockSize: 2 * MIB, count: Math.ceil(size / (2 * MIB)) },
    headers: {},
    jobId: "job",
    transferId: "t",
  });
  return { folder, key, writer };
}

/** Hands `data` to the sink in network-sized pieces, as the transport does. */
async function pour(sink: { write(data: Buffer, at: number): Promise<void> | undefined }, data: Buffer) {
  for (let at = 0; at < data.length; at += 65_536) await sink.write(data.subarray(at, at + 65_536), at);
}

describe("a local file's chunk sink (downloads streamed from the socket)", () => {
  it("puts each chunk at its offset, whatever order the chunks arrive in", async () => {
    const data = randomBytes(5 * MIB + 17);
    const { key, writer } = await writerFor(data.length);
    const chunks = [4 * MIB, 0, 2 * MIB].map((offset) => ({
      offset,
      bytes: data.subarray(offset, offset + 2 * MIB),
    }));
    await Promise.all(
      chunks.map(async ({ offset, bytes }) => {
        const sink = writer.chunkSink!(offset);
        await pour(sink, bytes);
        await sink.flush();
      }),
    );
    await writer.commit();
    expect((await readFile(key)).equals(data)).toBe(true);
  });

  it("takes lent pieces (one buffer read into again after each), whole batches and small ones", async () => {
    const data = randomBytes(4 * MIB + 12_345);
    const { key, writer } = await writerFor(data.length);
    const sink = writer.chunkSink!(0);
    const lent = Buffer.alloc(MIB);
    const sizes = [MIB, 100_000, MIB, 300_000, 7, MIB];
    for (let at = 0, turn = 0; at < data.length; turn++) {
      const size = Math.min(sizes[turn % sizes.length]!, data.length - at);
      data.copy(lent, 0, at, at + size);
      await sink.write(lent.subarray(0, size), at);
      lent.fill(0xee);
      at += size;
    }
    await sink.flush();
    await writer.commit();
    expect((await readFile(key)).equals(data)).toBe(true);
  });

  it("a read retried from its start replaces what the failed attempt gathered and wrote", async () => {
    const data = randomBytes(3 * MIB);
    const { folder, key, writer } = await writerFor(data.length);
    const sink = writer.chunkSink!(0);
    // The failed attempt: 1.5 MiB of wrong bytes, of which 1 MiB was already written.
    await pour(sink, randomBytes(1.5 * MIB));
    await pour(sink, data);
    await sink.flush();
    await writer.commit();
    expect((await readFile(key)).equals(data)).toBe(true);
    expect(await readdir(folder)).toEqual(["streamed.bin"]);
  });
});
