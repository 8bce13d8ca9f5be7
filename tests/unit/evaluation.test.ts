// Issue 16: the user's labels (synonyms, the user's own mapping, the label column's guess) and the
// evaluation report (per channel, the weight sweep, agreement against correctness), against
// hand-computed figures and known properties.
import { describe, expect, it } from 'vitest';
import { EMOTIONS, type Emotion } from '../../src/shared/emotions';
import { evaluate, bestOf, SWEEP_SHARES, type EvaluationInput, type SweepPoint } from '../../src/features/evaluation/evaluation';
import { guessLabelColumn, LabelTally, readLabel } from '../../src/features/evaluation/labels';
import { seededRandom } from '../../src/features/evaluation/metrics';

const K = EMOTIONS.length;
const idx = (e: Emotion) => EMOTIONS.indexOf(e);

/** Scores with `top` at `p` and the rest shared evenly. */
function scores(top: Emotion, p = 0.7): number[] {
  return EMOTIONS.map((e) => (e === top ? p : (1 - p) / (K - 1)));
}

function input(gold: (Emotion | null)[], channels: Partial<Record<'text' | 'face' | 'fused', (number[] | null)[]>>): EvaluationInput {
  const out: EvaluationInput = { gold: Int8Array.from(gold.map((g) => (g ? idx(g) : -1))), scores: {} };
  for (const [channel, rows] of Object.entries(channels)) {
    const a = new Float32Array(gold.length * K).fill(Number.NaN);
    rows!.forEach((r, i) => r && a.set(r, i * K));
    (out.scores as Record<string, Float32Array>)[channel] = a;
  }
  return out;
}

describe('labels', () => {
  it('maps names, synonyms and case to the seven emotions; the rest is unmapped, never guessed', () => {
    expect(readLabel('Happy', {})).toBe('joy');
    expect(readLabel(' HAPPINESS ', {})).toBe('joy');
    expect(readLabel('angry', {})).toBe('anger');
    expect(readLabel('Sad', {})).toBe('sadness');
    expect(readLabel('surprised', {})).toBe('surprise');
    expect(readLabel('neutral', {})).toBe('neutral');
    expect(readLabel('', {})).toBe('empty');
    expect(readLabel('   ', {})).toBe('empty');
    expect(readLabel(undefined, {})).toBe('empty');
    expect(readLabel('love', {})).toBe('unmapped');
    expect(readLabel('3', {})).toBe('unmapped');
  });

  it("the user's mapping wins, by the value's key, and can leave a value out", () => {
    const map = { love: 'joy', '3': 'sadness', sarcasm: 'ignore', happy: 'surprise' } as const;
    expect(readLabel('Love', map)).toBe('joy');
    expect(readLabel('3', map)).toBe('sadness');
    expect(readLabel(' SARCASM', map)).toBe('ignored');
    expect(readLabel('happy', map)).toBe('surprise');
  });

  it('tallies values, most rows first, with what each counts as', () => {
    const tally = new LabelTally(3);
    for (const v of ['joy', 'Joy', 'love', 'love', 'love', '', 'sad', 'extra', 'extra']) tally.add(v);
    expect(tally.values({ love: 'joy' })).toEqual([
      { value: 'love', key: 'love', rows: 3, emotion: 'joy', source: 'user' },
      { value: 'joy', key: 'joy', rows: 2, emotion: 'joy', source: 'auto' },
      { value: 'sad', key: 'sad', rows: 1, emotion: 'sadness', source: 'auto' },
    ]);
    expect(tally.others).toBe(2);
    expect(tally.values({}).find((v) => v.key === 'love')).toMatchObject({ emotion: null, source: 'unmapped' });
  });

  it('guesses the label column by name, else by values, never a column already used', () => {
    const rows = [
      ['1', 'What a day', 'happy', 'x'],
      ['2', 'So sad', 'sad', 'y'],
      ['3', 'Wow', 'surprised', 'z'],
    ];
    expect(guessLabelColumn({ header: ['id', 'text', 'mood', 'other'], rows }, [1, 0, null])).toBe(2);
    expect(guessLabelColumn({ header: ['id', 'text', 'gold_label', 'other'], rows }, [1, 0, null])).toBe(2);
    expect(guessLabelColumn({ header: ['id', 'text', 'annot', 'other'], rows }, [1, 0, null])).toBe(2);
    expect(guessLabelColumn({ header: ['id', 'text', 'annot', 'other'], rows }, [1, 0, 2])).toBeNull();
    expect(guessLabelColumn({ header: ['id', 'text'], rows: rows.map((r) => r.slice(0, 2)) }, [1, 0, null])).toBeNull();
  });
});

