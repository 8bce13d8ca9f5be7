// The run (pure): channels settle into a new immutable run, the run finishes with its last
// channel, and its record is exactly what it showed; a record read back is the same run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMOTIONS, normalize, type EmotionScores } from '../../src/lib/domain/emotions';
import { HISTORY_VERSION, type HistoryRecord } from '../../src/lib/domain/history';
import {
  askedChannels,
  fuseRun,
  hasResult,
  isComplete,
  missingChannels,
  recordOf,
  runOfRecord,
  settleChannel,
  startRun,
  type TextChannelResult,
  type VisionChannelResult,
} from '../../src/lib/domain/run';

const JOY = normalize({ anger: 0, disgust: 0, fear: 0, joy: 0.9, neutral: 0.1, sadness: 0, surprise: 0 });
const SAD = normalize({ anger: 0, disgust: 0, fear: 0, joy: 0.05, neutral: 0.05, sadness: 0.9, surprise: 0 });
const TEXT: TextChannelResult = { scores: JOY, modelId: 'm', device: 'wasm', dtype: 'q8', inferenceMs: 5, chunks: 1, tokens: 4 };
const VISION: VisionChannelResult = { scores: SAD, description: 'A frown.', model: 'v', provider: 'api.example', elapsedMs: 900, requests: 1 };
const thumbnail = new Blob(['t'], { type: 'image/jpeg' });

function both() {
  return startRun({
    id: 'r1',
    createdAt: 100,
    inputs: { text: 'So happy', pictureId: 'picture-1', thumbnail },
    signature: 's',
    channels: ['text', 'vision'],
  });
}

describe('run', () => {
  it('finishes only when its last channel settles, and never changes a run in place', () => {
    const started = both();
    const textDone = settleChannel(started, 'text', { status: 'done', result: TEXT }, 200);
    expect(started.channels.text).toEqual({ status: 'running' });
    expect(textDone.finishedAt).toBeNull();
    const finished = settleChannel(textDone, 'vision', { status: 'done', result: VISION }, 300);
    expect(finished.finishedAt).toBe(300);
    expect(isComplete(finished)).toBe(true);
    expect(askedChannels(finished)).toEqual(['text', 'vision']);
    expect(fuseRun(finished, 0.5)?.channels).toBe('both');
  });

  it('refuses to settle a channel that was not asked', () => {
    const textOnly = startRun({ id: 'r', createdAt: 1, inputs: { text: 'x', pictureId: null, thumbnail: null }, signature: '', channels: ['text'] });
    expect(() => settleChannel(textOnly, 'vision', { status: 'done', result: VISION }, 2)).toThrow(/not asked/u);
  });

  it('a failed channel is absent from the answer and the record, and says why', () => {
    const run = settleChannel(settleChannel(both(), 'text', { status: 'done', result: TEXT }, 2), 'vision', { status: 'failed', message: 'The key was refused.' }, 3);
    expect(isComplete(run)).toBe(false);
    expect(hasResult(run)).toBe(true);
    expect(missingChannels(run)).toEqual([{ channel: 'vision', status: 'failed', message: 'The key was refused.' }]);
    expect(fuseRun(run, 0.5)).toMatchObject({ channels: 'text', top: 'joy', consistency: null, explanation: 'Only the text gave a result: it reads as joy (0.90).' });
    const record = recordOf(run, 0.5)!;
    expect(record.visionPart).toBeNull();
    expect(record.thumbnail).toBeNull();
    expect(record.textPart).toMatchObject({ text: 'So happy', scores: JOY });
  });

  it('a run with no result has no record and no answer', () => {
    const run = settleChannel(startRun({ id: 'r', createdAt: 1, inputs: { text: 'x', pictureId: null, thumbnail: null }, signature: '', channels: ['text'] }), 'text', { status: 'cancelled', message: 'Cancelled.' }, 2);
    expect(recordOf(run, 0.5)).toBeNull();
    expect(fuseRun(run, 0.5)).toBeNull();
  });

  it('an unfinished run has no record', () => {
    expect(recordOf(settleChannel(both(), 'text', { status: 'done', result: TEXT }, 2), 0.5)).toBeNull();
  });

  const scores = fc
    .array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 7, maxLength: 7 })
    .map((xs) => normalize(Object.fromEntries(EMOTIONS.map((e, i) => [e, xs[i]!])) as Record<(typeof EMOTIONS)[number], number>) as EmotionScores);

  it('a record read back as a run gives the same record (property)', () => {
    const record = fc.record({
      text: fc.option(fc.record({ text: fc.string(), scores }), { nil: null }),
      vision: fc.option(scores, { nil: null }),
      weight: fc.double({ min: 0, max: 1, noNaN: true }),
    }).filter((r) => r.text !== null || r.vision !== null);
    fc.assert(
      fc.property(record, ({ text, vision, weight }) => {
        const saved: HistoryRecord = {
          schemaVersion: HISTORY_VERSION,
          id: 'id-1',
          createdAt: 5,
          textPart: text && { ...TEXT, text: text.text, scores: text.scores },
          visionPart: vision && { scores: vision, description: 'd', model: 'v', provider: 'p', elapsedMs: 1 },
          thumbnail: vision ? thumbnail : null,
          textWeight: weight,
        };
        const run = runOfRecord(saved);
        expect(recordOf(run, weight)).toEqual(saved);
        expect(fuseRun(run, weight)?.channels).toBe(text && vision ? 'both' : text ? 'text' : 'vision');
      }),
    );
  });
});
