// The emotion worker's logic, free of Worker and transformers.js so it can be tested in Node with
// a fake runtime: requests run one at a time; a model is loaded once per config and reused; a
// failed load is forgotten so the next request retries; WebGPU failures fall back to WASM; long
// texts are chunked and the chunks combined by token count. Many texts (or the chunks of a long
// one) run in batches of similar length, and a text seen before with the same model is answered
// from a small cache. Every request ends in exactly one final message: its result or
// `{ type: 'error' }`.
import { planBatches } from './length-batches';
import { chunkText, type Chunk } from './chunking';
import { EMOTIONS, topEmotion, weightedMean, type EmotionScores } from '../../shared/emotions';
import { explain, withoutWord, wordSpans, type Explanation } from './explain';
import { ModelError, toModelError } from './model-errors';
import { chooseDtype, isDiskSource, type Device, type ModelDtype, type ModelSource, type TextEngine, type TextEnginePreference } from './model-source';
import type { EngineTrial } from './engine-trial';
import type { ProbeFindings } from './model-files';
import { assertNever } from '../../shared/worker/protocol';
import {
  configKey,
  type LoadPlan,
  type LoadProgress,
  type LoadedModelInfo,
  type ModelConfig,
  type TextResult,
  type WorkerRequest,
  type WorkerResponse,
} from './protocol';
import { errorDetail } from '../../shared/errors';

/** A loaded model, as the runtime hands it to the handler. */
export interface RuntimeModel {
  countTokens(text: string): number;
  /** One distribution per input text, in order. */
  classify(texts: readonly string[]): Promise<EmotionScores[]>;
  dispose(): Promise<void>;
  /** When, from the start of the load, every file had been read and the session was made. */
  readonly timings?: { readonly filesMs: number; readonly sessionMs: number };
  /** What runs it (absent: ONNX Runtime), in a few words, and why it is not the one preferred. */
  readonly engine?: TextEngine;
  readonly engineDetail?: string;
  readonly engineNote?: string;
  /** How the engine was chosen on Automatic: the times measured on this device (engine-trial.ts). */
  readonly engineTrial?: EngineTrial;
}

/** What the handler needs from the outside world. */
export interface WorkerRuntime {
  detectWebGpu(): Promise<{ available: boolean; fp16: boolean }>;
  probe(source: ModelSource, options?: { cachedOnly?: boolean }): Promise<ProbeFindings>;
  loadModel(
    source: ModelSource,
    plan: { device: Device; dtype: ModelDtype; files: LoadPlan['files']; engine?: TextEnginePreference },
    onProgress: (progress: LoadProgress) => void,
    /** Aborted when the request that started the load is cancelled: stop downloading. */
    signal?: AbortSignal,
  ): Promise<RuntimeModel>;
  /** Removes cached files of a source: the given ones, or all (after they proved unusable). */
  evict(source: ModelSource, files?: readonly string[]): Promise<void>;
  now(): number;
  /** navigator.onLine: tells "offline" from "host unreachable" when a download breaks. */
  isOnline(): boolean;
  /** Why a downloaded file could not be cached since the last call (then cleared), or null. */
  takeCacheWriteFailure(): string | null;
}

interface Loaded {
  readonly key: string;
  readonly model: RuntimeModel;
  readonly info: LoadedModelInfo;
}

const WARMUP_TEXT = 'Warming up the model.';
/** Results kept per loaded model, most recent last. */
const RESULT_CACHE_SIZE = 256;

