// The results table's arithmetic: a summary built row by row, counts per state and per top
// emotion, filters and sorting by an emotion's score (stable, rows without scores last).
import { describe, expect, it } from 'vitest';
import type { RowResult } from '../../src/features/batch/rows';
import { ALL_ROWS, SummaryBuilder, queryRows, stateCounts, topCounts } from '../../src/features/batch/results';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';

const scores = (top: Emotion, weight: number) => normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? weight : 1])) as Record<Emotion, number>);
const ok = (top: Emotion, weight = 5): RowResult => ({ status: 'ok', reason: '', text: scores(top, weight), face: null, fused: null, model: 'm' });

function sample() {
  const b = new SummaryBuilder(6);
  b.add(0, ok('joy', 3));
  b.add(1, ok('anger'));
  b.add(2, { status: 'empty', reason: 'The text is empty.', text: null, face: null, fused: null, model: '' });
  b.add(3, ok('joy', 9));
  // Row 4 is not read yet; row 5's answer is the fused one.
  b.add(5, { ...ok('joy', 2), face: scores('sadness', 9), fused: scores('sadness', 4) });
  return b.build();
}

describe('batch results', () => {
  it('counts rows per state and per top emotion (the fused answer when there is one)', () => {
    const s = sample();
    expect(stateCounts(s)).toEqual({ pending: 1, ok: 4, chunked: 0, empty: 1, partial: 0, failed: 0 });
    const tops = topCounts(s);
    expect(tops.joy).toBe(2);
    expect(tops.anger).toBe(1);
    expect(tops.sadness).toBe(1);
    expect(EMOTIONS.reduce((n, e) => n + tops[e], 0)).toBe(4);
  });

  it('filters by top emotion and by state, in file order', () => {
    const s = sample();
    expect(Array.from(queryRows(s, ALL_ROWS))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(queryRows(s, { ...ALL_ROWS, emotion: 'joy' }))).toEqual([0, 3]);
    expect(Array.from(queryRows(s, { ...ALL_ROWS, state: 'empty' }))).toEqual([2]);
    expect(Array.from(queryRows(s, { ...ALL_ROWS, state: 'pending' }))).toEqual([4]);
    expect(Array.from(queryRows(s, { emotion: 'joy', state: 'empty', sort: null }))).toEqual([]);
  });

  it('sorts by an emotion, highest first; ties keep file order; rows without scores last', () => {
    const s = sample();
    const byJoy = Array.from(queryRows(s, { ...ALL_ROWS, sort: 'joy' }));
    expect(byJoy.slice(0, 2)).toEqual([3, 0]);
    expect(byJoy.slice(-2)).toEqual([2, 4]);
    // 100,000 rows: every index once, in non-increasing order of the key.
    const b = new SummaryBuilder(100_000);
    for (let i = 0; i < 100_000; i += 1) b.add(i, ok(EMOTIONS[i % 7]!, 1 + (i % 13)));
    const big = b.build();
    const order = queryRows(big, { ...ALL_ROWS, sort: 'fear' });
    expect(new Set(order).size).toBe(100_000);
    const k = EMOTIONS.indexOf('fear');
    for (let i = 1; i < order.length; i += 1) expect(big.scores[order[i - 1]! * 7 + k]! >= big.scores[order[i]! * 7 + k]!).toBe(true);
  });
});
