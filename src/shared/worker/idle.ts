// A countdown that lets go of a worker's models once nothing used them for a while: the feature's
// client restarts it when its last request settles and stops it when a request starts. A worker's
// wasm memory never shrinks, so what the countdown does at its end is end the worker.

/** Models unused this long are unloaded to free memory; they reload from the cache on demand. */
export const IDLE_UNLOAD_MS = 10 * 60_000;

export class IdleCountdown {
  readonly #ms: number;
  readonly #onIdle: () => void;
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** `ms` 0 or less: never fires. */
  constructor(ms: number, onIdle: () => void) {
    this.#ms = ms;
    this.#onIdle = onIdle;
  }

  /** The idle time as the page says it: "10 minutes", "1 minute", or seconds under a minute. */
  get spoken(): string {
    if (this.#ms < 60_000) return `${Math.max(1, Math.round(this.#ms / 1000))} s`;
    const minutes = Math.round(this.#ms / 60_000);
    return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  }

  /** Starts (or starts again) the countdown. */
  restart(): void {
    this.stop();
    if (this.#ms <= 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#onIdle();
    }, this.#ms);
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
