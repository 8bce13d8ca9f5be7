// The batched classify: every text is chunked (chunking.ts), all chunks run in length-sorted
// batches (length-batches.ts), and each text's chunks are combined by token count. Texts seen
// before with the same model come from a small results cache. Between two batches it reports how
// far it got and stops if the request was cancelled.
import { topEmotion, weightedMean, type EmotionScores } from '../../../shared/emotions';
import { chunkText, type Chunk } from '../chunking';
import { planBatches } from '../length-batches';
import { ModelError } from '../model-errors';
import type { TextResult } from '../protocol';
import { cancelled } from './failures';
import type { HandlerIo, LoadedModel } from './runtime';

/** Results kept per loaded model, most recent last. */
const RESULT_CACHE_SIZE = 256;

/** Results of one model by text (a Map keeps insertion order: the oldest goes first). */
export class ResultCache {
  readonly #results = new Map<string, TextResult>();

  /** The result kept for `text`, which then counts as the most recent; undefined if none. */
  lookUp(text: string): TextResult | undefined {
    const hit = this.#results.get(text);
    if (hit) this.remember(text, hit);
    return hit;
  }

  remember(text: string, result: TextResult): void {
    this.#results.delete(text);
    this.#results.set(text, result);
    if (this.#results.size > RESULT_CACHE_SIZE) this.#results.delete(this.#results.keys().next().value!);
  }

  clear(): void {
    this.#results.clear();
  }

  /** Every result kept, oldest first (remembered in this order, they come back in the same order). */
  entries(): Array<[string, TextResult]> {
    return [...this.#results];
  }
}

/**
 * Classifies texts in one go for request `id`: every text is chunked, all chunks run in
 * length-sorted batches, and each text's chunks are combined by token count. Texts seen before
 * come from `cache`; new results go into it unless `keep` is false.
 */
export async function classifyTexts(
  { runtime, post }: HandlerIo,
  id: number,
  loaded: LoadedModel,
  texts: readonly string[],
  signal: AbortSignal,
  cache: ResultCache,
  keep = true,
): Promise<TextResult[]> {
  const start = runtime.now();
  const out: Array<TextResult | undefined> = texts.map((text) => {
    const hit = cache.lookUp(text);
    return hit ? { ...hit, cached: true } : undefined;
  });
  const todo = texts.map((text, t) => ({ text, t })).filter(({ t }) => !out[t]);
  const chunks = todo.map(({ text }) => {
    const pieces = chunkText(text, (piece) => loaded.model.countTokens(piece));
    if (pieces.length === 0) throw new ModelError('inference-failed', 'The text is empty.');
    return pieces;
  });
  const flat = chunks.flat();
  const scores: Array<EmotionScores | undefined> = new Array(flat.length);
  const batches = planBatches(flat.map((c) => c.tokens));
  let done = 0;
  for (const [b, batch] of batches.entries()) {
    if (b > 0) {
      // Long work: say how far it got, and give the worker's event loop a turn between batches,
      // in which a cancel from the page arrives.
      post({ type: 'analyzing', id, done, total: flat.length });
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (signal.aborted) throw cancelled();
    }
    const batchScores = await loaded.model.classify(batch.map((i) => flat[i]!.text));
    batch.forEach((i, j) => (scores[i] = batchScores[j]));
    done += batch.length;
  }
  const elapsed = runtime.now() - start;
  const totalTokens = flat.reduce((n, c) => n + c.tokens, 0) || 1;
  let next = 0;
  todo.forEach(({ text, t }, k) => {
    const pieces = chunks[k]!;
    const pieceScores = pieces.map(() => scores[next++]);
    const result = combine(loaded, pieces, pieceScores, (elapsed * pieces.reduce((n, c) => n + c.tokens, 0)) / totalTokens);
    if (keep) cache.remember(text, result);
    out[t] = result;
  });
  return out.map((r) => r!);
}

function combine(loaded: LoadedModel, chunks: readonly Chunk[], perChunk: ReadonlyArray<EmotionScores | undefined>, inferenceMs: number): TextResult {
  const parts = chunks.map((c, i) => {
    const s = perChunk[i];
    if (!s) throw new ModelError('inference-failed', `No scores for chunk ${i}.`);
    return { scores: s, weight: Math.max(1, c.tokens) };
  });
  const scores = parts.length === 1 ? parts[0]!.scores : weightedMean(parts);
  const top = topEmotion(scores);
  return {
    scores,
    top: top.emotion,
    topScore: top.score,
    inferenceMs,
    device: loaded.info.device,
    dtype: loaded.info.dtype,
    engine: loaded.info.engine ?? 'onnxruntime',
    modelId: loaded.info.source.modelId,
    chunks: chunks.length,
    tokens: chunks.reduce((n, c) => n + c.tokens, 0),
    ...(parts.length > 1 ? { parts: chunks.map((c, i) => ({ text: c.text, scores: parts[i]!.scores })) } : {}),
  };
}
