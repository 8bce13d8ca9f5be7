// The page's side of every worker, written once: requests by id with a promise each, replies that
// settle only their own request, progress and other non-final replies passed on, a cancel that
// stops only the request it was asked for, a worker that crashes or dies without a word (noticed
// through the Web Lock it holds) failing only its own requests, and a message that cannot be sent
// failing only itself. Workers are started when first needed; one can be retired (it finishes
// what it has, then ends) or recycled (retired, and a fresh one started at once).
//
// Each feature's client (text, faces, batch files) wraps one bridge with its own request types,
// errors and sentences; none of them keeps a pending map or listens for crashes itself.
import type { CancelMessage, Envelope, ReadyMessage } from './protocol';
import { errorDetail } from '../errors';

/** The part of Worker the bridge uses (tests hand in a fake). */
export interface WorkerPort<Req extends Envelope, Res extends Envelope> {
  postMessage(message: Req | CancelMessage, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<Res | ReadyMessage>) => void): void;
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

/** Why the bridge, not the worker, ended a request. */
export type BridgeFailure =
  /** The worker's script never ran (it failed before its first message). */
  | 'start-failed'
  /** The worker crashed, or ended without an error event (its lock was released). */
  | 'crashed'
  /** The request could not be posted (e.g. a value that cannot be cloned); the worker never saw it. */
  | 'not-sent'
  /** The caller cancelled it. */
  | 'cancelled'
  /** The worker answered with a reply of another kind than the request asked for. */
  | 'bad-reply';

/** How a cancelled request is stopped. */
export type CancelMode =
  /**
   * Tell the worker (`{ type: 'cancel', id }`) and settle the caller at once; the worker drops the
   * request or stops it at its next check. A worker that has not let go of it after
   * `cancelGraceMs` while nothing else waits on it is ended (it no longer answers).
   */
  | 'message'
  /** End the worker: for a worker that runs one task and nothing else. */
  | 'terminate';

export interface BridgeOptions<Req extends Envelope, Res extends Envelope, E extends Error, S> {
  /** Starts a worker. */
  create(): WorkerPort<Req, Res>;
  /** The error a request rejects with when the bridge ends it. */
  error(kind: BridgeFailure, detail: string): E;
  /** Whether `reply` ends its request. */
  isFinal(reply: Res): boolean;
  /** The error a final reply carries, or null when it carries a value. */
  failureOf(reply: Res): E | null;
  readonly cancel: CancelMode;
  /** What the owner keeps about each worker (e.g. what it has loaded); made when it starts. */
  state(): S;
  /** Every reply of a worker, before its request sees it (e.g. to note what it loaded). */
  onReply?(reply: Res, state: S): void;
  /** A worker ended (terminated by the bridge, or found dead); `error` when it failed. */
  onEnd?(state: S, error: E | null): void;
  watchLock?: LockWatcher;
  /** See `CancelMode`; 5 s unless set. */
  cancelGraceMs?: number;
  /** Timers (tests hand in fakes). */
  setTimeout?(fn: () => void, ms: number): unknown;
  clearTimeout?(handle: unknown): void;
}

/** What one request needs besides its message. */
export interface RequestOptions<Res, V> {
  /** The value a final reply carries, or null when it is the wrong kind of reply for this request. */
  settle(reply: Res): { readonly value: V } | null;
  /** Replies before the final one (progress and the like). */
  onReply?(reply: Res): void;
  /** Aborting settles the request with the `cancelled` error (see CancelMode). */
  signal?: AbortSignal;
  transfer?: Transferable[];
}

interface Pending<Res, E> {
  readonly onReply: ((reply: Res) => void) | undefined;
  /** Settles the request with its final reply. */
  settle(reply: Res): void;
  fail(error: E): void;
}

