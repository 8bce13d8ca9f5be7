import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMOTIONS, normalize, type Emotion, type EmotionScores } from '../../src/lib/domain/emotions';
import { confidenceOf, consistencyOf, fuse, fuseChannels, jensenShannon, polarityOf } from '../../src/lib/domain/fusion';

const dist = (partial: Partial<Record<Emotion, number>>): EmotionScores =>
  normalize(Object.fromEntries(EMOTIONS.map((e) => [e, partial[e] ?? 0])) as Record<Emotion, number>);

const arbScores = fc
  .tuple(...EMOTIONS.map(() => fc.double({ min: 0, max: 1, noNaN: true })))
  .filter((xs) => xs.reduce((a, b) => a + b, 0) > 1e-3)
  .map((xs) => dist(Object.fromEntries(EMOTIONS.map((e, i) => [e, xs[i]!]))));
const arbWeight = fc.double({ min: 0, max: 1, noNaN: true });

const JOY = dist({ joy: 0.82, neutral: 0.1, surprise: 0.08 });
const SAD = dist({ sadness: 0.64, neutral: 0.2, fear: 0.16 });

describe('fusion', () => {
  it('fuses 50/50 by default weights and explains agreement', () => {
    const r = fuse({ text: JOY, vision: dist({ joy: 0.9, neutral: 0.1 }), textWeight: 0.5 })!;
    expect(r.channels).toBe('both');
    expect(r.top).toBe('joy');
    expect(r.consistency?.verdict).toBe('consistent');
    expect(r.confidenceLabel).toBe('high');
    expect(r.explanation).toMatch(/^The text reads as joy \(0\.82\); the picture as joy \(0\.90\)\. The channels agree; confidence is high/u);
  });

  it('calls joyful text with a sad picture divergent, with low confidence', () => {
    const r = fuse({ text: JOY, vision: SAD, textWeight: 0.5 })!;
    expect(r.consistency).toMatchObject({ topAgree: false, verdict: 'divergent' });
    expect(r.confidenceLabel).toBe('low');
    expect(r.explanation).toBe(
      `The text reads as joy (0.82); the picture as sadness (0.64). The channels disagree, which may mean sarcasm or mixed feelings, or that one channel misread; confidence is low (${r.confidence.toFixed(2)}).`,
    );
  });

  it('calls a partial agreement mixed', () => {
    const r = fuse({ text: dist({ joy: 0.5, neutral: 0.45, surprise: 0.05 }), vision: dist({ neutral: 0.55, joy: 0.45 }), textWeight: 0.5 })!;
    expect(r.consistency?.verdict).toBe('mixed');
  });

  it('passes a single channel through, marked as such', () => {
    const r = fuse({ text: null, vision: SAD, textWeight: 0.9 })!;
    expect(r).toMatchObject({ channels: 'vision', top: 'sadness', consistency: null, weights: { text: 0, vision: 1 } });
    expect(r.scores).toEqual(SAD);
    expect(r.confidence).toBeCloseTo(0.64);
    expect(r.explanation).toContain('Only the picture was analysed');
    expect(fuse({ text: null, vision: null, textWeight: 0.5 })).toBeNull();
  });

  it('derives polarity, with surprise as ambiguous', () => {
    expect(polarityOf(JOY).label).toBe('positive');
    expect(polarityOf(SAD).label).toBe('negative');
    expect(polarityOf(dist({ surprise: 0.6, joy: 0.4 })).label).toBe('ambiguous');
    const p = polarityOf(dist({ anger: 1, disgust: 1, fear: 1, sadness: 1, joy: 2, neutral: 1, surprise: 1 }));
    expect(p.negative).toBeCloseTo(0.5);
    expect(p.positive + p.negative + p.neutral + p.ambiguous).toBeCloseTo(1);
  });

  it('JSD is 0 for identical and 1 for disjoint distributions', () => {
    expect(jensenShannon(JOY, JOY)).toBeCloseTo(0, 12);
    expect(jensenShannon(dist({ joy: 1 }), dist({ anger: 1 }))).toBeCloseTo(1, 12);
  });

  describe('properties', () => {
    it('fused probabilities are finite, in [0,1] and sum to 1', () => {
      fc.assert(
        fc.property(arbScores, arbScores, arbWeight, (t, v, w) => {
          const r = fuse({ text: t, vision: v, textWeight: w })!;
          for (const e of EMOTIONS) {
            expect(Number.isFinite(r.scores[e])).toBe(true);
            expect(r.scores[e]).toBeGreaterThanOrEqual(0);
            expect(r.scores[e]).toBeLessThanOrEqual(1);
          }
          expect(EMOTIONS.reduce((s, e) => s + r.scores[e], 0)).toBeCloseTo(1, 9);
          expect(r.consistency!.similarity).toBeGreaterThanOrEqual(0);
          expect(r.consistency!.similarity).toBeLessThanOrEqual(1);
        }),
      );
    });

    it('identical inputs give that input, similarity 1, and confidence = top probability', () => {
      fc.assert(
        fc.property(arbScores, arbWeight, (p, w) => {
          const r = fuse({ text: p, vision: p, textWeight: w })!;
          for (const e of EMOTIONS) expect(r.scores[e]).toBeCloseTo(p[e], 9);
          expect(r.consistency!.similarity).toBeCloseTo(1, 9);
          expect(r.confidence).toBeCloseTo(r.topScore, 9);
        }),
      );
    });

    it('weight 1 on a channel gives that channel', () => {
      fc.assert(
        fc.property(arbScores, arbScores, (t, v) => {
          const allText = fuse({ text: t, vision: v, textWeight: 1 })!;
          const allVision = fuse({ text: t, vision: v, textWeight: 0 })!;
          for (const e of EMOTIONS) {
            expect(allText.scores[e]).toBeCloseTo(t[e], 9);
            expect(allVision.scores[e]).toBeCloseTo(v[e], 9);
          }
        }),
      );
    });

    it('swapping the channels and the weights gives the same result', () => {
      fc.assert(
        fc.property(arbScores, arbScores, arbWeight, (t, v, w) => {
          const a = fuse({ text: t, vision: v, textWeight: w })!;
          const b = fuse({ text: v, vision: t, textWeight: 1 - w })!;
          for (const e of EMOTIONS) expect(a.scores[e]).toBeCloseTo(b.scores[e], 9);
          expect(a.consistency!.similarity).toBeCloseTo(b.consistency!.similarity, 9);
          expect(a.consistency!.verdict).toBe(b.consistency!.verdict);
          expect(a.confidence).toBeCloseTo(b.confidence, 9);
        }),
      );
    });

    it('confidence stays within [0, 1]', () => {
      fc.assert(
        fc.property(arbScores, arbScores, arbWeight, (t, v, w) => {
          const c = fuse({ text: t, vision: v, textWeight: w })!.confidence;
          expect(c).toBeGreaterThanOrEqual(0);
          expect(c).toBeLessThanOrEqual(1);
        }),
      );
    });

    it('confidence does not increase as the channels move apart with the fused top probability held', () => {
      // T = F + tD and V = F − tD keep the 50/50 fusion at F; D is zero on F's top label.
      const arbCase = fc.tuple(arbScores, fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 7, maxLength: 7 }));
      fc.assert(
        fc.property(arbCase, ([f, raw]) => {
          const top = EMOTIONS.reduce((a, b) => (f[b] > f[a] ? b : a));
          const d = EMOTIONS.map((e, i) => (e === top ? 0 : raw[i]!));
          const mean = d.reduce((a, b) => a + b, 0) / 6;
          const dir = EMOTIONS.map((e, i) => (e === top ? 0 : d[i]! - mean));
          // Largest step keeping both distributions non-negative.
          let tMax = Infinity;
          EMOTIONS.forEach((e, i) => {
            if (dir[i] !== 0) tMax = Math.min(tMax, f[e] / Math.abs(dir[i]!));
          });
          if (!Number.isFinite(tMax) || tMax <= 0) return;
          let previous = Infinity;
          for (const step of [0, 0.25, 0.5, 0.75, 1]) {
            const t = step * tMax;
            const at = (sign: number) =>
              Object.fromEntries(EMOTIONS.map((e, i) => [e, Math.max(0, f[e] + sign * t * dir[i]!)])) as EmotionScores;
            const text = at(1);
            const vision = at(-1);
            const c = consistencyOf(text, vision);
            const conf = confidenceOf(f[top], c);
            expect(conf).toBeLessThanOrEqual(previous + 1e-9);
            previous = conf;
          }
        }),
      );
    });
  });
});

