// The model this worker holds: loaded once per config and reused, a failed load forgotten (the
// next request starts afresh), and what is kept for it (results, explanations), dropped with it.
// A run that fails with anything but a ModelError drops the model too: the runtime may be unusable.
import { errorDetail } from '../../../shared/errors';
import type { Explanation } from '../explain';
import { ModelError } from '../model-errors';
import { configKey, type KeptResults, type ModelConfig, type TextResult } from '../protocol';
import { ResultCache, classifyTexts } from './classify';
import { ExplanationCache, leaveOneWordOut } from './explain-text';
import { cancelled } from './failures';
import { loadModel } from './model-load';
import type { HandlerIo, LoadedModel } from './runtime';

/** The settling run's text (settle()): about as long as a short post. */
export const SETTLE_TEXT = 'Settling the model in, with a text about as long as a short post that people write.';

export class ModelSession {
  readonly #io: HandlerIo;
  readonly #onLoadFailed: () => void;
  #current: LoadedModel | null = null;
  /** The model loaded by the last load, until its settling run (settle()). */
  #unsettled: LoadedModel | null = null;
  readonly #results = new ResultCache();
  readonly #explanations = new ExplanationCache();
  /** What the page handed over for a model (KeptResults), taken in once that model is loaded. */
  #offered: { readonly key: string; readonly kept: KeptResults } | null = null;

  /** `onLoadFailed` is called when a model load started and failed (see model-load.ts). */
  constructor(io: HandlerIo, onLoadFailed: () => void) {
    this.#io = io;
    this.#onLoadFailed = onLoadFailed;
  }

  /**
   * Classifies texts with the model of `config`, loading it first unless `ifLoaded` (then a
   * model not loaded is an error).
   */
  async classify(id: number, config: ModelConfig, texts: readonly string[], signal: AbortSignal, ifLoaded = false): Promise<TextResult[]> {
    if (ifLoaded && this.#current?.key !== configKey(config)) throw new ModelError('not-loaded', 'The model is not loaded, and this request may not load it.');
    const loaded = await this.#ensure(id, config, signal);
    if (signal.aborted) throw cancelled();
    return this.#guarded(loaded, () => classifyTexts(this.#io, id, loaded, texts, signal, this.#results));
  }

  /** Explains a text with the model of `config` (leave-one-word-out), or answers the kept explanation. */
  async explain(id: number, config: ModelConfig, text: string, signal: AbortSignal): Promise<Explanation> {
    const loaded = await this.#ensure(id, config, signal);
    if (signal.aborted) throw cancelled();
    const known = this.#explanations.get(text);
    if (known) return known;
    const explanation = await leaveOneWordOut(text, (texts) => this.#guarded(loaded, () => classifyTexts(this.#io, id, loaded, texts, signal, this.#results, false)));
    this.#explanations.set(text, explanation);
    return explanation;
  }

  /**
   * What an earlier worker kept for `config`'s model: remembered now if that model is loaded,
   * else once it is (a load of another model forgets it).
   */
  offer(config: ModelConfig, kept: KeptResults): void {
    this.#offered = { key: configKey(config), kept };
    if (this.#current?.key === this.#offered.key) this.#takeOffered();
  }

  #takeOffered(): void {
    const offered = this.#offered;
    this.#offered = null;
    if (!offered || offered.key !== this.#current?.key) return;
    for (const [text, result] of offered.kept.results) this.#results.remember(text, result);
    for (const [text, explanation] of offered.kept.explanations) this.#explanations.set(text, explanation);
  }

  /**
   * One more run of the model loaded last, on a text of a typical length, after the request that
   * loaded it was answered (the handler queues it): the load's short warm-up leaves part of the
   * runtime's code unoptimised, which made the first analysis after "ready" about 1.3x the later
   * ones (bench/real-shape/run.mjs). It runs in the queue, so a request that comes meanwhile
   * waits for it (one run, tens of ms). Its result is not kept; a failure is left to the next
   * request to meet and report.
   */
  async settle(): Promise<void> {
    const loaded = this.#unsettled;
    this.#unsettled = null;
    if (!loaded || loaded !== this.#current) return;
    await loaded.model.classify([SETTLE_TEXT]).catch(() => undefined);
  }

  async unload(): Promise<void> {
    const old = this.#current;
    this.#current = null;
    this.#unsettled = null;
    this.#results.clear();
    this.#explanations.clear();
    if (old) await old.model.dispose().catch(() => undefined);
  }

  async #ensure(id: number, config: ModelConfig, signal: AbortSignal): Promise<LoadedModel> {
    const { runtime, post } = this.#io;
    const key = configKey(config);
    if (this.#current?.key === key) return this.#current;
    await this.unload();
    // Only a successful load is kept: after a failure the next request starts afresh.
    runtime.takeCacheWriteFailure();
    const loaded = await loadModel(this.#io, id, config, signal, this.#onLoadFailed);
    const cacheFailure = runtime.takeCacheWriteFailure();
    if (cacheFailure) {
      post({ type: 'notice', id, notice: `The model could not be kept on this device (${cacheFailure}), so it will be downloaded again next time.` });
    }
    this.#current = loaded;
    this.#unsettled = loaded;
    this.#takeOffered();
    post({ type: 'loaded', id, model: loaded.info });
    return loaded;
  }

  /** Runs `work` on the loaded model; a failure that is not a ModelError drops the model. */
  async #guarded<T>(loaded: LoadedModel, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ModelError) throw err;
      // A failed run can leave the runtime unusable: drop the model; the page starts a new worker.
      await this.unload();
      throw new ModelError(loaded.info.device === 'webgpu' ? 'webgpu-failed' : 'inference-failed', errorDetail(err));
    }
  }
}
