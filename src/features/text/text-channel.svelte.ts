// The text channel: the model's download and load progress, a confirmation before a large
// download, Cancel, and failures as one sentence each (the text itself is an input:
// analysis/inputs.svelte.ts). It answers a
// run with an outcome (result, failure or cancellation) and keeps no result of its own: what the
// page shows about an analysis comes from the run (run.svelte.ts).
import type { EmotionScores } from '../../shared/emotions';
import { DownloadAnswer, asksFirst } from '../../shared/download-question';
import { describeModelError, toModelError } from './model-errors';
import type { ChannelOutcome, TextChannelResult } from '../analysis/run';
import type { EmotionClient } from './emotion-client';
import { groupSentences, splitSentences } from './chunking';
import { wordSpans, type Explanation } from './explain';
import { configKey, type LoadPlan, type LoadProgress, type LoadedModelInfo, type TextPiece, type TextResult } from './protocol';
import type { SettingsState } from '../settings/settings.svelte';

/** Pieces a text's breakdown shows at most. */
export const MAX_PIECES = 60;

/** Downloads above this size wait for the user's go-ahead. */

/** Where the text channel is. */
export type TextPhase = 'idle' | 'checking' | 'confirm' | 'loading' | 'analyzing' | 'done' | 'error';

type TextOutcome = ChannelOutcome<TextChannelResult>;

const CANCELLED: TextOutcome = { status: 'cancelled', message: 'The text analysis was cancelled.' };
/** The user answered "no" to the download question (Cancel while it is asked is CANCELLED). */
const DECLINED: TextOutcome = { status: 'cancelled', message: 'The model download was declined, so the text was not analyzed.' };

/** The text channel's state. */
export class TextChannelState {
  readonly #client: EmotionClient;
  readonly #settings: SettingsState;
  /**
   * Configs whose download the user agreed to in this session (what a worker has loaded is the
   * client's to know: EmotionClient.isLoaded). Not shown anywhere, so deliberately not reactive.
   */
  readonly #approved = new Set<string>();
  /** The background load started by preload(), while it runs, and how to stop it. */
  #preloading: Promise<void> | null = null;
  #preloadController: AbortController | null = null;
  /** The analysis under way, and how to stop it. */
  #controller: AbortController | null = null;
  /** Answers the download question the user is being asked. */
  readonly #answer = new DownloadAnswer();

  #phase = $state<TextPhase>('idle');
  #progress = $state.raw<LoadProgress | null>(null);
  #analyzed = $state.raw<{ done: number; total: number } | null>(null);
  #plan = $state.raw<LoadPlan | null>(null);
  #model = $state.raw<LoadedModelInfo | null>(null);
  /** The config whose files were last found all on this device (or loaded): nothing to download. */
  #onDeviceKey = $state<string | null>(null);
  #notices = $state.raw<readonly string[]>([]);
  #error = $state<string | null>(null);
  #errorDetail = $state<string | null>(null);
  /** The last text whose sentences were read one by one, and what they read (null: could not). */
  #sentences = $state.raw<{ readonly text: string; readonly pieces: readonly TextPiece[] | null } | null>(null);
  /** The explanation shown, the one under way (progress), or why there is none. */
  #explanation = $state.raw<Explanation | null>(null);
  #explaining = $state.raw<{ readonly text: string; readonly done: number; readonly total: number } | null>(null);
  #explainMessage = $state<string | null>(null);
  #explainController: AbortController | null = null;

  constructor(client: EmotionClient, settings: SettingsState) {
    this.#client = client;
    this.#settings = settings;
    // What is loaded can change under this state (a batch's request recycled the worker, a
    // worker crashed): the ready line follows the client, the one owner of that knowledge.
    client.onLoadedChange(() => {
      this.#model = this.#client.loadedModel(this.#settings.modelConfig);
    });
  }

  get phase(): TextPhase {
    return this.#phase;
  }
  /** Download and start-up progress while the model loads. */
  get progress(): LoadProgress | null {
    return this.#progress;
  }
  /** Chunks of a long text read so far (null until a second batch starts). */
  get analyzed(): { done: number; total: number } | null {
    return this.#analyzed;
  }
  /** What the pending download would fetch, while the user is asked. */
  get plan(): LoadPlan | null {
    return this.#plan;
  }
  /** The model the worker has loaded, once known. */
  get model(): LoadedModelInfo | null {
    return this.#model;
  }
  /**
   * True once the configured model is known to be on this device (every file cached, or loaded),
   * so the page need not talk about downloading it.
   */
  get modelOnDevice(): boolean {
    return this.#onDeviceKey === configKey(this.#settings.modelConfig);
  }
  get notices(): readonly string[] {
    return this.#notices;
  }
  /** The last failure as one sentence, and its technical detail. */
  get error(): string | null {
    return this.#error;
  }
  get errorDetail(): string | null {
    return this.#errorDetail;
  }
  /** The sentences of the last text read one by one (readSentences), or null. */
  get sentences(): { readonly text: string; readonly pieces: readonly TextPiece[] | null } | null {
    return this.#sentences;
  }
  /** The last explanation (of `explanation.text`), or null. */
  get explanation(): Explanation | null {
    return this.#explanation;
  }
  /** The explanation under way: of which text, and how far; null when none runs. */
  get explaining(): { readonly text: string; readonly done: number; readonly total: number } | null {
    return this.#explaining;
  }
  /** Why the last explanation did not come (cancelled, failed), or null. */
  get explainMessage(): string | null {
    return this.#explainMessage;
  }
  /** Working, or waiting for the user's answer about a download. */
  get busy(): boolean {
    return this.#phase === 'checking' || this.#phase === 'loading' || this.#phase === 'analyzing' || this.#phase === 'confirm';
  }

