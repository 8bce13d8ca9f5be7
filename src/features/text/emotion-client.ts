// The page's side of the emotion worker, and the one owner of every worker's life. New requests
// go to the current worker (started when needed); a worker retired after a failed load, or for
// another device preference, finishes what it has and is then ended; a crash fails only that
// worker's requests; a cancelled request ends its worker (the only reliable way to stop wasm
// mid-run) and a fresh one starts at once. A worker that ends without an error event (closed, or
// killed by the browser) is noticed through the Web Lock it holds while it lives.
import type { Explanation } from './explain';
import { ModelError, toModelError } from './model-errors';
import type { DevicePreference } from './model-source';
import {
  assertNever,
  type LoadPlan,
  type LoadProgress,
  type LoadedModelInfo,
  type ModelConfig,
  type ReplyOf,
  type TextResult,
  type WorkerRequest,
  type WorkerResponse,
} from './protocol';

/**
 * Errors after which the worker's runtime may be unusable, so a fresh worker takes over (the
 * worker also asks for it, `recycle`, after any load that failed once it had started).
 */
const RECYCLE_AFTER: ReadonlySet<string> = new Set(['invalid-model', 'inference-failed', 'webgpu-failed', 'unknown']);

/** The subset of Worker the client uses (a fake stands in for it in tests). */
export interface WorkerLike {
  postMessage(message: WorkerRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerResponse>) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

/** Calls `onReleased` once the Web Lock `name` is free (the worker holding it has ended). */
export type LockWatcher = (name: string, onReleased: () => void) => void;

/** The browser's Web Locks, where there are any (none in Node tests without a fake). */
export const webLockWatcher: LockWatcher = (name, onReleased) => {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManager }).locks;
  void locks?.request(name, () => onReleased());
};

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
  /**
   * Aborting cancels the request: it rejects with ModelError `cancelled`, and so does every other
   * request on the same worker, since that worker is ended.
   */
  readonly signal?: AbortSignal;
}

/** Options of a probe. */
export interface ProbeOptions extends CallOptions {
  /** Look in the model cache only and send no request (a missing file is an error). */
  readonly cachedOnly?: boolean;
}

type RequestKind = WorkerRequest['type'];
type RequestOf<K extends RequestKind> = Extract<WorkerRequest, { readonly type: K }>;
/** A reply that ends a request. */
type FinalReply = Extract<WorkerResponse, { readonly type: 'probed' | 'classified' | 'classified-batch' | 'explained' | 'unloaded' }>;

/** For each kind of request, the value its final reply carries, or null for a reply of another kind. */
const VALUE_OF: { readonly [K in RequestKind]: (reply: FinalReply) => { readonly value: ReplyOf[K] } | null } = {
  probe: (reply) => (reply.type === 'probed' ? { value: reply.plan } : null),
  classify: (reply) => (reply.type === 'classified' ? { value: reply.result } : null),
  'classify-batch': (reply) => (reply.type === 'classified-batch' ? { value: reply.results } : null),
  explain: (reply) => (reply.type === 'explained' ? { value: reply.explanation } : null),
  unload: (reply) => (reply.type === 'unloaded' ? { value: undefined } : null),
};

/** A request waiting for its worker's answer. */
interface Pending {
  readonly handlers: CallHandlers;
  /** Resolves with what `reply` carries (rejects when it answers another kind of request). */
  answer(reply: FinalReply): void;
  fail(error: ModelError): void;
}

/** One worker and what the client knows of it. */
interface WorkerRecord {
  readonly worker: WorkerLike;
  /**
   * The device preference it serves (null until a request names one). A worker loads one ONNX
   * Runtime build (the WASM-only one or the WebGPU-capable one), so another preference needs
   * another worker.
   */
  device: DevicePreference | null;
  /** Its requests not answered yet; only its own replies settle them. */
  readonly pending: Map<number, Pending>;
  /** It takes no new requests and is ended once `pending` is empty. */
  retiring: boolean;
  /** It has posted a message, so its script loaded. */
  started: boolean;
}

/** Talks to the emotion worker; create one per page and keep it for the session. */
export class EmotionClient {
  readonly #createWorker: () => WorkerLike;
  readonly #watchLock: LockWatcher;
  /** The worker new requests go to; null until one is needed. */
  #current: WorkerRecord | null = null;
  /** Every worker not ended yet: the current one and those retiring. */
  readonly #workers = new Set<WorkerRecord>();
  #nextId = 1;
  /** WebGPU failed in this session: later requests go straight to WASM. */
  #webgpuFailed = false;

