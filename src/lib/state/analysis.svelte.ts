// One Analyze action over both channels: the text on the device, the picture at the provider.
// Guards against double clicks: nothing starts while either channel is still busy.
import type { AnalyzerState } from './analyzer.svelte';
import type { VisionState } from './vision.svelte';

/** Coordinates the text and picture channels for the Analyze button. */
export class AnalysisState {
  readonly text: AnalyzerState;
  readonly vision: VisionState;

  constructor(text: AnalyzerState, vision: VisionState) {
    this.text = text;
    this.vision = vision;
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