  /**
   * Reads `text`; asks first when that would start a large download, and settles once the user
   * answered. Never rejects: a failure or a cancel is the outcome.
   */
  async analyze(text: string): Promise<TextOutcome> {
    if (this.busy) return { status: 'failed', message: 'The text channel is still busy with another analysis.' };
    const controller = new AbortController();
    this.#controller = controller;
    this.#error = null;
    this.#errorDetail = null;
    this.#notices = [];
    this.#analyzed = null;
    try {
      if (this.#preloading) {
        // The model is starting in the background: wait for it rather than queue behind it, and
        // show how far it got (the preload keeps its progress).
        this.#phase = 'loading';
        await this.#preloading;
      }
      if (controller.signal.aborted) return this.#cancelled();
      const config = this.#settings.modelConfig;
      const key = configKey(config);
      if (!this.#approved.has(key) && !this.#client.isLoaded(config)) {
        this.#phase = 'checking';
        const plan = await this.#client.probe(config, { onNotice: (n) => this.#notice(n) }, { signal: controller.signal });
        this.#plan = plan;
        if (plan.files.every((f) => f.cached)) this.#onDeviceKey = key;
        if (asksFirst(plan)) {
          this.#phase = 'confirm';
          const download = await this.#answer.wait();
          if (controller.signal.aborted) return this.#cancelled();
          if (!download) {
            this.#phase = 'idle';
            return DECLINED;
          }
          if (controller.signal.aborted) return this.#cancelled();
        }
      }
      const result = await this.#classify(key, text, controller.signal);
      this.#phase = 'done';
      return { status: 'done', result };
    } catch (err) {
      const error = toModelError(err);
      if (error.code === 'cancelled') return this.#cancelled();
      if (error.code === 'worker-crashed' || error.code === 'worker-start-failed') this.forgetModels();
      this.#error = describeModelError(error);
      this.#errorDetail = error.detail;
      this.#phase = 'error';
      return { status: 'failed', message: this.#error };
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** The user agreed to the download shown in `plan`. */
  confirmDownload(): void {
    this.#answer.yes();
  }

  /** The user declined the download: the text is not analyzed in this run. */
  declineDownload(): void {
    this.#answer.no();
  }

  /**
   * Stops the analysis or download under way, and only that: the worker drops the request (or
   * stops it between two batches, or stops downloading), and keeps its model and anything else it
   * runs (a batch); whole files already downloaded stay.
   */
  cancel(): void {
    this.#controller?.abort();
    this.#preloadController?.abort();
    this.#answer.no();
  }

  /** Not part of the next run: no status, no error left from an earlier one. */
  reset(): void {
    if (this.busy) return;
    this.#phase = 'idle';
    this.#error = null;
    this.#errorDetail = null;
    this.#notices = [];
  }

  /**
   * Loads the model in the background when all its files are already on this device, so the
   * first analysis after opening the app does not wait for the model to start (seconds for the
   * real one). Downloads nothing, shows nothing, and ignores failures: Analyze reports them.
   */
  preload(): Promise<void> {
    if (!this.#settings.loaded || this.busy || this.#preloading) return this.#preloading ?? Promise.resolve();
    const controller = new AbortController();
    this.#preloadController = controller;
    this.#progress = null;
    const run = this.#preload(controller.signal).finally(() => {
      this.#preloading = null;
      this.#preloadController = null;
    });
    this.#preloading = run;
    return run;
  }

  async #preload(signal: AbortSignal): Promise<void> {
    const config = this.#settings.modelConfig;
    const key = configKey(config);
    if (this.#client.isLoaded(config)) return;
    try {
      // Only the cache is consulted: opening the app must not contact the model host.
      const plan = await this.#client.probe(config, {}, { cachedOnly: true, signal });
      if (plan.files.some((f) => !f.cached)) return;
      this.#onDeviceKey = key;
      await this.#client.classifyMany(
        config,
        [],
        {
          // Shown only if an analysis comes to wait for this load.
          onProgress: (p) => {
            this.#progress = p;
          },
          onLoaded: (m) => {
            if (configKey(this.#settings.modelConfig) !== key) return;
            this.#loaded(key, m);
          },
        },
        { signal },
      );
    } catch {
      // Analyze will run the same steps and explain what went wrong.
    }
  }

  /**
   * How a text read in one piece moves: each sentence (at most MAX_PIECES, consecutive sentences
   * grouped beyond that) read on its own, in one batched request; `sentences` holds the answer
   * (null pieces for a single sentence, or when the model cannot read them now). Only with the
   * model already loaded: it never starts one (the worker refuses to, `ifLoaded`). The worker
   * caches what it read, so asking again costs nothing.
   */
  async readSentences(text: string): Promise<void> {
    if (this.#sentences?.text === text) return;
    const pieces = await this.#readSentences(text);
    this.#sentences = { text, pieces };
  }

  async #readSentences(text: string): Promise<TextPiece[] | null> {
    const sentences = groupSentences(splitSentences(text), MAX_PIECES);
    const config = this.#settings.modelConfig;
    if (sentences.length < 2 || !this.#client.isLoaded(config)) return null;
    try {
      const results = await this.#client.classifyMany(config, sentences, {}, { ifLoaded: true });
      return results.map((r, i) => ({ text: sentences[i]!, scores: r.scores }));
    } catch {
      return null;
    }
  }

  /**
   * Reads each of `texts` on its own (a recording's segments), in one batched request. Only after
   * this channel read a text in the same run: its model is then approved and on this device (the
   * worker may have moved it to a fresh worker since, which reloads it from the cache). An empty
   * text reads as null; null for all when they cannot be read now. Never rejects.
   */
  async readTexts(texts: readonly string[]): Promise<Array<EmotionScores | null> | null> {
    const filled = texts.flatMap((t, i) => (t.trim() ? [{ text: t.trim(), i }] : []));
    const out: Array<EmotionScores | null> = texts.map(() => null);
    if (filled.length === 0) return out;
    try {
      const results = await this.#client.classifyMany(
        this.#settings.modelConfig,
        filled.map((f) => f.text),
      );
      results.forEach((r, k) => (out[filled[k]!.i] = r.scores));
      return out;
    } catch {
      return null;
    }
  }

  /**
   * Explains `text` word by word with the loaded model (leave-one-word-out, in the worker):
   * `explaining` shows the progress, `explanation` the answer, `explainMessage` why there is
   * none. A new explanation replaces one under way. Never rejects.
   */
  async explain(text: string): Promise<void> {
    this.#explainController?.abort();
    const controller = new AbortController();
    this.#explainController = controller;
    this.#explainMessage = null;
    this.#explaining = { text, done: 0, total: wordSpans(text).length + 1 };
    const onAnalyzing = (done: number, total: number) => {
      if (this.#explainController === controller) this.#explaining = { text, done, total };
    };
    let message: string | null = null;
    let explanation: Explanation | null = null;
    try {
      explanation = await this.#client.explain(this.#settings.modelConfig, text, { onAnalyzing }, { signal: controller.signal });
    } catch (err) {
      const error = toModelError(err);
      if (error.code === 'cancelled' || controller.signal.aborted) message = 'The explanation was cancelled.';
      else {
        if (error.code === 'worker-crashed' || error.code === 'worker-start-failed') this.forgetModels();
        message = describeModelError(error);
      }
    }
    // A newer explanation took over: the state is its to set.
    if (this.#explainController !== controller) return;
    this.#explainController = null;
    this.#explaining = null;
    if (explanation) this.#explanation = explanation;
    else this.#explainMessage = message;
  }

  /** Stops the explanation under way (only it: the model and any batch go on). */
  cancelExplain(): void {
    this.#explainController?.abort();
  }

  /** Forget what is known about loaded models (after the cache was cleared or settings changed). */
  forgetModels(): void {
    this.#approved.clear();
    this.#onDeviceKey = null;
    this.#model = this.#client.loadedModel(this.#settings.modelConfig);
  }

  async #classify(key: string, text: string, signal: AbortSignal): Promise<TextChannelResult> {
    this.#phase = this.#client.isLoaded(this.#settings.modelConfig) ? 'analyzing' : 'loading';
    this.#progress = null;
    const result: TextResult = await this.#client.classify(
      this.#settings.modelConfig,
      text,
      {
        onProgress: (p) => {
          this.#phase = 'loading';
          this.#progress = p;
        },
        onNotice: (n) => this.#notice(n),
        onLoaded: (m) => {
          this.#loaded(key, m);
          this.#phase = 'analyzing';
        },
        onAnalyzing: (done, total) => {
          this.#phase = 'analyzing';
          this.#analyzed = { done, total };
        },
      },
      { signal },
    );
    this.#approved.add(key);
    const { top: _top, topScore: _topScore, ...rest } = result;
    return rest;
  }

  #loaded(key: string, model: LoadedModelInfo): void {
    this.#model = model;
    this.#onDeviceKey = key;
    this.#approved.add(key);
  }

  #cancelled(): TextOutcome {
    // Back to where the page was before the analysis. A load cut short replaced its worker: the
    // model starts again in the background when all its files are here (preload downloads nothing).
    this.#phase = 'idle';
    this.#progress = null;
    this.#analyzed = null;
    queueMicrotask(() => void this.preload());
    return CANCELLED;
  }

  #notice(text: string): void {
    if (!this.#notices.includes(text)) this.#notices = [...this.#notices, text];
  }
}
