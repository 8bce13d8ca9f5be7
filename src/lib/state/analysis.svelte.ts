// One Analyze action over both channels: the text on the device, the picture at the provider.
// Guards against double clicks: nothing starts while either channel is still busy.
import { fuse, type FusionResult } from '../domain/fusion';
import type { AnalyzerState } from './analyzer.svelte';
import type { SettingsState } from './settings.svelte';
import type { VisionState } from './vision.svelte';

/** Coordinates the text and picture channels for the Analyze button. */
export class AnalysisState {
  readonly text: AnalyzerState;
  readonly vision: VisionState;
  readonly #settings: SettingsState;

  constructor(text: AnalyzerState, vision: VisionState, settings: SettingsState) {
    this.text = text;
    this.vision = vision;
    this.#settings = settings;
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

  /** Runs every channel that has input; resolves when both are done. */
  async run(): Promise<void> {
    if (!this.canAnalyze) return;
    const jobs: Promise<void>[] = [];
    if (this.text.text.trim()) jobs.push(this.text.analyze());
    if (this.vision.image) jobs.push(this.vision.analyze());
    await Promise.all(jobs);
  }
}
