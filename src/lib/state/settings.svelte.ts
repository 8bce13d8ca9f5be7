// Reactive settings: the current values, applied at once and persisted in order.
import { DEFAULT_SETTINGS, sourceOf, type Settings } from '../domain/settings';
import type { ModelConfig } from '../ml/protocol';
import type { SettingsStore } from '../storage/settings-store';

/** Settings state; `load()` once at start-up, then `update()` on every change. */
export class SettingsState {
  readonly #store: SettingsStore;
  #writes: Promise<void> = Promise.resolve();
  current = $state.raw<Settings>(DEFAULT_SETTINGS);
  loaded = $state(false);
  saveStatus = $state<'idle' | 'saving' | 'saved' | 'failed'>('idle');

  constructor(store: SettingsStore) {
    this.#store = store;
  }

  /** What the emotion worker should load under the current settings. */
  readonly modelConfig: ModelConfig = $derived({ source: sourceOf(this.current), device: this.current.device });

  async load(): Promise<void> {
    this.current = await this.#store.load();
    this.loaded = true;
  }

  /** Applies a change now and persists it after any earlier write. */
  update(patch: Partial<Omit<Settings, 'schemaVersion'>>): Promise<void> {
    this.current = { ...this.current, ...patch };
    const snapshot = this.current;
    this.saveStatus = 'saving';
    this.#writes = this.#writes
      .then(() => this.#store.save(snapshot))
      .then(
        () => {
          if (this.current === snapshot) this.saveStatus = 'saved';
        },
        () => {
          this.saveStatus = 'failed';
        },
      );
    return this.#writes;
  }
}
