// Reactive state of the picture channel: the picture (prepared on the device), the API key
// (memory by default, remembered only on request), the provider's model list, and one request
// at a time with cancel, a retry countdown and errors as one sentence each.
import { hostOf } from '../domain/format';
import { VisionError, describeVisionError } from '../domain/vision-errors';
import type { KeyStore } from '../storage/key-store';
import { prepareImage, type PreparedImage } from '../vision/image-prep';
import { listModels, type ListedModel } from '../vision/models';
import { providerById } from '../vision/providers';
import { analyzeImage, browserVisionDeps, type VisionDeps, type VisionResult } from '../vision/vision-client';
import type { SettingsState } from './settings.svelte';

/** Where the picture analysis is. */
export type VisionPhase = 'idle' | 'running' | 'waiting' | 'done' | 'error' | 'cancelled';

/** The picture channel's state. */
export class VisionState {
  readonly #settings: SettingsState;
  readonly #keys: KeyStore;
  readonly #deps: VisionDeps;
  readonly #prepare: typeof prepareImage;
  #controller: AbortController | null = null;
  #countdown: ReturnType<typeof setInterval> | null = null;
  /** Counts picks and removals, so a slow preparation cannot replace a later choice. */
  #pickCount = 0;

  image = $state.raw<PreparedImage | null>(null);
  previewUrl = $state<string | null>(null);
  preparing = $state(false);
  imageError = $state<string | null>(null);

  apiKey = $state('');
  rememberKey = $state(false);

  phase = $state<VisionPhase>('idle');
  waitSeconds = $state(0);
  result = $state.raw<VisionResult | null>(null);
  error = $state<string | null>(null);
  errorDetail = $state<string | null>(null);

  models = $state.raw<readonly ListedModel[]>([]);
  modelsStatus = $state<'idle' | 'loading' | 'loaded' | 'failed'>('idle');
  modelsError = $state<string | null>(null);

  readonly busy = $derived(this.phase === 'running' || this.phase === 'waiting');

  constructor(settings: SettingsState, keys: KeyStore, deps: VisionDeps = browserVisionDeps, prepare = prepareImage) {
    this.#settings = settings;
    this.#keys = keys;
    this.#deps = deps;
    this.#prepare = prepare;
    const remembered = keys.load();
    if (remembered) {
      this.apiKey = remembered;
      this.rememberKey = true;
    }
  }

  /** Where a remembered key is stored, for the settings page. */
  get keyStorageDescription(): string {
    return this.#keys.where;
  }

  /** The host requests go to, for messages. */
  get host(): string {
    return hostOf(this.#settings.current.visionBaseUrl) || 'the provider';
  }

  /** Sets the key (memory; and storage when remembering is on). */
  setApiKey(key: string): void {
    this.apiKey = key.trim();
    if (this.rememberKey && this.apiKey) this.#keys.save(this.apiKey);
    if (!this.apiKey) this.#keys.clear();
  }

  /** Turns "Remember key on this device" on or off; off removes the stored copy. */
  setRemember(remember: boolean): void {
    this.rememberKey = remember;
    if (remember && this.apiKey) this.#keys.save(this.apiKey);
    else this.#keys.clear();
  }

  /** Removes the key from memory and storage. */
  forgetKey(): void {
    this.apiKey = '';
    this.rememberKey = false;
    this.#keys.clear();
  }

  /** Checks and prepares a picked, dropped or pasted file. */
  async setImage(file: Blob & { name?: string }): Promise<void> {
    this.clearImage();
    // A picture picked while an earlier one is still being prepared wins, whichever finishes first.
    const pick = ++this.#pickCount;
    this.preparing = true;
    try {
      const prepared = await this.#prepare(file, this.#settings.current.imageMaxSide);
      if (pick !== this.#pickCount) return;
      this.image = prepared;
      this.previewUrl = URL.createObjectURL(prepared.blob);
    } catch (err) {
      if (pick !== this.#pickCount) return;
      const e = err instanceof VisionError ? err : new VisionError('image-corrupt', String(err));
      this.imageError = describeVisionError(e, this.#context());
    } finally {
      if (pick === this.#pickCount) this.preparing = false;
    }
  }

  /** Removes the picture and its result. */
  clearImage(): void {
    this.#pickCount += 1;
    this.preparing = false;
    if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
    this.previewUrl = null;
    this.image = null;
    this.imageError = null;
    this.result = null;
    if (this.phase === 'done' || this.phase === 'error' || this.phase === 'cancelled') this.phase = 'idle';
  }

  /** Sends the picture; one request (plus retries) per call, none while one runs. */
  async analyze(): Promise<void> {
    const image = this.image;
    if (!image || this.busy) return;
    const s = this.#settings.current;
    this.error = null;
    this.errorDetail = null;
    const local = providerById(s.visionProvider).local;
    if (!local && typeof navigator !== 'undefined' && !navigator.onLine) {
      this.#fail(new VisionError('offline', 'navigator.onLine is false.'));
      return;
    }
    if (!this.apiKey && !local) {
      this.#fail(new VisionError('no-key', 'No API key.'));
      return;
    }
    const controller = new AbortController();
    this.#controller = controller;
    this.phase = 'running';
    try {
      this.result = await analyzeImage(
        {
          baseUrl: s.visionBaseUrl,
          apiKey: this.apiKey,
          model: s.visionModel,
          imageDataUrl: image.dataUrl,
          timeoutMs: s.visionTimeoutSec * 1000,
          signal: controller.signal,
          onWait: (w) => this.#startCountdown(w.seconds),
        },
        this.#deps,
      );
      this.phase = 'done';
    } catch (err) {
      const e = err instanceof VisionError ? err : new VisionError('network', String(err));
      if (e.code === 'cancelled') this.phase = 'cancelled';
      else this.#fail(e);
    } finally {
      this.#stopCountdown();
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Stops the running request; not an error. */
  cancel(): void {
    this.#controller?.abort(new DOMException('cancelled', 'AbortError'));
  }

  /** Reads the provider's model list. */
  async loadModels(): Promise<void> {
    const s = this.#settings.current;
    this.modelsStatus = 'loading';
    this.modelsError = null;
    try {
      this.models = await listModels(s.visionBaseUrl, this.apiKey, this.#deps.fetch);
      this.modelsStatus = 'loaded';
    } catch (err) {
      const e = err instanceof VisionError ? err : new VisionError('network', String(err));
      this.models = [];
      this.modelsStatus = 'failed';
      this.modelsError = describeVisionError(e, this.#context());
    }
  }

  #context() {
    return { model: this.#settings.current.visionModel, host: this.host };
  }

  #fail(err: VisionError): void {
    this.error = describeVisionError(err, this.#context());
    this.errorDetail = err.detail;
    this.phase = 'error';
  }

  #startCountdown(seconds: number): void {
    this.#stopCountdown();
    this.phase = 'waiting';
    this.waitSeconds = seconds;
    this.#countdown = setInterval(() => {
      this.waitSeconds = Math.max(0, this.waitSeconds - 1);
      if (this.waitSeconds === 0) {
        this.#stopCountdown();
        if (this.phase === 'waiting') this.phase = 'running';
      }
    }, 1000);
  }

  #stopCountdown(): void {
    if (this.#countdown) clearInterval(this.#countdown);
    this.#countdown = null;
  }
}
