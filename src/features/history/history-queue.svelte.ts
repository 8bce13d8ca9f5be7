// The history store, opened once, and the one queue every store action goes through (save, tags,
// delete, undo, clear, import, export), so each sees the outcome of the one before and writes land
// in the order they were asked for. It also tells the app's other tabs when the store changed.
import type { HistoryStore } from './history-store';

/** The store behind History and the order its actions run in. */
export class HistoryQueue {
  readonly #openStore: () => Promise<HistoryStore>;
  readonly #channel: BroadcastChannel | null;
  #store: HistoryStore | null = null;
  /** The store being opened, so an action started meanwhile waits for it; dropped on failure. */
  #opening: Promise<HistoryStore> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #persistent = $state(true);

  /**
   * @param channelName BroadcastChannel shared by the app's tabs; null for none (tests).
   * @param onOtherTab Called when another tab changed the store.
   */
  constructor(openStore: () => Promise<HistoryStore>, channelName: string | null, onOtherTab: () => void) {
    this.#openStore = openStore;
    this.#channel = channelName && typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(channelName) : null;
    this.#channel?.addEventListener('message', onOtherTab);
  }

  /** False when the store is the in-memory stand-in. */
  get persistent(): boolean {
    return this.#persistent;
  }

  /** The store if it is open, without opening it. */
  get opened(): HistoryStore | null {
    return this.#store;
  }

  /** The store, opening it once; a failed open is not kept, so the next call tries again. */
  store(): Promise<HistoryStore> {
    if (this.#store) return Promise.resolve(this.#store);
    this.#opening ??= this.#openStore().then(
      (store) => {
        this.#store = store;
        this.#persistent = store.persistent;
        return store;
      },
      (err: unknown) => {
        this.#opening = null;
        throw err;
      },
    );
    return this.#opening;
  }

  /** Runs `task` after every task queued before it; a task that fails does not stop the queue. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Tells the other tabs the store changed. */
  announce(): void {
    this.#channel?.postMessage({ type: 'changed' });
  }

  /** Stops listening to other tabs. */
  dispose(): void {
    this.#channel?.close();
  }
}
