import { describe, expect, it } from 'vitest';
import { compareGroups, shareDifference, wilson } from '../../src/features/history/compare';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import { HISTORY_VERSION, type HistoryRecord } from '../../src/features/history/records';

function entry(id: string, top: Emotion, tags: string[] = []): HistoryRecord {
  const scores = normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? 0.7 : 0.05])) as Record<Emotion, number>);
  return {
    schemaVersion: HISTORY_VERSION,
    id,
    createdAt: 1,
    textPart: { text: id, scores, modelId: 'm', device: 'wasm', dtype: 'q8', inferenceMs: 1, chunks: 1, tokens: 1 },
    visionPart: null,
    facePart: null,
    voicePart: null,
    thumbnail: null,
    weights: { text: 1 },
    tags,
    againOf: null,
  };
}

describe('comparing two groups', () => {
  it('gives the Wilson interval of Newcombe\'s (1998) worked examples', () => {
    // Newcombe, Statistics in Medicine 17:857-872, table I: 81/263 is 0.2553 to 0.3662; 15/148 is 0.0624 to 0.1605.
    const a = wilson(81, 263);
    expect(a.low).toBeCloseTo(0.2553, 4);
    expect(a.high).toBeCloseTo(0.3662, 4);
    const b = wilson(15, 148);
    expect(b.low).toBeCloseTo(0.0624, 4);
    expect(b.high).toBeCloseTo(0.1605, 4);
    // At the edges the interval stays in [0, 1] and contains the share.
    expect(wilson(0, 10)).toMatchObject({ share: 0, low: 0 });
    expect(wilson(10, 10)).toMatchObject({ share: 1, high: 1 });
    expect(wilson(0, 0)).toMatchObject({ share: 0, low: 0, high: 1 });
  });

  it('gives the difference interval of Newcombe\'s (1998) method 10', () => {
    // Newcombe, Statistics in Medicine 17:873-890, table II, example (a): 56/70 − 48/80 is 0.0524 to 0.3339.
    const d = shareDifference(wilson(48, 80), wilson(56, 70));
    expect(d.difference).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
    // Example (h): 10/10 − 0/10 is 0.6075 to 1.
    const h = shareDifference(wilson(0, 10), wilson(10, 10));
    expect(h.low).toBeCloseTo(0.6075, 4);
    expect(h.high).toBeCloseTo(1, 10);
  });

  it('counts each group\'s answers, marks only the differences beyond chance, and counts entries in both', () => {
    const a = [...Array.from({ length: 18 }, (_, i) => entry(`a${i}`, 'joy')), entry('a18', 'anger'), entry('a19', 'anger')];
    const b = [...Array.from({ length: 4 }, (_, i) => entry(`b${i}`, 'joy')), ...Array.from({ length: 16 }, (_, i) => entry(`b${i + 4}`, 'anger')), a[0]!];
    const c = compareGroups(a, b);
    expect([c.sizeA, c.sizeB, c.shared]).toEqual([20, 21, 1]);
    const joy = c.rows.find((r) => r.emotion === 'joy')!;
    expect([joy.a.count, joy.b.count]).toEqual([18, 5]);
    expect(joy.difference).toBeCloseTo(5 / 21 - 18 / 20, 12);
    expect(joy.clear).toBe(true);
    expect(joy.meanA).toBeCloseTo((18 * 0.7 + 2 * 0.05) / 20, 12);
    const fear = c.rows.find((r) => r.emotion === 'fear')!;
    expect([fear.a.count, fear.b.count, fear.clear]).toEqual([0, 0, false]);
    // The same group twice differs nowhere.
    expect(compareGroups(a, a).rows.every((r) => !r.clear && r.difference === 0)).toBe(true);
    // An empty group compares with nothing.
    expect(compareGroups([], b).rows.every((r) => !r.clear)).toBe(true);
  });
});
