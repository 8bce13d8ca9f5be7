// What every worker protocol shares: requests and replies carry an id (replies echo their
// request's), a worker says `ready` once its script runs (with the Web Lock it holds for as long
// as it lives), and the page may ask it to drop a request with `cancel`. Each worker adds its own
// request and reply types on top (features/<name>/protocol.ts).

/** Any request or reply: `type` decides the payload, `id` ties a reply to its request. */
export interface Envelope {
  readonly type: string;
  readonly id: number;
}

/** Worker -> page, once, when the worker's script has loaded. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly id: 0;
  /** A Web Lock the worker holds while it lives; its release means the worker is gone. */
  readonly lock?: string;
}

/**
 * Page -> worker: drop request `id`. A queued request is answered `cancelled` without running; a
 * running one sees its AbortSignal aborted and stops at its next check (between batches, frames,
 * rows), so the worker and whatever else it holds (a loaded model, other callers' requests) go on.
 */
export interface CancelMessage {
  readonly type: 'cancel';
  readonly id: number;
}

/** Makes a switch over a union exhaustive at compile time. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
