// The voice worker's logic, free of Worker, ONNX Runtime and transformers.js so it is tested in
// Node with a fake runtime (and with the real models in tests/node): requests run one at a time;
// a recording is mixed to mono (resampled when it is not at 16 kHz), its speech segments found
// (vad.ts), grouped into windows of up to 30 s that the speech model transcribes (speech.ts: one
// pass per window, its timed pieces given to the segments), and each segment's tone read and
// mapped to the seven (tone.ts). Each model is loaded once per source. Every request ends in
// exactly one final message: its answer or `error`.
import { errorDetail } from '../../shared/errors';
import { ModelError } from '../text/model-errors';
import { sourceKey, type ModelSource } from '../text/model-source';
import type { DecodedAudio, VoiceAnswer, VoicePlan, VoiceProgress, VoiceRequest, VoiceResponse, VoiceSegment } from './protocol';
import { recordingLanguage, segmentTexts, speechWindows, windowSamples } from './speech';
import { toneLabels, toneScores } from './tone';
import type { SpeechModel } from './whisper';
import { VOICE_SAMPLE_RATE, speechProbabilities, speechSegments, type VadStep } from './vad';
import { VoiceError } from './voice-errors';

/** A loaded speech-emotion model. */
export interface ToneModel {
  readonly modelId: string;
  /** Its own labels (config id2label), in its order. */
  readonly labels: readonly string[];
  /** Every label with its softmax score, for 16 kHz mono samples. */
  classify(samples: Float32Array): Promise<ReadonlyArray<{ readonly label: string; readonly score: number }>>;
  dispose(): Promise<void>;
}

/** What the handler needs of the worker's runtime (a fake in unit tests). */
export interface VoiceRuntime {
  /** The voice-activity model's step, loaded once. */
  vad(): Promise<VadStep>;
  /** Loads the speech-recognition model of `source` (downloading what the device lacks, with progress). */
  loadSpeech(source: ModelSource, onProgress: (loaded: number, total: number) => void, signal: AbortSignal): Promise<SpeechModel>;
  /** Loads the tone model of `source` (downloading what the device lacks, with progress). */
  loadTone(source: ModelSource, onProgress: (loaded: number, total: number) => void, signal: AbortSignal): Promise<ToneModel>;
  /** What loading the model of `source` as `kind` would download. */
  probe(kind: 'speech' | 'tone', source: ModelSource): Promise<VoicePlan>;
  now(): number;
}

import { MAX_VOICE_SECONDS } from './limits';

export { MAX_VOICE_SECONDS };

/** One channel at 16 kHz: the channels averaged, resampled when the decoder gave another rate. */
export function monoAt16k(audio: DecodedAudio): Float32Array {
  const channels = audio.channels;
  const length = channels[0]?.length ?? 0;
  let mono: Float32Array;
  if (channels.length === 1) mono = channels[0]!;
  else {
    mono = new Float32Array(length);
    for (const c of channels) for (let i = 0; i < length; i++) mono[i]! += c[i]! / channels.length;
  }
  return audio.sampleRate === VOICE_SAMPLE_RATE ? mono : resample(mono, audio.sampleRate, VOICE_SAMPLE_RATE);
}

/**
 * Windowed-sinc resampling (a Hann-windowed low-pass at the lower of the two Nyquist rates, 16
 * zero crossings a side). Used only when the browser's decoder did not give 16 kHz.
 */
export function resample(input: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return input;
  const ratio = to / from;
  const out = new Float32Array(Math.floor(input.length * ratio));
  const cutoff = Math.min(1, ratio);
  const half = 16 / cutoff;
  for (let i = 0; i < out.length; i++) {
    const center = i / ratio;
    const first = Math.max(0, Math.ceil(center - half));
    const last = Math.min(input.length - 1, Math.floor(center + half));
    let sum = 0;
    let weights = 0;
    for (let j = first; j <= last; j++) {
      const x = j - center;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x * cutoff) / (Math.PI * x * cutoff);
      const w = sinc * (0.5 + 0.5 * Math.cos((Math.PI * x) / half));
      sum += input[j]! * w;
      weights += w;
    }
    out[i] = weights ? sum / weights : 0;
  }
  return out;
}

