// Reactive state of the text analysis: the text, the model's download and load progress, a
// confirmation before a large download, the result, and errors as one sentence each.
import { describeModelError, toModelError } from '../domain/errors';
import type { EmotionClient } from '../ml/emotion-client';
import { configKey, type LoadPlan, type LoadProgress, type LoadedModelInfo, type TextResult } from '../ml/protocol';
import type { SettingsState } from './settings.svelte';

/** Where the unsent text survives a reload (sessionStorage in the app: it never leaves the tab). */
export interface DraftStore {
  load(): string;
  save(text: string): void;
}

/** A draft kept in sessionStorage; silently does nothing where storage is unavailable. */
export function sessionDraftStore(key = 'moodlens:draft'): DraftStore {
  return {
    load: () => {
      try {
        return sessionStorage.getItem(key) ?? '';
      } catch {
        return '';
      }
    },
    save: (text) => {
      try {
        if (text) sessionStorage.setItem(key, text);
        else sessionStorage.removeItem(key);
      } catch {
        // Storage full or blocked: the draft just is not kept.
      }
    },
  };
}

/** Downloads above this size wait for the user's go-ahead. */
export const LARGE_DOWNLOAD_BYTES = 5_000_000;

/** Where the analysis is. */
export type AnalyzerPhase = 'idle' | 'checking' | 'confirm' | 'loading' | 'analyzing' | 'done' | 'error';

/** The analysis view's state. */
export class AnalyzerState {
  readonly #client: EmotionClient;
  readonly #settings: SettingsState;
  /** Configs whose download the user already agreed to, or that are known to be loaded. */
  // Not shown anywhere, so deliberately not reactive.
  readonly #approved = new Set<string>();
  /** Config of the model the worker has loaded, if any. */
  #loadedKey: string | null = null;
  /** The background load started by preload(), while it runs. */
  #preloading: Promise<void> | null = null;

  #text = $state('');
  phase = $state<AnalyzerPhase>('idle');
  progress = $state.raw<LoadProgress | null>(null);
  /** Chunks of a long text classified so far (null until a second batch starts). */
  analysed = $state.raw<{ done: number; total: number } | null>(null);
  plan = $state.raw<LoadPlan | null>(null);
  result = $state.raw<TextResult | null>(null);
  /** The text the shown result belongs to. */
  analyzedText = $state('');
  model = $state.raw<LoadedModelInfo | null>(null);
  notices = $state.raw<readonly string[]>([]);
  error = $state<string | null>(null);
  errorDetail = $state<string | null>(null);

  readonly busy = $derived(this.phase === 'checking' || this.phase === 'loading' || this.phase === 'analyzing');
  /** Analyze can run: settings are loaded, there is text, and nothing else is under way. */
  get canAnalyze(): boolean {
    return this.#settings.loaded && this.text.trim().length > 0 && !this.busy && this.phase !== 'confirm';
  }

  readonly #draft: DraftStore;

  constructor(client: EmotionClient, settings: SettingsState, draft: DraftStore = { load: () => '', save: () => {} }) {
    this.#client = client;
    this.#settings = settings;
    this.#draft = draft;
    this.#text = draft.load();
  }

  /** The text being written; kept as a draft so a reload does not lose it. */
  get text(): string {
    return this.#text;
  }

  set text(value: string) {
    this.#text = value;
    this.#draft.save(value);
  }

  /** Runs the analysis; asks first when it would start a large download. */
  async analyze(): Promise<void> {
    if (!this.canAnalyze) return;
    this.error = null;
    this.errorDetail = null;
    this.notices = [];
    if (this.#preloading) {
      // The model is starting in the background: wait for it rather than queue behind it.
      this.phase = 'loading';
      this.progress = null;
      await this.#preloading;
    }
    const config = this.#settings.modelConfig;
    const key = configKey(config);
    if (!this.#approved.has(key)) {
      this.phase = 'checking';
      try {
        const plan = await this.#client.probe(config, { onNotice: (n) => this.#notice(n) });
        this.plan = plan;
        const large = plan.downloadBytes === null || plan.downloadBytes > LARGE_DOWNLOAD_BYTES;
        if (plan.files.some((f) => !f.cached) && large) {
          this.phase = 'confirm';
          return;
        }
      } catch (err) {
        this.#fail(err);
        return;
      }
    }
    await this.#classify(key);
  }

  /**
   * Loads the model in the background when all its files are already on this device, so the
   * first analysis after opening the app does not wait for the model to start (seconds for the
   * real one). Downloads nothing, shows nothing, and ignores failures: Analyze reports them.
   */
  preload(): Promise<void> {
    if (!this.#settings.loaded || this.busy || this.#preloading) return this.#preloading ?? Promise.resolve();
    const run = this.#preload().finally(() => (this.#preloading = null));
    this.#preloading = run;
    return run;
  }

  async #preload(): Promise<void> {
    const config = this.#settings.modelConfig;
    const key = configKey(config);
    if (this.#loadedKey === key) return;
    try {
      // Only the cache is consulted: opening the app must not contact the model host.
      const plan = await this.#client.probe(config, {}, { cachedOnly: true });
      if (plan.files.some((f) => !f.cached)) return;
      await this.#client.classifyMany(config, [], {
        onLoaded: (m) => {
          if (configKey(this.#settings.modelConfig) !== key) return;
          this.model = m;
          this.#loadedKey = key;
          this.#approved.add(key);
        },
      });
    } catch {
      // Analyze will run the same steps and explain what went wrong.
    }
  }

  /** The user agreed to the download shown in `plan`. */
  async confirmDownload(): Promise<void> {
    if (this.phase !== 'confirm') return;
    await this.#classify(configKey(this.#settings.modelConfig));
  }

  /** The user declined the download. */
  cancelDownload(): void {
    if (this.phase === 'confirm') this.phase = this.result ? 'done' : 'idle';
  }

  /** Forget what is known about loaded models (after the cache was cleared or settings changed). */
  forgetModels(): void {
    this.#approved.clear();
    this.#loadedKey = null;
    this.model = null;
  }

  async #classify(key: string): Promise<void> {
    const text = this.text;
    this.phase = this.#loadedKey === key ? 'analyzing' : 'loading';
    this.progress = null;
    this.analysed = null;
    try {
      const result = await this.#client.classify(this.#settings.modelConfig, text, {
        onProgress: (p) => {
          this.phase = 'loading';
          this.progress = p;
        },
        onNotice: (n) => this.#notice(n),
        onLoaded: (m) => {
          this.model = m;
          this.#loadedKey = key;
          this.#approved.add(key);
          this.phase = 'analyzing';
        },
        onAnalysing: (done, total) => {
          this.phase = 'analyzing';
          this.analysed = { done, total };
        },
      });
      this.#approved.add(key);
      this.result = result;
      this.analyzedText = text;
      this.phase = 'done';
    } catch (err) {
      this.#fail(err);
    }
  }

  #notice(text: string): void {
    if (!this.notices.includes(text)) this.notices = [...this.notices, text];
  }

  #fail(err: unknown): void {
    const error = toModelError(err);
    if (error.code === 'worker-crashed' || error.code === 'worker-start-failed') this.forgetModels();
    this.error = describeModelError(error);
    this.errorDetail = error.detail;
    // The last result belongs to another text (or another try): do not show it under this error.
    this.result = null;
    this.phase = 'error';
  }
}
