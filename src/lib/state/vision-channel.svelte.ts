// The picture channel: the picture (prepared on the device), the API key (memory by default,
// remembered only on request), the provider's model list, and one request at a time with cancel,
// a retry countdown and failures as one sentence each. It answers a run with an outcome and keeps
// no result of its own: what the page shows about an analysis comes from the run.
import { hostOf } from '../domain/format';
import type { ChannelOutcome, VisionChannelResult } from '../domain/run';
import { VisionError, describeVisionError } from '../domain/vision-errors';
import type { KeyStore } from '../storage/key-store';
import { prepareImage, type PreparedImage } from '../vision/image-prep';
import { listModels, type ListedModel } from '../vision/models';
import { providerById } from '../vision/providers';
import { analyzeImage, browserVisionDeps, type VisionDeps } from '../vision/vision-client';
import type { SettingsState } from './settings.svelte';

/** Where the picture request is. */
export type VisionPhase = 'idle' | 'running' | 'waiting' | 'done' | 'error';

/** Why the request is waiting before its next attempt. */
export type WaitReason = 'rate-limit' | 'retry';

type VisionOutcome = ChannelOutcome<VisionChannelResult>;

/** The picture channel's state. */
export class VisionChannelState {
  readonly #settings: SettingsState;
  readonly #keys: KeyStore;
  readonly #deps: VisionDeps;
  readonly #prepare: typeof prepareImage;
  #controller: AbortController | null = null;
  #countdown: ReturnType<typeof setInterval> | null = null;
  /** Counts picks and removals, so a slow preparation cannot replace a later choice. */
  #pickCount = 0;

  #image = $state.raw<PreparedImage | null>(null);
  #pictureId = $state<string | null>(null);
  #previewUrl = $state<string | null>(null);
  #preparing = $state(false);
  #imageError = $state<string | null>(null);

  #apiKey = $state('');
  #rememberKey = $state(false);

  #phase = $state<VisionPhase>('idle');
  #waitSeconds = $state(0);
  #waitReason = $state<WaitReason>('retry');
  #error = $state<string | null>(null);
  #errorDetail = $state<string | null>(null);

  #models = $state.raw<readonly ListedModel[]>([]);
  #modelsStatus = $state<'idle' | 'loading' | 'loaded' | 'failed'>('idle');
  #modelsError = $state<string | null>(null);

  constructor(settings: SettingsState, keys: KeyStore, deps: VisionDeps = browserVisionDeps, prepare = prepareImage) {
    this.#settings = settings;
    this.#keys = keys;
    this.#deps = deps;
    this.#prepare = prepare;
    const remembered = keys.load();
    if (remembered) {
      this.#apiKey = remembered;
      this.#rememberKey = true;
    }
  }

