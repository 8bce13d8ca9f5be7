// Two selections of History side by side: for each emotion, the share of each group's
// analyses whose answer it is, with a 95 % Wilson interval, the mean of its score, and the
// difference of the shares with Newcombe's hybrid score interval (his method 10, 1998), so that
// a difference between 20 and 25 posts is not over-read. Pure.
import { EMOTIONS, type Emotion } from '../../shared/emotions';
import { fusionOf, type HistoryRecord } from './records';

/** The normal quantile of a two-sided 95 % interval. */
const Z = 1.959963984540054;

/** A share with its interval. */
export interface Proportion {
  readonly count: number;
  readonly total: number;
  /** count / total; 0 for an empty group. */
  readonly share: number;
  readonly low: number;
  readonly high: number;
}

/**
 * The Wilson score interval of count/total (Wilson 1927), which, unlike the textbook interval,
 * stays within [0, 1] and is sound for small groups and shares near 0 or 1. [0, 1] for no data.
 */
export function wilson(count: number, total: number, z = Z): Proportion {
  if (total <= 0) return { count: 0, total: 0, share: 0, low: 0, high: 1 };
  const p = count / total;
  const z2 = z * z;
  const denominator = 1 + z2 / total;
  const center = (p + z2 / (2 * total)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  // At 0 and 1 the bound is exactly the share; rounding must not move it past.
  return { count, total, share: p, low: count === 0 ? 0 : Math.max(0, center - half), high: count === total ? 1 : Math.min(1, center + half) };
}

/** The difference b − a of two shares with Newcombe's hybrid score interval. */
export function shareDifference(a: Proportion, b: Proportion): { difference: number; low: number; high: number } {
  const difference = b.share - a.share;
  return {
    difference,
    low: difference - Math.hypot(b.share - b.low, a.high - a.share),
    high: difference + Math.hypot(b.high - b.share, a.share - a.low),
  };
}

/** One emotion in the comparison. */
export interface CompareRow {
  readonly emotion: Emotion;
  /** Share of each group's analyses whose answer is this emotion. */
  readonly a: Proportion;
  readonly b: Proportion;
  /** Mean score of this emotion in each group's answers (0 for an empty group). */
  readonly meanA: number;
  readonly meanB: number;
  /** b's share minus a's, with its 95 % interval. */
  readonly difference: number;
  readonly low: number;
  readonly high: number;
  /** The interval leaves out 0: the groups differ on this emotion beyond chance. */
  readonly clear: boolean;
}

/** The comparison of two groups. */
export interface Comparison {
  /** Analyses with an answer in each group. */
  readonly sizeA: number;
  readonly sizeB: number;
  /** Analyses in both groups (an entry with both tags). */
  readonly shared: number;
  readonly rows: readonly CompareRow[];
}

/** Answer counts and score sums of one group's fused answers. */
function tally(records: readonly HistoryRecord[]): { size: number; counts: Record<Emotion, number>; sums: Record<Emotion, number> } {
  const counts = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  const sums = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  let size = 0;
  for (const r of records) {
    const fused = fusionOf(r);
    if (!fused) continue;
    size += 1;
    counts[fused.top] += 1;
    for (const e of EMOTIONS) sums[e] += fused.scores[e];
  }
  return { size, counts, sums };
}

/** Compares the fused answers of two groups of History entries, emotion by emotion. */
export function compareGroups(groupA: readonly HistoryRecord[], groupB: readonly HistoryRecord[]): Comparison {
  const a = tally(groupA);
  const b = tally(groupB);
  const inA = new Set(groupA.map((r) => r.id));
  const rows = EMOTIONS.map((emotion): CompareRow => {
    const pa = wilson(a.counts[emotion], a.size);
    const pb = wilson(b.counts[emotion], b.size);
    const d = shareDifference(pa, pb);
    return {
      emotion,
      a: pa,
      b: pb,
      meanA: a.size ? a.sums[emotion] / a.size : 0,
      meanB: b.size ? b.sums[emotion] / b.size : 0,
      ...d,
      clear: a.size > 0 && b.size > 0 && (d.low > 0 || d.high < 0),
    };
  });
  return { sizeA: a.size, sizeB: b.size, shared: groupB.filter((r) => inA.has(r.id)).length, rows };
}
