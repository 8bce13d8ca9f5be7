// What a feature's client keeps of the models its worker holds, the same for the face and voice
// clients: who to tell when that may have changed, the idle countdown around requests (models
// unused for IDLE_UNLOAD_MS are let go), and the release that ends the worker to free its memory.
import { IDLE_UNLOAD_MS, IdleCountdown } from './idle';

/** The parts of a WorkerBridge the hold uses. */
interface Retirable {
  /** No request is waiting on the current worker. */
  readonly idle: boolean;
  /** Ends the current worker once its requests are answered; the next request starts a new one. */
  retire(): void;
}

export class ModelHold {
  readonly #bridge: () => Retirable;
  readonly #loaded: () => boolean;
  readonly #idle: IdleCountdown;
  readonly #listeners = new Set<() => void>();

  /** `bridge` is asked when needed (a client builds its bridge after its hold); `loaded`: whether the worker holds the models. */
  constructor(bridge: () => Retirable, loaded: () => boolean, idleUnloadMs: number = IDLE_UNLOAD_MS) {
    this.#bridge = bridge;
    this.#loaded = loaded;
    this.#idle = new IdleCountdown(idleUnloadMs, () => {
      if (this.#bridge().idle) this.release();
    });
  }

  /** Calls `listener` whenever what is loaded may have changed; returns the unsubscribe. */
  onLoadedChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells the listeners. */
  changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Ends the worker that holds the models (after the requests it has); false when none is loaded. */
  release(): boolean {
    if (!this.#loaded()) return false;
    this.#idle.stop();
    this.#bridge().retire();
    this.changed();
    return true;
  }

  /** Every request stops the countdown; once the last settles (the models held) it starts again. */
  track<V>(request: Promise<V>): Promise<V> {
    this.#idle.stop();
    const after = () => {
      if (this.#bridge().idle && this.#loaded()) this.#idle.restart();
    };
    request.then(after, after);
    return request;
  }

  /** No countdown any more (the client is closed). */
  stop(): void {
    this.#idle.stop();
  }
}
