// Issue 17, the timeline: entries grouped by local day, week (from Monday) and month, with counts
// and mean scores of the answer followed; a date range; entries without that answer left out.
import { describe, expect, it } from 'vitest';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import type { HistoryRecord } from '../../src/features/history/records';
import { bucketOf, dayStart, isoDay, timeline } from '../../src/features/history/timeline';

const scores = (top: Emotion) => normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? 7 : 0.5])) as Record<Emotion, number>);

function record(id: string, at: Date, text: Emotion | null, face: Emotion | null = null): HistoryRecord {
  return {
    schemaVersion: 2,
    id,
    createdAt: at.getTime(),
    textPart: text && { text: id, scores: scores(text), modelId: 'm', device: 'wasm', dtype: 'q8', inferenceMs: 1, chunks: 1, tokens: 1 },
    visionPart: null,
    facePart: face && { scores: scores(face), faces: [], model: 'f', elapsedMs: 1 },
    voicePart: null,
    thumbnail: null,
    weights: text && face ? { text: 0.5, face: 0.5 } : text ? { text: 1 } : { face: 1 },
  } as HistoryRecord;
}

// Local times: Monday 30 Nov 2026 ... Tuesday 1 Dec, Sunday 6 Dec, Monday 7 Dec.
const records = [
  record('a', new Date(2026, 10, 30, 9), 'joy'),
  record('b', new Date(2026, 10, 30, 23, 59), 'sadness'),
  record('c', new Date(2026, 11, 1, 0, 0), 'joy', 'joy'),
  record('d', new Date(2026, 11, 6, 12), null, 'anger'),
  record('e', new Date(2026, 11, 7, 8), 'fear'),
];

describe('timeline', () => {
  it('groups by local day, with counts, mean shares and ids newest first', () => {
    const days = timeline(records, { granularity: 'day', answer: 'fused' });
    expect(days.map((b) => [b.start, b.count])).toEqual([
      ['2026-11-30', 2],
      ['2026-12-01', 1],
      ['2026-12-06', 1],
      ['2026-12-07', 1],
    ]);
    expect(days[0]!.ids).toEqual(['b', 'a']);
    expect(days[0]!.shares.joy).toBeCloseTo((scores('joy').joy + scores('sadness').joy) / 2, 12);
    expect(EMOTIONS.reduce((n, e) => n + days[0]!.shares[e], 0)).toBeCloseTo(1, 12);
  });

  it('weeks start on Monday, months on the 1st', () => {
    expect(timeline(records, { granularity: 'week', answer: 'fused' }).map((b) => [b.start, b.count])).toEqual([
      ['2026-11-30', 4],
      ['2026-12-07', 1],
    ]);
    expect(timeline(records, { granularity: 'month', answer: 'fused' }).map((b) => [b.start, b.count])).toEqual([
      ['2026-11-01', 2],
      ['2026-12-01', 3],
    ]);
    const week = bucketOf(new Date(2026, 11, 6, 23).getTime(), 'week');
    expect(isoDay(week.from)).toBe('2026-11-30');
    expect(isoDay(week.to)).toBe('2026-12-07');
  });

  it('follows one channel (entries without it left out) and keeps to a date range', () => {
    expect(timeline(records, { granularity: 'day', answer: 'face' }).map((b) => [b.start, b.count])).toEqual([
      ['2026-12-01', 1],
      ['2026-12-06', 1],
    ]);
    expect(timeline(records, { granularity: 'day', answer: 'vision' })).toEqual([]);
    const from = dayStart('2026-12-01')!;
    const to = dayStart('2026-12-06')! + 86_400_000;
    expect(timeline(records, { granularity: 'day', answer: 'text', from, to }).map((b) => b.start)).toEqual(['2026-12-01']);
    expect(dayStart('yesterday')).toBeNull();
  });
});
