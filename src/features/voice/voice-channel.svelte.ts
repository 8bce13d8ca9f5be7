// The voice channel: decodes a recording on the device (decode.ts), has the voice worker find its
// speech segments, what was said in them and how each one sounded, and answers a run with an
// outcome. Speech found: the recording's tone (its segments' weighted by duration), its segments
// with their words (read by the text channel afterwards: see RunState) and the transcript. No
// speech: an `empty` outcome with a sentence (a normal answer; the channel is then absent from
// the run). It keeps no result and no sound of its own.
import type { ChannelOutcome, VoiceChannelResult } from '../analysis/run';
import { sourceKey } from '../text/model-source';
import { decodeRecording, type Recording } from './decode';
import { DownloadAnswer, asksFirst } from '../../shared/download-question';
import type { DecodedAudio, VoiceAnswer, VoiceModels, VoicePlan, VoiceProgress } from './protocol';
import { recordingTone } from './tone';
import type { VoiceReadOptions } from './voice-client';
import { VoiceError, describeVoiceError } from './voice-errors';

/** What the channel needs of the voice worker's client (a fake in unit tests). */
export interface VoiceReader {
  read(audio: DecodedAudio, models: VoiceModels, options?: VoiceReadOptions): Promise<VoiceAnswer>;
  probe(models: VoiceModels, options?: { signal?: AbortSignal }): Promise<VoicePlan>;
}

/** `checking`: what the voice models would download; `confirm`: waiting for the user's yes or no. */
export type VoicePhase = 'idle' | 'checking' | 'confirm' | 'decoding' | 'reading' | 'done' | 'error';

type VoiceOutcome = ChannelOutcome<VoiceChannelResult>;

/** The sentence for a recording without speech; it starts as the tests expect ("No speech found"). */
export const NO_SPEECH_MESSAGE = 'No speech found in this recording, so the voice channel is left out of the answer.';

/** A video without a sound track (or one this browser cannot decode). */
export const NO_SOUND_MESSAGE = 'No sound found in this video, so the voice channel is left out of the answer.';

const CANCELLED: VoiceOutcome = { status: 'cancelled', message: 'Reading the voice was cancelled.' };
const DECLINED: VoiceOutcome = { status: 'cancelled', message: 'The voice models download was declined, so the recording was not read.' };

export class VoiceChannelState {
  readonly #reader: VoiceReader;
  readonly #decode: (file: Blob) => Promise<Recording>;
  #controller: AbortController | null = null;
  /** Model pairs the user agreed to download (or found on this device) in this session. */
  readonly #approved = new Set<string>();
  readonly #answer = new DownloadAnswer();
  #plan = $state.raw<VoicePlan | null>(null);

  #phase = $state<VoicePhase>('idle');
  #progress = $state.raw<VoiceProgress | null>(null);
  /** When the step under way started, and how far it was then (for the time left). */
  #step: { readonly stage: VoiceProgress['stage']; readonly at: number; readonly done: number } | null = null;
  #secondsLeft = $state<number | null>(null);
  #error = $state<string | null>(null);

  constructor(reader: VoiceReader, decode: (file: Blob) => Promise<Recording> = decodeRecording) {
    this.#reader = reader;
    this.#decode = decode;
  }

  get phase(): VoicePhase {
    return this.#phase;
  }
  get busy(): boolean {
    return this.#phase === 'checking' || this.#phase === 'confirm' || this.#phase === 'decoding' || this.#phase === 'reading';
  }
  /** What the voice models would download, while the question is asked. */
  get plan(): VoicePlan | null {
    return this.#plan;
  }
  /** What the worker is doing now (segments, a model's download, the words, the tones), or null. */
  get progress(): VoiceProgress | null {
    return this.#progress;
  }
  get error(): string | null {
    return this.#error;
  }
  /** Seconds left in the step under way (finding speech, the words, the tones), once it can be told. */
  get secondsLeft(): number | null {
    return this.#secondsLeft;
  }

