import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/shared/emotions';
import type { VoiceAnswer, VoicePlan, VoiceProgress } from '../../src/features/voice/protocol';
import { NO_SPEECH_MESSAGE, VoiceChannelState, type VoiceReader } from '../../src/features/voice/voice-channel.svelte';
import type { Recording } from '../../src/features/voice/decode';
import { VoiceError } from '../../src/features/voice/voice-errors';
import { describeVoiceProgress } from '../../src/features/voice/progress';

const tone = { speech: { host: 'http://127.0.0.1:1', modelId: 'test/whisper' }, tone: { host: 'http://127.0.0.1:1', modelId: 'test/tone' } };
const JOY = normalize({ anger: 0, disgust: 0, fear: 0, joy: 3, neutral: 1, sadness: 0, surprise: 0 });
const SAD = normalize({ anger: 0, disgust: 0, fear: 0, joy: 0, neutral: 1, sadness: 3, surprise: 0 });

function setup(opts: { plan?: VoicePlan; segments?: VoiceAnswer['segments']; steps?: (p: (progress: VoiceProgress) => void) => Promise<void> } = {}) {
  const log: string[] = [];
  const reader: VoiceReader = {
    async probe(t) {
      log.push(`probe:${t.speech.modelId}+${t.tone.modelId}`);
      return opts.plan ?? { files: [{ file: 'onnx/model_quantized.onnx', size: 95_000_000, cached: false }], downloadBytes: 95_000_000 };
    },
    async read(audio, t, options) {
      log.push(`read:${audio.channels.length}:${t.tone.modelId}`);
      options?.onProgress?.({ stage: 'tone', done: 0, total: 2 });
      if (opts.steps && options?.onProgress) await opts.steps(options.onProgress);
      return {
        duration: 10,
        segments: opts.segments ?? [
          { start: 1, end: 4, tone: JOY, text: 'What a day.' },
          { start: 5, end: 6, tone: SAD, text: '' },
        ],
        transcript: 'What a day.',
        language: 'en',
        speechModel: t.speech.modelId,
        tone: { modelId: t.tone.modelId, labels: ['happy', 'sad', 'other'], unmapped: ['other'] },
        elapsedMs: 12,
        timings: { segmentsMs: 1, speechLoadMs: 1, speechMs: 1, speechEncodeMs: 1, speechLanguageMs: 1, speechDecodeMs: 1, speechTokens: 9, speechWindows: 1, toneLoadMs: 1, toneMs: 1 },
      };
    },
  };
  const decode = async (file: Blob): Promise<Recording> => {
    log.push(`decode:${file.size}`);
    if (file.size === 0) throw new VoiceError('unreadable-audio', 'EncodingError');
    return { channels: [new Float32Array(16)], sampleRate: 16000, duration: 10 };
  };
  const voice = new VoiceChannelState(reader, decode);
  return { voice, log };
}

const recording = new Blob([new Uint8Array(8)]);
const settled = () => new Promise((r) => setTimeout(r, 0));

describe('the voice channel', () => {
  it('asks once before a large download of the two voice models, with its size; on yes it reads, and does not ask again', async () => {
    const { voice, log } = setup();
    const outcome = voice.analyze(recording, tone);
    await settled();
    expect(voice.phase).toBe('confirm');
    expect(voice.plan?.downloadBytes).toBe(95_000_000);
    expect(log).toEqual(['probe:test/whisper+test/tone']);
    voice.confirmDownload();
    const done = await outcome;
    if (done.status !== 'done') throw new Error(JSON.stringify(done));
    // Duration-weighted: 3 s of joy, 1 s of sadness.
    expect(done.result.scores.joy).toBeCloseTo((3 * JOY.joy + SAD.joy) / 4, 9);
    expect(done.result).toMatchObject({ duration: 10, toneModel: 'test/tone', speechModel: 'test/whisper', transcript: 'What a day.', language: 'en', unmappedLabels: ['other'], elapsedMs: 12 });
    // The words are read by the text channel afterwards (RunState): none yet.
    expect(done.result.segments.map((s) => [s.text, s.words])).toEqual([['What a day.', null], ['', null]]);
    expect(voice.phase).toBe('done');
    expect(voice.plan).toBeNull();
    await voice.analyze(recording, tone);
    expect(log.filter((l) => l.startsWith('probe'))).toHaveLength(1);
  });

  it('Not now leaves the recording unread and says why; Cancel during the question does too', async () => {
    const declined = setup();
    const a = declined.voice.analyze(recording, tone);
    await settled();
    declined.voice.declineDownload();
    expect(await a).toMatchObject({ status: 'cancelled', message: expect.stringContaining('declined') });
    expect(declined.voice.phase).toBe('idle');
    expect(declined.log.some((l) => l.startsWith('read'))).toBe(false);

    const cancelled = setup();
    const b = cancelled.voice.analyze(recording, tone);
    await settled();
    cancelled.voice.cancel();
    expect(await b).toMatchObject({ status: 'cancelled' });
    expect(cancelled.log.some((l) => l.startsWith('decode') || l.startsWith('read'))).toBe(false);
  });

  it('does not ask for a small download or a model already on this device', async () => {
    const small = setup({ plan: { files: [{ file: 'onnx/model_quantized.onnx', size: 1000, cached: false }], downloadBytes: 1000 } });
    expect(await small.voice.analyze(recording, tone)).toMatchObject({ status: 'done' });
    const cached = setup({ plan: { files: [{ file: 'onnx/model_quantized.onnx', size: 95_000_000, cached: true }], downloadBytes: 0 } });
    expect(await cached.voice.analyze(recording, tone)).toMatchObject({ status: 'done' });
  });

  it('a recording without speech is an empty outcome with a sentence; an undecodable one a failure with one', async () => {
    const none = setup({ plan: { files: [], downloadBytes: 0 }, segments: [] });
    expect(await none.voice.analyze(recording, tone)).toEqual({ status: 'empty', message: NO_SPEECH_MESSAGE });
    const broken = setup({ plan: { files: [], downloadBytes: 0 } });
    const outcome = await broken.voice.analyze(new Blob([]), tone);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringContaining('could not be decoded') });
    expect(broken.voice.error).toContain('could not be decoded');
  });

  it('says how long the step under way has left, from its pace so far, and nothing once it is over', async () => {
    const seen: Array<number | null> = [];
    const held: { channel?: VoiceChannelState } = {};
    const { voice } = setup({
      plan: { files: [], downloadBytes: 0 },
      steps: async (progress) => {
        progress({ stage: 'speech', done: 0, total: 4 });
        await new Promise((r) => setTimeout(r, 40));
        progress({ stage: 'speech', done: 1, total: 4 });
        seen.push(held.channel!.secondsLeft);
        progress({ stage: 'tone', done: 0, total: 2 });
        seen.push(held.channel!.secondsLeft);
      },
    });
    held.channel = voice;
    await voice.analyze(recording, tone);
    // One window of four took about 40 ms: about 120 ms for the three left; a new step starts unknown.
    expect(seen[0]).toBeGreaterThan(0.03);
    expect(seen[0]).toBeLessThan(1);
    expect(seen[1]).toBeNull();
    expect(voice.secondsLeft).toBeNull();
    expect(describeVoiceProgress('reading', { stage: 'speech', done: 1, total: 4 }, 75)).toBe('Listening to what was said… 1 of 4 parts of up to 30 s (about 1 min left in this step)');
  });
});
