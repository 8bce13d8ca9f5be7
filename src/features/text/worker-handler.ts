// The emotion worker's logic, free of Worker and transformers.js so it can be tested in Node with
// a fake runtime: requests run one at a time; a model is loaded once per config and reused; a
// failed load is forgotten so the next request retries; WebGPU failures fall back to WASM; long
// texts are chunked and the chunks combined by token count. Many texts (or the chunks of a long
// one) run in batches of similar length, and a text seen before with the same model is answered
// from a small cache. Every request ends in exactly one final message: its result or
// `{ type: 'error' }`.
//
// The runtime's interface, the load plan, the model load with its fallbacks and the failure
// mapping are in handler/.
import { planBatches } from './length-batches';
import { chunkText, type Chunk } from './chunking';
import { EMOTIONS, topEmotion, weightedMean, type EmotionScores } from '../../shared/emotions';
import { explain, withoutWord, wordSpans, type Explanation } from './explain';
import { ModelError, toModelError } from './model-errors';
import { assertNever } from '../../shared/worker/protocol';
import { configKey, type ModelConfig, type TextResult, type WorkerRequest, type WorkerResponse } from './protocol';
import { errorDetail } from '../../shared/errors';
import { cancelled } from './handler/failures';
import { planLoad } from './handler/load-plan';
import { loadModel } from './handler/model-load';
import type { LoadedModel, WorkerRuntime } from './handler/runtime';

export type { RuntimeModel, WorkerRuntime } from './handler/runtime';

/** Results kept per loaded model, most recent last. */
const RESULT_CACHE_SIZE = 256;

