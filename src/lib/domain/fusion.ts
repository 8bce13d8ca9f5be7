// Fusion of the channels into one answer, and how far they agree. `fuseChannels` takes any set of
// channels (the faces of issue 14 are a third); `fuse` is its two-channel form (text, picture) that
// the page uses today.
//
// Definitions (all pure; property-tested in tests/unit/fusion.test.ts):
// - Fused distribution F = Σ w̃ᵢ·Pᵢ over the channels present, w̃ᵢ = wᵢ / Σ wⱼ (the weights
//   renormalised over the channels present; equal weights when they are all 0). Two channels:
//   F = w·T + (1−w)·V with w the text weight. With one channel, F is that channel.
// - Consistency is measured for every pair of channels present; the answer's consistency is the
//   most divergent pair's (lowest similarity), which the explanation names.
// - Similarity S = 1 − JSD₂(T, V), where JSD₂ is the Jensen–Shannon divergence in base 2
//   (bounded in [0, 1]; 0 for identical distributions, 1 for disjoint ones). So S ∈ [0, 1].
// - Verdict: "consistent" when the top labels agree and S ≥ 0.75; "divergent" when they differ
//   and S < 0.5; "mixed" otherwise.
// - Confidence C = p · S · a, where p is the fused top probability, S the most divergent pair's
//   similarity and a = 1 when every channel's top label agrees, 0.75 when they do not. C ∈ [0, 1]; C = p when T = V; agreement (higher S, same top)
//   raises it, divergence lowers it; with p held, C never grows as T and V move apart.
//   Single channel: C = that channel's top probability.
// - Polarity: positive = joy; negative = anger + disgust + fear + sadness; neutral = neutral;
//   ambiguous = surprise (it can be either). The label is the largest of the four.
import { CHANNEL_IDS, type ChannelId } from './channels';
import { EMOTIONS, normalize, topEmotion, type Emotion, type EmotionScores } from './emotions';

/** Thresholds of the verdict (see the header). */
export const CONSISTENT_MIN_SIMILARITY = 0.75;
export const DIVERGENT_MAX_SIMILARITY = 0.5;
/** Confidence factor when the channels' top labels differ. */
export const DISAGREEMENT_FACTOR = 0.75;
/** Confidence bands for the words "high", "medium", "low". */
export const HIGH_CONFIDENCE = 0.7;
export const MEDIUM_CONFIDENCE = 0.4;

/** How the two channels relate. */
export type Verdict = 'consistent' | 'mixed' | 'divergent';

/** Agreement between the two channels. */
export interface Consistency {
  readonly topAgree: boolean;
  /** 1 − JSD₂, in [0, 1]. */
  readonly similarity: number;
  /** Jensen–Shannon divergence in base 2, in [0, 1]. */
  readonly divergence: number;
  readonly verdict: Verdict;
}

/** Classic sentiment from the seven emotions. */
export interface Polarity {
  readonly label: 'positive' | 'negative' | 'neutral' | 'ambiguous';
  readonly positive: number;
  readonly negative: number;
  readonly neutral: number;
  readonly ambiguous: number;
}

/** The fused answer. */
export interface FusionResult {
  readonly scores: EmotionScores;
  readonly top: Emotion;
  readonly topScore: number;
  readonly channels: 'text' | 'vision' | 'both';
  /** Effective weights after renormalising over the channels present. */
  readonly weights: { readonly text: number; readonly vision: number };
  /** Null with a single channel. */
  readonly consistency: Consistency | null;
  readonly confidence: number;
  readonly confidenceLabel: 'high' | 'medium' | 'low';
  readonly polarity: Polarity;
  readonly explanation: string;
}

/** Channel distributions and the text weight. */
export interface FusionInput {
  readonly text: EmotionScores | null;
  readonly vision: EmotionScores | null;
  /** Weight of the text channel in [0, 1]; the picture gets the rest. */
  readonly textWeight: number;
}

