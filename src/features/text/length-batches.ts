// Groups pieces of text into inference batches. A batch is padded to its longest sequence, so
// pieces are sorted by length first: similar lengths share a batch and padding wastes little.
// Batches are bounded in sequences and in padded tokens, which bounds the memory of one run.

/** Limits of one batch. */
export interface BatchLimits {
  /** Most sequences in one batch. */
  readonly maxSequences: number;
  /** Most padded tokens (sequences x longest) in one batch; a single longer sequence still runs alone. */
  readonly maxTokens: number;
}

/** What the text channel uses: about what 16 sequences of 128 tokens take. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxSequences: 16, maxTokens: 2048 };

/**
 * Indices of `lengths`, grouped into batches: shortest first, each batch within `limits`, every
 * index in exactly one batch.
 */
export function planBatches(lengths: readonly number[], limits: BatchLimits = DEFAULT_BATCH_LIMITS): number[][] {
  if (!(limits.maxSequences >= 1) || !(limits.maxTokens >= 1)) throw new RangeError('Batch limits must be at least 1.');
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    // Sorted ascending, so this sequence is the longest of the batch if it joins.
    const padded = (current.length + 1) * lengths[i]!;
    if (current.length > 0 && (current.length >= limits.maxSequences || padded > limits.maxTokens)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
