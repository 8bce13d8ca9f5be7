// How it was said: a speech-emotion ("tone") model's own labels (its config's id2label, for
// example angry, calm, disgust, fearful, happy, neutral, sad, surprised) mapped to the seven
// emotions through the one synonym table (shared/emotion-labels.ts; calm counts as neutral), and
// a recording's tone from its segments'. Pure.
import { emotionOfLabel } from '../../shared/emotion-labels';
import { EMOTIONS, normalize, type Emotion, type EmotionScores } from '../../shared/emotions';

/** A tone model's labels, split into those the seven name and those they do not. */
export interface ToneLabels {
  /** Each label the synonym table knows, with its emotion. */
  readonly mapped: ReadonlyMap<string, Emotion>;
  /** Labels that name none of the seven: shown, left out of the scores. */
  readonly unmapped: readonly string[];
}

/** Reads a model's labels; throws a sentence naming them when none names one of the seven. */
export function toneLabels(labels: readonly string[]): ToneLabels {
  const mapped = new Map<string, Emotion>();
  const unmapped: string[] = [];
  for (const label of labels) {
    const emotion = emotionOfLabel(label);
    if (emotion) mapped.set(label, emotion);
    else unmapped.push(label);
  }
  if (mapped.size === 0) {
    throw new Error(
      `The tone model's labels (${labels.join(', ') || 'none'}) name none of the seven emotions, so its answers cannot be read. Choose a speech-emotion model whose labels are emotions, such as angry, happy, neutral and sad.`,
    );
  }
  return { mapped, unmapped };
}

/**
 * The seven scores of one answer of the model (its labels with their softmax scores): each
 * label's score goes to its emotion, labels that name none are left out, and the rest is
 * renormalised. An emotion the model has no label for scores 0.
 */
export function toneScores(pairs: ReadonlyArray<{ readonly label: string; readonly score: number }>, labels: ToneLabels): EmotionScores {
  const raw = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  for (const { label, score } of pairs) {
    const emotion = labels.mapped.get(label);
    if (emotion && Number.isFinite(score) && score > 0) raw[emotion] += score;
  }
  return normalize(raw);
}

/** The recording's tone: its segments' scores weighted by their duration. */
export function recordingTone(segments: ReadonlyArray<{ readonly start: number; readonly end: number; readonly tone: EmotionScores }>): EmotionScores | null {
  let total = 0;
  const sum = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  for (const s of segments) {
    const weight = Math.max(0, s.end - s.start);
    total += weight;
    for (const e of EMOTIONS) sum[e] += weight * s.tone[e];
  }
  return total > 0 ? normalize(sum) : null;
}