interface WorkerRecord<Req extends Envelope, Res extends Envelope, E, S> {
  readonly port: WorkerPort<Req, Res>;
  readonly state: S;
  readonly pending: Map<number, Pending<Res, E>>;
  /** Requests cancelled by message that the worker has not let go of yet, with their timers. */
  readonly cancelling: Map<number, unknown>;
  /** It takes no new requests and ends once `pending` is empty. */
  retiring: boolean;
  /** It has posted a message, so its script runs. */
  started: boolean;
}

/** One feature's workers, seen from the page. */
export class WorkerBridge<Req extends Envelope, Res extends Envelope, E extends Error, S = undefined> {
  readonly #options: BridgeOptions<Req, Res, E, S>;
  #current: WorkerRecord<Req, Res, E, S> | null = null;
  /** Every worker not ended yet: the current one and those retiring. */
  readonly #workers = new Set<WorkerRecord<Req, Res, E, S>>();
  #nextId = 1;

  constructor(options: BridgeOptions<Req, Res, E, S>) {
    this.#options = options;
  }

  /** What the owner keeps about the worker new requests go to; null when none runs. */
  get current(): S | null {
    return this.#current?.state ?? null;
  }

  /** True when the current worker has no request in hand (or none runs). */
  get idle(): boolean {
    return (this.#current?.pending.size ?? 0) === 0;
  }

  /** Starts the worker ahead of the first request (its code loads while the page does). */
  warm(): S {
    return (this.#current ?? this.#start()).state;
  }

  /** Sends a request to the current worker (started if needed); resolves with what its final reply carries. */
  request<V>(make: (id: number) => Req, options: RequestOptions<Res, V>): Promise<V> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(this.#options.error('cancelled', 'The request was cancelled before it started.'));
    const record = this.#current ?? this.#start();
    const id = this.#nextId++;
    return new Promise<V>((resolve, reject) => {
      const onAbort = () => this.#cancel(record, id);
      const done = () => signal?.removeEventListener('abort', onAbort);
      record.pending.set(id, {
        onReply: options.onReply,
        settle: (reply) => {
          done();
          const failure = this.#options.failureOf(reply);
          if (failure) return reject(failure);
          const answer = options.settle(reply);
          if (answer) resolve(answer.value);
          else reject(this.#options.error('bad-reply', `The worker answered request ${id} with ${reply.type}.`));
        },
        fail: (error) => {
          done();
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        record.port.postMessage(make(id), options.transfer ?? []);
      } catch (err) {
        // Never sent, so nothing will answer it; the worker itself is fine.
        this.#take(record, id)?.fail(this.#options.error('not-sent', errorDetail(err)));
      }
    });
  }

  /** New requests go to a new worker; the current one finishes what it has, then ends. */
  retire(): void {
    const record = this.#current;
    if (!record) return;
    record.retiring = true;
    this.#current = null;
    if (record.pending.size === 0) this.#end(record, null);
  }

  /** Retires the current worker and starts its successor at once (while the page is still online). */
  recycle(): void {
    const had = this.#current !== null;
    this.retire();
    if (had) this.#start();
  }

  /** Ends every worker; their pending requests fail with `error`. */
  dispose(error: E): void {
    for (const record of [...this.#workers]) this.#fail(record, error);
  }

  #start(): WorkerRecord<Req, Res, E, S> {
    const record: WorkerRecord<Req, Res, E, S> = {
      port: this.#options.create(),
      state: this.#options.state(),
      pending: new Map(),
      cancelling: new Map(),
      retiring: false,
      started: false,
    };
    record.port.addEventListener('message', (event) => {
      record.started = true;
      this.#onMessage(record, event.data);
    });
    const crash = (event: Event) => {
      // The page says what happened; the browser need not log it as uncaught too.
      event.preventDefault?.();
      const detail = (event as Partial<ErrorEvent>).message;
      const message = typeof detail === 'string' && detail ? detail : `worker ${event.type} event`;
      // An error before the worker ever spoke means its script (or a file it imports) did not load.
      const kind: BridgeFailure = record.started || event.type === 'messageerror' ? 'crashed' : 'start-failed';
      this.#fail(record, this.#options.error(kind, message));
    };
    record.port.addEventListener('error', crash);
    record.port.addEventListener('messageerror', crash);
    this.#workers.add(record);
    this.#current = record;
    return record;
  }

  #onMessage(record: WorkerRecord<Req, Res, E, S>, message: Res | ReadyMessage): void {
    if (isReady(message)) {
      if (message.lock) {
        const watch = this.#options.watchLock ?? webLockWatcher;
        watch(message.lock, () => this.#fail(record, this.#options.error('crashed', 'The worker ended without an error event.')));
      }
      return;
    }
    if (!this.#workers.has(record)) return;
    this.#options.onReply?.(message, record.state);
    const final = this.#options.isFinal(message);
    if (final && record.cancelling.has(message.id)) {
      // The worker has let go of a request cancelled earlier.
      this.#clearTimer(record.cancelling.get(message.id));
      record.cancelling.delete(message.id);
      this.#endIfIdle(record);
      return;
    }
    const pending = record.pending.get(message.id);
    if (!pending) return;
    if (final) this.#take(record, message.id)?.settle(message);
    else pending.onReply?.(message);
  }

  /** Ends a worker; its pending requests fail with `error`. The other workers carry on. */
  #fail(record: WorkerRecord<Req, Res, E, S>, error: E): void {
    if (!this.#workers.has(record)) return;
    const pending = [...record.pending.values()];
    record.pending.clear();
    this.#end(record, error);
    for (const p of pending) p.fail(error);
  }

  #end(record: WorkerRecord<Req, Res, E, S>, error: E | null): void {
    if (!this.#workers.delete(record)) return;
    if (this.#current === record) this.#current = null;
    for (const timer of record.cancelling.values()) this.#clearTimer(timer);
    record.cancelling.clear();
    record.port.terminate();
    this.#options.onEnd?.(record.state, error);
  }

  #cancel(record: WorkerRecord<Req, Res, E, S>, id: number): void {
    const cancelled = this.#take(record, id, false);
    if (!cancelled) return;
    if (this.#options.cancel === 'terminate') {
      this.#fail(record, this.#options.error('cancelled', 'Another request on this worker was cancelled.'));
    } else if (this.#workers.has(record)) {
      try {
        record.port.postMessage({ type: 'cancel', id });
        const set = this.#options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
        record.cancelling.set(id, set(() => this.#unanswered(record, id), this.#options.cancelGraceMs ?? 5000));
      } catch {
        // A worker that cannot take a message cannot be asked to stop.
        this.#end(record, null);
      }
    }
    cancelled.fail(this.#options.error('cancelled', 'The request was cancelled.'));
    this.#endIfIdle(record);
  }

  /** The worker still runs a cancelled request after the grace period: end it if no one else waits. */
  #unanswered(record: WorkerRecord<Req, Res, E, S>, id: number): void {
    if (!record.cancelling.delete(id)) return;
    if (record.pending.size === 0) this.#end(record, null);
  }

  #take(record: WorkerRecord<Req, Res, E, S>, id: number, endIfIdle = true): Pending<Res, E> | undefined {
    const pending = record.pending.get(id);
    if (!pending) return undefined;
    record.pending.delete(id);
    if (endIfIdle) this.#endIfIdle(record);
    return pending;
  }

  /** A retiring worker ends once it holds nothing: no request, no cancel still running. */
  #endIfIdle(record: WorkerRecord<Req, Res, E, S>): void {
    if (record.retiring && record.pending.size === 0 && record.cancelling.size === 0) this.#end(record, null);
  }

  #clearTimer(handle: unknown): void {
    (this.#options.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)))(handle);
  }
}

function isReady(message: Envelope): message is ReadyMessage {
  return message.type === 'ready' && message.id === 0;
}

