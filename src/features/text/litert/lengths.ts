// Which input length a text runs at on LiteRT.js (worker/litert-runtime.ts): LiteRT.js cannot
// resize inputs, so every length is its own compiled model, costly in memory and time to make.
/** Input lengths (tokens, special tokens included) a text is padded to. */
export const LENGTHS = [32, 64, 128, 256, 512] as const;
/** Compiled lengths kept alive at once. */
export const KEPT = 2;

/** The length compiled when the model loads (a text of 64 tokens or fewer runs at it). */
export const FIRST_LENGTH = 64;

/** The padded length for a text of `tokens` tokens: the smallest of LENGTHS that holds it. */
export function paddedLength(tokens: number, lengths: readonly number[] = LENGTHS): number {
  return lengths.find((l) => l >= tokens) ?? lengths[lengths.length - 1] ?? tokens;
}

/**
 * The length to run a text of `tokens` tokens at: the shortest compiled length that holds it and
 * is at most twice its own padded length (padding costs time in proportion), else its own.
 */
export function chooseLength(tokens: number, compiled: Iterable<number>, lengths: readonly number[] = LENGTHS): number {
  const own = paddedLength(tokens, lengths);
  const usable = [...compiled].filter((l) => l >= tokens && l <= 2 * own).sort((a, b) => a - b);
  return usable[0] ?? own;
}
