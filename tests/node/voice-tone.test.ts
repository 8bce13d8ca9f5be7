// @vitest-environment node
// The tone fixture (scripts/make-voice-fixtures.mjs) through the REAL transformers.js
// `audio-classification` pipeline (onnxruntime-node), its labels read from its config and mapped
// to the seven; and the committed fixture is what the generator makes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline, type AudioClassificationPipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topEmotion } from '../../src/shared/emotions';
import { recordingTone, toneLabels, toneScores } from '../../src/features/voice/tone';
import { VOICE_SAMPLE_RATE } from '../../src/features/voice/vad';
import { useFixtureModels } from '../support/local-models';
import { readWav } from '../support/wav';
import { TONE_DIR, TONE_LABELS, TONE_MODEL_ID, toneModelFiles } from '../../scripts/make-voice-fixtures.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
let restore = () => {};
let classify: AudioClassificationPipeline;

beforeAll(async () => {
  restore = useFixtureModels();
  classify = (await pipeline('audio-classification', TONE_MODEL_ID, { dtype: 'q8' })) as AudioClassificationPipeline;
});
afterAll(async () => {
  await classify?.dispose();
  restore();
});

describe('the tone model fixture', () => {
  it('is exactly what the generator makes', () => {
    for (const [file, bytes] of toneModelFiles()) expect(readFileSync(path.join(TONE_DIR, file)).equals(bytes), file).toBe(true);
  });

  it('has the 8 labels of the real model in its config, and all of them name one of the seven', async () => {
    const labels = Object.values((classify.model.config as unknown as { id2label: Record<string, string> }).id2label);
    expect(labels).toEqual(TONE_LABELS);
    const mapped = toneLabels(labels);
    expect(mapped.unmapped).toEqual([]);
    expect(mapped.mapped.get('calm')).toBe('neutral');
    expect(mapped.mapped.get('fearful')).toBe('fear');
  });

  it('reads the loud sentence of the recording as joy and the quiet one as sadness, through the pipeline', async () => {
    const samples = readWav(path.join(ROOT, 'tests/fixtures/audio/two-sentences.wav')).channels[0]!;
    const labels = toneLabels(TONE_LABELS);
    const read = async (start: number, end: number) => {
      const pairs = (await classify(samples.slice(Math.round(start * VOICE_SAMPLE_RATE), Math.round(end * VOICE_SAMPLE_RATE)), { top_k: TONE_LABELS.length })) as Array<{ label: string; score: number }>;
      expect(pairs).toHaveLength(8);
      expect(pairs.reduce((a, p) => a + p.score, 0)).toBeCloseTo(1, 5);
      return toneScores(pairs, labels);
    };
    const loud = await read(0.4, 3.6);
    const quiet = await read(4.8, 8.7);
    expect(topEmotion(loud).emotion).toBe('joy');
    expect(topEmotion(quiet).emotion).toBe('sadness');
    const whole = recordingTone([
      { start: 0.4, end: 3.6, tone: loud },
      { start: 4.8, end: 8.7, tone: quiet },
    ])!;
    expect(Object.values(whole).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('refuses a model whose labels name no emotion, naming them', () => {
    expect(() => toneLabels(['male', 'female'])).toThrow(/male, female/);
    const some = toneLabels(['happy', 'other', 'unknown']);
    expect(some.unmapped).toEqual(['other', 'unknown']);
    expect(toneScores([{ label: 'happy', score: 0.4 }, { label: 'other', score: 0.6 }], some).joy).toBe(1);
  });
});
