// @vitest-environment node
// The Whisper-shaped fixture (scripts/make-whisper-fixture.mjs) through transformers.js's REAL
// Whisper code on onnxruntime-node: feature extractor, tokenizer, encoder, merged decoder with its
// cache and the timestamp rules, as whisper.ts drives them (one encoding per window, the language
// from the first decoder step, greedy decoding with timestamps).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline, type AutomaticSpeechRecognitionPipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentTexts, speechWindows, windowSamples } from '../../src/features/voice/speech';
import { VOICE_SAMPLE_RATE } from '../../src/features/voice/vad';
import { whisperReader, type SpeechModel } from '../../src/features/voice/whisper';
import { useFixtureModels } from '../support/local-models';
import { readWav } from '../support/wav';
import { WHISPER_DIR } from '../../scripts/make-voice-fixtures.mjs';
import { SCRIPTS, WHISPER_MODEL_ID, whisperModelFiles } from '../../scripts/make-whisper-fixture.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
let restore = () => {};
let pipe: AutomaticSpeechRecognitionPipeline;
let reader: SpeechModel;
const samples = readWav(path.join(ROOT, 'tests/fixtures/audio/two-sentences.wav')).channels[0]!;
const cut = (start: number, end: number, gain = 1) => samples.slice(Math.round(start * VOICE_SAMPLE_RATE), Math.round(end * VOICE_SAMPLE_RATE)).map((x) => x * gain);

beforeAll(async () => {
  restore = useFixtureModels();
  pipe = (await pipeline('automatic-speech-recognition', WHISPER_MODEL_ID, { dtype: { encoder_model: 'fp32', decoder_model_merged: 'q8' } })) as AutomaticSpeechRecognitionPipeline;
  reader = whisperReader(pipe, WHISPER_MODEL_ID);
});
afterAll(async () => {
  await reader?.dispose();
  restore();
});

describe('the speech model fixture', () => {
  it('is exactly what the generator makes', () => {
    for (const [file, bytes] of whisperModelFiles()) expect(readFileSync(path.join(WHISPER_DIR, file)).equals(bytes), file).toBe(true);
  });

  it('reads the whole recording in one window as two timed pieces in English, encoding it once', async () => {
    const sessions = (pipe.model as unknown as { sessions: Record<string, { run: (...a: unknown[]) => Promise<unknown> }> }).sessions;
    const encoder = sessions['model']!;
    const run = encoder.run.bind(encoder);
    let encodings = 0;
    encoder.run = (...a) => {
      encodings++;
      return run(...a);
    };
    let t;
    try {
      t = await reader.transcribe(samples);
    } finally {
      encoder.run = run;
    }
    expect(encodings).toBe(1);
    expect(t.language).toBe('en');
    // The loud sentence from 0.5 s, the quiet one after the 1.9 s pause (the fixture's stretches).
    expect(t.pieces).toEqual([
      { start: 0.5, end: 3.46, text: SCRIPTS[2]!.text.trim() },
      { start: 5.38, end: 8.3, text: SCRIPTS[1]!.text.trim() },
    ]);
  });

  it('reads the VAD segments packed in one window, each its sentence', async () => {
    // Where Silero finds the two sentences (tests/node/voice-vad.test.ts).
    const spans = [{ start: 0.4, end: 3.6 }, { start: 5.2, end: 8.5 }];
    const [window] = speechWindows(spans);
    expect(window!.segments).toEqual([0, 1]);
    const t = await reader.transcribe(windowSamples(samples, spans, window!, VOICE_SAMPLE_RATE));
    expect(t.pieces).toHaveLength(2);
    expect(segmentTexts(window!, spans, t.pieces)).toEqual([SCRIPTS[2]!.text.trim(), SCRIPTS[1]!.text.trim()]);
  });

  it('detects the language of each window: German in very quiet speech, with its umlaut decoded', async () => {
    const t = await reader.transcribe(cut(4, 9.2, 0.05));
    expect(t.language).toBe('de');
    expect(t.pieces.map((p) => p.text)).toEqual(['Ich bin heute wirklich sehr müde und so traurig.']);
  });

  it('stops decoding when the read is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(reader.transcribe(samples, controller.signal)).rejects.toThrow();
  });
});
