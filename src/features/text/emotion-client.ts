// The page's side of the emotion worker, over the shared worker plumbing (shared/worker/bridge.ts).
// New requests go to the current worker (started when needed); a worker retired after a failed
// load, or for another device preference, finishes what it has and is then ended; a crash fails
// only that worker's requests. A cancelled request stops only itself: the worker drops it, or
// stops it between two batches, and keeps its model and its other requests (a batch running
// beside a cancelled analysis runs on). This client is also the one place that knows what the
// current worker has loaded (`isLoaded`), since it is the one that sees workers come and go.
import type { Explanation } from './explain';
import { ModelError } from './model-errors';
import type { DevicePreference } from './model-source';
import { IDLE_UNLOAD_MS, IdleCountdown } from '../../shared/worker/idle';
import { WorkerBridge, webLockWatcher, type BridgeFailure, type LockWatcher, type WorkerPort } from '../../shared/worker/bridge';
import { ResultCache } from './handler/classify';
import { ExplanationCache } from './handler/explain-text';
import { configKey, type KeptResults, type LoadPlan, type LoadProgress, type LoadedModelInfo, type ModelConfig, type ReplyOf, type TextResult, type WorkerRequest, type WorkerResponse } from './protocol';

export type { LockWatcher } from '../../shared/worker/bridge';
export { webLockWatcher } from '../../shared/worker/bridge';

/**
 * Errors after which the worker's runtime may be unusable, so a fresh worker takes over (the
 * worker also asks for it, `recycle`, after any load that failed once it had started).
 */
const RECYCLE_AFTER: ReadonlySet<string> = new Set(['invalid-model', 'inference-failed', 'webgpu-failed', 'unknown']);

/** The emotion worker as the client sees it (a fake stands in for it in tests). */
export type WorkerLike = WorkerPort<WorkerRequest, WorkerResponse>;

/** Callbacks for what happens while a request runs. */
export interface CallHandlers {
  onProgress?(progress: LoadProgress): void;
  onNotice?(notice: string): void;
  onLoaded?(model: LoadedModelInfo): void;
  /** Chunks classified so far, when a request runs in several batches. */
  onAnalyzing?(done: number, total: number): void;
}

/** Options of a request. */
export interface CallOptions {
  /** Aborting cancels this request only: it rejects with ModelError `cancelled`. */
  readonly signal?: AbortSignal;
}

/** Options of a probe. */
export interface ProbeOptions extends CallOptions {
  /** Look in the model cache only and send no request (a missing file is an error). */
  readonly cachedOnly?: boolean;
}

/** Options of a request for many texts. */
export interface ManyOptions extends CallOptions {
  /** Only with the model already loaded in the worker: never start a load (ModelError `not-loaded`). */
  readonly ifLoaded?: boolean;
}

type RequestKind = WorkerRequest['type'];
type RequestOf<K extends RequestKind> = Extract<WorkerRequest, { readonly type: K }>;
/** A reply that ends a request. */
type FinalReply = Extract<WorkerResponse, { readonly type: 'probed' | 'classified' | 'classified-batch' | 'explained' | 'unloaded' | 'error' }>;

const FINAL: ReadonlySet<WorkerResponse['type']> = new Set(['probed', 'classified', 'classified-batch', 'explained', 'unloaded', 'error']);

function isFinal(reply: WorkerResponse): reply is FinalReply {
  return FINAL.has(reply.type);
}

/** For each kind of request, the value its final reply carries, or null for a reply of another kind. */
const VALUE_OF: { readonly [K in RequestKind]: (reply: WorkerResponse) => { readonly value: ReplyOf[K] } | null } = {
  probe: (reply) => (reply.type === 'probed' ? { value: reply.plan } : null),
  classify: (reply) => (reply.type === 'classified' ? { value: reply.result } : null),
  'classify-batch': (reply) => (reply.type === 'classified-batch' ? { value: reply.results } : null),
  explain: (reply) => (reply.type === 'explained' ? { value: reply.explanation } : null),
  unload: (reply) => (reply.type === 'unloaded' ? { value: undefined } : null),
};

/** The bridge's failures as the text channel's errors. */
const FAILURE_CODE: Readonly<Record<BridgeFailure, ModelError['code']>> = {
  'start-failed': 'worker-start-failed',
  crashed: 'worker-crashed',
  'not-sent': 'unknown',
  cancelled: 'cancelled',
  'bad-reply': 'unknown',
};

