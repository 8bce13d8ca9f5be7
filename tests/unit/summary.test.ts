// Issue 17: a result copied as a short text summary.
import { describe, expect, it } from 'vitest';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import { settleChannel, startRun, fuseRun } from '../../src/features/analysis/run';
import { summaryText } from '../../src/features/analysis/summary';

const scores = (top: Emotion, p: number) => normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? p : (1 - p) / 6])) as Record<Emotion, number>);
const text = (top: Emotion, p: number) => ({ scores: scores(top, p), modelId: 'm', device: 'wasm', dtype: 'q8', inferenceMs: 1, chunks: 1, tokens: 3 });
const vision = (top: Emotion, p: number) => ({ scores: scores(top, p), description: '', model: 'v', provider: 'p', elapsedMs: 1 });
const createdAt = Date.parse('2026-12-02T10:00:00Z');

describe('summaryText', () => {
  it('a text alone: the answer, its confidence, the text and the date', () => {
    let run = startRun({ id: 'r', createdAt, inputs: { text: 'So happy today', pictureId: null, thumbnail: null }, signature: '', channels: ['text'] });
    run = settleChannel(run, 'text', { status: 'done', result: text('joy', 0.8) }, createdAt + 5);
    expect(summaryText(run, fuseRun(run, { text: 0.5, vision: 0.5 }))).toBe('Moodlens: joy (80 %), high confidence\n"So happy today"\n2026-12-02');
  });

  it('text and picture: each channel, whether they agree, and a long text cut', () => {
    const long = 'word '.repeat(60).trim();
    let run = startRun({ id: 'r', createdAt, inputs: { text: long, pictureId: 'p', thumbnail: null }, signature: '', channels: ['text', 'vision'] });
    run = settleChannel(run, 'text', { status: 'done', result: text('joy', 0.9) }, createdAt + 5);
    run = settleChannel(run, 'vision', { status: 'done', result: vision('sadness', 0.9) }, createdAt + 9);
    const lines = summaryText(run, fuseRun(run, { text: 0.5, vision: 0.5 })).split('\n');
    expect(lines[1]).toBe('Text: joy 90 %; Vision model: sadness 90 %; the channels disagree');
    expect(lines[2]!.endsWith('…"')).toBe(true);
    expect(lines[2]!.length).toBeLessThan(150);
  });

  it('nothing to say without a result', () => {
    const run = startRun({ id: 'r', createdAt, inputs: { text: 'x', pictureId: null, thumbnail: null }, signature: '', channels: ['text'] });
    expect(summaryText(run, fuseRun(run, {}))).toBe('');
  });
});
