import { describe, expect, it } from 'vitest';
import type { VoiceProgress, VoiceRequest, VoiceResponse } from '../../src/features/voice/protocol';
import { MAX_VOICE_SECONDS, createVoiceHandler, monoAt16k, resample, type ToneModel, type VoiceRuntime } from '../../src/features/voice/voice-handler';
import type { SpeechModel } from '../../src/features/voice/whisper';
import { VAD_FRAME, VOICE_SAMPLE_RATE, type VadStep } from '../../src/features/voice/vad';
import { ModelError } from '../../src/features/text/model-errors';

const SR = VOICE_SAMPLE_RATE;
const source = { host: 'http://127.0.0.1:1', modelId: 'test/tone' };
const speechSource = { host: 'http://127.0.0.1:1', modelId: 'test/whisper' };

/** Loud where there is speech: a fake VAD that says "speech" where the frame's peak is over 0.1. */
const loudnessVad: VadStep = async (input, state) => {
  let peak = 0;
  for (let i = 64; i < input.length; i++) peak = Math.max(peak, Math.abs(input[i]!));
  return { probability: peak > 0.1 ? 0.95 : 0.02, state };
};

/** Seconds of [amplitude, seconds] runs, as 16 kHz samples (a 200 Hz tone). */
function audio(...runs: Array<[number, number]>): Float32Array {
  const out: number[] = [];
  for (const [amp, seconds] of runs) for (let i = 0; i < seconds * SR; i++) out.push(amp * Math.sin((2 * Math.PI * 200 * i) / SR));
  return Float32Array.from(out);
}

/** RMS of each 100 ms of `samples`. */
function levels(samples: Float32Array): number[] {
  const step = SR / 10;
  const out: number[] = [];
  for (let at = 0; at + step <= samples.length; at += step) {
    let sum = 0;
    for (let i = at; i < at + step; i++) sum += samples[i]! * samples[i]!;
    out.push(Math.sqrt(sum / step));
  }
  return out;
}

function setup(opts: { labels?: string[]; loadError?: unknown; speechError?: unknown; vadError?: boolean } = {}) {
  const messages: VoiceResponse[] = [];
  const log: string[] = [];
  // Hears each stretch of sound of a window as one timed piece: loud ones say something glad.
  const speech: SpeechModel = {
    modelId: speechSource.modelId,
    async transcribe(samples) {
      log.push(`transcribe:${(samples.length / SR).toFixed(1)}`);
      const pieces: Array<{ start: number; end: number; text: string }> = [];
      levels(samples).forEach((level, i) => {
        const last = pieces.at(-1);
        if (level < 0.03) return;
        if (last && Math.abs(last.end - i / 10) < 1e-9) last.end = (i + 1) / 10;
        else pieces.push({ start: i / 10, end: (i + 1) / 10, text: level > 0.2 ? 'What a great day.' : 'This is bad news.' });
      });
      return { language: 'en', pieces, cost: { encodeMs: 30, languageMs: 2, decodeMs: 40, tokens: 8 * pieces.length } };
    },
    async dispose() {
      log.push('dispose:speech');
    },
  };
  const tone: ToneModel = {
    modelId: source.modelId,
    labels: opts.labels ?? ['angry', 'calm', 'happy', 'sad'],
    async classify(samples) {
      log.push(`classify:${(samples.length / SR).toFixed(1)}`);
      // Louder reads happier.
      let sum = 0;
      for (const x of samples) sum += x * x;
      const loud = Math.sqrt(sum / samples.length) > 0.2;
      return loud ? [{ label: 'happy', score: 0.7 }, { label: 'calm', score: 0.3 }] : [{ label: 'sad', score: 0.8 }, { label: 'angry', score: 0.2 }];
    },
    async dispose() {
      log.push('dispose');
    },
  };
  let clock = 0;
  const runtime: VoiceRuntime = {
    async vad() {
      log.push('vad');
      if (opts.vadError) throw new Error('HTTP 404');
      return loudnessVad;
    },
    async loadSpeech(s, onProgress) {
      log.push(`load:${s.modelId}`);
      onProgress(1, 2);
      if (opts.speechError) throw opts.speechError;
      return speech;
    },
    async loadTone(s, onProgress) {
      log.push(`load:${s.modelId}`);
      onProgress(5, 10);
      if (opts.loadError) throw opts.loadError;
      return tone;
    },
    async probe(kind, s) {
      log.push(`probe:${kind}:${s.modelId}`);
      return kind === 'tone'
        ? { files: [{ file: 'onnx/model_quantized.onnx', size: 95_000_000, cached: false }], downloadBytes: 95_000_000 }
        : { files: [{ file: 'onnx/encoder_model.onnx', size: 80_000_000, cached: false }, { file: 'tokenizer.json', size: 2_000_000, cached: true }], downloadBytes: 80_000_000 };
    },
    now: () => (clock += 10),
  };
  const handle = createVoiceHandler(runtime, (m) => messages.push(m));
  const models = (modelId: string, speechId: string) => ({ speech: { ...speechSource, modelId: speechId }, tone: { ...source, modelId } });
  const read = (samples: Float32Array, id = 1, signal?: AbortSignal, modelId = source.modelId, speechId = speechSource.modelId) =>
    handle({ type: 'read', id, audio: { channels: [samples], sampleRate: SR }, models: models(modelId, speechId) } satisfies VoiceRequest, signal);
  const probe = (id: number, modelId = source.modelId, speechId = speechSource.modelId) => handle({ type: 'probe', id, models: models(modelId, speechId) });
  return { read, probe, messages, log };
}

