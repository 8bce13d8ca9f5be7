// The worker's side of the plumbing in bridge.ts, written once for every worker: it holds a Web
// Lock for the worker's whole life and says `ready` (the page watches the lock, so a worker the
// browser kills is noticed), gives each request an AbortSignal, and aborts it when the page sends
// `cancel`. What a request does, and when it checks its signal, is the feature's handler.
import type { CancelMessage, Envelope, ReadyMessage } from './protocol';

/** The part of a worker's global scope this uses (tests hand in a fake). */
export interface WorkerScope<Req extends Envelope> {
  addEventListener(type: 'message', listener: (event: MessageEvent<Req | CancelMessage>) => void): void;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  readonly navigator: { readonly locks?: LockManager };
}

/** Handles one request; `signal` is aborted when the page cancels it. Never rejects. */
export type RequestHandler<Req extends Envelope> = (request: Req, signal: AbortSignal) => void | Promise<void>;

/**
 * Feeds `scope`'s messages to `handle`, one AbortController per request id, and announces the
 * worker (`ready`, with its life lock named after `name`).
 */
export function serveWorker<Req extends Envelope>(scope: WorkerScope<Req>, name: string, handle: RequestHandler<Req>): void {
  const controllers = new Map<number, AbortController>();
  scope.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'cancel') {
      controllers.get(message.id)?.abort();
      return;
    }
    const request = message as Req;
    const controller = new AbortController();
    controllers.set(request.id, controller);
    void Promise.resolve()
      .then(() => handle(request, controller.signal))
      .finally(() => controllers.delete(request.id));
  });
  holdLifeLock(scope, name);
}

/**
 * Holds a Web Lock for the worker's whole life: the browser releases it when the worker ends in
 * any way (closed, killed for memory, crashed), which a page cannot otherwise notice.
 */
function holdLifeLock(scope: WorkerScope<Envelope>, name: string): void {
  const locks = scope.navigator.locks;
  if (!locks) {
    scope.postMessage({ type: 'ready', id: 0 } satisfies ReadyMessage);
    return;
  }
  const lock = `moodlens-${name}-worker-${crypto.randomUUID()}`;
  void locks.request(lock, () => {
    scope.postMessage({ type: 'ready', id: 0, lock } satisfies ReadyMessage);
    return new Promise<never>(() => undefined);
  });
}