/** What the client knows of one worker. */
interface WorkerFacts {
  /**
   * The device preference it serves (null until a request names one). A worker loads one ONNX
   * Runtime build (the WASM-only one or the WebGPU-capable one), so another preference needs
   * another worker.
   */
  device: DevicePreference | null;
  /** The model it has loaded, with the config it was loaded for (configKey), or null. */
  loaded: { readonly key: string; readonly model: LoadedModelInfo } | null;
  /** The config (configKey) whose kept results were handed to it (a seed goes once per worker). */
  seeded: string | null;
}

/** Why the model was let go of while the page still wants it: see EmotionClient#release. */
export type ReleaseReason = 'idle' | 'user' | 'moved';

/** The model moves to a fresh worker this long after the answer of the load that compared the engines, once the worker is idle. */
const RENEW_DELAY_MS = 1500;
/** Checks for an idle worker before the move is made anyway (the old worker finishes its requests first). */
const RENEW_TRIES = 40;

/** Talks to the emotion worker; create one per page and keep it for the session. */
export class EmotionClient {
  readonly #bridge: WorkerBridge<WorkerRequest, WorkerResponse, ModelError, WorkerFacts>;
  /** WebGPU failed in this session: later requests go straight to WASM. */
  #webgpuFailed = false;
  /** Called whenever what the current worker has loaded may have changed. */
  readonly #listeners = new Set<() => void>();

  /** How long after the answer (and between checks for an idle worker) the model moves (#renew). */
  readonly #renewDelayMs: number;
  /** Unused for IDLE_UNLOAD_MS (or the option), the model is released. */
  readonly #idle: IdleCountdown;
  /**
   * A copy of what the current model's worker keeps (results and explanations by text), for the
   * worker that takes the model over: see KeptResults.
   */
  #kept: { readonly key: string; readonly results: ResultCache; readonly explanations: ExplanationCache } | null = null;
  /** The model let go of while still wanted, until it is loaded again (its reload is then told). */
  #released: { readonly key: string; readonly reason: ReleaseReason } | null = null;