describe('evaluation report', () => {
  it('a hand-computed example: accuracy, macro-F1, confusion and who is left out', () => {
    // 5 labelled rows with a text answer, one row without a label, one without an answer.
    const gold: (Emotion | null)[] = ['joy', 'joy', 'anger', 'sadness', 'sadness', null, 'fear'];
    const text = [scores('joy'), scores('anger'), scores('anger'), scores('sadness'), scores('joy'), scores('joy'), null];
    const report = evaluate(input(gold, { text }), { resamples: 200 });
    expect(report.labelled).toBe(6);
    const t = report.channels.find((c) => c.channel === 'text')!;
    expect(t.rows).toBe(5);
    expect(t.accuracy).toBeCloseTo(3 / 5, 12);
    // joy: P 1/2 R 1/2 F1 1/2; anger: P 1/2 R 1 F1 2/3; sadness: P 1 R 1/2 F1 2/3 -> macro 11/18.
    expect(t.macroF1).toBeCloseTo((1 / 2 + 2 / 3 + 2 / 3) / 3, 12);
    expect(t.confusion[idx('joy')]![idx('anger')]).toBe(1);
    expect(t.confusion[idx('sadness')]![idx('joy')]).toBe(1);
    expect(t.confusion.flat().reduce((a, b) => a + b, 0)).toBe(5);
    // Every answer at 0.7 confidence, 3 of 5 right: one bin, |0.6 - 0.7|.
    expect(t.ece).toBeCloseTo(0.1, 6);
    expect(t.accuracyCI.low).toBeLessThanOrEqual(t.accuracy);
    expect(t.accuracyCI.high).toBeGreaterThanOrEqual(t.accuracy);
    expect(report.sweep).toBeNull();
    expect(report.agreement).toBeNull();
  });

  it('a perfect channel has macro-F1 1 with an interval of [1, 1]; a constant one has its class share as accuracy', () => {
    const random = seededRandom(7);
    const gold = Array.from({ length: 120 }, () => EMOTIONS[Math.floor(random() * K)]!);
    const report = evaluate(input(gold, { text: gold.map((g) => scores(g, 0.9)), face: gold.map(() => scores('joy', 0.5)) }), { resamples: 300 });
    const text = report.channels.find((c) => c.channel === 'text')!;
    expect(text.macroF1).toBe(1);
    expect(text.accuracyCI).toEqual({ low: 1, high: 1 });
    expect(text.macroF1CI).toEqual({ low: 1, high: 1 });
    const face = report.channels.find((c) => c.channel === 'face')!;
    expect(face.accuracy).toBeCloseTo(gold.filter((g) => g === 'joy').length / gold.length, 12);
  });

  it('the sweep finds the better channel, and agreement is counted against correctness', () => {
    // Text right on every row; faces right on a third (a weak channel): the best share leans on the text.
    const random = seededRandom(3);
    const gold = Array.from({ length: 90 }, () => EMOTIONS[Math.floor(random() * K)]!);
    const wrong = (g: Emotion) => EMOTIONS[(idx(g) + 1) % K]!;
    const text = gold.map((g) => scores(g, 0.6));
    const face = gold.map((g, i) => scores(i % 3 === 0 ? g : wrong(g), 0.9));
    const fused = gold.map((_, i) => text[i]!.map((v, k) => 0.5 * v + 0.5 * face[i]![k]!));
    const report = evaluate(input(gold, { text, face, fused }), { resamples: 100 });
    expect(report.sweep!.map((p) => p.textShare)).toEqual(SWEEP_SHARES);
    expect(report.sweep![0]!.macroF1).toBeLessThan(0.5); // faces alone
    expect(report.sweep![20]!.macroF1).toBe(1); // text alone
    expect(report.best!.textShare).toBe(1);
    // The sweep at the run's share (0.5) agrees with the stored fused answer.
    const f = report.channels.find((c) => c.channel === 'fused')!;
    expect(report.sweep![10]!.accuracy).toBeCloseTo(f.accuracy, 12);
    // Rows where the channels agree are the faces' right rows: all consistent, all right.
    const agree = report.agreement!;
    expect(agree.reduce((n, a) => n + a.rows, 0)).toBe(90);
    const consistent = agree.find((a) => a.verdict === 'consistent')!;
    expect(consistent.rows).toBe(30);
    expect(consistent.accuracy).toBe(1);
  });

  it('ties in the sweep go to the channel that is better alone, or to the even split', () => {
    const point = (textShare: number, macroF1: number): SweepPoint => ({ textShare, macroF1, accuracy: macroF1 });
    expect(bestOf(SWEEP_SHARES.map((w) => point(w, w >= 0.4 ? 1 : 0.5)))!.textShare).toBe(1);
    expect(bestOf(SWEEP_SHARES.map((w) => point(w, w <= 0.7 ? 0.9 : 0.2)))!.textShare).toBe(0);
    expect(bestOf(SWEEP_SHARES.map((w) => point(w, 0.8)))!.textShare).toBe(0.5);
    expect(bestOf(SWEEP_SHARES.map((w) => point(w, w === 0.35 ? 0.9 : 0.8)))!.textShare).toBe(0.35);
  });

  it('is the same with the same seed', () => {
    const gold: Emotion[] = ['joy', 'anger', 'fear', 'joy', 'sadness', 'neutral', 'joy', 'anger'];
    const text = gold.map((g, i) => scores(i % 2 ? g : 'joy', 0.4 + i / 20));
    expect(evaluate(input(gold, { text }), { seed: 5 })).toEqual(evaluate(input(gold, { text }), { seed: 5 }));
  });
});
