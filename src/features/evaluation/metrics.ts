// Evaluation on the user's own labels, the pure part: accuracy, per-class precision,
// recall, F1 and support, macro-F1, the confusion matrix, expected calibration error with its
// reliability bins, and seeded bootstrap intervals. Conventions follow scikit-learn's, so numbers
// can be checked against it:
// - macro-F1 is the unweighted mean of per-class F1 over the labels that occur in the gold labels
//   or the predictions (`unique_labels(y_true, y_pred)`), a class with no prediction (or no gold
//   row) scoring 0 where a ratio would be 0/0 (`zero_division=0`);
// - ECE uses 10 equal-width bins of the predicted label's probability, a confidence in (lo, hi]
//   (0 itself in the first bin), weighted by the bin's share of rows (Guo et al., 2017).
import { EMOTIONS, type Emotion } from '../../shared/emotions';

/** Per-class figures, in EMOTIONS order. */
export interface ClassMetrics {
  readonly emotion: Emotion;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Gold rows of this class. */
  readonly support: number;
}

/** counts[gold][pred], indexes in EMOTIONS order. */
export type Confusion = readonly (readonly number[])[];

export function confusionMatrix(gold: readonly Emotion[], pred: readonly Emotion[]): number[][] {
  if (gold.length !== pred.length) throw new Error('gold and predicted labels differ in length');
  const m = EMOTIONS.map(() => EMOTIONS.map(() => 0));
  gold.forEach((g, i) => (m[EMOTIONS.indexOf(g)]![EMOTIONS.indexOf(pred[i]!)]! += 1));
  return m;
}

/** Each row divided by its total (a row without gold rows stays 0). */
export function rowNormalised(m: Confusion): number[][] {
  return m.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((c) => (total ? c / total : 0));
  });
}

export function accuracy(m: Confusion): number {
  const total = m.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0);
  return total ? EMOTIONS.reduce((n, _, k) => n + m[k]![k]!, 0) / total : 0;
}

const ratio = (a: number, b: number) => (b ? a / b : 0);

/** Precision, recall, F1 and support of every class (all seven, in order). */
export function classMetrics(m: Confusion): ClassMetrics[] {
  return EMOTIONS.map((emotion, k) => {
    const tp = m[k]![k]!;
    const support = m[k]!.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((n, row) => n + row[k]!, 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { emotion, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
}

/** The classes that occur in the gold labels or the predictions. */
export function presentClasses(m: Confusion): Emotion[] {
  return EMOTIONS.filter((_, k) => m[k]!.some((c) => c > 0) || m.some((row) => row[k]! > 0));
}

/** Unweighted mean F1 over the classes present (scikit-learn's average='macro'). */
export function macroF1(m: Confusion): number {
  const present = new Set(presentClasses(m));
  const f1s = classMetrics(m).filter((c) => present.has(c.emotion)).map((c) => c.f1);
  return f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0;
}

/** One bin of the reliability diagram. */
export interface ReliabilityBin {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  /** Share of its rows predicted right (0 when empty). */
  readonly accuracy: number;
  /** Mean confidence of its rows (0 when empty). */
  readonly confidence: number;
}

export function reliabilityBins(confidence: readonly number[], correct: readonly boolean[], bins = 10): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const right = new Array<number>(bins).fill(0);
  const sum = new Array<number>(bins).fill(0);
  confidence.forEach((c, i) => {
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    count[b]! += 1;
    sum[b]! += c;
    if (correct[i]) right[b]! += 1;
  });
  return count.map((n, b) => ({ lo: b / bins, hi: (b + 1) / bins, count: n, accuracy: ratio(right[b]!, n), confidence: ratio(sum[b]!, n) }));
}

/** Expected calibration error over equal-width bins. */
export function expectedCalibrationError(confidence: readonly number[], correct: readonly boolean[], bins = 10): number {
  const n = confidence.length;
  if (!n) return 0;
  return reliabilityBins(confidence, correct, bins).reduce((e, b) => e + (b.count / n) * Math.abs(b.accuracy - b.confidence), 0);
}

/** A small seeded generator (mulberry32): the same seed gives the same resamples. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A percentile bootstrap interval: `statistic` of `resamples` resamples (with replacement) of the
 * row indexes 0..n-1; the 2.5th and 97.5th percentiles for 95 %.
 */
export function bootstrapInterval(
  n: number,
  statistic: (rows: Uint32Array) => number,
  options: { resamples?: number; seed?: number; level?: number } = {},
): { readonly low: number; readonly high: number } {
  return bootstrapIntervals(n, (rows) => [statistic(rows)], options)[0] ?? { low: 0, high: 0 };
}

/** `bootstrapInterval` for several statistics of the same resamples (one pass over them). */
export function bootstrapIntervals(
  n: number,
  statistics: (rows: Uint32Array) => readonly number[],
  { resamples = 1000, seed = 1, level = 0.95 }: { resamples?: number; seed?: number; level?: number } = {},
): { readonly low: number; readonly high: number }[] {
  if (n === 0) return statistics(new Uint32Array(0)).map(() => ({ low: 0, high: 0 }));
  const random = seededRandom(seed);
  const values: number[][] = [];
  const rows = new Uint32Array(n);
  for (let r = 0; r < resamples; r += 1) {
    for (let i = 0; i < n; i += 1) rows[i] = random() * n;
    statistics(rows).forEach((v, s) => (values[s] ??= []).push(v));
  }
  return values.map((list) => {
    list.sort((a, b) => a - b);
    const at = (q: number) => list[Math.min(list.length - 1, Math.max(0, Math.round(q * (list.length - 1))))]!;
    return { low: at((1 - level) / 2), high: at(1 - (1 - level) / 2) };
  });
}
