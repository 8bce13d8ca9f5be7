// The page's side of the face worker: one worker at a time, started when first needed. A cancelled
// read ends the worker (the only reliable way to stop wasm mid-run) and the next call starts a fresh
// one; so does a crash, which fails every read waiting on that worker. Failures are FaceErrors with
// a code, and describeFaceError gives the one sentence the page shows for each.
import type { FaceAnswer, FaceErrorCode, FaceErrorData, FaceLoadInfo, FaceRequest, FaceResponse } from './protocol';
import { assertNever } from '../text/protocol';

/** A face channel failure; `code` decides what the page says (describeFaceError). */
export class FaceError extends Error {
  readonly code: FaceErrorCode;
  readonly detail: string;

  constructor(code: FaceErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'FaceError';
    this.code = code;
    this.detail = detail;
  }

  /** Rebuilds the error the worker sent. */
  static fromData(data: FaceErrorData): FaceError {
    return new FaceError(data.code, data.detail);
  }
}

/** One sentence for the page: what happened and what the user can do next. */
export function describeFaceError(error: unknown): string {
  const code: FaceErrorCode = error instanceof FaceError ? error.code : 'crashed';
  switch (code) {
    case 'models-unavailable':
      return 'The face models could not be loaded; reload the page while online, after which they also work offline.';
    case 'unreadable-picture':
      return 'This picture could not be decoded on this device; try a JPEG or PNG.';
    case 'crashed':
      return 'The face reader stopped unexpectedly; try the picture again.';
    case 'cancelled':
      return 'Reading the faces was cancelled; analyze the picture again to read them.';
    default:
      return assertNever(code);
  }
}

/** The subset of Worker the client uses (a fake stands in for it in tests). */
export interface FaceWorkerLike {
  postMessage(message: FaceRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<FaceResponse>) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

/** The real face worker (a module worker, bundled by Vite). */
export function createFaceWorker(): FaceWorkerLike {
  return new Worker(new URL('./worker/face-worker.ts', import.meta.url), { type: 'module', name: 'face' });
}

/** Options of a read. */
export interface ReadOptions {
  /** Aborting rejects the read with FaceError `cancelled` and ends the worker. */
  readonly signal?: AbortSignal;
}

type RequestKind = FaceRequest['type'];
type RequestOf<K extends RequestKind> = Extract<FaceRequest, { readonly type: K }>;
/** What each kind of request resolves with. */
interface ValueOf {
  warm: FaceLoadInfo;
  read: FaceAnswer;
}
/** A reply that ends a request. */
type FinalReply = Extract<FaceResponse, { readonly type: 'warmed' | 'answer' }>;

const VALUE_OF: { readonly [K in RequestKind]: (reply: FinalReply) => { readonly value: ValueOf[K] } | null } = {
  warm: (reply) => (reply.type === 'warmed' ? { value: reply.load } : null),
  read: (reply) => (reply.type === 'answer' ? { value: reply.answer } : null),
};

interface Pending {
  answer(reply: FinalReply): void;
  fail(error: FaceError): void;
}

/** The worker and what the client knows of it. */
interface WorkerRecord {
  readonly worker: FaceWorkerLike;
  /** Its requests not answered yet. */
  readonly pending: Map<number, Pending>;
  /** It has posted a message, so its script loaded. */
  started: boolean;
}

/** Talks to the face worker; create one per page and keep it for the session. */
export class FaceClient {
  readonly #createWorker: () => FaceWorkerLike;
  #current: WorkerRecord | null = null;
  #nextId = 1;

  constructor(createWorker: () => FaceWorkerLike = createFaceWorker) {
    this.#createWorker = createWorker;
  }

  /** The faces of `picture` (the file as the user gave it: JPEG, PNG, WebP or GIF). */
  read(picture: Blob, options: ReadOptions = {}): Promise<FaceAnswer> {
    return this.#call('read', (id) => ({ type: 'read', id, picture }), options.signal);
  }

  /** Starts the worker and resolves once its models are loaded and warmed up. */
  async warm(): Promise<void> {
    await this.#call('warm', (id) => ({ type: 'warm', id }));
  }

  /** Ends the worker; reads still waiting reject with `cancelled`. */
  dispose(): void {
    if (this.#current) this.#fail(this.#current, new FaceError('cancelled', 'The face reader was closed.'));
  }

  #call<K extends RequestKind>(kind: K, make: (id: number) => RequestOf<NoInfer<K>>, signal?: AbortSignal): Promise<ValueOf[K]> {
    if (signal?.aborted) return Promise.reject(new FaceError('cancelled', 'The read was cancelled before it started.'));
    const record = this.#current ?? this.#start();
    const id = this.#nextId++;
    return new Promise<ValueOf[K]>((resolve, reject) => {
      const onAbort = () => this.#cancel(record, id);
      const done = () => signal?.removeEventListener('abort', onAbort);
      record.pending.set(id, {
        answer(reply) {
          done();
          const answer = VALUE_OF[kind](reply);
          if (answer) resolve(answer.value);
          else reject(new FaceError('crashed', `The worker answered a ${kind} request with ${reply.type}.`));
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
        // Not sent, so nothing will answer it.
        this.#take(record, id)?.fail(new FaceError('crashed', err instanceof Error ? err.message : String(err)));
      }
    });
  }

  #start(): WorkerRecord {
    const record: WorkerRecord = { worker: this.#createWorker(), pending: new Map(), started: false };
    record.worker.addEventListener('message', (event) => {
      record.started = true;
      this.#onMessage(record, event.data);
    });
    const crash = (event: Event) => {
      const detail = (event as Partial<ErrorEvent>).message;
      const message = typeof detail === 'string' && detail ? detail : `worker ${event.type} event`;
      // An error before the worker ever spoke means its script (or a file it needs) did not load.
      const code: FaceErrorCode = record.started || event.type === 'messageerror' ? 'crashed' : 'models-unavailable';
      this.#fail(record, new FaceError(code, message));
    };
    record.worker.addEventListener('error', crash);
    record.worker.addEventListener('messageerror', crash);
    this.#current = record;
    return record;
  }

  /** Ends the worker and rejects its pending requests; the next call starts a fresh worker. */
  #fail(record: WorkerRecord, error: FaceError): void {
    if (this.#current !== record) return; // already ended
    this.#current = null;
    record.worker.terminate();
    const pending = [...record.pending.values()];
    record.pending.clear();
    for (const p of pending) p.fail(error);
  }

  /** Cancels request `id` by ending its worker, so the worker's other requests end too. */
  #cancel(record: WorkerRecord, id: number): void {
    const cancelled = this.#take(record, id);
    if (!cancelled) return;
    this.#fail(record, new FaceError('cancelled', 'Another read on the face worker was cancelled.'));
    cancelled.fail(new FaceError('cancelled', 'The read was cancelled.'));
  }

  #take(record: WorkerRecord, id: number): Pending | undefined {
    const pending = record.pending.get(id);
    record.pending.delete(id);
    return pending;
  }

  #onMessage(record: WorkerRecord, message: FaceResponse): void {
    switch (message.type) {
      case 'ready':
        return;
      case 'warmed':
      case 'answer':
        this.#take(record, message.id)?.answer(message);
        return;
      case 'error': {
        const error = FaceError.fromData(message.error);
        this.#take(record, message.id)?.fail(error);
        // After an unexpected failure the worker's runtime may be unusable: the next call gets a new one.
        if (error.code === 'crashed') this.#fail(record, new FaceError('crashed', 'The face worker failed on another read.'));
        return;
      }
      default:
        assertNever(message);
    }
  }
}