  #onProgress(p: VoiceProgress): void {
    this.#progress = p;
    const now = performance.now();
    const done = 'done' in p ? p.done : p.loaded;
    if (this.#step?.stage !== p.stage) {
      this.#step = { stage: p.stage, at: now, done };
      this.#secondsLeft = null;
      return;
    }
    const total = p.total;
    const rate = (done - this.#step.done) / ((now - this.#step.at) / 1000);
    this.#secondsLeft = total > 0 && rate > 0 ? (total - done) / rate : null;
  }

  /**
   * Reads the voice of `file` with `models`. Never rejects: a failure, a cancel or no speech is the
   * outcome. `video`: the file is a video, whose sound may be missing (then no voice, not an error).
   */
  async analyze(file: Blob, models: VoiceModels, options: { video?: boolean } = {}): Promise<VoiceOutcome> {
    if (this.busy) return { status: 'failed', message: 'A recording is still being read.' };
    const controller = new AbortController();
    this.#controller = controller;
    this.#progress = null;
    this.#error = null;
    try {
      // A large download is asked first, with its size, as the text model's is: one question for both.
      const key = `${sourceKey(models.speech)} ${sourceKey(models.tone)}`;
      if (!this.#approved.has(key)) {
        this.#phase = 'checking';
        const plan = await this.#reader.probe(models, { signal: controller.signal });
        controller.signal.throwIfAborted();
        if (asksFirst(plan)) {
          this.#plan = plan;
          this.#phase = 'confirm';
          const download = await this.#answer.wait();
          this.#plan = null;
          if (controller.signal.aborted) throw new VoiceError('cancelled', 'cancelled');
          if (!download) {
            this.#phase = 'idle';
            return DECLINED;
          }
        }
        this.#approved.add(key);
      }
      this.#phase = 'decoding';
      const recording = await this.#decode(file);
      controller.signal.throwIfAborted();
      this.#phase = 'reading';
      const answer = await this.#reader.read(recording, models, { signal: controller.signal, onProgress: (p) => this.#onProgress(p) });
      this.#phase = 'done';
      const scores = recordingTone(answer.segments);
      if (!scores) return { status: 'empty', message: NO_SPEECH_MESSAGE };
      const result: VoiceChannelResult = {
        scores,
        // The words' emotions come from the text channel, after this answer.
        segments: answer.segments.map((s) => ({ ...s, words: null })),
        transcript: answer.transcript,
        language: answer.language,
        speechModel: answer.speechModel,
        duration: answer.duration,
        toneModel: answer.tone.modelId,
        elapsedMs: answer.elapsedMs,
        timings: answer.timings,
        ...(answer.tone.unmapped.length ? { unmappedLabels: answer.tone.unmapped } : {}),
      };
      return { status: 'done', result };
    } catch (err) {
      const error = err instanceof VoiceError ? err : new VoiceError(controller.signal.aborted ? 'cancelled' : 'crashed', err instanceof Error ? err.message : String(err));
      if (error.code === 'cancelled' || controller.signal.aborted) {
        this.#phase = 'idle';
        return CANCELLED;
      }
      if (options.video && error.code === 'unreadable-audio') {
        this.#phase = 'idle';
        return { status: 'empty', message: NO_SOUND_MESSAGE };
      }
      const message = describeVoiceError(error);
      this.#phase = 'error';
      this.#error = message;
      return { status: 'failed', message };
    } finally {
      this.#progress = null;
      this.#step = null;
      this.#secondsLeft = null;
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** The user agreed to download the voice models shown in `plan`. */
  confirmDownload(): void {
    this.#answer.yes();
  }

  /** The user declined the download: the recording is not read in this run. */
  declineDownload(): void {
    this.#answer.no();
  }

  /** Stops the reading under way (the worker drops it and goes on), or the question asked. */
  cancel(): void {
    this.#controller?.abort();
    this.#answer.no();
  }

  /** Not part of the next run: no status, no error left from an earlier one. */
  reset(): void {
    if (this.busy) return;
    this.#phase = 'idle';
    this.#error = null;
  }
}