  constructor(createWorker: () => WorkerLike, watchLock: LockWatcher = webLockWatcher) {
    this.#createWorker = createWorker;
    this.#watchLock = watchLock;
  }

  /** Starts the worker ahead of the first request, so its code is loaded while the page is. */
  warm(): void {
    this.#workerFor(undefined);
  }

  /** What loading `config` would take, without loading it; `cachedOnly` sends no network request. */
  probe(config: ModelConfig, handlers: CallHandlers = {}, options: ProbeOptions = {}): Promise<LoadPlan> {
    const effective = this.#effective(config, handlers);
    const cachedOnly = options.cachedOnly ?? false;
    return this.#call('probe', (id) => ({ type: 'probe', id, config: effective, cachedOnly }), handlers, options.signal, effective.device);
  }

  /**
   * Classifies `text`, loading the model first if needed. When WebGPU fails, the request is
   * repeated once on WASM in a fresh worker, and WASM is used for the rest of the session.
   */
  classify(config: ModelConfig, text: string, handlers: CallHandlers = {}, options: CallOptions = {}): Promise<TextResult> {
    return this.#withWasmFallback(config, handlers, (c) =>
      this.#call('classify', (id) => ({ type: 'classify', id, config: c, text }), handlers, options.signal, c.device),
    );
  }

  /** Leave-one-word-out explanation of `text` (progress through `onAnalyzing`). */
  explain(config: ModelConfig, text: string, handlers: CallHandlers = {}, options: CallOptions = {}): Promise<Explanation> {
    return this.#withWasmFallback(config, handlers, (c) =>
      this.#call('explain', (id) => ({ type: 'explain', id, config: c, text }), handlers, options.signal, c.device),
    );
  }

  /** Classifies many texts in one request, batched by length in the worker; results in order. */
  classifyMany(
    config: ModelConfig,
    texts: readonly string[],
    handlers: CallHandlers = {},
    options: CallOptions = {},
  ): Promise<readonly TextResult[]> {
    return this.#withWasmFallback(config, handlers, (c) =>
      this.#call('classify-batch', (id) => ({ type: 'classify-batch', id, config: c, texts }), handlers, options.signal, c.device),
    );
  }

  /** Frees the loaded model (e.g. after its cached files were removed). */
  async unload(): Promise<void> {
    if (!this.#current) return;
    await this.#call('unload', (id) => ({ type: 'unload', id }), {});
  }

  /** Ends every worker; pending requests fail. */
  dispose(): void {
    for (const record of [...this.#workers]) this.#fail(record, new ModelError('worker-crashed', 'The client was disposed.'));
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

  /** Sends a request to the current worker; it resolves with the value its final reply carries. */
  #call<K extends RequestKind>(
    kind: K,
    make: (id: number) => RequestOf<NoInfer<K>>,
    handlers: CallHandlers,
    signal?: AbortSignal,
    device?: DevicePreference,
  ): Promise<ReplyOf[K]> {
    if (signal?.aborted) return Promise.reject(new ModelError('cancelled', 'The request was cancelled before it started.'));
    const record = this.#workerFor(device);
    const id = this.#nextId++;
    return new Promise<ReplyOf[K]>((resolve, reject) => {
      const onAbort = () => this.#cancel(record, id);
      const done = () => signal?.removeEventListener('abort', onAbort);
      record.pending.set(id, {
        handlers,
        answer(reply) {
          done();
          const answer = VALUE_OF[kind](reply);
          if (answer) resolve(answer.value);
          else reject(new ModelError('unknown', `The worker answered a ${kind} request with ${reply.type}.`));
        },
        fail(error) {
          done();
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        record.worker.postMessage(make(id));
      } catch (err) {
        // Not sent (e.g. a value that cannot be cloned): nothing will answer it.
        this.#take(record, id)?.fail(toModelError(err));
      }
    });
  }

  /**
   * The worker for a new request: the current one, unless it serves another device preference
   * (then it retires); a new one when there is none.
   */
  #workerFor(device: DevicePreference | undefined): WorkerRecord {
    const current = this.#current;
    if (current && device !== undefined && current.device !== null && current.device !== device) this.#retire(current);
    const record = this.#current ?? this.#start();
    if (device !== undefined) record.device = device;
    return record;
  }

  #start(): WorkerRecord {
    const record: WorkerRecord = { worker: this.#createWorker(), device: null, pending: new Map(), retiring: false, started: false };
    record.worker.addEventListener('message', (event) => {
      record.started = true;
      this.#onMessage(record, event.data);
    });
    const crash = (event: Event) => {
      const detail = (event as Partial<ErrorEvent>).message;
      const message = typeof detail === 'string' && detail ? detail : `worker ${event.type} event`;
      // An error before the worker ever answered means its script did not load or run.
      const code = record.started || event.type === 'messageerror' ? 'worker-crashed' : 'worker-start-failed';
      this.#fail(record, new ModelError(code, message));
    };
    record.worker.addEventListener('error', crash);
    record.worker.addEventListener('messageerror', crash);
    this.#workers.add(record);
    this.#current = record;
    return record;
  }

  /** New requests go elsewhere from now on; the worker ends once its own requests are settled. */
  #retire(record: WorkerRecord): void {
    record.retiring = true;
    if (this.#current === record) this.#current = null;
    if (record.pending.size === 0) this.#end(record);
  }

  /**
   * Retires a worker whose runtime may be unusable, and starts its successor at once, so its code
   * loads while the page is still online. transformers.js chains session creation on one
   * promise, so after a model failed to load every later load in that worker fails too.
   */
  #recycle(record: WorkerRecord): void {
    const wasCurrent = this.#current === record;
    this.#retire(record);
    if (wasCurrent) this.#workerFor(undefined);
  }

  /** Terminates a worker; nothing of it is used afterwards. */
  #end(record: WorkerRecord): void {
    if (!this.#workers.delete(record)) return;
    if (this.#current === record) this.#current = null;
    record.worker.terminate();
  }

  /** Ends a worker and rejects its pending requests; the other workers carry on. */
  #fail(record: WorkerRecord, error: ModelError): void {
    // A late event of a worker the client already ended (e.g. its lock released) changes nothing.
    if (!this.#workers.has(record)) return;
    this.#end(record);
    const pending = [...record.pending.values()];
    record.pending.clear();
    for (const p of pending) p.fail(error);
  }

  /**
   * Cancels request `id`: its worker is terminated, the only reliable way to stop wasm mid-run,
   * so the worker's other requests fail too, and a fresh worker starts at once (like `warm()`).
   */
  #cancel(record: WorkerRecord, id: number): void {
    const cancelled = record.pending.get(id);
    if (!cancelled) return;
    record.pending.delete(id);
    // A model download cut off here leaves no half file behind: the model cache writes each file
    // and its metadata in one IndexedDB transaction (model-cache.ts, setMany).
    this.#fail(record, new ModelError('cancelled', 'Another request on this worker was cancelled.'));
    cancelled.fail(new ModelError('cancelled', 'The request was cancelled.'));
    this.#workerFor(undefined);
  }

  /** Removes request `id` from its worker; a retiring worker ends with its last request. */
  #take(record: WorkerRecord, id: number): Pending | undefined {
    const pending = record.pending.get(id);
    if (!pending) return undefined;
    record.pending.delete(id);
    if (record.retiring && record.pending.size === 0) this.#end(record);
    return pending;
  }

  #onMessage(record: WorkerRecord, message: WorkerResponse): void {
    if (message.type === 'ready') {
      if (message.lock) {
        this.#watchLock(message.lock, () => this.#fail(record, new ModelError('worker-crashed', 'The worker ended without an error event.')));
      }
      return;
    }
    const pending = record.pending.get(message.id);
    if (!pending) return;
    switch (message.type) {
      case 'progress':
        pending.handlers.onProgress?.(message.progress);
        return;
      case 'analyzing':
        pending.handlers.onAnalyzing?.(message.done, message.total);
        return;
      case 'notice':
        pending.handlers.onNotice?.(message.notice);
        return;
      case 'loaded':
        pending.handlers.onLoaded?.(message.model);
        return;
      case 'probed':
      case 'classified':
      case 'classified-batch':
      case 'explained':
      case 'unloaded':
        this.#take(record, message.id)?.answer(message);
        return;
      case 'error':
        this.#take(record, message.id)?.fail(ModelError.fromData(message.error));
        if (message.recycle === true || RECYCLE_AFTER.has(message.error.code)) this.#recycle(record);
        return;
      default:
        assertNever(message);
    }
  }
}

function brief(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