/** Jensen–Shannon divergence in base 2, in [0, 1]. */
export function jensenShannon(p: EmotionScores, q: EmotionScores): number {
  let sum = 0;
  for (const e of EMOTIONS) {
    // p·log₂(p/m) with m = (p+q)/2, written as p·log₂(2p/(p+q)) so tiny values cannot underflow m to 0.
    // Both halves are added first, then to the sum: a + b === b + a exactly in floating point,
    // so swapping p and q gives the very same divergence (and the same verdict at a threshold).
    const total = p[e] + q[e];
    const fromP = p[e] > 0 ? p[e] * Math.log2((2 * p[e]) / total) : 0;
    const fromQ = q[e] > 0 ? q[e] * Math.log2((2 * q[e]) / total) : 0;
    sum += 0.5 * (fromP + fromQ);
  }
  return Math.min(1, Math.max(0, sum));
}

/** Top-label agreement, similarity and verdict of two distributions. */
export function consistencyOf(text: EmotionScores, vision: EmotionScores): Consistency {
  const divergence = jensenShannon(text, vision);
  const similarity = 1 - divergence;
  const topAgree = topEmotion(text).emotion === topEmotion(vision).emotion;
  const verdict: Verdict =
    topAgree && similarity >= CONSISTENT_MIN_SIMILARITY
      ? 'consistent'
      : !topAgree && similarity < DIVERGENT_MAX_SIMILARITY
        ? 'divergent'
        : 'mixed';
  return { topAgree, similarity, divergence, verdict };
}

/** Positive, negative, neutral and ambiguous mass, and the largest of them. */
export function polarityOf(scores: EmotionScores): Polarity {
  const groups = {
    positive: scores.joy,
    negative: scores.anger + scores.disgust + scores.fear + scores.sadness,
    neutral: scores.neutral,
    ambiguous: scores.surprise,
  };
  const label = (Object.keys(groups) as Array<keyof typeof groups>).reduce((a, b) => (groups[b] > groups[a] ? b : a));
  return { label, ...groups };
}

/** Confidence from the fused top probability and the consistency (see the header). */
export function confidenceOf(topScore: number, consistency: Consistency | null): number {
  if (!consistency) return clamp01(topScore);
  return clamp01(topScore * consistency.similarity * (consistency.topAgree ? 1 : DISAGREEMENT_FACTOR));
}

/** The agreement of one pair of channels. */
export interface PairAgreement<K extends string = ChannelId> extends Consistency {
  readonly pair: readonly [K, K];
}

/** The fused answer of any set of channels. */
export interface ChannelFusion<K extends string = ChannelId> {
  readonly scores: EmotionScores;
  readonly top: Emotion;
  readonly topScore: number;
  /** The channels that gave scores, in the order given. */
  readonly present: readonly K[];
  /** Weights renormalised over the channels present (0 for the others). */
  readonly weights: Readonly<Record<K, number>>;
  /** Every pair of channels present. */
  readonly pairs: readonly PairAgreement<K>[];
  /** The most divergent pair (lowest similarity); null with one channel. */
  readonly weakest: PairAgreement<K> | null;
  /** Every channel's top label is the same. */
  readonly topsAgree: boolean;
  readonly confidence: number;
  readonly confidenceLabel: 'high' | 'medium' | 'low';
  readonly polarity: Polarity;
}

/**
 * Fuses the channels that have scores with their weights (renormalised over them); null when no
 * channel has scores. Invalid weights (negative, not finite) count as 0. `order` lists the
 * channels (the app's: CHANNEL_IDS; any names in tests).
 */