  constructor(createWorker: () => WorkerLike, watchLock: LockWatcher = webLockWatcher, options: { cancelGraceMs?: number; renewDelayMs?: number; idleUnloadMs?: number } = {}) {
    this.#renewDelayMs = options.renewDelayMs ?? RENEW_DELAY_MS;
    this.#idle = new IdleCountdown(options.idleUnloadMs ?? IDLE_UNLOAD_MS, () => {
      if (this.#bridge.idle) this.release('idle');
    });
    this.#bridge = new WorkerBridge({
      create: createWorker,
      error: (kind, detail) => new ModelError(FAILURE_CODE[kind], detail),
      isFinal,
      failureOf: (reply) => (reply.type === 'error' ? ModelError.fromData(reply.error) : null),
      cancel: 'message',
      state: () => ({ device: null, loaded: null, seeded: null }),
      onReply: (reply, facts) => {
        if (reply.type === 'unloaded') this.#setLoaded(facts, null);
        else if (reply.type === 'error' && (reply.recycle === true || RECYCLE_AFTER.has(reply.error.code))) this.#recycle(facts);
      },
      onEnd: () => this.#changed(),
      watchLock,
      ...(options.cancelGraceMs !== undefined ? { cancelGraceMs: options.cancelGraceMs } : {}),
    });
  }

  /** Starts the worker ahead of the first request, so its code is loaded while the page is. */
  warm(): void {
    this.#bridge.warm();
  }

  /** Whether the current worker has the model of `config` loaded, so a request would not start a load. */
  isLoaded(config: ModelConfig): boolean {
    return this.loadedModel(config) !== null;
  }

  /** The model of `config`, when the current worker has it loaded. */
  loadedModel(config: ModelConfig): LoadedModelInfo | null {
    const loaded = this.#bridge.current?.loaded;
    return loaded?.key === configKey(config) ? loaded.model : null;
  }

  /** Calls `listener` whenever what is loaded may have changed (a load, an unload, a worker ended); returns the unsubscribe. */
  onLoadedChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** What loading `config` would take, without loading it; `cachedOnly` sends no network request. */
  probe(config: ModelConfig, handlers: CallHandlers = {}, options: ProbeOptions = {}): Promise<LoadPlan> {
    const effective = this.#effective(config, handlers);
    const cachedOnly = options.cachedOnly ?? false;
    return this.#call('probe', (id) => ({ type: 'probe', id, config: effective, cachedOnly }), handlers, options.signal, effective);
  }

  /**
   * Classifies `text`, loading the model first if needed. When WebGPU fails, the request is
   * repeated once on WASM in a fresh worker, and WASM is used for the rest of the session.
   */
  classify(config: ModelConfig, text: string, handlers: CallHandlers = {}, options: CallOptions = {}): Promise<TextResult> {
    return this.#withWasmFallback(config, handlers, async (c) => {
      const result = await this.#call('classify', (id) => ({ type: 'classify', id, config: c, text, ...this.#seedFor(c) }), handlers, options.signal, c, true);
      this.#keep(c, [text], [result]);
      return result;
    });
  }

  /** Leave-one-word-out explanation of `text` (progress through `onAnalyzing`). */
  explain(config: ModelConfig, text: string, handlers: CallHandlers = {}, options: CallOptions = {}): Promise<Explanation> {
    return this.#withWasmFallback(config, handlers, async (c) => {
      const explanation = await this.#call('explain', (id) => ({ type: 'explain', id, config: c, text, ...this.#seedFor(c) }), handlers, options.signal, c, true);
      if (this.#kept?.key === configKey(c)) this.#kept.explanations.set(text, explanation);
      return explanation;
    });
  }

  /** Classifies many texts in one request, batched by length in the worker; results in order. */
  classifyMany(config: ModelConfig, texts: readonly string[], handlers: CallHandlers = {}, options: ManyOptions = {}): Promise<readonly TextResult[]> {
    const ifLoaded = options.ifLoaded === true;
    return this.#withWasmFallback(config, handlers, async (c) => {
      const results = await this.#call(
        'classify-batch',
        (id) => ({ type: 'classify-batch', id, config: c, texts, ...(ifLoaded ? { ifLoaded } : {}), ...this.#seedFor(c) }),
        handlers,
        options.signal,
        c,
        !ifLoaded,
      );
      this.#keep(c, texts, results);
      return results;
    });
  }

  /** Frees the loaded model and forgets its results (e.g. after its cached files were removed). */
  async unload(): Promise<void> {
    this.#kept = null;
    this.#released = null;
    if (!this.#bridge.current) return;
    await this.#call('unload', (id) => ({ type: 'unload', id }), {});
  }

  /**
   * Lets go of the loaded model to free its memory (Settings' Unload): its worker ends (a
   * worker's wasm memory never shrinks, so ending it is the only way to give it back) and a fresh
   * one waits; the next request loads the model again from the cache, handed what the old worker
   * kept, and says what the reload cost. False when nothing was loaded.
   */
  release(reason: ReleaseReason = 'user'): boolean {
    const facts = this.#bridge.current;
    if (!facts?.loaded) return false;
    this.#released = { key: facts.loaded.key, reason };
    this.#recycle(facts);
    return true;
  }

  /** The model of the current worker, whatever its config (Settings lists it). */
  get loaded(): LoadedModelInfo | null {
    return this.#bridge.current?.loaded?.model ?? null;
  }

  /** Ends every worker; pending requests fail. */
  dispose(): void {
    this.#idle.stop();
    this.#bridge.dispose(new ModelError('worker-crashed', 'The client was disposed.'));
  }

  async #withWasmFallback<T>(config: ModelConfig, handlers: CallHandlers, run: (c: ModelConfig) => Promise<T>): Promise<T> {
    try {
      return await run(this.#effective(config, handlers));
    } catch (err) {
      if (!(err instanceof ModelError) || err.code !== 'webgpu-failed') throw err;
      this.#webgpuFailed = true;
      handlers.onNotice?.(`WebGPU could not run the model (${brief(err.detail)}), so it runs on WASM.`);
      return await run({ ...config, device: 'wasm' });
    }
  }

  #effective(config: ModelConfig, handlers: CallHandlers): ModelConfig {
    if (!this.#webgpuFailed || config.device === 'wasm') return config;
    handlers.onNotice?.('WebGPU failed earlier in this session, so the model runs on WASM.');
    return { ...config, device: 'wasm' };
  }

  /**
   * Sends a request to the current worker, or to a fresh one when the current one serves another
   * device preference; `loads`: the request makes the worker load `config`'s model (it unloads
   * any other first), so what it had loaded is no longer known until it says `loaded`.
   */
  #call<K extends RequestKind>(kind: K, make: (id: number) => RequestOf<NoInfer<K>>, handlers: CallHandlers, signal?: AbortSignal, config?: ModelConfig, loads = false): Promise<ReplyOf[K]> {
    this.#idle.stop();
    let facts: WorkerFacts | null = null;
    if (config) {
      const current = this.#bridge.current;
      if (current && current.device !== null && current.device !== config.device) this.#bridge.retire();
      facts = this.#bridge.warm();
      facts.device = config.device;
      if (loads && facts.loaded?.key !== configKey(config)) this.#setLoaded(facts, null);
    }
    // A load that compared both engines leaves the slower one's runtime memory in this worker.
    let renew = false;
    const settled = this.#bridge.request(make, {
      settle: VALUE_OF[kind],
      onReply: (reply) => {
        switch (reply.type) {
          case 'progress':
            return handlers.onProgress?.(reply.progress);
          case 'analyzing':
            return handlers.onAnalyzing?.(reply.done, reply.total);
          case 'notice':
            return handlers.onNotice?.(reply.notice);
          case 'loaded':
            if (facts && config) {
              this.#setLoaded(facts, { key: configKey(config), model: reply.model });
              this.#toldReload(configKey(config), reply.model, handlers);
            }
            renew = reply.model.bothEnginesStarted === true;
            return handlers.onLoaded?.(reply.model);
          default:
            return undefined;
        }
      },
      ...(signal ? { signal } : {}),
    });
    const after = () => this.#scheduleIdle();
    settled.then(after, after);
    if (facts && config) {
      const [worker, loaded] = [facts, config];
      // After the answer, so it is not delayed by the move.
      void settled.then(
        () => renew && setTimeout(() => this.#renew(worker, loaded), this.#renewDelayMs),
        () => undefined,
      );
    }
    return settled;
  }

  /** The seed for a request of `config` to the current worker: what earlier workers kept, once per worker. */
  #seedFor(config: ModelConfig): { seed?: KeptResults } {
    const facts = this.#bridge.current;
    const key = configKey(config);
    if (!facts || facts.seeded === key || this.#kept?.key !== key) return {};
    facts.seeded = key;
    const results = this.#kept.results.entries();
    const explanations = this.#kept.explanations.entries();
    return results.length + explanations.length > 0 ? { seed: { results, explanations } } : {};
  }

  /** Keeps a copy of new results, as the worker does (see #kept). */
  #keep(config: ModelConfig, texts: readonly string[], results: readonly TextResult[]): void {
    const key = configKey(config);
    if (this.#kept?.key !== key) this.#kept = { key, results: new ResultCache(), explanations: new ExplanationCache() };
    texts.forEach((text, i) => {
      const result = results[i];
      if (!result) return;
      const { cached: _cached, ...fresh } = result;
      this.#kept!.results.remember(text, fresh);
    });
  }

  /** After a release: the model is loaded again; say why it loaded and what that cost (not for a move, which is silent). */
  #toldReload(key: string, model: LoadedModelInfo, handlers: CallHandlers): void {
    const released = this.#released;
    if (released?.key !== key) return;
    this.#released = null;
    if (released.reason === 'moved') return;
    const why = released.reason === 'idle' ? `after ${this.#idle.spoken} unused` : 'in Settings';
    handlers.onNotice?.(`The emotion model had been unloaded ${why} to free memory; loading it again from this device took ${(model.loadMs / 1000).toFixed(1)} s.`);
  }

  /** Once every request has settled and a model is loaded, the idle countdown starts. */
  #scheduleIdle(): void {
    if (this.#bridge.idle && this.#bridge.current?.loaded) this.#idle.restart();
    else this.#idle.stop();
  }

  /**
   * Moves the model of `config` to a fresh worker after a load that started both engines to
   * compare them: the slower one's model was disposed, but its runtime's wasm memory cannot
   * shrink (with the real model the tab held 491 MB against 240 MB with one engine). The new
   * worker reads the files from the cache and starts the engine chosen alone (the verdict is
   * stored); the old one finishes what it has, then ends. Once per model and device.
   */
  #renew(facts: WorkerFacts, config: ModelConfig, tries = 0): void {
    if (this.#bridge.current !== facts || facts.loaded?.key !== configKey(config)) return;
    // Not while the worker is in use (the answer's sentence breakdown, a batch, the next text):
    // what asks for the loaded model alone would find it gone.
    if (!this.#bridge.idle && tries < RENEW_TRIES) {
      setTimeout(() => this.#renew(facts, config, tries + 1), this.#renewDelayMs);
      return;
    }
    this.#released = { key: configKey(config), reason: 'moved' };
    this.#recycle(facts);
    this.classifyMany(config, [], {}).catch(() => undefined);
  }

  /**
   * Retires a worker whose runtime may be unusable and starts its successor at once, so its code
   * loads while the page is still online. transformers.js chains session creation on one
   * promise, so after a model failed to load every later load in that worker fails too.
   */
  #recycle(facts: WorkerFacts): void {
    this.#setLoaded(facts, null);
    if (this.#bridge.current === facts) this.#bridge.recycle();
  }

  #setLoaded(facts: WorkerFacts, loaded: WorkerFacts['loaded']): void {
    if (facts.loaded === loaded) return;
    facts.loaded = loaded;
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

function brief(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
