// The seven emotions every channel scores, in the order of the DistilRoBERTa model's id2label.
// Pure helpers over probability distributions keyed by emotion.

/** The labels of j-hartmann/emotion-english-distilroberta-base, in model order. */
export const EMOTIONS = ['anger', 'disgust', 'fear', 'joy', 'neutral', 'sadness', 'surprise'] as const;

/** One of the seven emotions. */
export type Emotion = (typeof EMOTIONS)[number];

/** A probability per emotion; values are in [0, 1] and sum to 1. */
export type EmotionScores = Readonly<Record<Emotion, number>>;

/** True when `value` is one of the seven labels. */
export function isEmotion(value: unknown): value is Emotion {
  return typeof value === 'string' && (EMOTIONS as readonly string[]).includes(value);
}

/**
 * Builds a distribution from label/score pairs (as a classifier returns them). Labels are
 * matched case-insensitively; a missing label counts as 0; the result is renormalised.
 * Throws when no finite positive mass is left, since that is not a distribution.
 */
export function scoresFromPairs(pairs: ReadonlyArray<{ label: string; score: number }>): EmotionScores {
  const raw = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  for (const { label, score } of pairs) {
    const key = label.toLowerCase();
    if (isEmotion(key) && Number.isFinite(score) && score > 0) raw[key] += score;
  }
  return normalize(raw);
}

/** Rescales non-negative finite scores so they sum to 1. Throws on an all-zero input. */
export function normalize(scores: Readonly<Record<Emotion, number>>): EmotionScores {
  let total = 0;
  for (const e of EMOTIONS) {
    const v = scores[e];
    if (Number.isFinite(v) && v > 0) total += v;
  }
  if (!(total > 0)) throw new RangeError('Scores have no positive mass to normalize.');
  const out = {} as Record<Emotion, number>;
  for (const e of EMOTIONS) {
    const v = scores[e];
    out[e] = Number.isFinite(v) && v > 0 ? v / total : 0;
  }
  return out;
}

/** The emotion with the highest score; ties go to the earlier label in model order. */
export function topEmotion(scores: EmotionScores): { emotion: Emotion; score: number } {
  let best: Emotion = EMOTIONS[0];
  for (const e of EMOTIONS) if (scores[e] > scores[best]) best = e;
  return { emotion: best, score: scores[best] };
}

/**
 * Weighted mean of several distributions (weights need not sum to 1, must be >= 0 and not all
 * zero). Used to combine the chunks of a long text, weighted by their token counts.
 */
export function weightedMean(parts: ReadonlyArray<{ scores: EmotionScores; weight: number }>): EmotionScores {
  const acc = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  for (const { scores, weight } of parts) {
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`Invalid weight ${weight}.`);
    for (const e of EMOTIONS) acc[e] += scores[e] * weight;
  }
  return normalize(acc);
}
