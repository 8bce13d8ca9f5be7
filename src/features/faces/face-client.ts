// The page's side of the face worker, over the shared worker plumbing (shared/worker/bridge.ts):
// one worker, started when first needed. A cancelled read is dropped by the worker, which goes on
// with the others; a crash (or a worker the browser killed) fails the reads waiting on it, and the
// next call starts a fresh one. Failures are FaceErrors with a code (face-errors.ts, which also
// has the one sentence the page shows for each).
import { ModelHold } from '../../shared/worker/model-hold';
import { WorkerBridge, webLockWatcher, type BridgeFailure, type LockWatcher, type WorkerPort } from '../../shared/worker/bridge';
import { FaceError, type FaceErrorCode } from './face-errors';
import type { FaceAnswer, FaceLoadInfo, FaceRequest, FaceResponse } from './protocol';

/** The face worker as the client sees it (a fake stands in for it in tests). */
export type FaceWorkerLike = WorkerPort<FaceRequest, FaceResponse>;

/** The real face worker (a module worker, bundled by Vite). */
export function createFaceWorker(): FaceWorkerLike {
  return new Worker(new URL('./worker/face-worker.ts', import.meta.url), { type: 'module', name: 'face' });
}

/** Options of a read. */
export interface ReadOptions {
  /** Aborting rejects the read with FaceError `cancelled`; the worker drops it and goes on. */
  readonly signal?: AbortSignal;
}

/** The bridge's failures as the face channel's codes. */
const FAILURE_CODE: Readonly<Record<BridgeFailure, FaceErrorCode>> = {
  'start-failed': 'models-unavailable',
  crashed: 'crashed',
  'not-sent': 'crashed',
  cancelled: 'cancelled',
  'bad-reply': 'crashed',
};

/** What the client knows of its worker: whether its models are loaded (it loads them when it starts). */
interface FaceWorkerFacts {
  /** Null until the worker answered once; its load info once it said `warmed`. */
  loaded: FaceLoadInfo | true | null;
}

/**
 * Talks to the face worker; create one per page and keep it for the session. Unused for
 * IDLE_UNLOAD_MS (or when Settings asks), the worker ends and its memory is freed; the next read
 * starts a new one.
 */
export class FaceClient {
  readonly #bridge: WorkerBridge<FaceRequest, FaceResponse, FaceError, FaceWorkerFacts>;
  readonly #hold: ModelHold;

  constructor(createWorker: () => FaceWorkerLike = createFaceWorker, watchLock: LockWatcher = webLockWatcher, options: { idleUnloadMs?: number } = {}) {
    this.#hold = new ModelHold(() => this.#bridge, () => this.loaded, options.idleUnloadMs);
    this.#bridge = new WorkerBridge({
      create: createWorker,
      error: (kind, detail) => new FaceError(FAILURE_CODE[kind], detail),
      isFinal: () => true,
      failureOf: (reply) => (reply.type === 'error' ? FaceError.fromData(reply.error) : null),
      cancel: 'message',
      state: () => ({ loaded: null }),
      onReply: (reply, facts) => {
        // After an unexpected failure the worker's runtime may be unusable: the next call gets a new one.
        if (reply.type === 'error' && reply.error.code === 'crashed') this.#bridge.recycle();
        else if (reply.type === 'warmed') this.#setLoaded(facts, reply.load);
        else if (reply.type === 'answer' && !facts.loaded) this.#setLoaded(facts, true);
      },
      onEnd: () => this.#hold.changed(),
      watchLock,
    });
  }

  /** Whether a worker holds the face models now (Settings lists it). */
  get loaded(): boolean {
    return this.#bridge.current?.loaded != null;
  }

  /** Calls `listener` whenever what is loaded may have changed; returns the unsubscribe. */
  onLoadedChange(listener: () => void): () => void {
    return this.#hold.onLoadedChange(listener);
  }

  /** Ends the worker that holds the models (after the reads it has), freeing their memory; false when none is loaded. */
  release(): boolean {
    return this.#hold.release();
  }

  #setLoaded(facts: FaceWorkerFacts, loaded: FaceWorkerFacts['loaded']): void {
    facts.loaded = loaded;
    this.#hold.changed();
  }

  /** The faces of `picture` (the file as the user gave it: JPEG, PNG, WebP or GIF; or a video frame's pixels). */
  read(picture: Blob | ImageBitmap, options: ReadOptions = {}): Promise<FaceAnswer> {
    return this.#hold.track(
      this.#bridge.request((id) => ({ type: 'read', id, picture }), {
        settle: (reply) => (reply.type === 'answer' ? { value: reply.answer } : null),
        // A video frame's pixels move to the worker (the page's bitmap is emptied).
        ...(typeof ImageBitmap !== 'undefined' && picture instanceof ImageBitmap ? { transfer: [picture] } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }

  /** Starts the worker and resolves once its models are loaded and warmed up. */
  async warm(): Promise<void> {
    await this.#hold.track(this.#bridge.request((id) => ({ type: 'warm', id }), { settle: (reply) => (reply.type === 'warmed' ? { value: reply.load } : null) }));
  }

  /** Ends the worker; reads still waiting reject with `cancelled`. */
  dispose(): void {
    this.#hold.stop();
    this.#bridge.dispose(new FaceError('cancelled', 'The face reader was closed.'));
  }
}