  /** The prepared picture (re-encoded JPEG, no metadata), or null. */
  get image(): PreparedImage | null {
    return this.#image;
  }
  /** Identifies the current picture: a new pick is a new picture, even of the same file. */
  get pictureId(): string | null {
    return this.#pictureId;
  }
  get previewUrl(): string | null {
    return this.#previewUrl;
  }
  get preparing(): boolean {
    return this.#preparing;
  }
  get imageError(): string | null {
    return this.#imageError;
  }
  get apiKey(): string {
    return this.#apiKey;
  }
  get rememberKey(): boolean {
    return this.#rememberKey;
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
  get error(): string | null {
    return this.#error;
  }
  get errorDetail(): string | null {
    return this.#errorDetail;
  }
  get models(): readonly ListedModel[] {
    return this.#models;
  }
  get modelsStatus(): 'idle' | 'loading' | 'loaded' | 'failed' {
    return this.#modelsStatus;
  }
  get modelsError(): string | null {
    return this.#modelsError;
  }
  get busy(): boolean {
    return this.#phase === 'running' || this.#phase === 'waiting';
  }

  /** Where a remembered key is stored, for the settings page. */
  get keyStorageDescription(): string {
    return this.#keys.where;
  }

  /** The host requests go to, for messages. */
  get host(): string {
    return hostOf(this.#settings.current.visionBaseUrl) || 'the provider';
  }

  /** True for a provider preset that runs on this computer (Ollama, llama.cpp): it needs no key. */
  get local(): boolean {
    return providerById(this.#settings.current.visionProvider).local;
  }

  /** Sets the key (memory; and storage when remembering is on). */
  setApiKey(key: string): void {
    this.#apiKey = key.trim();
    if (this.#rememberKey && this.#apiKey) this.#keys.save(this.#apiKey);
    if (!this.#apiKey) this.#keys.clear();
  }

  /** Turns "Remember key on this device" on or off; off removes the stored copy. */
  setRemember(remember: boolean): void {
    this.#rememberKey = remember;
    if (remember && this.#apiKey) this.#keys.save(this.#apiKey);
    else this.#keys.clear();
  }

  /** Removes the key from memory and storage. */
  forgetKey(): void {
    this.#apiKey = '';
    this.#rememberKey = false;
    this.#keys.clear();
  }

  /** Checks and prepares a picked, dropped or pasted file. */
  async setImage(file: Blob & { name?: string }): Promise<void> {
    this.clearImage();
    // A picture picked while an earlier one is still being prepared wins, whichever finishes first.
    const pick = ++this.#pickCount;
    this.#preparing = true;
    try {
      const prepared = await this.#prepare(file, this.#settings.current.imageMaxSide);
      if (pick !== this.#pickCount) return;
      this.#image = prepared;
      this.#pictureId = `picture-${pick}`;
      this.#previewUrl = URL.createObjectURL(prepared.blob);
    } catch (err) {
      if (pick !== this.#pickCount) return;
      const e = err instanceof VisionError ? err : new VisionError('image-corrupt', String(err));
      this.#imageError = describeVisionError(e, this.#context());
    } finally {
      if (pick === this.#pickCount) this.#preparing = false;
    }
  }

  /** Removes the picture (results of earlier runs stay with their runs). */
  clearImage(): void {
    this.#pickCount += 1;
    this.#preparing = false;
    if (this.#previewUrl) URL.revokeObjectURL(this.#previewUrl);
    this.#previewUrl = null;
    this.#image = null;
    this.#pictureId = null;
    this.#imageError = null;
  }

  /** Not part of the next run: no status, no error left from an earlier one. */
  reset(): void {
    if (this.busy) return;
    this.#phase = 'idle';
    this.#error = null;
    this.#errorDetail = null;
  }

  /** Sends `image`; one request (plus retries) per call, none while one runs. Never rejects. */
  async analyze(image: PreparedImage): Promise<VisionOutcome> {
    if (this.busy) return { status: 'failed', message: 'A picture request is still running.' };
    const s = this.#settings.current;
    this.#error = null;
    this.#errorDetail = null;
    if (!this.local && typeof navigator !== 'undefined' && !navigator.onLine) {
      return this.#fail(new VisionError('offline', 'navigator.onLine is false.'));
    }
    if (!this.#apiKey && !this.local) return this.#fail(new VisionError('no-key', 'No API key.'));
    if (!s.visionModel) return this.#fail(new VisionError('no-model', 'The Vision model setting is empty.'));
    const controller = new AbortController();
    this.#controller = controller;
    this.#phase = 'running';
    try {
      const r = await analyzeImage(
        {
          baseUrl: s.visionBaseUrl,
          apiKey: this.#apiKey,
          model: s.visionModel,
          imageDataUrl: image.dataUrl,
          timeoutMs: s.visionTimeoutSec * 1000,
          signal: controller.signal,
          onWait: (w) => this.#startCountdown(w.seconds, w.reason),
        },
        this.#deps,
      );
      this.#phase = 'done';
      return {
        status: 'done',
        result: { scores: r.scores, description: r.description, model: r.model, provider: hostOf(r.baseUrl), elapsedMs: r.elapsedMs, requests: r.requests },
      };
    } catch (err) {
      const e = err instanceof VisionError ? err : new VisionError('network', String(err));
      if (e.code === 'cancelled') {
        this.#phase = 'idle';
        return { status: 'cancelled', message: 'The picture analysis was cancelled.' };
      }
      return this.#fail(e);
    } finally {
      this.#stopCountdown();
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Stops the running request; not an error. */
  cancel(): void {
    this.#controller?.abort(new DOMException('cancelled', 'AbortError'));
  }

  /**
   * Reads the provider's model list. Without a key nothing is sent to a provider that needs one
   * (the user is told no key was entered); a server on this computer is asked without one.
   */
  async loadModels(): Promise<void> {
    const s = this.#settings.current;
    this.#modelsError = null;
    if (!this.#apiKey && !this.local) {
      this.#models = [];
      this.#modelsStatus = 'failed';
      this.#modelsError = `No API key was entered. Add your key for ${this.host} in the API key field, then load the model list.`;
      return;
    }
    this.#modelsStatus = 'loading';
    try {
      this.#models = await listModels(s.visionBaseUrl, this.#apiKey, this.#deps.fetch);
      this.#modelsStatus = 'loaded';
    } catch (err) {
      const e = err instanceof VisionError ? err : new VisionError('network', String(err));
      this.#models = [];
      this.#modelsStatus = 'failed';
      this.#modelsError =
        e.code === 'unauthorized' && !this.#apiKey
          ? `No API key was entered, and ${this.host} asks for one. Add it in the API key field, then load the model list.`
          : describeVisionError(e, this.#context());
    }
  }

  #context() {
    return { model: this.#settings.current.visionModel, host: this.host };
  }

  #fail(err: VisionError): VisionOutcome {
    this.#error = describeVisionError(err, this.#context());
    this.#errorDetail = err.detail;
    this.#phase = 'error';
    return { status: 'failed', message: this.#error };
  }

  #startCountdown(seconds: number, reason: WaitReason): void {
    this.#stopCountdown();
    this.#phase = 'waiting';
    this.#waitSeconds = seconds;
    this.#waitReason = reason;
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
