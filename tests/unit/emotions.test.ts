import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMOTIONS, normalize, scoresFromPairs, topEmotion, weightedMean, type EmotionScores } from '../../src/shared/emotions';

const sum = (s: EmotionScores) => EMOTIONS.reduce((n, e) => n + s[e], 0);
const arbScores = fc
  .tuple(...EMOTIONS.map(() => fc.double({ min: 0, max: 1, noNaN: true })))
  .filter((xs) => xs.some((x) => x > 1e-6))
  .map((xs) => normalize(Object.fromEntries(EMOTIONS.map((e, i) => [e, xs[i]!])) as Record<(typeof EMOTIONS)[number], number>));

describe('emotions', () => {
  it('has the model labels in id2label order', () => {
    expect(EMOTIONS).toEqual(['anger', 'disgust', 'fear', 'joy', 'neutral', 'sadness', 'surprise']);
  });

  it('builds a distribution from classifier pairs, case-insensitive, missing labels as 0', () => {
    const s = scoresFromPairs([
      { label: 'JOY', score: 3 },
      { label: 'sadness', score: 1 },
      { label: 'bogus', score: 5 },
    ]);
    expect(s.joy).toBeCloseTo(0.75);
    expect(s.sadness).toBeCloseTo(0.25);
    expect(s.anger).toBe(0);
    expect(sum(s)).toBeCloseTo(1, 12);
  });

  it('refuses an all-zero input instead of inventing a distribution', () => {
    expect(() => scoresFromPairs([{ label: 'joy', score: 0 }])).toThrow(RangeError);
  });

  it('picks the top emotion, earlier label on ties', () => {
    const s = normalize({ anger: 1, disgust: 0, fear: 0, joy: 1, neutral: 0, sadness: 0, surprise: 0 });
    expect(topEmotion(s)).toEqual({ emotion: 'anger', score: 0.5 });
  });

  it('weighted mean is a distribution and lies between its parts (property)', () => {
    fc.assert(
      fc.property(arbScores, arbScores, fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 600 }), (a, b, wa, wb) => {
        const m = weightedMean([
          { scores: a, weight: wa },
          { scores: b, weight: wb },
        ]);
        expect(sum(m)).toBeCloseTo(1, 9);
        for (const e of EMOTIONS) {
          expect(m[e]).toBeGreaterThanOrEqual(Math.min(a[e], b[e]) - 1e-12);
          expect(m[e]).toBeLessThanOrEqual(Math.max(a[e], b[e]) + 1e-12);
        }
      }),
    );
  });

  it('weights chunks by token count', () => {
    const joy = normalize({ anger: 0, disgust: 0, fear: 0, joy: 1, neutral: 0, sadness: 0, surprise: 0 });
    const sad = normalize({ anger: 0, disgust: 0, fear: 0, joy: 0, neutral: 0, sadness: 1, surprise: 0 });
    const m = weightedMean([
      { scores: joy, weight: 300 },
      { scores: sad, weight: 100 },
    ]);
    expect(m.joy).toBeCloseTo(0.75);
    expect(m.sadness).toBeCloseTo(0.25);
  });
});
