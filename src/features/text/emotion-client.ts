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
import { WorkerBridge, webLockWatcher, type BridgeFailure, type LockWatcher, type WorkerPort } from '../../shared/worker/bridge';
import { configKey, type LoadPlan, type LoadProgress, type LoadedModelInfo, type ModelConfig, type ReplyOf, type TextResult, type WorkerRequest, type WorkerResponse } from './protocol';

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
}

/** Talks to the emotion worker; create one per page and keep it for the session. */
export class EmotionClient {
  readonly #bridge: WorkerBridge<WorkerRequest, WorkerResponse, ModelError, WorkerFacts>;
  /** WebGPU failed in this session: later requests go straight to WASM. */
  #webgpuFailed = false;
  /** Called whenever what the current worker has loaded may have changed. */
  readonly #listeners = new Set<() => void>();

  constructor(createWorker: () => WorkerLike, watchLock: LockWatcher = webLockWatcher, options: { cancelGraceMs?: number } = {}) {
    this.#bridge = new WorkerBridge({
      create: createWorker,
      error: (kind, detail) => new ModelError(FAILURE_CODE[kind], detail),
      isFinal,
      failureOf: (reply) => (reply.type === 'error' ? ModelError.fromData(reply.error) : null),
      cancel: 'message',
      state: () => ({ device: null, loaded: null }),
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
    return this.#withWasmFallback(config, handlers, (c) => this.#call('classify', (id) => ({ type: 'classify', id, config: c, text }), handlers, options.signal, c, true));
  }

  /** Leave-one-word-out explanation of `text` (progress through `onAnalyzing`). */
  explain(config: ModelConfig, text: string, handlers: CallHandlers = {}, options: CallOptions = {}): Promise<Explanation> {
    return this.#withWasmFallback(config, handlers, (c) => this.#call('explain', (id) => ({ type: 'explain', id, config: c, text }), handlers, options.signal, c, true));
  }

  /** Classifies many texts in one request, batched by length in the worker; results in order. */
  classifyMany(config: ModelConfig, texts: readonly string[], handlers: CallHandlers = {}, options: ManyOptions = {}): Promise<readonly TextResult[]> {
    const ifLoaded = options.ifLoaded === true;
    return this.#withWasmFallback(config, handlers, (c) =>
      this.#call('classify-batch', (id) => ({ type: 'classify-batch', id, config: c, texts, ...(ifLoaded ? { ifLoaded } : {}) }), handlers, options.signal, c, !ifLoaded),
    );
  }

  /** Frees the loaded model (e.g. after its cached files were removed). */
  async unload(): Promise<void> {
    if (!this.#bridge.current) return;
    await this.#call('unload', (id) => ({ type: 'unload', id }), {});
  }

  /** Ends every worker; pending requests fail. */
  dispose(): void {
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
    let facts: WorkerFacts | null = null;
    if (config) {
      const current = this.#bridge.current;
      if (current && current.device !== null && current.device !== config.device) this.#bridge.retire();
      facts = this.#bridge.warm();
      facts.device = config.device;
      if (loads && facts.loaded?.key !== configKey(config)) this.#setLoaded(facts, null);
    }
    return this.#bridge.request(make, {
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
            if (facts && config) this.#setLoaded(facts, { key: configKey(config), model: reply.model });
            return handlers.onLoaded?.(reply.model);
          default:
            return undefined;
        }
      },
      ...(signal ? { signal } : {}),
    });
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