describe('fusion of any number of channels', () => {
  const NAMES = ['a', 'b', 'c', 'd'] as const;
  type Name = (typeof NAMES)[number];
  const arbChannels = fc.array(arbScores, { minLength: 1, maxLength: 4 });
  const arbWeights = fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 4, maxLength: 4 });
  const withNames = <T>(xs: readonly T[]) => Object.fromEntries(xs.map((x, i) => [NAMES[i]!, x])) as Partial<Record<Name, T>>;

  it('gives a distribution, with weights renormalised over the channels present', () => {
    fc.assert(
      fc.property(arbChannels, arbWeights, (channels, weights) => {
        const f = fuseChannels(withNames(channels), withNames(weights), NAMES)!;
        expect(EMOTIONS.reduce((n, e) => n + f.scores[e], 0)).toBeCloseTo(1, 9);
        expect(f.present).toEqual(NAMES.slice(0, channels.length));
        expect(f.present.reduce((n, c) => n + f.weights[c], 0)).toBeCloseTo(1, 9);
        expect(f.pairs).toHaveLength((channels.length * (channels.length - 1)) / 2);
        expect(f.confidence).toBeGreaterThanOrEqual(0);
        expect(f.confidence).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('does not depend on the order of the channels (permutation invariance)', () => {
    fc.assert(
      fc.property(arbChannels, arbWeights, fc.integer({ min: 0, max: 1000 }), (channels, weights, seed) => {
        const n = channels.length;
        // A permutation of the first n names, from the seed.
        const perm = NAMES.slice(0, n).map((name, i) => ({ name, key: (i * 7919 + seed * 104729) % 1009 })).sort((x, y) => x.key - y.key).map((x) => x.name);
        const a = fuseChannels(withNames(channels), withNames(weights.slice(0, n)), NAMES)!;
        const scores: Partial<Record<Name, EmotionScores>> = {};
        const ws: Partial<Record<Name, number>> = {};
        channels.forEach((s, i) => {
          scores[perm[i]!] = s;
          ws[perm[i]!] = weights[i]!;
        });
        const b = fuseChannels(scores, ws, NAMES)!;
        for (const e of EMOTIONS) expect(b.scores[e]).toBeCloseTo(a.scores[e], 9);
        expect(b.weakest?.similarity ?? 1).toBeCloseTo(a.weakest?.similarity ?? 1, 9);
        expect(b.confidence).toBeCloseTo(a.confidence, 9);
      }),
    );
  });

  it('weight 1 on one channel and 0 on the others gives that channel', () => {
    fc.assert(
      fc.property(arbChannels, fc.nat(), (channels, pick) => {
        const i = pick % channels.length;
        const weights = channels.map((_, j) => (j === i ? 1 : 0));
        const f = fuseChannels(withNames(channels), withNames(weights), NAMES)!;
        for (const e of EMOTIONS) expect(f.scores[e]).toBeCloseTo(channels[i]![e], 9);
      }),
    );
  });

  it('names the most divergent pair, and its verdict is the answer\'s', () => {
    const B = dist({ joy: 0.9, neutral: 0.1 });
    const f = fuseChannels({ a: JOY, b: B, c: SAD }, { a: 1, b: 1, c: 1 }, ['a', 'b', 'c'])!;
    const expected = consistencyOf(JOY, SAD).similarity < consistencyOf(B, SAD).similarity ? ['a', 'c'] : ['b', 'c'];
    expect(f.weakest?.pair).toEqual(expected);
    expect(f.weakest?.verdict).toBe('divergent');
    expect(f.topsAgree).toBe(false);
    expect(Math.min(...f.pairs.map((p) => p.similarity))).toBe(f.weakest?.similarity);
  });
});
