// Fusion of the channels into one answer, and how far they agree. `fuseChannels` takes any set of
// channels; `fuseScores` is it over the app's channels (text, faces, vision model) with the
// explanation; `fuse` is the two-channel form (text and picture, one text weight) of before.
// `sharesOf` and `withShare` are the weights as the page shows and moves them.
//
// Definitions (all pure; property-tested in tests/unit/fusion.test.ts):
// - Fused distribution F = Σ w̃ᵢ·Pᵢ over the channels present, w̃ᵢ = wᵢ / Σ wⱼ (the weights
//   renormalised over the channels present; equal weights when they are all 0). Two channels:
//   F = w·T + (1−w)·V with w the text weight. With one channel, F is that channel. Moving one
//   channel's share to w gives the other channels present 1 − w in their former proportions.
// - The face channel's own distribution is the faces' scores weighted by face area × detection
//   score (features/faces/faces.ts, `pictureScores`); it enters here like any other channel.
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
import { CHANNEL_IDS, CHANNEL_NOUNS, channelsLabel, type ChannelId, type ChannelWeights } from './channels';
import { EMOTIONS, normalize, topEmotion, type Emotion, type EmotionScores } from './emotions';
import { formatPercent } from './format';

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

/** The fused answer of the channels of one run, with its explanation. */
export interface FusionResult extends ChannelFusion<ChannelId> {
  /** The channels present, as `channelsLabel` names them (`text`, `vision`, `both`, `text+face`, ...). */
  readonly channels: string;
  /** The most divergent pair's agreement; null with a single channel. */
  readonly consistency: Consistency | null;
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

/** Which polarity group an emotion belongs to (as polarityOf counts them). */
export function polarityGroupOf(emotion: Emotion): Polarity['label'] {
  return emotion === 'joy' ? 'positive' : emotion === 'neutral' ? 'neutral' : emotion === 'surprise' ? 'ambiguous' : 'negative';
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
  const norm = shares(weights, present, order);
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

/**
 * Each channel's share of the fused answer when `present` are the channels with scores: the
 * weights renormalised over them (equal shares when they are all 0), 0 for the others.
 */
export function sharesOf(weights: Readonly<Partial<Record<ChannelId, number>>>, present: readonly ChannelId[]): Record<ChannelId, number> {
  return shares(weights, present, CHANNEL_IDS);
}

/** `sharesOf` for any channel names (`order` lists them all). */
function shares<K extends string>(weights: Readonly<Partial<Record<K, number>>>, present: readonly K[], order: readonly K[]): Record<K, number> {
  const raw = present.map((c) => validWeight(weights[c]));
  const total = raw.reduce((a, b) => a + b, 0);
  const out = Object.fromEntries(order.map((c) => [c, 0])) as Record<K, number>;
  present.forEach((c, i) => (out[c] = total > 0 ? raw[i]! / total : 1 / present.length));
  return out;
}

/**
 * The weights with `channel`'s share among `present` set to `share` (clamped to [0, 1]): the other
 * channels present keep their proportions to each other (equal when they had none) and share the
 * rest; the present weights then sum to 1. Channels not present keep their weights. With two
 * channels this is the text weight of old: text w, the other 1 − w.
 */
export function withShare(weights: ChannelWeights, present: readonly ChannelId[], channel: ChannelId, share: number): ChannelWeights {
  const w = clamp01(Number.isFinite(share) ? share : 0);
  if (!present.includes(channel)) return weights;
  const others = present.filter((c) => c !== channel);
  if (others.length === 0) return { ...weights, [channel]: 1 };
  const current = sharesOf(weights, others);
  const next = { ...weights, [channel]: w };
  for (const c of others) next[c] = (1 - w) * current[c];
  return next;
}

/** Fuses the channels that have scores with their weights, and explains the answer; null when none has. */
export function fuseScores(
  scores: Readonly<Partial<Record<ChannelId, EmotionScores | null>>>,
  weights: Readonly<Partial<Record<ChannelId, number>>>,
): FusionResult | null {
  const f = fuseChannels<ChannelId>(scores, weights, CHANNEL_IDS);
  if (!f) return null;
  const consistency = f.weakest ? consistencyPart(f.weakest) : null;
  return { ...f, channels: channelsLabel(f.present), consistency, explanation: explain(f, scores) };
}

/** Fuses whatever of the text and the picture is present; null when there is none. */
export function fuse(input: FusionInput): FusionResult | null {
  const w = clamp01(Number.isFinite(input.textWeight) ? input.textWeight : 0.5);
  return fuseScores({ text: input.text, vision: input.vision }, { text: w, vision: 1 - w });
}

function consistencyPart(p: PairAgreement): Consistency {
  return { topAgree: p.topAgree, similarity: p.similarity, divergence: p.divergence, verdict: p.verdict };
}

const n2 = formatPercent;

/** A few plain sentences about the answer: what each channel reads, and how far they agree. */
function explain(f: ChannelFusion<ChannelId>, scores: Readonly<Partial<Record<ChannelId, EmotionScores | null>>>): string {
  const conf = `confidence is ${f.confidenceLabel} (${n2(f.confidence)})`;
  if (!f.weakest) return `Only the ${CHANNEL_NOUNS[f.present[0]!]} ${f.present[0] === 'face' ? 'were' : 'was'} analyzed: it reads as ${f.top} (${n2(f.topScore)}).`;
  const reads = f.present.map((c, i) => {
    const t = topEmotion(scores[c] as EmotionScores);
    return `${i === 0 ? 'The ' : 'the '}${CHANNEL_NOUNS[c]} ${i === 0 ? 'reads ' : ''}as ${t.emotion} (${n2(t.score)})`;
  });
  const sentence = `${reads.join('; ')}.`;
  const [a, b] = f.weakest.pair;
  if (f.present.length === 2) {
    switch (f.weakest.verdict) {
      case 'consistent':
        return `${sentence} The channels agree; ${conf}.`;
      case 'divergent':
        return `${sentence} The channels disagree, which may mean sarcasm or mixed feelings, or that one channel misread; ${conf}.`;
      case 'mixed':
        return `${sentence} The channels partly agree; ${conf}.`;
    }
  }
  const pair = `the ${CHANNEL_NOUNS[a]} and the ${CHANNEL_NOUNS[b]}`;
  switch (f.weakest.verdict) {
    case 'consistent':
      return `${sentence} All ${f.present.length} channels agree; ${conf}.`;
    case 'divergent':
      return `${sentence} ${capitalise(pair)} disagree most, which may mean mixed feelings or that one channel misread; ${conf}.`;
    case 'mixed':
      return `${sentence} The channels partly agree; ${pair} differ most; ${conf}.`;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function validWeight(w: number | undefined): number {
  return typeof w === 'number' && Number.isFinite(w) && w > 0 ? w : 0;
}

function clamp01(x: number): number {
  return Number.isNaN(x) ? 0 : Math.min(1, Math.max(0, x));
}
