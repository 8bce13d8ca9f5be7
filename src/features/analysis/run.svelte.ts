// One press of Analyze: builds the run (inputs and the channels asked), lets each channel settle
// it, then shows and saves that run as it is. The answer on screen is always one run's: while a
// new run works, the last finished one stays, marked as previous; nothing of one run leaks into
// another. Cancel stops every channel of the run under way.
import type { ChannelWeights } from '../../shared/channels';
import { withShare, type FusionResult } from '../../shared/fusion';
import type { FacePart, HistoryRecord } from '../history/records';
import type { EmotionScores } from '../../shared/emotions';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { formatTags } from '../history/tags';
import { markAnalyze } from './perf';
import { configKey } from '../text/protocol';
import {
  againRun,
  askedChannels,
  fuseRun,
  hasResult,
  isComplete,
  recordOf,
  resultOf,
  settleChannel,
  startRun,
  withRunText,
  withWords,
  type ChannelId,
  type Run,
} from './run';
import type { FaceChannelState } from '../faces/face-channel.svelte';
import type { SettingsState } from '../settings/settings.svelte';
import type { TextChannelState } from '../text/text-channel.svelte';
import type { InputsState } from './inputs.svelte';
import type { VisionChannelState } from '../vision/vision-channel.svelte';
import type { VoiceChannelState } from '../voice/voice-channel.svelte';

/** What the run needs from outside, injectable for tests. */
export interface RunDeps {
  /** Receives every finished run with a result (the history saves it). */
  readonly onRecord: (record: HistoryRecord) => Promise<void>;
  readonly newId: () => string;
  readonly now: () => number;
}

const defaultDeps: RunDeps = {
  onRecord: async () => {},
  newId: () => crypto.randomUUID(),
  now: () => Date.now(),
};

/** The runs of this page: the one shown and the one under way. */
export class RunState {
  readonly #inputs: InputsState;
  readonly #text: TextChannelState;
  readonly #vision: VisionChannelState;
  readonly #face: FaceChannelState;
  readonly #voice: VoiceChannelState | null;
  readonly #settings: SettingsState;
  readonly #deps: RunDeps;

  #shown = $state.raw<Run | null>(null);
  #pending = $state.raw<Run | null>(null);
  /** The shown run was asked for again with nothing changed, so it was reused. */
  #reusedId = $state<string | null>(null);
  #cancelled = $state(false);

  /** The shown run's answer under the current weights: moving a weight runs no model. */
  readonly fusion: FusionResult | null;

