// The typed message protocol between the page (VoiceClient) and the voice worker. The page
// decodes the recording with the browser's decoder at 16 kHz and sends its channels (transferred,
// not copied); the worker mixes them to mono, finds the speech segments, reads what was said in
// them (a Whisper model) and how each one sounded (the tone model). The sound is never stored.
import type { EmotionScores } from '../../shared/emotions';
import type { ModelSource } from '../text/model-source';
import type { ProbedFile } from '../text/protocol';
import type { VoiceErrorData } from './voice-errors';

/** One speech segment of a recording. */
export interface VoiceSegment {
  /** Seconds from the start of the recording. */
  readonly start: number;
  readonly end: number;
  /** How it sounded, as the seven emotions. */
  readonly tone: EmotionScores;
  /** What was said in it; '' when no words were recognised. */
  readonly text: string;
}

/** The two models a recording is read with, both from the Model host. */
export interface VoiceModels {
  /** Speech recognition (a Whisper model): the Speech model setting. */
  readonly speech: ModelSource;
  /** Speech emotion: the Tone model setting. */
  readonly tone: ModelSource;
}

/** The tone model as it answered: its id and its own labels. */
export interface ToneModelInfo {
  readonly modelId: string;
  /** Its labels (config id2label), in its order. */
  readonly labels: readonly string[];
  /** Those that name none of the seven: left out of the scores. */
  readonly unmapped: readonly string[];
}

/** Where the worker's time went, in ms. */
export interface VoiceTimings {
  readonly segmentsMs: number;
  readonly speechLoadMs: number;
  readonly speechMs: number;
  /** Of speechMs: the encoder passes (features included), the language steps, the decoding; and the tokens decoded. */
  readonly speechEncodeMs: number;
  readonly speechLanguageMs: number;
  readonly speechDecodeMs: number;
  readonly speechTokens: number;
  /** Windows of up to 30 s read (one encoder pass each). */
  readonly speechWindows: number;
  readonly toneLoadMs: number;
  readonly toneMs: number;
}

/** The voice channel's answer for one recording. */
export interface VoiceAnswer {
  /** The recording's length in seconds. */
  readonly duration: number;
  /** The speech segments, in order; none is a normal answer (no speech). */
  readonly segments: readonly VoiceSegment[];
  /** Everything said, the segments' texts in order. */
  readonly transcript: string;
  /** The language spoken most (Whisper's code: en, de, ...), or null when the model does not say. */
  readonly language: string | null;
  /** The speech model's id. */
  readonly speechModel: string;
  readonly tone: ToneModelInfo;
  readonly elapsedMs: number;
  readonly timings: VoiceTimings;
}

/** What is under way, for the progress line. */
export type VoiceProgress =
  | { readonly stage: 'segments'; readonly done: number; readonly total: number }
  | { readonly stage: 'speech-model'; readonly loaded: number; readonly total: number }
  /** Windows of up to 30 s transcribed. */
  | { readonly stage: 'speech'; readonly done: number; readonly total: number }
  | { readonly stage: 'tone-model'; readonly loaded: number; readonly total: number }
  | { readonly stage: 'tone'; readonly done: number; readonly total: number };

/** The decoded recording: one Float32Array per channel at `sampleRate`. */
export interface DecodedAudio {
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
}

/** What loading the voice models would download (the one question asked before a large download). */
export interface VoicePlan {
  /** Their files (configs, tokenizer, the weights each load takes), each cached or not. */
  readonly files: readonly ProbedFile[];
  /** Bytes still to download; null when a size is unknown. */
  readonly downloadBytes: number | null;
}

/** Page -> worker. */
export type VoiceRequest =
  | {
      readonly type: 'read';
      readonly id: number;
      readonly audio: DecodedAudio;
      readonly models: VoiceModels;
    }
  /** What loading the models would download, without downloading it. */
  | { readonly type: 'probe'; readonly id: number; readonly models: VoiceModels };

/** Worker -> page (besides the plumbing's `ready`). */
export type VoiceResponse =
  | { readonly type: 'progress'; readonly id: number; readonly progress: VoiceProgress }
  | { readonly type: 'answer'; readonly id: number; readonly answer: VoiceAnswer }
  | { readonly type: 'probed'; readonly id: number; readonly plan: VoicePlan }
  | { readonly type: 'error'; readonly id: number; readonly error: VoiceErrorData };
