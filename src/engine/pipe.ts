// Streams of unknown length: stdin into a block blob (blocks staged as they fill, committed at
// the end), and a blob to stdout (ranges fetched in parallel, written strictly in order). Both
// hold at most the memory budget, and run on a job's environment (cancel, retries, renewal).
import type { Readable, Writable } from "node:stream";
import type { Authorizer } from "../auth/authorize.js";
import { AzcpError, badInput, isAzcpError } from "../errors.js";
import { newJobId } from "../jobs/job-log.js";
import { serviceLocation } from "../location/from-to.js";
import { bytesOption } from "../options/read.js";
import type { Environment } from "../settings.js";
import type { Backend, ContentHeaders, Destination, Source, SourceObject } from "../storage/backend.js";
import { featuresOf, openBackend } from "../storage/registry.js";
import { BufferPool, ByteBudget } from "./concurrency.js";
import { JobEnvironment } from "./job-environment.js";
import { memoryBudgetFrom } from "./limits.js";
import { DEFAULT_BLOCK_SIZE } from "./planner.js";

export interface PipeLimits {
  memory: ByteBudget;
  pool: BufferPool;
  blockSize: number;
}

/** Reads exactly `buffer.length` bytes unless the stream ends first; returns how many. */
async function fill(
  reader: AsyncIterator<Buffer>,
  pending: { rest: Buffer | undefined },
  buffer: Buffer,
): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    let chunk = pending.rest;
    pending.rest = undefined;
    if (!chunk) {
      const next = await reader.next();
      if (next.done) break;
      chunk = next.value;
    }
    const take = Math.min(chunk.length, buffer.length - filled);
    chunk.copy(buffer, filled, 0, take);
    filled += take;
    if (take < chunk.length) pending.rest = chunk.subarray(take);
  }
  return filled;
}

