// The vision model's channel: one request at a time with cancel, a retry countdown, announced
// retries and failures as one sentence each. With the Vision model left empty it picks a model
// that takes pictures from the provider's list; what a model refused is kept for the session (per
// base URL and model); a retired model leaves a replacement to offer. The key and the model list
// are the account's (vision-account.svelte.ts), the picture an input (analysis/inputs.svelte.ts).
// It answers a run with an outcome and keeps no result of its own: what the page shows about an
// analysis comes from the run.
import { hostOf } from '../../shared/format';
import type { ChannelOutcome, VisionChannelResult } from '../analysis/run';
import { initialQuirks, type ModelQuirks } from './policy';
import { VisionError, describeVisionError } from './errors';
import type { KeyStore } from './key-store';
import type { PreparedImage } from './image-prep';
import { analyzeImage, browserVisionDeps, type RateLimit, type VisionDeps } from './vision-client';
import { VisionAccountState } from './vision-account.svelte';
import type { SettingsState } from '../settings/settings.svelte';

/** Where the picture request is. */
export type VisionPhase = 'idle' | 'running' | 'waiting' | 'done' | 'error';

/** Why the request is waiting before its next attempt. */
export type WaitReason = 'rate-limit' | 'retry';

type VisionOutcome = ChannelOutcome<VisionChannelResult>;

/** The vision model's channel. */
export class VisionChannelState {
  readonly #settings: SettingsState;
  readonly #deps: VisionDeps;
  /** The key, the provider and its model list. */
  readonly account: VisionAccountState;
  #controller: AbortController | null = null;
  #countdown: ReturnType<typeof setInterval> | null = null;
  /** What each model (by base URL and id) refused this session: the next picture goes right at once. */
  readonly #quirks = new Map<string, ModelQuirks>();

  #phase = $state<VisionPhase>('idle');
  #waitSeconds = $state(0);
  #waitReason = $state<WaitReason>('retry');
  #waitRateLimit = $state.raw<RateLimit | null>(null);
  /** The retry under way, as a sentence ("retrying without reasoning options..."). */
  #retryNote = $state<string | null>(null);
  /** The model of the request under way (the one picked automatically when the field is empty). */
  #model = $state<string | null>(null);
  #picked = $state(false);
  /** After "retired or unknown": a model of the provider's list that takes pictures, to offer. */
  #replacement = $state<string | null>(null);
  #error = $state<string | null>(null);
  #errorDetail = $state<string | null>(null);

  constructor(settings: SettingsState, keys: KeyStore, deps: VisionDeps = browserVisionDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.account = new VisionAccountState(settings, keys, deps.fetch);
  }

  get phase(): VisionPhase {
    return this.#phase;
  }
  /** Seconds left before the next attempt, while waiting. */
  get waitSeconds(): number {
    return this.#waitSeconds;
  }
  /** The provider asked to wait (429), or the app waits before retrying a failure (5xx, network). */
  get waitReason(): WaitReason {
    return this.#waitReason;
  }
  /** The provider's allowance while it asked to wait (429), when its headers said. */
  get waitRateLimit(): RateLimit | null {
    return this.#waitRateLimit;
  }
  /** The retry under way, as a sentence, or null. */
  get retryNote(): string | null {
    return this.#retryNote;
  }
  /** The model the request under way uses, and whether it was picked automatically. */
  get model(): string | null {
    return this.#model;
  }
  get picked(): boolean {
    return this.#picked;
  }
  /** A model to offer in place of one the provider called retired or unknown. */
  get replacement(): string | null {
    return this.#replacement;
  }
  get error(): string | null {
    return this.#error;
  }
  get errorDetail(): string | null {
    return this.#errorDetail;
  }
  get busy(): boolean {
    return this.#phase === 'running' || this.#phase === 'waiting';
  }

  /** Not part of the next run: no status, no error left from an earlier one. */
  reset(): void {
    if (this.busy) return;
    this.#phase = 'idle';
    this.#error = null;
    this.#errorDetail = null;
    this.#replacement = null;
  }