export function fuseChannels<K extends string = ChannelId>(
  scores: Readonly<Partial<Record<K, EmotionScores | null>>>,
  weights: Readonly<Partial<Record<K, number>>>,
  order: readonly K[] = CHANNEL_IDS as readonly string[] as readonly K[],
): ChannelFusion<K> | null {
  const present = order.filter((c) => scores[c]);
  if (present.length === 0) return null;
  const raw = present.map((c) => {
    const w = weights[c];
    return typeof w === 'number' && Number.isFinite(w) && w > 0 ? w : 0;
  });
  const total = raw.reduce((a, b) => a + b, 0);
  const norm = Object.fromEntries(order.map((c) => [c, 0])) as Record<K, number>;
  present.forEach((c, i) => (norm[c] = total > 0 ? raw[i]! / total : 1 / present.length));
  let fused: EmotionScores;
  if (present.length === 1) {
    fused = scores[present[0]!] as EmotionScores;
  } else {
    const mixed = Object.fromEntries(EMOTIONS.map((e) => [e, present.reduce((n, c) => n + norm[c] * (scores[c] as EmotionScores)[e], 0)])) as Record<Emotion, number>;
    fused = normalize(mixed);
  }
  const pairs: PairAgreement<K>[] = [];
  for (let i = 0; i < present.length; i += 1) {
    for (let j = i + 1; j < present.length; j += 1) {
      const a = present[i]!;
      const b = present[j]!;
      pairs.push({ pair: [a, b], ...consistencyOf(scores[a] as EmotionScores, scores[b] as EmotionScores) });
    }
  }
  const weakest = pairs.reduce<PairAgreement<K> | null>((w, p) => (w === null || p.similarity < w.similarity ? p : w), null);
  const tops = new Set(present.map((c) => topEmotion(scores[c] as EmotionScores).emotion));
  const top = topEmotion(fused);
  const confidence = weakest ? clamp01(top.score * weakest.similarity * (tops.size === 1 ? 1 : DISAGREEMENT_FACTOR)) : clamp01(top.score);
  return {
    scores: fused,
    top: top.emotion,
    topScore: top.score,
    present,
    weights: norm,
    pairs,
    weakest,
    topsAgree: tops.size === 1,
    confidence,
    confidenceLabel: confidence >= HIGH_CONFIDENCE ? 'high' : confidence >= MEDIUM_CONFIDENCE ? 'medium' : 'low',
    polarity: polarityOf(fused),
  };
}

/** Fuses whatever of the text and the picture is present; null when there is none. */
export function fuse(input: FusionInput): FusionResult | null {
  const { text, vision } = input;
  const w = clamp01(Number.isFinite(input.textWeight) ? input.textWeight : 0.5);
  const f = fuseChannels({ text, vision }, { text: w, vision: 1 - w });
  if (!f) return null;
  const { pair: _pair, ...consistency } = f.weakest ?? { pair: null };
  const result = {
    scores: f.scores,
    top: f.top,
    topScore: f.topScore,
    channels: text && vision ? 'both' : text ? 'text' : 'vision',
    weights: { text: f.weights.text, vision: f.weights.vision },
    consistency: f.weakest ? (consistency as Consistency) : null,
    confidence: f.confidence,
    confidenceLabel: f.confidenceLabel,
    polarity: f.polarity,
  } as const;
  return { ...result, explanation: explain(result, text, vision) };
}

const n2 = (x: number) => x.toFixed(2);

/** One or two plain sentences about the answer. */
function explain(
  r: Omit<FusionResult, 'explanation'>,
  text: EmotionScores | null,
  vision: EmotionScores | null,
): string {
  const conf = `confidence is ${r.confidenceLabel} (${n2(r.confidence)})`;
  if (!text || !vision || !r.consistency) {
    const only = text ? 'text' : 'picture';
    return `Only the ${only} was analysed: it reads as ${r.top} (${n2(r.topScore)}).`;
  }
  const t = topEmotion(text);
  const v = topEmotion(vision);
  const reads = `The text reads as ${t.emotion} (${n2(t.score)}); the picture as ${v.emotion} (${n2(v.score)}).`;
  switch (r.consistency.verdict) {
    case 'consistent':
      return `${reads} The channels agree; ${conf}.`;
    case 'divergent':
      return `${reads} The channels disagree, which may mean sarcasm or mixed feelings, or that one channel misread; ${conf}.`;
    case 'mixed':
      return `${reads} The channels partly agree; ${conf}.`;
  }
}

function clamp01(x: number): number {
  return Number.isNaN(x) ? 0 : Math.min(1, Math.max(0, x));
}
