// How an object is cut into requests: one request for the whole of it, or numbered blocks of
// one size (the last one shorter). The engine's planner chooses; writers follow.

export type ChunkPlan =
  | { readonly kind: "single"; readonly size: number }
  | { readonly kind: "blocks"; readonly size: number; readonly blockSize: number; readonly count: number };

/** Offset and length of chunk `index`. */
export function chunkRange(plan: ChunkPlan, index: number): { offset: number; length: number } {
  if (plan.kind === "single") return { offset: 0, length: plan.size };
  const offset = index * plan.blockSize;
  return { offset, length: Math.min(plan.blockSize, plan.size - offset) };
}