  /**
   * Sends `image`; one call makes at most 3 requests (retries included), none while one runs.
   * With the Vision model empty, a model that takes pictures is picked from the provider's list
   * first. Never rejects.
   */
  async analyze(image: PreparedImage): Promise<VisionOutcome> {
    if (this.busy) return { status: 'failed', message: 'A picture request is still running.' };
    const s = this.#settings.current;
    const account = this.account;
    this.#error = null;
    this.#errorDetail = null;
    this.#replacement = null;
    this.#retryNote = null;
    if (!account.local && typeof navigator !== 'undefined' && !navigator.onLine) {
      return this.#fail(new VisionError('offline', 'navigator.onLine is false.'));
    }
    if (!account.apiKey && !account.local) return this.#fail(new VisionError('no-key', 'No API key.'));
    const controller = new AbortController();
    this.#controller = controller;
    this.#phase = 'running';
    let model = s.visionModel;
    try {
      this.#picked = !model;
      if (!model) model = await this.#pickModel();
      this.#model = model;
      const key = `${s.visionBaseUrl}|${model}`;
      const r = await analyzeImage(
        {
          baseUrl: s.visionBaseUrl,
          apiKey: account.apiKey,
          model,
          imageDataUrl: image.dataUrl,
          timeoutMs: s.visionTimeoutSec * 1000,
          signal: controller.signal,
          quirks: this.#quirks.get(key) ?? initialQuirks(account.listed(model)?.maxCompletionTokens ?? null),
          onWait: (w) => this.#startCountdown(w.seconds, w.reason, w.rateLimit),
          onRetry: (note) => (this.#retryNote = note),
          onLearn: (q) => this.#quirks.set(key, q),
        },
        this.#deps,
      );
      this.#phase = 'done';
      return {
        status: 'done',
        result: {
          scores: r.scores,
          description: r.description,
          model: r.model,
          provider: hostOf(r.baseUrl),
          elapsedMs: r.elapsedMs,
          requests: r.requests,
          ...(r.usage ? { usage: r.usage } : {}),
        },
      };
    } catch (err) {
      const e = err instanceof VisionError ? err : new VisionError('network', String(err));
      if (e.code === 'cancelled') {
        this.#phase = 'idle';
        return { status: 'cancelled', message: 'The picture analysis was cancelled.' };
      }
      if (e.code === 'model-not-found' && model) await this.#offerReplacement(model);
      return this.#fail(e, model);
    } finally {
      this.#stopCountdown();
      this.#retryNote = null;
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** The model to use when the field is empty: the best of the provider's list that takes pictures. */
  async #pickModel(): Promise<string> {
    const picked = await this.account.imageModel();
    if (!picked) throw new VisionError('no-image-model', `${this.account.models.length} models listed, none takes pictures.`);
    return picked.id;
  }

  /** Remembers a retired model, reads the list again, and keeps the best image model to offer. */
  async #offerReplacement(model: string): Promise<void> {
    this.account.markRetired(model);
    await this.account.loadModels();
    if (this.account.modelsStatus !== 'loaded') return;
    this.#replacement = (await this.account.imageModel().catch(() => null))?.id ?? null;
  }

  /** Stops the running request; not an error. */
  cancel(): void {
    this.#controller?.abort(new DOMException('cancelled', 'AbortError'));
  }

  #fail(err: VisionError, model?: string): VisionOutcome {
    this.#error = describeVisionError(err, { model: model || this.#settings.current.visionModel, host: this.account.host });
    this.#errorDetail = err.detail;
    this.#phase = 'error';
    return { status: 'failed', message: this.#error };
  }

  #startCountdown(seconds: number, reason: WaitReason, rateLimit: RateLimit | null): void {
    this.#stopCountdown();
    this.#phase = 'waiting';
    this.#waitSeconds = seconds;
    this.#waitReason = reason;
    this.#waitRateLimit = rateLimit;
    this.#countdown = setInterval(() => {
      this.#waitSeconds = Math.max(0, this.#waitSeconds - 1);
      if (this.#waitSeconds === 0) {
        this.#stopCountdown();
        if (this.#phase === 'waiting') this.#phase = 'running';
      }
    }, 1000);
  }

  #stopCountdown(): void {
    if (this.#countdown) clearInterval(this.#countdown);
    this.#countdown = null;
  }
}