/** Creates the message handler; `post` sends a response to the page. */
export function createWorkerHandler(runtime: WorkerRuntime, post: (message: WorkerResponse) => void) {
  let current: Loaded | null = null;
  let queue: Promise<void> = Promise.resolve();
  /** A model load started and failed during the current request (the page should replace this worker). */
  let loadFailed = false;
  /** Results of the current model by text (a Map keeps insertion order: the oldest goes first). */
  const results = new Map<string, TextResult>();
  /** Explanations of the loaded model, by text (the latest few). */
  const explanations = new Map<string, Explanation>();

  const notice = (id: number, text: string) => post({ type: 'notice', id, notice: text });

  async function plan(config: ModelConfig, cachedOnly = false): Promise<LoadPlan> {
    const gpu = config.device === 'wasm' ? { available: false, fp16: false } : await runtime.detectWebGpu();
    let device: Device = gpu.available ? 'webgpu' : 'wasm';
    let deviceNote: string | undefined;
    if (config.device === 'webgpu' && !gpu.available) {
      deviceNote = 'This browser offers no WebGPU adapter, so the model runs on WASM.';
    }
    const findings = await runtime.probe(config.source, { cachedOnly });
    const available = (Object.keys(findings.weights) as ModelDtype[]).filter((d) => findings.weights[d]);
    let dtype = chooseDtype(device, available, gpu.fp16);
    if (dtype === null && device === 'webgpu') {
      device = 'wasm';
      dtype = chooseDtype('wasm', available, false);
      deviceNote = 'The model has no weights WebGPU can run here, so it runs on WASM.';
    }
    const weights = dtype ? findings.weights[dtype] : undefined;
    if (!dtype || !weights) throw new ModelError('no-weights', `available: ${available.join(', ') || 'none'}`);
    const files = [...findings.base, weights];
    const uncached = files.filter((f) => !f.cached);
    const downloadBytes = uncached.some((f) => f.size === null)
      ? null
      : uncached.reduce((sum, f) => sum + (f.size ?? 0), 0);
    return { device, dtype, available, files, downloadBytes, ...(deviceNote ? { deviceNote } : {}) };
  }

  async function loadWith(id: number, config: ModelConfig, p: LoadPlan, signal: AbortSignal): Promise<Loaded> {
    const { device, dtype } = p;
    const start = runtime.now();
    const model = await runtime.loadModel(
      config.source,
      { device, dtype, files: p.files, engine: config.engine ?? 'auto' },
      (progress) => post({ type: 'progress', id, progress }),
      signal,
    );
    if (model.engineNote) notice(id, model.engineNote);
    const warmupStart = runtime.now();
    try {
      post({ type: 'progress', id, progress: { phase: 'warmup', files: [], loaded: 1, total: 1 } });
      await model.classify([WARMUP_TEXT]);
    } catch (err) {
      await model.dispose().catch(() => undefined);
      throw err;
    }
    const end = runtime.now();
    const sessionMs = model.timings?.sessionMs ?? warmupStart - start;
    const phases = { filesMs: model.timings?.filesMs ?? sessionMs, sessionMs, warmupMs: end - warmupStart };
    const info: LoadedModelInfo = {
      source: config.source,
      device,
      dtype,
      engine: model.engine ?? 'onnxruntime',
      ...(model.engineDetail ? { engineDetail: model.engineDetail } : {}),
      ...(model.engineTrial ? { engineTrial: model.engineTrial } : {}),
      loadMs: end - start,
      phases,
    };
    return { key: configKey(config), model, info };
  }

  /** Loads, and drops the cached files of a source that proved not to be a valid model. */
  async function load(id: number, config: ModelConfig, signal: AbortSignal): Promise<Loaded> {
    try {
      return await loadOnce(id, config, signal);
    } catch (err) {
      if (err instanceof ModelError && err.code === 'invalid-model' && !isDiskSource(config.source)) {
        await runtime.evict(config.source).catch(() => undefined);
      }
      throw err;
    }
  }

  async function loadOnce(id: number, config: ModelConfig, signal: AbortSignal): Promise<Loaded> {
    const p = await plan(config);
    if (p.deviceNote) notice(id, p.deviceNote);
    try {
      return await loadWith(id, config, p, signal);
    } catch (err) {
      loadFailed = true;
      if (signal.aborted) throw cancelled();
      if (err instanceof ModelError) throw err;
      // A broken connection is not a broken model: say what happened and keep the cached files.
      const network = networkFailure(err, config.source, runtime.isOnline());
      if (network) throw network;
      if (p.device === 'webgpu') {
        // Other weights may still run on WASM, but not in this worker (transformers.js chains
        // every session creation on one promise): the page retries in a fresh worker. The
        // weights that failed are dropped so that retry picks what suits WASM.
        const weights = p.files.at(-1)?.file;
        if (weights && !isDiskSource(config.source)) await runtime.evict(config.source, [weights]).catch(() => undefined);
        throw new ModelError('webgpu-failed', errorDetail(err));
      }
      throw new ModelError('invalid-model', errorDetail(err));
    }
  }

  async function ensureModel(id: number, config: ModelConfig, signal: AbortSignal): Promise<Loaded> {
    const key = configKey(config);
    if (current?.key === key) return current;
    await unload();
    // Only a successful load is kept: after a failure the next request starts afresh.
    runtime.takeCacheWriteFailure();
    const loaded = await load(id, config, signal);
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
  async function runMany(id: number, loaded: Loaded, texts: readonly string[], signal: AbortSignal, keep = true): Promise<TextResult[]> {
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

  function combine(loaded: Loaded, chunks: readonly Chunk[], perChunk: ReadonlyArray<EmotionScores | undefined>, inferenceMs: number): TextResult {
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
  async function guarded<T>(loaded: Loaded, work: () => Promise<T>): Promise<T> {
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
          post({ type: 'probed', id: request.id, plan: await plan(request.config, request.cachedOnly) });
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

/**
 * The ModelError for a load that failed because a download broke off (a model file's body, or
 * ONNX Runtime's own .mjs/.wasm from our origin), or null when the failure is something else.
 */
/** How a runtime's own module or wasm that could not be downloaded fails. */
const RUNTIME_NOT_DOWNLOADED = /dynamically imported module|Importing a module script failed|fetching of the wasm failed|failed to asynchronously prepare wasm/iu;
/** How a request the network did not carry fails. */
const NOT_CARRIED = /network ?error|Failed to fetch|ERR_(INTERNET_DISCONNECTED|CONNECTION|CONTENT_LENGTH|NETWORK)/iu;

/** Whether `err` is a download that did not happen (a runtime's files, or any request), not a broken model. */
export function isDownloadFailure(err: unknown): boolean {
  const text = errorDetail(err);
  return RUNTIME_NOT_DOWNLOADED.test(text) || NOT_CARRIED.test(text);
}

function networkFailure(err: unknown, source: ModelSource, online: boolean): ModelError | null {
  const text = errorDetail(err);
  if (RUNTIME_NOT_DOWNLOADED.test(text)) {
    return new ModelError('runtime-unavailable', text);
  }
  if (NOT_CARRIED.test(text)) {
    return online ? new ModelError('host-unreachable', text, new URL(source.host).host) : new ModelError('offline', text);
  }
  return null;
}

function cancelled(): ModelError {
  return new ModelError('cancelled', 'The request was cancelled.');
}