/** A load failure of the `kind` model as the voice channel's error. */
function loadError(kind: 'speech' | 'tone', err: unknown): VoiceError {
  if (err instanceof VoiceError) return err;
  if (err instanceof ModelError && err.code === 'offline') return new VoiceError('offline', err.detail);
  if (err instanceof ModelError && err.code === 'cancelled') return new VoiceError('cancelled', err.detail);
  return new VoiceError(`${kind}-unavailable`, err instanceof ModelError ? `${err.code}: ${err.detail}` : errorDetail(err));
}

type Load<M> = (source: ModelSource, onProgress: (loaded: number, total: number) => void, signal: AbortSignal) => Promise<M>;

/** The one `kind` model the worker holds: loaded once per source, the one before freed first. */
function modelSlot<M extends { dispose(): Promise<void> }>(kind: 'speech' | 'tone', load: Load<M>) {
  let held: { readonly key: string; readonly model: M } | null = null;
  return {
    holds: (source: ModelSource): boolean => held?.key === sourceKey(source),
    async get(source: ModelSource, onProgress: (loaded: number, total: number) => void, signal: AbortSignal): Promise<M> {
      const key = sourceKey(source);
      if (held?.key === key) return held.model;
      const old = held;
      held = null;
      await old?.model.dispose().catch(() => undefined);
      const model = await load(source, onProgress, signal).catch((err: unknown) => {
        throw signal.aborted ? new VoiceError('cancelled', `cancelled while the ${kind} model loaded`) : loadError(kind, err);
      });
      held = { key, model };
      return model;
    },
  };
}

