// @vitest-environment node
// The voice channel's segments on real speech: Silero VAD v5 (the model the app serves, from
// @ricky0123/vad-web's package) run by onnxruntime-node through the app's own frame loop, on
// espeak-ng speech with a pause (tests/fixtures/audio, made by scripts/make-voice-fixtures.mjs).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { VOICE_SAMPLE_RATE, sileroStep, speechProbabilities, speechSegments } from '../../src/features/voice/vad';
import { readWav } from '../support/wav';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const require = createRequire(import.meta.url);
const VAD_MODEL = path.join(path.dirname(require.resolve('@ricky0123/vad-web')), 'silero_vad_v5.onnx');

describe('voice activity on real speech', () => {
  it('finds the two sentences of a recording with a pause between them, in order, around their sound', async () => {
    const wav = readWav(path.join(ROOT, 'tests/fixtures/audio/two-sentences.wav'));
    expect(wav.sampleRate).toBe(VOICE_SAMPLE_RATE);
    const samples = wav.channels[0]!;
    const session = await ort.InferenceSession.create(VAD_MODEL);
    const progress: number[] = [];
    const probabilities = await speechProbabilities(samples, sileroStep(ort, session), { onFrames: (done) => progress.push(done) });
    const seconds = samples.length / VOICE_SAMPLE_RATE;
    const segments = speechSegments(probabilities, seconds);
    // 0.5 s silence, the first sentence (about 2.7 s), 1.5 s silence, the second (about 2.7 s), 0.5 s silence.
    expect(segments).toHaveLength(2);
    const [first, second] = segments as [{ start: number; end: number }, { start: number; end: number }];
    expect(first.start).toBeGreaterThan(0.2);
    expect(first.start).toBeLessThan(0.7);
    expect(first.end).toBeGreaterThan(2.8);
    expect(first.end).toBeLessThan(4.2);
    expect(second.start).toBeGreaterThan(4.3);
    expect(second.start).toBeLessThan(5.4);
    expect(second.end).toBeGreaterThan(7.8);
    expect(second.end).toBeLessThanOrEqual(seconds);
    expect(progress.at(-1)).toBe(probabilities.length);
    await session.release();
  });

  it('stops between two frames when cancelled', async () => {
    const session = await ort.InferenceSession.create(VAD_MODEL);
    const controller = new AbortController();
    const step = sileroStep(ort, session);
    let frames = 0;
    const counting: typeof step = async (input, state) => {
      if (++frames === 250) controller.abort();
      return step(input, state);
    };
    await expect(speechProbabilities(new Float32Array(VOICE_SAMPLE_RATE * 20), counting, { signal: controller.signal })).rejects.toThrow();
    expect(frames).toBeLessThan(450);
    await session.release();
  });
});
