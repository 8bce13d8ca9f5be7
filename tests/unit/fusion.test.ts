import { formatPercent } from '../../src/shared/format';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMOTIONS, normalize, type Emotion, type EmotionScores } from '../../src/shared/emotions';
import { CHANNEL_IDS, CHANNEL_NOUNS, EQUAL_WEIGHTS, channelsLabel, type ChannelId, type ChannelWeights } from '../../src/shared/channels';
import { confidenceOf, consistencyOf, fuse, fuseChannels, fuseScores, jensenShannon, polarityGroupOf, polarityOf, sharesOf, withShare } from '../../src/shared/fusion';

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
    expect(r.explanation).toMatch(/^The text reads as joy \(82 %\); the picture as joy \(90 %\)\. The channels agree; confidence is high/u);
  });

  it('calls joyful text with a sad picture divergent, with low confidence', () => {
    const r = fuse({ text: JOY, vision: SAD, textWeight: 0.5 })!;
    expect(r.consistency).toMatchObject({ topAgree: false, verdict: 'divergent' });
    expect(r.confidenceLabel).toBe('low');
    expect(r.explanation).toBe(
      `The text reads as joy (82 %); the picture as sadness (64 %). The channels disagree, which may mean sarcasm or mixed feelings, or that one channel misread; confidence is low (${formatPercent(r.confidence)}).`,
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
    expect(r.explanation).toContain('Only the picture was analyzed');
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

describe('fusion of the app\'s four channels', () => {
  const arbPresent = fc.subarray([...CHANNEL_IDS], { minLength: 1 });
  const arbChannelWeights: fc.Arbitrary<ChannelWeights> = fc.record({ text: arbWeight, face: arbWeight, vision: arbWeight, voice: arbWeight });
  /** Present channels with one of them picked. */
  const arbPick = arbPresent.chain((present) => fc.tuple(fc.constant(present), fc.constantFrom(...present)));
  const arbThree = fc.record({ text: arbScores, face: arbScores, vision: arbScores, voice: arbScores });

  describe('sharesOf', () => {
    it('gives the channels present shares that sum to 1, and the others 0 (property)', () => {
      fc.assert(
        fc.property(arbChannelWeights, arbPresent, (weights, present) => {
          const shares = sharesOf(weights, present);
          expect(present.reduce((n, c) => n + shares[c], 0)).toBeCloseTo(1, 9);
          for (const c of CHANNEL_IDS) {
            if (!present.includes(c)) expect(shares[c]).toBe(0);
            expect(shares[c]).toBeGreaterThanOrEqual(0);
            expect(shares[c]).toBeLessThanOrEqual(1);
          }
        }),
      );
    });

    it('renormalises the weights over the channels present; all 0 gives equal shares', () => {
      expect(sharesOf({ text: 0.5, face: 0.25, vision: 0.25 }, ['text', 'face'])).toEqual({ text: 0.5 / 0.75, face: 0.25 / 0.75, vision: 0, voice: 0 });
      expect(sharesOf({ text: 0, face: 0, vision: 0 }, ['face', 'vision'])).toEqual({ text: 0, face: 0.5, vision: 0.5, voice: 0 });
      expect(sharesOf({ text: 0.2 }, ['text', 'face', 'vision'])).toEqual({ text: 1, face: 0, vision: 0, voice: 0 });
      expect(sharesOf({ text: -1, face: Number.NaN, vision: Number.POSITIVE_INFINITY }, ['text', 'face', 'vision'])).toEqual({ text: 1 / 3, face: 1 / 3, vision: 1 / 3, voice: 0 });
    });
  });

  describe('withShare', () => {
    it('gives the channel exactly the share, the others present the rest in their former proportions, and leaves absent channels alone (property)', () => {
      fc.assert(
        fc.property(arbChannelWeights, arbPick, arbWeight, (weights, [present, channel], share) => {
          const next = withShare(weights, present, channel, share);
          const others = present.filter((c) => c !== channel);
          expect(next[channel]).toBe(others.length === 0 ? 1 : share);
          const before = sharesOf(weights, others);
          for (const c of others) expect(next[c]).toBeCloseTo((1 - share) * before[c], 12);
          for (const c of CHANNEL_IDS) if (!present.includes(c)) expect(next[c]).toBe(weights[c]);
          const after = sharesOf(next, present);
          expect(present.reduce((n, c) => n + after[c], 0)).toBeCloseTo(1, 9);
          expect(present.reduce((n, c) => n + next[c], 0)).toBeCloseTo(1, 9);
          expect(after[channel]).toBeCloseTo(others.length === 0 ? 1 : share, 9);
        }),
      );
    });

    it('with two channels is the text weight of before: text w, the other 1 − w', () => {
      fc.assert(
        fc.property(arbChannelWeights, arbWeight, fc.constantFrom<ChannelId>('face', 'vision'), (weights, w, other) => {
          const next = withShare(weights, ['text', other], 'text', w);
          expect(next.text).toBe(w);
          expect(next[other]).toBe(1 - w);
          const fused = fuseScores({ text: JOY, [other]: SAD }, next)!;
          const old = fuse({ text: JOY, vision: SAD, textWeight: w })!;
          for (const e of EMOTIONS) expect(fused.scores[e]).toBeCloseTo(old.scores[e], 12);
        }),
      );
    });

    it('keeps the proportions of the others: faces 0.2 and vision 0.6 share what text leaves 1 : 3', () => {
      const next = withShare({ text: 0.2, face: 0.2, vision: 0.6, voice: 0.5 }, ['text', 'face', 'vision'], 'text', 0.6);
      expect(next.text).toBe(0.6);
      expect(next.face).toBeCloseTo(0.1, 12);
      expect(next.vision).toBeCloseTo(0.3, 12);
    });

    it('changes nothing for a channel not present, clamps the share, and reads a share that is not a number as 0', () => {
      const weights: ChannelWeights = { text: 0.3, face: 0.4, vision: 0.5, voice: 0.5 };
      expect(withShare(weights, ['text', 'vision'], 'face', 0.9)).toBe(weights);
      expect(withShare(weights, ['text', 'vision'], 'text', 1.7)).toEqual({ text: 1, face: 0.4, vision: 0, voice: 0.5 });
      expect(withShare(weights, ['text', 'vision'], 'text', -3)).toEqual({ text: 0, face: 0.4, vision: 1, voice: 0.5 });
      expect(withShare(weights, ['text', 'vision'], 'text', Number.NaN)).toEqual({ text: 0, face: 0.4, vision: 1, voice: 0.5 });
      expect(withShare(weights, ['face'], 'face', 0.2)).toEqual({ ...weights, face: 1 });
    });
  });

  describe('fuseScores', () => {
    it('does not depend on the order of the keys it is given', () => {
      fc.assert(
        fc.property(arbThree, arbChannelWeights, (s, w) => {
          const a = fuseScores({ text: s.text, face: s.face, vision: s.vision }, { text: w.text, face: w.face, vision: w.vision });
          const b = fuseScores({ vision: s.vision, text: s.text, face: s.face }, { face: w.face, vision: w.vision, text: w.text });
          expect(b).toEqual(a);
        }),
      );
    });

    it('does not depend on which channel carries which distribution and weight (permutation invariance)', () => {
      const arbPerm = fc.constantFrom<readonly ChannelId[]>(
        ['text', 'vision', 'face', 'voice'],
        ['face', 'text', 'voice', 'vision'],
        ['face', 'vision', 'text', 'voice'],
        ['voice', 'text', 'face', 'vision'],
        ['vision', 'voice', 'face', 'text'],
      );
      fc.assert(
        fc.property(arbThree, arbChannelWeights, arbPerm, (s, w, perm) => {
          const a = fuseScores(s, w)!;
          const scores: Partial<Record<ChannelId, EmotionScores>> = {};
          const weights: Partial<Record<ChannelId, number>> = {};
          CHANNEL_IDS.forEach((c, i) => {
            scores[perm[i]!] = s[c];
            weights[perm[i]!] = w[c];
          });
          const b = fuseScores(scores, weights)!;
          for (const e of EMOTIONS) expect(b.scores[e]).toBeCloseTo(a.scores[e], 9);
          expect(b.consistency!.similarity).toBeCloseTo(a.consistency!.similarity, 9);
          expect(b.confidence).toBeCloseTo(a.confidence, 9);
          expect(b.channels).toBe('text+face+vision+voice');
        }),
      );
    });

    it('weight 1 on one channel and 0 on the others gives that channel (property)', () => {
      fc.assert(
        fc.property(arbThree, fc.constantFrom(...CHANNEL_IDS), (s, only) => {
          const weights = Object.fromEntries(CHANNEL_IDS.map((c) => [c, c === only ? 1 : 0]));
          const f = fuseScores(s, weights)!;
          for (const e of EMOTIONS) expect(f.scores[e]).toBeCloseTo(s[only][e], 9);
          expect(f.weights).toEqual(weights);
        }),
      );
    });

    it('its consistency is the pair with the lowest similarity (property)', () => {
      fc.assert(
        fc.property(arbThree, arbChannelWeights, (s, w) => {
          const f = fuseScores(s, w)!;
          expect(f.pairs.map((p) => p.pair)).toEqual([
            ['text', 'face'],
            ['text', 'vision'],
            ['text', 'voice'],
            ['face', 'vision'],
            ['face', 'voice'],
            ['vision', 'voice'],
          ]);
          const similarities = f.pairs.map((p) => consistencyOf(s[p.pair[0]], s[p.pair[1]]).similarity);
          expect(f.weakest!.similarity).toBe(Math.min(...similarities));
          const { pair: _pair, ...weakest } = f.weakest!;
          expect(f.consistency).toEqual(weakest);
          expect(f.present.reduce((n, c) => n + f.weights[c], 0)).toBeCloseTo(1, 9);
        }),
      );
    });

    it('names the most divergent pair when three channels disagree', () => {
      const text = dist({ joy: 0.82, neutral: 0.1, surprise: 0.08 });
      const face = dist({ joy: 0.6, neutral: 0.3, sadness: 0.1 });
      const vision = dist({ sadness: 0.9, fear: 0.1 });
      const r = fuseScores({ text, face, vision }, { text: 1, face: 1, vision: 1 })!;
      expect(r.weakest?.pair).toEqual(['text', 'vision']);
      expect(r.consistency).toMatchObject({ topAgree: false, verdict: 'divergent', similarity: 0 });
      expect(r.explanation).toBe(
        `The text reads as joy (82 %); the faces as joy (60 %); the picture as sadness (90 %). The text and the picture disagree most, which may mean mixed feelings or that one channel misread; confidence is ${r.confidenceLabel} (${formatPercent(r.confidence)}).`,
      );

      // The faces and the picture are the pair furthest apart: they are the ones named.
      const other = fuseScores({ text: dist({ joy: 0.55, sadness: 0.45 }), face: dist({ joy: 1 }), vision: dist({ sadness: 1 }) }, EQUAL_WEIGHTS)!;
      expect(other.weakest?.pair).toEqual(['face', 'vision']);
      expect(other.explanation).toContain('The faces and the picture disagree most');
    });

    it('says when all three agree, or which pair differs most when they partly agree', () => {
      const agree = fuseScores({ text: JOY, face: dist({ joy: 0.9, neutral: 0.1 }), vision: dist({ joy: 0.85, surprise: 0.15 }) }, EQUAL_WEIGHTS)!;
      expect(agree.consistency?.verdict).toBe('consistent');
      expect(agree.explanation).toMatch(/All 3 channels agree; confidence is high \(\d+ %\)\.$/u);
      const partly = fuseScores(
        { text: dist({ joy: 0.5, neutral: 0.45, surprise: 0.05 }), face: dist({ joy: 0.5, neutral: 0.5 }), vision: dist({ neutral: 0.55, joy: 0.45 }) },
        EQUAL_WEIGHTS,
      )!;
      expect(partly.consistency?.verdict).toBe('mixed');
      const [a, b] = partly.weakest!.pair;
      expect(partly.explanation.toLowerCase()).toContain(`the channels partly agree; the ${CHANNEL_NOUNS[a]} and the ${CHANNEL_NOUNS[b]} differ most`);
    });

    it('labels the channels present', () => {
      const cases: Array<[readonly ChannelId[], string]> = [
        [['text'], 'text'],
        [['face'], 'face'],
        [['vision'], 'vision'],
        [['text', 'vision'], 'both'],
        [['text', 'face'], 'text+face'],
        [['face', 'vision'], 'face+vision'],
        [['text', 'face', 'vision'], 'text+face+vision'],
      ];
      for (const [present, label] of cases) {
        const scores = Object.fromEntries(present.map((c) => [c, JOY]));
        expect(fuseScores(scores, EQUAL_WEIGHTS)).toMatchObject({ channels: label, present });
        expect(channelsLabel([...present].reverse())).toBe(label);
      }
      expect(fuseScores({ text: null, face: null, vision: null }, EQUAL_WEIGHTS)).toBeNull();
    });
  });
});

describe('polarityGroupOf', () => {
  it('puts each emotion in the group polarityOf counts it in', () => {
    expect(EMOTIONS.map((e) => polarityGroupOf(e))).toEqual(['negative', 'negative', 'negative', 'positive', 'neutral', 'negative', 'ambiguous']);
    const s = normalize({ anger: 0.18, disgust: 0.18, fear: 0.18, joy: 0.3, neutral: 0.1, sadness: 0.0, surprise: 0.06 });
    // Joy leads, yet the negative emotions weigh more: the view explains the two together.
    expect(polarityOf(s).label).toBe('negative');
    expect(polarityGroupOf('joy')).not.toBe(polarityOf(s).label);
  });
});
