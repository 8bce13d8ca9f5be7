// One Analyze action over both channels: the text on the device, the picture at the provider.
// Guards against double clicks: nothing starts while either channel is still busy.
import { hostOf } from '../domain/format';
import { fuse, type FusionResult } from '../domain/fusion';
import { HISTORY_VERSION, type HistoryRecord } from '../domain/history';
import type { AnalyzerState } from './analyzer.svelte';
import type { SettingsState } from './settings.svelte';
import type { VisionState } from './vision.svelte';

/** Coordinates the text and picture channels for the Analyze button. */
export class AnalysisState {
  readonly text: AnalyzerState;
  readonly vision: VisionState;
  readonly #settings: SettingsState;
  readonly #onRecord: (record: HistoryRecord) => Promise<void>;

  /** `onRecord` receives every finished analysis (the history saves it). */
  constructor(
    text: AnalyzerState,
    vision: VisionState,
    settings: SettingsState,
    onRecord: (record: HistoryRecord) => Promise<void> = async () => {},
  ) {
    this.text = text;
    this.vision = vision;
    this.#settings = settings;
    this.#onRecord = onRecord;
  }

  /**
   * Both channels' latest results fused with the current text weight; recomputed on read, so
   * moving the weight updates the answer without running any model again.
   */
  get fusion(): FusionResult | null {
    return fuse({
      text: this.text.result?.scores ?? null,
      vision: this.vision.result?.scores ?? null,
      textWeight: this.#settings.current.textWeight,
    });
  }

  /** Something to analyse, and nothing running. */
  get canAnalyze(): boolean {
    return !this.busy && (this.text.canAnalyze || (this.vision.image !== null && !this.vision.preparing));
  }

  get busy(): boolean {
    return this.text.busy || this.vision.busy || this.vision.preparing || this.text.phase === 'confirm';
  }

  /** Runs every channel that has input, then records what succeeded. */
  async run(): Promise<void> {
    if (!this.canAnalyze) return;
    const withText = this.text.text.trim() !== '';
    const withPicture = this.vision.image !== null;
    const jobs: Promise<void>[] = [];
    if (withText) jobs.push(this.text.analyze());
    if (withPicture) jobs.push(this.vision.analyze());
    await Promise.all(jobs);
    // A text waiting for the download prompt is recorded when the user confirms.
    if (this.text.phase === 'confirm') return;
    await this.#record(withText && this.text.phase === 'done', withPicture && this.vision.phase === 'done');
  }

  /** The user agreed to the model download: analyse the text and record it with this run's picture. */
  async confirmDownload(): Promise<void> {
    await this.text.confirmDownload();
    await this.#record(this.text.phase === 'done', this.vision.phase === 'done');
  }

  async #record(textDone: boolean, visionDone: boolean): Promise<void> {
    const t = textDone ? this.text.result : null;
    const v = visionDone ? this.vision.result : null;
    if (!t && !v) return;
    await this.#onRecord({
      schemaVersion: HISTORY_VERSION,
      id: crypto.randomUUID(),
      createdAt: Date.now(),
      textPart: t && {
        text: this.text.analyzedText,
        scores: t.scores,
        modelId: t.modelId,
        device: t.device,
        dtype: t.dtype,
        inferenceMs: t.inferenceMs,
        chunks: t.chunks,
        tokens: t.tokens,
      },
      visionPart: v && {
        scores: v.scores,
        description: v.description,
        model: v.model,
        provider: hostOf(v.baseUrl),
        elapsedMs: v.elapsedMs,
      },
      thumbnail: v ? (this.vision.image?.thumbnail ?? null) : null,
      textWeight: this.#settings.current.textWeight,
    });
  }
}
