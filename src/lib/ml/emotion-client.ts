// The page's side of the emotion worker: one long-lived worker, requests matched to replies by
// id, progress and notices forwarded to callbacks, and a crashed worker replaced on the next call.
// A worker that ends without an error event (closed, or killed by the browser) is noticed through
// the Web Lock it holds while it lives: when the lock is released, pending requests fail.
import { ModelError } from '../domain/errors';
import type { DevicePreference } from '../domain/model-source';
import {
  assertNever,
  type LoadPlan,
  type LoadProgress,
  type LoadedModelInfo,
  type ModelConfig,
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
  onAnalysing?(done: number, total: number): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(reason: ModelError): void;
  handlers: CallHandlers;
}

/** Talks to the emotion worker; create one per page and keep it for the session. */
export class EmotionClient {
  readonly #createWorker: () => WorkerLike;
  #worker: WorkerLike | null = null;
  #nextId = 1;
  /** WebGPU failed in this session: later requests go straight to WASM. */
  #webgpuFailed = false;
  /**
   * The device preference the current worker serves. A worker loads one ONNX Runtime build (the
   * WASM-only one or the WebGPU-capable one), so another preference gets a fresh worker.
   */
  #workerDevice: DevicePreference | null = null;
  readonly #pending = new Map<number, Pending>();

  readonly #watchLock: LockWatcher;

  constructor(createWorker: () => WorkerLike, watchLock: LockWatcher = webLockWatcher) {
    this.#createWorker = createWorker;
    this.#watchLock = watchLock;
  }

  /** Starts the worker ahead of the first request, so its code is loaded while the page is. */
  warm(): void {
    this.#ensureWorker();
  }

  /** What loading `config` would take, without loading it; `cachedOnly` sends no request at all. */
  probe(config: ModelConfig, handlers: CallHandlers = {}, { cachedOnly = false } = {}): Promise<LoadPlan> {
    const effective = this.#effective(config, handlers);
    return this.#call((id) => ({ type: 'probe', id, config: effective, cachedOnly }), handlers, effective.device) as Promise<LoadPlan>;
  }

  /**
   * Classifies `text`, loading the model first if needed. When WebGPU fails, the request is
   * repeated once on WASM in a fresh worker, and WASM is used for the rest of the session.
   */
  classify(config: ModelConfig, text: string, handlers: CallHandlers = {}): Promise<TextResult> {
    return this.#withWasmFallback(config, handlers, (c) =>
      this.#call((id) => ({ type: 'classify', id, config: c, text }), handlers, c.device) as Promise<TextResult>,
    );
  }

  /** Classifies many texts in one request, batched by length in the worker; results in order. */
  classifyMany(config: ModelConfig, texts: readonly string[], handlers: CallHandlers = {}): Promise<TextResult[]> {
    return this.#withWasmFallback(config, handlers, (c) =>
      this.#call((id) => ({ type: 'classify-batch', id, config: c, texts }), handlers, c.device) as Promise<TextResult[]>,
    );
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

  /** Frees the loaded model (e.g. after its cached files were removed). */
  async unload(): Promise<void> {
    if (!this.#worker) return;
    await this.#call((id) => ({ type: 'unload', id }), {});
  }

  /** Stops the worker; pending requests fail. */
  dispose(): void {
    this.#fail(new ModelError('worker-crashed', 'The client was disposed.'));
  }

  #call(make: (id: number) => WorkerRequest, handlers: CallHandlers, device?: DevicePreference): Promise<unknown> {
    if (device !== undefined && this.#worker && this.#workerDevice !== null && this.#workerDevice !== device && this.#pending.size === 0) {
      this.#worker.terminate();
      this.#worker = null;
    }
    const worker = this.#ensureWorker();
    if (device !== undefined) this.#workerDevice = device;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, handlers });
      worker.postMessage(make(id));
    });
  }

  #ensureWorker(): WorkerLike {
    if (this.#worker) return this.#worker;
    this.#workerDevice = null;
    const worker = this.#createWorker();
    let started = false;
    worker.addEventListener('message', (event) => {
      started = true;
      const message = event.data;
      if (message.type === 'ready' && message.lock) {
        this.#watchLock(message.lock, () => {
          if (this.#worker === worker) this.#fail(new ModelError('worker-crashed', 'The worker ended without an error event.'));
        });
      }
      this.#onMessage(message);
    });
    const crash = (event: Event) => {
      const detail = (event as Partial<ErrorEvent>).message;
      const message = typeof detail === 'string' && detail ? detail : `worker ${event.type} event`;
      // An error before the worker ever answered means its script did not load or run.
      const code = started || event.type === 'messageerror' ? 'worker-crashed' : 'worker-start-failed';
      if (this.#worker === worker) this.#fail(new ModelError(code, message));
    };
    worker.addEventListener('error', crash);
    worker.addEventListener('messageerror', crash);
    this.#worker = worker;
    return worker;
  }

  /**
   * Replaces the worker once nothing else is pending. transformers.js chains session creation
   * on one promise, so after a model failed to load every later load in that worker fails too.
   */
  #recycle(): void {
    if (this.#pending.size > 0 || !this.#worker) return;
    this.#worker.terminate();
    this.#worker = null;
    this.#ensureWorker();
  }

  /** Rejects every pending request and drops the worker, so the next call starts a new one. */
  #fail(error: ModelError): void {
    this.#worker?.terminate();
    this.#worker = null;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }

  #onMessage(message: WorkerResponse): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    switch (message.type) {
      case 'ready':
        return;
      case 'progress':
        pending.handlers.onProgress?.(message.progress);
        return;
      case 'analysing':
        pending.handlers.onAnalysing?.(message.done, message.total);
        return;
      case 'notice':
        pending.handlers.onNotice?.(message.notice);
        return;
      case 'loaded':
        pending.handlers.onLoaded?.(message.model);
        return;
      case 'probed':
        this.#settle(message.id, () => pending.resolve(message.plan));
        return;
      case 'classified':
        this.#settle(message.id, () => pending.resolve(message.result));
        return;
      case 'classified-batch':
        this.#settle(message.id, () => pending.resolve(message.results));
        return;
      case 'unloaded':
        this.#settle(message.id, () => pending.resolve(undefined));
        return;
      case 'error':
        this.#settle(message.id, () => pending.reject(ModelError.fromData(message.error)));
        if (message.recycle === true || RECYCLE_AFTER.has(message.error.code)) this.#recycle();
        return;
      default:
        assertNever(message);
    }
  }

  #settle(id: number, settle: () => void): void {
    this.#pending.delete(id);
    settle();
  }
}

function brief(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
