// How a file is cut into requests: one Put Blob when it fits the put-blob size, else blocks of
// the block size (8 MiB by default, doubled while the file would need more than 50,000 blocks).
import { badInput } from "../errors.js";
import type { ChunkPlan } from "../storage/chunks.js";

export const MIB = 1024 * 1024;
export const MAX_BLOCKS = 50_000;
export const DEFAULT_BLOCK_SIZE = 8 * MIB;
/** Largest block the service accepts (Put Block, version 2019-12-12 and later). */
export const MAX_BLOCK_SIZE = 4000 * MIB;
/** Largest single Put Blob the service accepts. */
export const MAX_PUT_BLOB_SIZE = 5000 * MIB;

export interface ChunkPlanOptions {
  /** Bytes; default 8 MiB, grown for huge files. */
  blockSize?: number | undefined;
  /** Files up to this size go in one request; default: the block size. */
  putBlobSize?: number | undefined;
  /** The most one request may carry at this destination (Azure Files: 4 MiB). */
  maxChunkSize?: number | undefined;
}

export function blockSizeFor(fileSize: number, requested?: number): number {
  if (requested !== undefined) {
    if (Math.ceil(fileSize / requested) > MAX_BLOCKS) {
      throw badInput(
        `A ${fileSize}-byte file in blocks of ${requested} bytes needs more than ${MAX_BLOCKS} blocks, the most a blob can have.`,
        `Use a --block-size-mb of at least ${Math.ceil(fileSize / MAX_BLOCKS / MIB)}, or leave it out to let azcp choose.`,
      );
    }
    return requested;
  }
  let size = DEFAULT_BLOCK_SIZE;
  while (Math.ceil(fileSize / size) > MAX_BLOCKS && size < MAX_BLOCK_SIZE) size *= 2;
  return Math.min(size, MAX_BLOCK_SIZE);
}

export function planChunks(fileSize: number, options: ChunkPlanOptions = {}): ChunkPlan {
  const limit = options.maxChunkSize ?? MAX_PUT_BLOB_SIZE;
  const blockSize = Math.min(blockSizeFor(fileSize, options.blockSize), limit);
  const putBlobSize = Math.min(options.putBlobSize ?? blockSize, MAX_PUT_BLOB_SIZE, limit);
  if (fileSize <= putBlobSize) return { kind: "single", size: fileSize };
  return { kind: "blocks", size: fileSize, blockSize, count: Math.ceil(fileSize / blockSize) };
}
