// The user's standing with their vision provider: the API key (memory by default, remembered on
// this device only on request), what the provider is (on this computer or not, its host), the
// models it lists today, and the models it called retired or unknown this session. The request
// itself is vision-channel.svelte.ts's; the Settings views read and change this.
import { hostOf } from '../../shared/format';
import { describeVisionError, VisionError } from './errors';
import type { KeyStore } from './key-store';
import { pickImageModel } from './model-choice';
import { listModels, type ListedModel } from './model-list';
import { providerById } from './providers';
import type { VisionDeps } from './vision-client';
import type { SettingsState } from '../settings/settings.svelte';

/** The key, the provider and its model list. */
export class VisionAccountState {
  readonly #settings: SettingsState;
  readonly #keys: KeyStore;
  readonly #fetch: VisionDeps['fetch'];
  /** Models (by base URL and id) that answered "retired or unknown" this session. */
  readonly #retired = new Set<string>();
  /** The base URL the model list was read from. */
  #modelsFrom: string | null = null;

  #apiKey = $state('');
  #rememberKey = $state(false);
  #models = $state.raw<readonly ListedModel[]>([]);
  #modelsStatus = $state<'idle' | 'loading' | 'loaded' | 'failed'>('idle');
  #modelsError = $state<string | null>(null);

  constructor(settings: SettingsState, keys: KeyStore, fetch: VisionDeps['fetch']) {
    this.#settings = settings;
    this.#keys = keys;
    this.#fetch = fetch;
    const remembered = keys.load();
    if (remembered) {
      this.#apiKey = remembered;
      this.#rememberKey = true;
    }
  }

  get apiKey(): string {
    return this.#apiKey;
  }
  get rememberKey(): boolean {
    return this.#rememberKey;
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
    // A list that failed for want of a key, or for the key it had, says nothing true once another
    // key is typed: back to "not loaded yet".
    if (this.#modelsStatus === 'failed') {
      this.#modelsStatus = 'idle';
      this.#modelsError = null;
    }
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
      this.#models = await listModels(s.visionBaseUrl, this.#apiKey, this.#fetch);
      this.#modelsFrom = s.visionBaseUrl;
      this.#modelsStatus = 'loaded';
    } catch (err) {
      const e = err instanceof VisionError ? err : new VisionError('network', String(err));
      this.#models = [];
      this.#modelsStatus = 'failed';
      this.#modelsError =
        e.code === 'unauthorized' && !this.#apiKey
          ? `No API key was entered, and ${this.host} asks for one. Add it in the API key field, then load the model list.`
          : describeVisionError(e, { model: this.#settings.current.visionModel, host: this.host });
    }
  }

  /** `model` as the current provider lists it, when its list was read. */
  listed(model: string): ListedModel | undefined {
    return this.#modelsFrom === this.#settings.current.visionBaseUrl ? this.#models.find((m) => m.id === model) : undefined;
  }

  /**
   * The best model of the current provider's list that takes pictures (reading the list first
   * when it is not the current provider's), leaving out the models it called retired; null when
   * none does. Throws VisionError `no-model` when the list cannot be read.
   */
  async imageModel(): Promise<ListedModel | null> {
    const base = this.#settings.current.visionBaseUrl;
    if (this.#modelsFrom !== base || this.#modelsStatus !== 'loaded') await this.loadModels();
    if (this.#modelsStatus !== 'loaded') throw new VisionError('no-model', `The model list could not be read: ${this.#modelsError ?? 'unknown error'}`);
    return pickImageModel(this.#models, this.#retiredAt(base));
  }

  /** `model` answered "retired or unknown": it is left out of automatic picks this session. */
  markRetired(model: string): void {
    this.#retired.add(`${this.#settings.current.visionBaseUrl}|${model}`);
  }

  #retiredAt(base: string): Set<string> {
    return new Set([...this.#retired].filter((k) => k.startsWith(`${base}|`)).map((k) => k.slice(base.length + 1)));
  }
}