/** Creates the message handler; `post` sends a response to the page. */
export function createWorkerHandler(runtime: WorkerRuntime, post: (message: WorkerResponse) => void) {
  let current: LoadedModel | null = null;
  let queue: Promise<void> = Promise.resolve();
  /** A model load started and failed during the current request (the page should replace this worker). */
  let loadFailed = false;
  /** Results of the current model by text (a Map keeps insertion order: the oldest goes first). */
  const results = new Map<string, TextResult>();
  /** Explanations of the loaded model, by text (the latest few). */
  const explanations = new Map<string, Explanation>();

  const notice = (id: number, text: string) => post({ type: 'notice', id, notice: text });

  async function ensureModel(id: number, config: ModelConfig, signal: AbortSignal): Promise<LoadedModel> {
    const key = configKey(config);
    if (current?.key === key) return current;
    await unload();
    // Only a successful load is kept: after a failure the next request starts afresh.
    runtime.takeCacheWriteFailure();
    const loaded = await loadModel({ runtime, post }, id, config, signal, () => {
      loadFailed = true;
    });
    const cacheFailure = runtime.takeCacheWriteFailure();
    if (cacheFailure) {
      notice(id, `The model could not be kept on this device (${cacheFailure}), so it will be downloaded again next time.`);
    }
    current = loaded;
    post({ type: 'loaded', id, model: loaded.info });
    return loaded;
  }

  async function unload() {
    const old = current;
    current = null;
    results.clear();
    explanations.clear();
    if (old) await old.model.dispose().catch(() => undefined);
  }

  /**
   * Classifies texts in one go: every text is chunked, all chunks run in length-sorted batches,
   * and each text's chunks are combined by token count. Texts seen before come from the cache.
   */
  async function runMany(id: number, loaded: LoadedModel, texts: readonly string[], signal: AbortSignal, keep = true): Promise<TextResult[]> {
    const start = runtime.now();
    const out: Array<TextResult | undefined> = texts.map((text) => {
      const hit = results.get(text);
      if (!hit) return undefined;
      remember(text, hit);
      return { ...hit, cached: true };
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
      if (keep) remember(text, result);
      out[t] = result;
    });
    return out.map((r) => r!);
  }

  function remember(text: string, result: TextResult) {
    results.delete(text);
    results.set(text, result);
    if (results.size > RESULT_CACHE_SIZE) results.delete(results.keys().next().value!);
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

  async function classify(id: number, config: ModelConfig, texts: readonly string[], signal: AbortSignal, ifLoaded = false): Promise<TextResult[]> {
    if (ifLoaded && current?.key !== configKey(config)) throw new ModelError('not-loaded', 'The model is not loaded, and this request may not load it.');
    const loaded = await ensureModel(id, config, signal);
    if (signal.aborted) throw cancelled();
    return guarded(loaded, () => runMany(id, loaded, texts, signal));
  }

  /**
   * Leave-one-word-out: the text, then a copy without each word, in the normal length-sorted
   * batches (progress as for a long text). The copies stay out of the results cache; the
   * explanation is kept for this model, so explaining the same text again costs nothing.
   */
  async function explainText(id: number, config: ModelConfig, text: string, signal: AbortSignal): Promise<Explanation> {
    const loaded = await ensureModel(id, config, signal);
    if (signal.aborted) throw cancelled();
    const known = explanations.get(text);
    if (known) return known;
    const spans = wordSpans(text);
    const copies = spans.map((s) => withoutWord(text, s));
    const readable = copies.filter((c) => c !== '');
    const [whole, ...read] = await guarded(loaded, () => runMany(id, loaded, [text, ...readable], signal, false));
    // A copy with nothing left (a one-word text) reads as no evidence at all: every emotion alike.
    const uniform = Object.fromEntries(EMOTIONS.map((e) => [e, 1 / EMOTIONS.length])) as EmotionScores;
    let next = 0;
    const occluded = copies.map((c) => (c === '' ? uniform : read[next++]!.scores));
    const explanation = explain(text, whole!.scores, spans, occluded);
    explanations.set(text, explanation);
    if (explanations.size > 16) explanations.delete(explanations.keys().next().value!);
    return explanation;
  }

  /** Runs `work` on the loaded model; a failure that is not a ModelError drops the model. */
  async function guarded<T>(loaded: LoadedModel, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ModelError) throw err;
      // A failed run can leave the runtime unusable: drop the model; the page starts a new worker.
      await unload();
      throw new ModelError(loaded.info.device === 'webgpu' ? 'webgpu-failed' : 'inference-failed', errorDetail(err));
    }
  }

  async function handle(request: WorkerRequest, signal: AbortSignal): Promise<void> {
    try {
      // Cancelled while it waited in the queue: it never runs.
      if (signal.aborted) throw cancelled();
      switch (request.type) {
        case 'probe':
          post({ type: 'probed', id: request.id, plan: await planLoad(runtime, request.config, request.cachedOnly) });
          return;
        case 'classify': {
          const [result] = await classify(request.id, request.config, [request.text], signal);
          post({ type: 'classified', id: request.id, result: result! });
          return;
        }
        case 'classify-batch':
          post({ type: 'classified-batch', id: request.id, results: await classify(request.id, request.config, request.texts, signal, request.ifLoaded) });
          return;
        case 'explain':
          post({ type: 'explained', id: request.id, explanation: await explainText(request.id, request.config, request.text, signal) });
          return;
        case 'unload':
          await unload();
          post({ type: 'unloaded', id: request.id });
          return;
        default:
          assertNever(request);
      }
    } catch (err) {
      post({ type: 'error', id: request.id, error: toModelError(err).toData(), ...(loadFailed ? { recycle: true } : {}) });
    } finally {
      loadFailed = false;
    }
  }

  /**
   * Queues a request; requests run one at a time, in arrival order. `signal` is aborted when the
   * page cancels it: a queued request is then answered `cancelled` without running, a running one
   * stops between two batches (the model and the other requests stay).
   */
  return (request: WorkerRequest, signal: AbortSignal = new AbortController().signal): Promise<void> => {
    const next = queue.then(() => handle(request, signal));
    queue = next;
    return next;
  };
}