  constructor(
    inputs: InputsState,
    channels: { text: TextChannelState; vision: VisionChannelState; face: FaceChannelState; voice?: VoiceChannelState },
    settings: SettingsState,
    deps: Partial<RunDeps> = {},
  ) {
    this.#inputs = inputs;
    this.#text = channels.text;
    this.#vision = channels.vision;
    this.#face = channels.face;
    this.#voice = channels.voice ?? null;
    this.#settings = settings;
    this.#deps = { ...defaultDeps, ...deps };
    this.fusion = $derived(this.#shown ? fuseRun(this.#shown, settings.current.weights) : null);
  }

  /**
   * Who reads a picture in the next run: the user's choice in Settings. When none was made: the
   * vision model once one is set up (an API key, a provider on this computer, or a provider other
   * than the default, whose missing key is then asked for), else the face channel on this device.
   */
  get pictureAnalysis(): 'device' | 'cloud' | 'both' {
    const s = this.#settings.current;
    if (s.pictureAnalysis !== 'auto') return s.pictureAnalysis;
    const providerSetUp = s.visionProvider !== DEFAULT_SETTINGS.visionProvider || s.visionBaseUrl !== DEFAULT_SETTINGS.visionBaseUrl;
    return this.#vision.account.apiKey !== '' || this.#vision.account.local || providerSetUp ? 'cloud' : 'device';
  }

  /** The last finished run: what the page shows. */
  get shown(): Run | null {
    return this.#shown;
  }
  /** The run under way, if any. */
  get pending(): Run | null {
    return this.#pending;
  }
  get busy(): boolean {
    return this.#pending !== null || this.#inputs.preparing;
  }
  /** Something to analyze, settings loaded, and nothing running. */
  get canAnalyze(): boolean {
    return !this.busy && this.#settings.loaded && this.#inputs.hasInput;
  }
  /** Analyze was pressed with nothing changed since the shown run, so that run was shown again. */
  get reused(): boolean {
    return this.#reusedId !== null && this.#reusedId === this.#shown?.id && this.#shown.signature === this.#signature();
  }
  /** The last run was cancelled before any channel gave a result. */
  get cancelled(): boolean {
    return this.#cancelled;
  }
  /** Runs every channel that has input, then shows and saves the run. */
  async analyze(): Promise<void> {
    if (!this.canAnalyze) return;
    const text = this.#inputs.draft.trim() || null;
    const image = this.#inputs.image;
    const signature = this.#signature();
    this.#cancelled = false;
    const shown = this.#shown;
    if (shown && isComplete(shown) && shown.signature === signature) {
      // The same input and settings again: the answer would be the same; do not save it twice.
      this.#reusedId = shown.id;
      return;
    }
    this.#reusedId = null;
    const mode = this.pictureAnalysis;
    const source = this.#inputs.source;
    const video = this.#inputs.video;
    const readFaces = video !== null || (image !== null && source !== null && mode !== 'cloud');
    const askVision = image !== null && mode !== 'device';
    const channels: ChannelId[] = [];
    if (text !== null) channels.push('text');
    else this.#text.reset();
    if (readFaces) channels.push('face');
    else this.#face.reset();
    if (askVision) channels.push('vision');
    else this.#vision.reset();
    // A video's sound is its recording.
    const audio = this.#voice ? (this.#inputs.audio ?? video) : null;
    if (audio) channels.push('voice');
    else this.#voice?.reset();
    let run = startRun({
      id: this.#deps.newId(),
      createdAt: this.#deps.now(),
      inputs: {
        text,
        pictureId: image ? this.#inputs.pictureId : null,
        thumbnail: image?.thumbnail ?? null,
        audioId: audio && !video ? this.#inputs.audioId : null,
        videoId: video ? this.#inputs.videoId : null,
      },
      signature,
      channels,
      tags: this.#inputs.tags,
    });
    markAnalyze(run.id);
    this.#pending = run;
    const jobs: Promise<void>[] = [];
    const textJob = text === null ? null : this.#text.analyze(text).then((o) => void (this.#pending = run = settleChannel(run, 'text', o, this.#deps.now())));
    if (textJob) jobs.push(textJob);
    if (readFaces) {
      const faces = video ? this.#face.analyzeVideo(video, this.#settings.current.videoFps) : this.#face.analyze(source!);
      jobs.push(faces.then((o) => void (this.#pending = run = settleChannel(run, 'face', o, this.#deps.now()))));
    }
    if (askVision) {
      jobs.push(this.#vision.analyze(image).then((o) => void (this.#pending = run = settleChannel(run, 'vision', o, this.#deps.now()))));
    }
    if (audio && this.#voice) {
      const voice = this.#voice;
      const s = this.#settings.current;
      const models = { speech: { host: s.modelHost, modelId: s.speechModel }, tone: { host: s.modelHost, modelId: s.toneModel } };
      jobs.push(
        (async () => {
          let outcome = await voice.analyze(audio, models, { video: video !== null });
          if (outcome.status === 'done') {
            // What was said goes through the text channel: the whole transcript as the run's
            // text when the user typed none, then each segment's words on their own.
            const transcript = outcome.result.transcript;
            if (text === null && transcript) {
              this.#pending = run = withRunText(run, transcript);
              const read = await this.#text.analyze(transcript);
              this.#pending = run = settleChannel(run, 'text', read, this.#deps.now());
            } else await textJob;
            // Only with the text model this run used (never a download the user was not asked about).
            if (run.channels.text?.status === 'done') {
              const words = await this.#text.readTexts(outcome.result.segments.map((segment) => segment.text));
              if (words) outcome = { ...outcome, result: withWords(outcome.result, words) };
            }
          }
          this.#pending = run = settleChannel(run, 'voice', outcome, this.#deps.now());
        })(),
      );
    }
    await Promise.all(jobs);
    this.#pending = null;
    if (askedChannels(run).every((c) => run.channels[c]?.status === 'cancelled')) {
      // Nothing came of it: the page goes back to what it showed before.
      this.#cancelled = true;
      return;
    }
    this.#shown = run;
    this.#readSentences(run);
    const record = recordOf(run, this.#settings.current.weights);
    if (record && hasResult(run)) await this.#deps.onRecord(record);
  }

  /**
   * Reads a saved entry's text again with the current model and settings, and saves the answer as
   * a new entry (with the same tags, pointing back to the first): both results are kept. The
   * entry's picture results are taken over (the original picture is not kept). The answer is
   * saved only when the text was read; a failure or Cancel leaves the page as it was.
   */
  async analyzeAgain(record: HistoryRecord): Promise<void> {
    if (this.busy || !record.textPart) return;
    let run = againRun(record, {
      id: this.#deps.newId(),
      createdAt: this.#deps.now(),
      // The inputs it leaves behind (the entry's text and tags, no picture): Analyze right after
      // shows this run again instead of saving it twice.
      signature: this.#signature({ text: record.textPart.text, pictureId: null, tags: record.tags }),
    });
    if (!run) return;
    this.#cancelled = false;
    this.#reusedId = null;
    this.#face.reset();
    this.#vision.reset();
    this.#voice?.reset();
    markAnalyze(run.id);
    this.#pending = run;
    const outcome = await this.#text.analyze(record.textPart.text);
    run = settleChannel(run, 'text', outcome, this.#deps.now());
    this.#pending = null;
    if (outcome.status !== 'done') {
      this.#cancelled = outcome.status === 'cancelled';
      return;
    }
    // What is shown and what the inputs hold agree: the entry's text and tags are the inputs now.
    this.#inputs.replaceWith({ text: record.textPart.text, tags: record.tags });
    this.#shown = run;
    this.#readSentences(run);
    const saved = recordOf(run, this.#settings.current.weights);
    if (saved) await this.#deps.onRecord(saved);
  }

  /**
   * Saves a recorded live-camera session to History: its faces (one reading per face tracked, and
   * their scores together), with the current tags. The frames are never kept.
   */
  async saveLiveSession(session: { readonly scores: EmotionScores; readonly faces: FacePart['faces']; readonly model: string; readonly seconds: number }): Promise<void> {
    const face: FacePart = { scores: session.scores, faces: session.faces, model: session.model, elapsedMs: Math.round(session.seconds * 1000) };
    let run = startRun({
      id: this.#deps.newId(),
      createdAt: this.#deps.now(),
      inputs: { text: null, pictureId: null, thumbnail: null },
      signature: `live:${this.#deps.newId()}`,
      channels: ['face'],
      tags: this.#inputs.tags,
    });
    run = settleChannel(run, 'face', { status: 'done', result: face }, this.#deps.now());
    const record = recordOf(run, this.#settings.current.weights);
    if (record) await this.#deps.onRecord(record);
  }

  /** Stops every channel of the run under way; what already finished stays in the run. */
  cancel(): void {
    if (!this.#pending) return;
    this.#text.cancel();
    this.#face.cancel();
    this.#vision.cancel();
    this.#voice?.cancel();
  }

  /**
   * Uses `model` as the vision model from now on (saved in Settings) and analyses the same input
   * again with it: the one click after a model turned out to be retired.
   */
  async useVisionModel(model: string): Promise<void> {
    if (this.busy) return;
    const saved = await this.#settings.update({ visionModel: model });
    if (saved.refused.visionModel) return;
    this.#vision.reset();
    await this.analyze();
  }

  /**
   * Sets `channel`'s share of the shown answer to `share` (saved in Settings); the other channels
   * of the answer keep their proportions and share the rest.
   */
  setWeight(channel: ChannelId, share: number): Promise<unknown> {
    const present = this.fusion?.present ?? [];
    const weights: ChannelWeights = withShare(this.#settings.current.weights, present, channel, share);
    return this.#settings.update({ weights });
  }

  /**
   * A text read in one piece: its sentences are read one by one too (the breakdown under the
   * result), with the model already loaded, after the run, so the answer never waits for them.
   */
  #readSentences(run: Run): void {
    const text = resultOf(run, 'text');
    if (text && run.inputs.text !== null && !(text.parts && text.parts.length > 1)) void this.#text.readSentences(run.inputs.text);
  }

  /** What would make the next run's answer differ: the inputs and the settings of each channel. */
  #signature(
    inputs: { readonly text: string; readonly pictureId: string | null; readonly audioId?: string | null; readonly videoId?: string | null; readonly tags: readonly string[] } = {
      text: this.#inputs.draft,
      pictureId: this.#inputs.pictureId,
      audioId: this.#voice ? this.#inputs.audioId : null,
      videoId: this.#inputs.videoId,
      tags: this.#inputs.tags,
    },
  ): string {
    const s = this.#settings.current;
    const text = inputs.text.trim();
    const picture = inputs.pictureId;
    const audio = inputs.audioId ?? null;
    // The tags change what is saved, not the answer; new tags are a new entry all the same.
    return JSON.stringify([
      text ? [text, configKey(this.#settings.modelConfig)] : null,
      picture ? [picture, this.pictureAnalysis, s.visionBaseUrl, s.visionModel] : null,
      formatTags(inputs.tags),
      ...(audio ? [[audio, s.modelHost, s.speechModel, s.toneModel]] : []),
      ...(inputs.videoId ? [[inputs.videoId, s.videoFps, s.modelHost, s.speechModel, s.toneModel]] : []),
    ]);
  }

}
