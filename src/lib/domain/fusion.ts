// Fusion of the text and picture channels into one answer, and how far the two agree.
//
// Definitions (all pure; property-tested in tests/unit/fusion.test.ts):
// - Fused distribution F = w·T + (1−w)·V, w = text weight in [0, 1], renormalised over the
//   channels present. With one channel, F is that channel ("single-channel").
// - Similarity S = 1 − JSD₂(T, V), where JSD₂ is the Jensen–Shannon divergence in base 2
//   (bounded in [0, 1]; 0 for identical distributions, 1 for disjoint ones). So S ∈ [0, 1].
// - Verdict: "consistent" when the top labels agree and S ≥ 0.75; "divergent" when they differ
//   and S < 0.5; "mixed" otherwise.
// - Confidence C = p · S · a, where p is the fused top probability and a = 1 when the top labels
//   agree, 0.75 when they do not. C ∈ [0, 1]; C = p when T = V; agreement (higher S, same top)
//   raises it, divergence lowers it; with p held, C never grows as T and V move apart.
//   Single channel: C = that channel's top probability.
// - Polarity: positive = joy; negative = anger + disgust + fear + sadness; neutral = neutral;
//   ambiguous = surprise (it can be either). The label is the largest of the four.
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

/** Fuses whatever channels are present; null when there is none. */
export function fuse(input: FusionInput): FusionResult | null {
  const { text, vision } = input;
  if (!text && !vision) return null;
  const w = clamp01(Number.isFinite(input.textWeight) ? input.textWeight : 0.5);
  let scores: EmotionScores;
  let weights: { text: number; vision: number };
  let consistency: Consistency | null = null;
  if (text && vision) {
    weights = { text: w, vision: 1 - w };
    const mixed = Object.fromEntries(EMOTIONS.map((e) => [e, w * text[e] + (1 - w) * vision[e]])) as Record<Emotion, number>;
    scores = normalize(mixed);
    consistency = consistencyOf(text, vision);
  } else {
    weights = text ? { text: 1, vision: 0 } : { text: 0, vision: 1 };
    scores = (text ?? vision) as EmotionScores;
  }
  const top = topEmotion(scores);
  const confidence = confidenceOf(top.score, consistency);
  const confidenceLabel = confidence >= HIGH_CONFIDENCE ? 'high' : confidence >= MEDIUM_CONFIDENCE ? 'medium' : 'low';
  const result = {
    scores,
    top: top.emotion,
    topScore: top.score,
    channels: text && vision ? 'both' : text ? 'text' : 'vision',
    weights,
    consistency,
    confidence,
    confidenceLabel,
    polarity: polarityOf(scores),
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