export async function uploadFromStream(
  input: Readable,
  destination: Destination,
  key: string,
  headers: ContentHeaders,
  transferId: string,
  limits: PipeLimits,
): Promise<number> {
  const reader = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const pending: { rest: Buffer | undefined } = { rest: undefined };
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let total = 0;
  let index = 0;
  let writer: Awaited<ReturnType<Destination["writer"]>> | undefined;
  for (;;) {
    const release = await limits.memory.acquire(limits.blockSize);
    const buffer = limits.pool.get(limits.blockSize);
    const length = await fill(reader, pending, buffer);
    const data = buffer.subarray(0, length);
    const done = () => {
      limits.pool.put(buffer);
      release();
    };
    if (index === 0 && length < limits.blockSize) {
      // All of it fits one request.
      try {
        const single = await destination.writer(key, {
          plan: { kind: "single", size: length },
          headers,
          transferId,
          jobId: transferId,
        });
        await single.writeAll(data);
        await single.commit();
        return length;
      } finally {
        done();
      }
    }
    if (length === 0) {
      done();
      break;
    }
    writer ??= await destination.writer(key, {
      plan: { kind: "blocks", size: 0, blockSize: limits.blockSize, count: 0 },
      headers,
      transferId,
      jobId: transferId,
    });
    const blockIndex = index++;
    total += length;
    const task = writer
      .writeChunk(blockIndex, blockIndex * limits.blockSize, data)
      .catch((error) => {
        failure ??= error;
      })
      .finally(done);
    inFlight.add(task);
    void task.then(() => inFlight.delete(task));
    if (failure !== undefined) break;
    if (length < limits.blockSize) break;
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  await writer!.commit();
  return total;
}

export async function downloadToStream(
  source: Source,
  object: SourceObject,
  output: Writable,
  limits: PipeLimits,
): Promise<number> {
  const count = Math.max(1, Math.ceil(object.size / limits.blockSize));
  const ready = new Map<number, { data: Buffer; done: () => void }>();
  let failure: unknown;
  let written = 0;
  let nextToWrite = 0;
  let wake: (() => void) | undefined;
  const fetchers = (async () => {
    for (let index = 0; index < count && failure === undefined; index++) {
      const offset = index * limits.blockSize;
      const length = Math.min(limits.blockSize, object.size - offset);
      const release = await limits.memory.acquire(length);
      const buffer = limits.pool.get(length);
      const done = () => {
        limits.pool.put(buffer);
        release();
      };
      void source
        .read(object, offset, length, buffer.subarray(0, length))
        .then(() => ready.set(index, { data: buffer.subarray(0, length), done }))
        .catch((error) => {
          failure ??= error;
          done();
        })
        .finally(() => wake?.());
    }
  })();
  // The reader may go away (`| head`) or the output may fill up (`> /dev/full`).
  let outputFailure: NodeJS.ErrnoException | undefined;
  let unblock: (() => void) | undefined;
  const onOutputError = (error: NodeJS.ErrnoException) => {
    outputFailure ??= error;
    failure ??= error;
    unblock?.();
    wake?.();
  };
  output.on("error", onOutputError);
  try {
    while (nextToWrite < count && outputFailure === undefined) {
      const chunk = ready.get(nextToWrite);
      if (!chunk) {
        if (failure !== undefined) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      ready.delete(nextToWrite);
      let flowing = true;
      try {
        flowing = output.write(chunk.data);
      } catch (error) {
        onOutputError(error as NodeJS.ErrnoException);
      }
      if (!flowing && outputFailure === undefined)
        await new Promise<void>((resolve) => {
          unblock = resolve;
          output.once("drain", resolve);
        });
      written += chunk.data.length;
      chunk.done();
      nextToWrite++;
    }
    await fetchers;
  } finally {
    output.off("error", onOutputError);
    for (const chunk of ready.values()) chunk.done();
  }
  if (outputFailure) throw outputError(outputFailure);
  if (failure !== undefined) throw failure;
  return written;
}

/** A failed write to the pipe's output, said plainly; a reader that left is "EPIPE". */
function outputError(error: NodeJS.ErrnoException): AzcpError {
  if (error.code === "EPIPE")
    return new AzcpError("cancelled", "The reader of standard output went away.", { errorCode: "EPIPE" });
  const cause =
    error.code === "ENOSPC" ? "no space is left on the device it goes to" : (error.message ?? String(error));
  return new AzcpError(
    "bad-input",
    `Could not write the blob to standard output: ${cause} (${error.code}).`,
    {
      remedy: "Send the output somewhere with room, or download to a file instead.",
      errorCode: error.code,
    },
  );
}

export interface PipeOptions {
  authorizer: Authorizer;
  env: Environment;
  blockSizeMb?: string | number | undefined;
  contentType?: string | undefined;
  capMbps?: number | undefined;
}

/** stdin to a blob, or a blob to stdout (--from-to PipeBlob / BlobPipe). Returns the bytes moved. */
export async function runPipe(
  direction: "upload" | "download",
  url: string,
  options: PipeOptions,
): Promise<number> {
  const role = direction === "upload" ? "destination" : "source";
  const location = serviceLocation(url, "A pipe copy", "blob");
  if (!featuresOf(location).pipes) {
    throw badInput(
      "Pipes read and write Blob Storage only.",
      "Pass the URL of a blob (https://<account>.blob.core.windows.net/...).",
    );
  }
  if (!location.path) {
    throw badInput(
      "A pipe copy needs the URL of one blob.",
      "Pass https://<account>.blob.core.windows.net/<container>/<blob>.",
    );
  }
  const job = new JobEnvironment({
    env: options.env,
    logLevel: "NONE",
    commandLine: `copy ${url}`,
    capMbps: options.capMbps,
  });
  const blockSize = bytesOption("copy", "blockSizeMb", options.blockSizeMb) ?? DEFAULT_BLOCK_SIZE;
  const memoryLimit = memoryBudgetFrom(options.env);
  const limits = { memory: new ByteBudget(memoryLimit), pool: new BufferPool(memoryLimit), blockSize };
  try {
    const backend: Backend = await openBackend(location, job.openContext(options.authorizer, role));
    if (direction === "upload") {
      const destination = await backend.destination(true);
      return await uploadFromStream(
        process.stdin,
        destination,
        destination.keyFor(""),
        { contentType: options.contentType ?? "application/octet-stream" },
        newJobId().replace(/-/g, "").slice(0, 16),
        limits,
      );
    }
    const { source } = await backend.resolveSource({
      recursive: false,
      asSubdir: false,
      followSymlinks: false,
      withMetadata: false,
    });
    for await (const object of source.enumerate())
      return await downloadToStream(source, object, process.stdout, limits);
    return 0;
  } catch (error) {
    if (isAzcpError(error)) throw error;
    throw await job.explain(
      Object.assign(error as object, { method: direction === "upload" ? "PUT" : "GET" }),
      undefined,
      "",
    );
  }
}