/** Creates the message handler; `post` sends a reply to the page. */
export function createVoiceHandler(runtime: VoiceRuntime, post: (message: VoiceResponse) => void) {
  let queue: Promise<void> = Promise.resolve();
  let vad: Promise<VadStep> | null = null;
  const slots = { speech: modelSlot('speech', runtime.loadSpeech.bind(runtime)), tone: modelSlot('tone', runtime.loadTone.bind(runtime)) };

  function progress(id: number, p: VoiceProgress): void {
    post({ type: 'progress', id, progress: p });
  }

  async function read(request: Extract<VoiceRequest, { type: 'read' }>, signal: AbortSignal): Promise<VoiceAnswer> {
    const started = runtime.now();
    const samples = monoAt16k(request.audio);
    const duration = samples.length / VOICE_SAMPLE_RATE;
    if (duration > MAX_VOICE_SECONDS) {
      throw new VoiceError('too-long', `This recording is ${Math.round(duration / 60)} minutes long; the voice channel reads up to ${MAX_VOICE_SECONDS / 60} minutes. Cut it into parts and analyze each.`);
    }
    vad ??= runtime.vad().catch((err: unknown) => {
      vad = null;
      throw new VoiceError('vad-unavailable', errorDetail(err));
    });
    const step = await vad;
    const probabilities = await speechProbabilities(samples, step, { signal, onFrames: (done, total) => progress(request.id, { stage: 'segments', done, total }) });
    const spans = speechSegments(probabilities, duration);
    const found = runtime.now();


    // What was said: one pass of the speech model per window of up to 30 s of segments.
    const speech = await slots.speech.get(request.models.speech, (loaded, total) => progress(request.id, { stage: 'speech-model', loaded, total }), signal);
    const speechLoaded = runtime.now();
    const texts: string[] = spans.map(() => '');
    const windows = speechWindows(spans);
    const languages: Array<{ language: string | null; seconds: number }> = [];
    const cost = { speechEncodeMs: 0, speechLanguageMs: 0, speechDecodeMs: 0, speechTokens: 0, speechWindows: windows.length };
    for (const [i, window] of windows.entries()) {
      signal.throwIfAborted();
      progress(request.id, { stage: 'speech', done: i, total: windows.length });
      const heard = await speech.transcribe(windowSamples(samples, spans, window, VOICE_SAMPLE_RATE), signal);
      segmentTexts(window, spans, heard.pieces).forEach((text, k) => (texts[window.segments[k]!] = text));
      languages.push({ language: heard.language, seconds: window.seconds });
      cost.speechEncodeMs += heard.cost.encodeMs;
      cost.speechLanguageMs += heard.cost.languageMs;
      cost.speechDecodeMs += heard.cost.decodeMs;
      cost.speechTokens += heard.cost.tokens;
    }
    const transcribed = runtime.now();

    // How it was said: the tone of each segment.
    const model = await slots.tone.get(request.models.tone, (loaded, total) => progress(request.id, { stage: 'tone-model', loaded, total }), signal);
    let labels: ReturnType<typeof toneLabels>;
    try {
      labels = toneLabels(model.labels);
    } catch (err) {
      throw new VoiceError('tone-labels', errorDetail(err));
    }
    const loaded = runtime.now();
    const segments: VoiceSegment[] = [];
    for (const [i, span] of spans.entries()) {
      signal.throwIfAborted();
      progress(request.id, { stage: 'tone', done: i, total: spans.length });
      const piece = samples.subarray(Math.floor(span.start * VOICE_SAMPLE_RATE), Math.ceil(span.end * VOICE_SAMPLE_RATE));
      segments.push({ start: span.start, end: span.end, tone: toneScores(await model.classify(piece), labels), text: texts[i]! });
    }
    const end = runtime.now();
    return {
      duration,
      segments,
      transcript: texts.filter(Boolean).join(' '),
      language: recordingLanguage(languages),
      speechModel: speech.modelId,
      tone: { modelId: model.modelId, labels: model.labels, unmapped: labels.unmapped },
      elapsedMs: end - started,
      timings: { segmentsMs: found - started, speechLoadMs: speechLoaded - found, speechMs: transcribed - speechLoaded, ...cost, toneLoadMs: loaded - transcribed, toneMs: end - loaded },
    };
  }

  /** What the two loads would download; a model held has nothing left to. */
  async function probe(models: VoiceRequest['models']): Promise<VoicePlan> {
    const plans = await Promise.all(
      (['speech', 'tone'] as const).map((kind) =>
        slots[kind].holds(models[kind]) ? { files: [], downloadBytes: 0 } : runtime.probe(kind, models[kind]).catch((err: unknown) => Promise.reject(loadError(kind, err))),
      ),
    );
    const bytes = plans.map((p) => p.downloadBytes);
    return { files: plans.flatMap((p) => p.files), downloadBytes: bytes.includes(null) ? null : bytes.reduce<number>((a, b) => a + (b ?? 0), 0) };
  }

  async function handle(request: VoiceRequest, signal: AbortSignal): Promise<void> {
    try {
      signal.throwIfAborted();
      if (request.type === 'probe') {
        post({ type: 'probed', id: request.id, plan: await probe(request.models) });
        return;
      }
      post({ type: 'answer', id: request.id, answer: await read(request, signal) });
    } catch (err) {
      const error = err instanceof VoiceError ? err : signal.aborted ? new VoiceError('cancelled', 'cancelled') : new VoiceError('crashed', errorDetail(err));
      post({ type: 'error', id: request.id, error: error.toData() });
    }
  }

  /** Queues a request; they run one at a time, in arrival order. */
  return (request: VoiceRequest, signal: AbortSignal = new AbortController().signal): Promise<void> => {
    const next = queue.then(() => handle(request, signal));
    queue = next;
    return next;
  };
}
