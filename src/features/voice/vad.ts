// Where the speech is in a recording: Silero VAD v5 (ONNX, MIT, shipped in @ricky0123/vad-web's
// npm package and served from our origin) gives each 32 ms frame at 16 kHz a speech probability,
// and `speechSegments` turns those into segments with a start and an end, as Silero's own
// `get_speech_timestamps` does: speech starts above `threshold`, ends after `minSilenceMs` under
// `negativeThreshold`, segments shorter than `minSpeechMs` are dropped, each is padded by `padMs`,
// and one longer than `maxSegmentSeconds` is cut at its quietest frame (the speech models read
// at most 30 s at a time). Pure but for the session it is given (onnxruntime-web in the voice
// worker, onnxruntime-node in the tests: the same API).

import { VOICE_SAMPLE_RATE } from './limits';

export { VOICE_SAMPLE_RATE };
/** Samples per frame at 16 kHz (Silero v5 takes exactly this many). */
export const VAD_FRAME = 512;
/** Samples of the previous frame put before each frame, as Silero's own wrapper does at 16 kHz. */
const VAD_CONTEXT = 64;
/** The recurrent state: [2, 1, 128]. */
const STATE_SIZE = 2 * 128;

/** One stretch of speech, in seconds from the start of the recording. */
export interface SpeechSpan {
  readonly start: number;
  readonly end: number;
}

export interface SegmentOptions {
  readonly threshold: number;
  readonly negativeThreshold: number;
  readonly minSpeechMs: number;
  readonly minSilenceMs: number;
  readonly padMs: number;
  /** Longer speech is cut; with its pads a segment stays within Whisper's 30 s window. */
  readonly maxSegmentSeconds: number;
}

/**
 * Silero's defaults but for the silence that ends a segment: 400 ms (Silero's 100 ms cuts a
 * sentence at its commas; moonshine-web's VAD uses 400 ms too), and a larger pad (100 ms) so that
 * a segment's first and last sounds are in it.
 */
export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = {
  threshold: 0.5,
  negativeThreshold: 0.35,
  minSpeechMs: 250,
  minSilenceMs: 400,
  padMs: 100,
  maxSegmentSeconds: 29.5,
};

/** The part of an ONNX Runtime session this needs (web and node alike). */
export interface OrtLike {
  readonly Tensor: new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => unknown;
}
export interface OrtSessionLike {
  run(feeds: Record<string, unknown>): Promise<Record<string, { readonly data: unknown }>>;
}

/** One frame's run of the detector: its speech probability and the next state. */
export type VadStep = (input: Float32Array, state: Float32Array) => Promise<{ probability: number; state: Float32Array }>;

/** The step of a Silero VAD v5 session (inputs `input` [1, 576], `state` [2, 1, 128], `sr`). */
export function sileroStep(ort: OrtLike, session: OrtSessionLike): VadStep {
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(VOICE_SAMPLE_RATE)]), []);
  return async (input, state) => {
    const out = await session.run({
      input: new ort.Tensor('float32', input, [1, input.length]),
      state: new ort.Tensor('float32', state, [2, 1, 128]),
      sr,
    });
    const probability = (out.output?.data as Float32Array | undefined)?.[0];
    const next = out.stateN?.data as Float32Array | undefined;
    if (probability === undefined || !next) throw new Error('The voice activity model gave no output named "output" and "stateN".');
    return { probability, state: next };
  };
}

/**
 * The speech probability of every frame of `samples` (16 kHz mono). `onFrames` is told how many
 * frames are done now and then; an aborted `signal` stops it between two frames.
 */
export async function speechProbabilities(
  samples: Float32Array,
  step: VadStep,
  options: { readonly signal?: AbortSignal; readonly onFrames?: (done: number, total: number) => void } = {},
): Promise<Float32Array> {
  const frames = Math.ceil(samples.length / VAD_FRAME);
  const probabilities = new Float32Array(frames);
  const input = new Float32Array(VAD_CONTEXT + VAD_FRAME);
  let state: Float32Array = new Float32Array(STATE_SIZE);
  for (let f = 0; f < frames; f++) {
    if (f % 200 === 0) {
      options.signal?.throwIfAborted();
      options.onFrames?.(f, frames);
    }
    // The last samples of the previous frame, then this frame (the last one padded with silence).
    input.copyWithin(0, VAD_FRAME, VAD_FRAME + VAD_CONTEXT);
    const frame = samples.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME);
    input.set(frame, VAD_CONTEXT);
    if (frame.length < VAD_FRAME) input.fill(0, VAD_CONTEXT + frame.length);
    const out = await step(input, state);
    probabilities[f] = out.probability;
    state = out.state;
  }
  options.onFrames?.(frames, frames);
  return probabilities;
}

/** The speech segments of a recording of `totalSeconds`, from its frames' speech probabilities. */
export function speechSegments(probabilities: ArrayLike<number>, totalSeconds: number, options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS): SpeechSpan[] {
  const frameSeconds = VAD_FRAME / VOICE_SAMPLE_RATE;
  const minSilence = Math.ceil(options.minSilenceMs / 1000 / frameSeconds);
  const minSpeech = Math.ceil(options.minSpeechMs / 1000 / frameSeconds);
  const maxFrames = Math.max(minSpeech + 1, Math.floor(options.maxSegmentSeconds / frameSeconds));
  /** Segments in frames: [first, end) */
  const spans: Array<[number, number]> = [];
  let start = -1;
  let silenceFrom = -1;
  const close = (end: number) => {
    if (end - start >= minSpeech) spans.push([start, end]);
    start = -1;
    silenceFrom = -1;
  };
  for (let f = 0; f < probabilities.length; f++) {
    const p = probabilities[f]!;
    if (p >= options.threshold) {
      silenceFrom = -1;
      if (start < 0) start = f;
    } else if (start >= 0 && p < options.negativeThreshold) {
      if (silenceFrom < 0) silenceFrom = f;
      if (f + 1 - silenceFrom >= minSilence) close(silenceFrom);
    }
    if (start >= 0 && f + 1 - start >= maxFrames) {
      // Too long for the speech models: cut at the quietest frame of its second half.
      let cut = f;
      for (let g = start + Math.floor(maxFrames / 2); g <= f; g++) if (probabilities[g]! < probabilities[cut]!) cut = g;
      const nextStart = cut + 1 <= f ? cut + 1 : f + 1;
      spans.push([start, cut + 1]);
      start = nextStart <= f ? nextStart : -1;
      silenceFrom = -1;
    }
  }
  if (start >= 0) close(silenceFrom >= 0 ? silenceFrom : probabilities.length);

  // Padded on both sides, without overlapping the next one (a gap shorter than two pads is split
  // in its middle), and within the recording.
  const pad = options.padMs / 1000;
  const seconds = spans.map(([a, b]) => ({ start: a * frameSeconds, end: Math.min(b * frameSeconds, totalSeconds) }));
  return seconds.map((s, i) => {
    const before = seconds[i - 1];
    const after = seconds[i + 1];
    const start = Math.max(0, before ? Math.max(s.start - pad, (before.end + s.start) / 2) : s.start - pad);
    const end = Math.min(totalSeconds, after ? Math.min(s.end + pad, (s.end + after.start) / 2) : s.end + pad);
    return { start: round3(start), end: round3(end) };
  });
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