describe('the voice worker handler', () => {
  it('finds the speech segments, what was said in each and how it sounded, and reports progress on the way', async () => {
    const { read, messages, log } = setup();
    await read(audio([0, 0.5], [0.5, 2], [0, 1], [0.1, 1.5], [0, 0.5]));
    const answer = messages.at(-1);
    if (answer?.type !== 'answer') throw new Error(JSON.stringify(answer));
    expect(answer.answer.segments).toHaveLength(2);
    const [a, b] = answer.answer.segments;
    expect(a!.start).toBeCloseTo(0.4, 1);
    expect(a!.end).toBeCloseTo(2.6, 1);
    expect(b!.start).toBeCloseTo(3.4, 1);
    expect(a!.tone.joy).toBeCloseTo(0.7, 6);
    expect(a!.tone.neutral).toBeCloseTo(0.3, 6); // calm counts as neutral
    expect(b!.tone.sadness).toBeCloseTo(0.8, 6);
    expect(b!.tone.anger).toBeCloseTo(0.2, 6);
    expect(answer.answer.duration).toBeCloseTo(5.5, 3);
    expect(answer.answer.tone).toEqual({ modelId: 'test/tone', labels: ['angry', 'calm', 'happy', 'sad'], unmapped: [] });
    // Both segments fit one 30 s window, 0.8 s apart: one pass of the speech model, its pieces
    // given to the segment each overlaps.
    expect(log.filter((l) => l.startsWith('transcribe'))).toEqual([`transcribe:${(a!.end - a!.start + 0.8 + b!.end - b!.start).toFixed(1)}`]);
    expect(a!.text).toBe('What a great day.');
    expect(b!.text).toBe('This is bad news.');
    expect(answer.answer.transcript).toBe('What a great day. This is bad news.');
    expect(answer.answer.language).toBe('en');
    expect(answer.answer.speechModel).toBe('test/whisper');
    const stages = [...new Set(messages.flatMap((m) => (m.type === 'progress' ? [m.progress.stage] : [])))];
    expect(stages).toEqual(['segments', 'speech-model', 'speech', 'tone-model', 'tone']);
    const timings = answer.answer.timings;
    expect(Object.values(timings).every((ms) => ms > 0)).toBe(true);
    expect(timings).toMatchObject({ speechWindows: 1, speechEncodeMs: 30, speechDecodeMs: 40, speechTokens: 16 });
    const tones = messages.flatMap((m) => (m.type === 'progress' && m.progress.stage === 'tone' ? [(m.progress as Extract<VoiceProgress, { stage: 'tone' }>).done] : []));
    expect(tones).toEqual([0, 1]);
    expect(log.filter((l) => l.startsWith('classify'))).toHaveLength(2);
  });

  it('loads the voice-activity model and each model once, and a model again when its setting changes', async () => {
    const { read, log } = setup();
    await read(audio([0.5, 1]), 1);
    await read(audio([0.5, 1]), 2);
    await read(audio([0.5, 1]), 3, undefined, 'other/tone');
    await read(audio([0.5, 1]), 4, undefined, 'other/tone', 'other/whisper');
    expect(log.filter((l) => l === 'vad')).toHaveLength(1);
    expect(log.filter((l) => l.startsWith('load:'))).toEqual(['load:test/whisper', 'load:test/tone', 'load:other/tone', 'load:other/whisper']);
    expect(log.filter((l) => l.startsWith('dispose'))).toEqual(['dispose', 'dispose:speech']);
  });

  it('says what the two models would download together; nothing for a model held', async () => {
    const { read, probe, messages, log } = setup();
    await probe(1);
    expect(messages.at(-1)).toEqual({
      type: 'probed',
      id: 1,
      plan: {
        files: [
          { file: 'onnx/encoder_model.onnx', size: 80_000_000, cached: false },
          { file: 'tokenizer.json', size: 2_000_000, cached: true },
          { file: 'onnx/model_quantized.onnx', size: 95_000_000, cached: false },
        ],
        downloadBytes: 175_000_000,
      },
    });
    await read(audio([0.5, 1]), 2);
    await probe(3);
    expect(messages.at(-1)).toEqual({ type: 'probed', id: 3, plan: { files: [], downloadBytes: 0 } });
    // Another tone model is probed anew; the speech model held is not.
    await probe(4, 'other/tone');
    expect(messages.at(-1)).toMatchObject({ type: 'probed', id: 4, plan: { downloadBytes: 95_000_000 } });
    expect(log.filter((l) => l.startsWith('probe:'))).toEqual(['probe:speech:test/whisper', 'probe:tone:test/tone', 'probe:tone:other/tone']);
  });

  it('reads segments longer than a window together in a pass each; the silence between them is left out', async () => {
    const { read, messages, log } = setup();
    // 20 s loud, 40 s of silence, 15 s quieter: 35 s of speech.
    await read(audio([0, 0.5], [0.5, 20], [0, 40], [0.12, 15], [0, 0.5]));
    const answer = messages.at(-1);
    if (answer?.type !== 'answer') throw new Error(JSON.stringify(answer));
    expect(answer.answer.segments.map((s) => s.text)).toEqual(['What a great day.', 'This is bad news.']);
    expect(log.filter((l) => l.startsWith('transcribe'))).toEqual(['transcribe:20.2', 'transcribe:15.2']);
  });

  it('answers a recording without speech with no segments (the channel says so, not an error)', async () => {
    const { read, messages, log } = setup();
    await read(audio([0.01, 3]));
    expect(messages.at(-1)).toMatchObject({ type: 'answer', answer: { segments: [] } });
    expect(log.filter((l) => l.startsWith('classify'))).toEqual([]);
  });

  it('refuses a tone model whose labels name no emotion, naming them', async () => {
    const { read, messages } = setup({ labels: ['male', 'female'] });
    await read(audio([0.5, 1]));
    expect(messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'tone-labels', detail: expect.stringContaining('male, female') } });
  });

  it('tells an offline device without a model apart from a model that cannot be loaded', async () => {
    const offline = setup({ loadError: new ModelError('offline', 'Failed to fetch') });
    await offline.read(audio([0.5, 1]));
    expect(offline.messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'offline' } });
    const broken = setup({ loadError: new ModelError('not-found', 'HTTP 404') });
    await broken.read(audio([0.5, 1]));
    expect(broken.messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'tone-unavailable', detail: expect.stringContaining('not-found') } });
    const speech = setup({ speechError: new Error('bert is a bert model; the voice channel reads speech with Whisper models') });
    await speech.read(audio([0.5, 1]));
    expect(speech.messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'speech-unavailable', detail: expect.stringContaining('Whisper') } });
    const vad = setup({ vadError: true });
    await vad.read(audio([0.5, 1]));
    expect(vad.messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'vad-unavailable' } });
  });

  it('refuses a recording over the length limit with a sentence, before any model runs', async () => {
    const { read, messages, log } = setup();
    await read(new Float32Array((MAX_VOICE_SECONDS + 1) * SR));
    expect(messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'too-long', detail: expect.stringMatching(/up to 20 minutes/u) } });
    expect(log).toEqual([]);
  });

  it('a cancelled read stops and answers cancelled; the next one runs', async () => {
    const { read, messages } = setup();
    const controller = new AbortController();
    controller.abort();
    await read(audio([0.5, 1]), 1, controller.signal);
    expect(messages.at(-1)).toMatchObject({ id: 1, type: 'error', error: { code: 'cancelled' } });
    await read(audio([0.5, 1]), 2);
    expect(messages.at(-1)).toMatchObject({ id: 2, type: 'answer' });
  });
});

describe('mixing and resampling', () => {
  it('averages the channels and keeps 16 kHz as it is', () => {
    const left = Float32Array.from([1, 0, -1]);
    const right = Float32Array.from([0, 0, 1]);
    expect(Array.from(monoAt16k({ channels: [left, right], sampleRate: SR }))).toEqual([0.5, 0, 0]);
    expect(monoAt16k({ channels: [left], sampleRate: SR })).toBe(left);
  });

  it('resamples 48 kHz to 16 kHz keeping a tone below the new Nyquist and removing one above it', () => {
    const tone = (hz: number, rate: number) => Float32Array.from({ length: rate }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
    const rms = (x: Float32Array) => Math.sqrt(x.slice(100, -100).reduce((a, v) => a + v * v, 0) / (x.length - 200));
    const kept = resample(tone(440, 48000), 48000, 16000);
    expect(kept.length).toBe(16000);
    expect(rms(kept)).toBeCloseTo(Math.SQRT1_2, 1);
    expect(rms(resample(tone(12000, 48000), 48000, 16000))).toBeLessThan(0.05);
    expect(VAD_FRAME).toBe(512);
  });
});
