// The voice channel: decodes a recording on the device (decode.ts), has the voice worker find its
// speech segments and read each one's tone, and answers a run with an outcome. Speech found: the
// recording's tone (its segments' weighted by duration). No speech: an `empty` outcome with a
// sentence (a normal answer; the channel is then absent from the run). It keeps no result and no
// sound of its own.
import type { ChannelOutcome, VoiceChannelResult } from '../analysis/run';
import type { ModelSource } from '../text/model-source';
import { decodeRecording, type Recording } from './decode';
import type { DecodedAudio, VoiceAnswer, VoiceProgress } from './protocol';
import { recordingTone } from './tone';
import type { VoiceReadOptions } from './voice-client';
import { VoiceError, describeVoiceError } from './voice-errors';

/** What the channel needs of the voice worker's client (a fake in unit tests). */
export interface VoiceReader {
  read(audio: DecodedAudio, tone: ModelSource, options?: VoiceReadOptions): Promise<VoiceAnswer>;
}

export type VoicePhase = 'idle' | 'decoding' | 'reading' | 'done' | 'error';

type VoiceOutcome = ChannelOutcome<VoiceChannelResult>;

/** The sentence for a recording without speech; it starts as the tests expect ("No speech found"). */
export const NO_SPEECH_MESSAGE = 'No speech found in this recording, so the voice channel is left out of the answer.';

const CANCELLED: VoiceOutcome = { status: 'cancelled', message: 'Reading the voice was cancelled.' };

export class VoiceChannelState {
  readonly #reader: VoiceReader;
  readonly #decode: (file: Blob) => Promise<Recording>;
  #controller: AbortController | null = null;

  #phase = $state<VoicePhase>('idle');
  #progress = $state.raw<VoiceProgress | null>(null);
  #error = $state<string | null>(null);

  constructor(reader: VoiceReader, decode: (file: Blob) => Promise<Recording> = decodeRecording) {
    this.#reader = reader;
    this.#decode = decode;
  }

  get phase(): VoicePhase {
    return this.#phase;
  }
  get busy(): boolean {
    return this.#phase === 'decoding' || this.#phase === 'reading';
  }
  /** What the worker is doing now (segments, the tone model's download, the tones), or null. */
  get progress(): VoiceProgress | null {
    return this.#progress;
  }
  get error(): string | null {
    return this.#error;
  }

  /** Reads the voice of `file` with the tone model of `tone`. Never rejects: a failure, a cancel or no speech is the outcome. */
  async analyze(file: Blob, tone: ModelSource): Promise<VoiceOutcome> {
    if (this.busy) return { status: 'failed', message: 'A recording is still being read.' };
    const controller = new AbortController();
    this.#controller = controller;
    this.#phase = 'decoding';
    this.#progress = null;
    this.#error = null;
    try {
      const recording = await this.#decode(file);
      controller.signal.throwIfAborted();
      this.#phase = 'reading';
      const answer = await this.#reader.read(recording, tone, { signal: controller.signal, onProgress: (p) => (this.#progress = p) });
      this.#phase = 'done';
      const scores = recordingTone(answer.segments);
      if (!scores) return { status: 'empty', message: NO_SPEECH_MESSAGE };
      const result: VoiceChannelResult = {
        scores,
        segments: answer.segments,
        duration: answer.duration,
        toneModel: answer.tone.modelId,
        elapsedMs: answer.elapsedMs,
        ...(answer.tone.unmapped.length ? { unmappedLabels: answer.tone.unmapped } : {}),
      };
      return { status: 'done', result };
    } catch (err) {
      const error = err instanceof VoiceError ? err : new VoiceError(controller.signal.aborted ? 'cancelled' : 'crashed', err instanceof Error ? err.message : String(err));
      if (error.code === 'cancelled' || controller.signal.aborted) {
        this.#phase = 'idle';
        return CANCELLED;
      }
      const message = describeVoiceError(error);
      this.#phase = 'error';
      this.#error = message;
      return { status: 'failed', message };
    } finally {
      this.#progress = null;
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Stops the reading under way (the worker drops it and goes on). */
  cancel(): void {
    this.#controller?.abort();
  }

  /** Not part of the next run: no status, no error left from an earlier one. */
  reset(): void {
    if (this.busy) return;
    this.#phase = 'idle';
    this.#error = null;
  }
}
