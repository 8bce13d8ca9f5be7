// Reactive view of what the model cache holds, with removal and the browser's storage estimate.
import { DISK_MODEL_HOST, choosePlacement, type DevicePreference, type GpuSupport } from './model-source';
import { groupByModel, type CachedFileMeta, type ModelFileStore } from './model-cache';
import { describeDiskImport, importDiskModel, type DiskImportReport, type PickedFile } from './disk-import';

/** Cached model files grouped by model (host + id). */
export interface CachedModel {
  readonly key: string;
  readonly label: string;
  readonly files: readonly CachedFileMeta[];
  readonly bytes: number;
}

/** Settings' storage section. */
export class ModelStorageState {
  readonly #cache: ModelFileStore;
  readonly #onChange: () => Promise<void>;
  readonly #detectGpu: () => Promise<GpuSupport>;
  #models = $state.raw<readonly CachedModel[]>([]);
  #usage = $state.raw<{ usage: number; quota: number } | null>(null);
  #busy = $state(false);
  #message = $state<string | null>(null);
  readonly #totalBytes = $derived(this.#models.reduce((n, m) => n + m.bytes, 0));

  /**
   * `onChange` runs after the cache changed (the page then unloads the worker's model);
   * `detectGpu` says what WebGPU this browser offers (it decides the precision a disk import keeps).
   */
  constructor(cache: ModelFileStore, onChange: () => Promise<void>, detectGpu: () => Promise<GpuSupport>) {
    this.#cache = cache;
    this.#onChange = onChange;
    this.#detectGpu = detectGpu;
  }

  /** Cached models, grouped by host and id. */
  get models(): readonly CachedModel[] {
    return this.#models;
  }
  /** The browser's estimate of this site's storage, when it gives one. */
  get usage(): { usage: number; quota: number } | null {
    return this.#usage;
  }
  /** A removal or a disk import is under way. */
  get busy(): boolean {
    return this.#busy;
  }
  /** What the last action did, or why it failed. */
  get message(): string | null {
    return this.#message;
  }
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** Reads what the cache holds and the storage estimate again. */
  async refresh(): Promise<void> {
    const files = await this.#cache.list().catch(() => null);
    if (files === null) {
      this.#models = [];
      this.#message = 'This browser does not let the app store data here: the model is downloaded again each time the app opens.';
      return;
    }
    this.#models = groupByModel(files).map(({ key, files }) => ({
      key,
      label: key.startsWith(DISK_MODEL_HOST) ? 'Model loaded from disk' : key,
      files,
      bytes: files.reduce((n, f) => n + f.size, 0),
    }));
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
    this.#usage = estimate?.usage !== undefined && estimate.quota !== undefined ? { usage: estimate.usage, quota: estimate.quota } : null;
  }

  /** Removes every cached model file; the next analysis downloads again. */
  async removeAll(): Promise<void> {
    await this.#run(async () => {
      const n = await this.#cache.clear();
      this.#message = n > 0 ? `Removed ${n} cached model file${n === 1 ? '' : 's'}.` : 'There was no cached model to remove.';
    });
  }

  /**
   * Forgets which text engine was measured faster on this device (engine-trial.ts): the model is
   * unloaded, and its next load times both engines again. The model's files stay.
   */
  async measureEnginesAgain(): Promise<void> {
    await this.#run(async () => {
      await this.#cache.clearValues();
      this.#message = 'The text engines are timed again as the model loads.';
    });
  }

  /**
   * Stores picked files as the disk model: of the weights, only those of the precision the model
   * would run in under `device` (the Settings value) on this browser.
   */
  async importFromDisk(files: readonly PickedFile[], device: DevicePreference): Promise<DiskImportReport | null> {
    let report: DiskImportReport | null = null;
    await this.#run(async () => {
      const gpu = device === 'wasm' ? { available: false, fp16: false } : await this.#detectGpu();
      report = await importDiskModel(files, this.#cache, (available) => choosePlacement(device, gpu, available).dtype);
      this.#message = describeDiskImport(report);
    });
    return report;
  }

  async #run(work: () => Promise<void>): Promise<void> {
    this.#busy = true;
    this.#message = null;
    try {
      await work();
      await this.#onChange();
    } catch (err) {
      this.#message = `The model storage could not be changed: ${err instanceof Error ? err.message : String(err)}. Check that this site may store data, then try again.`;
    } finally {
      this.#busy = false;
      await this.refresh().catch(() => undefined);
    }
  }
}
