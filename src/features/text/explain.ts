// Why a text reads as it does: leave-one-word-out occlusion. Each whole word (as
// Intl.Segmenter finds words, so a word the tokenizer splits into pieces is removed whole) is
// taken out of the text in turn and the text read again; a word's effect on an emotion is the
// drop of that emotion's probability without it (positive: the word carries the emotion). Every
// emotion's effect comes from the same readings, so switching the emotion explained is free.
import { EMOTIONS, type Emotion, type EmotionScores } from '../../shared/emotions';

/** One word of the text, by its place in it. */
export interface WordSpan {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/** A word and its effect on each emotion (the full text's score minus the score without it). */
export interface WordEffect extends WordSpan {
  readonly effects: EmotionScores;
}

export interface Explanation {
  /** The text explained. */
  readonly text: string;
  /** Its scores, whole. */
  readonly scores: EmotionScores;
  readonly words: readonly WordEffect[];
}

/** Texts longer than this many words are explained sentence by sentence. */
export const MAX_EXPLAIN_WORDS = 60;

/** The words of `text` with their places (letters, digits, and apostrophes or hyphens inside). */
export function wordSpans(text: string): WordSpan[] {
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
    return Array.from(segmenter.segment(text))
      .filter((s) => s.isWordLike)
      .map((s) => ({ word: s.segment, start: s.index, end: s.index + s.segment.length }));
  }
  return Array.from(text.matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu), (m) => ({ word: m[0], start: m.index, end: m.index + m[0].length }));
}

/** `text` without `span`, and without the space that separated it, so no double space is left. */
export function withoutWord(text: string, span: WordSpan): string {
  let start = span.start;
  let end = span.end;
  if (/\s/u.test(text[end] ?? '')) end += 1;
  else if (/\s/u.test(text[start - 1] ?? '')) start -= 1;
  return (text.slice(0, start) + text.slice(end)).trim();
}

/** The explanation from the whole text's scores and each occluded copy's, in word order. */
export function explain(text: string, scores: EmotionScores, spans: readonly WordSpan[], occluded: readonly EmotionScores[]): Explanation {
  if (spans.length !== occluded.length) throw new Error('one reading per word is needed');
  return {
    text,
    scores,
    words: spans.map((s, i) => ({ ...s, effects: Object.fromEntries(EMOTIONS.map((e) => [e, scores[e] - occluded[i]![e]])) as Record<Emotion, number> })),
  };
}

/** Effects smaller than this (in probability) are noise, not a word's doing. */
const NEGLIGIBLE = 1e-4;

/** The `k` words that most raise (`for`) or most lower (`against`) `emotion`, strongest first. */
export function topWords(x: Explanation, emotion: Emotion, k = 5): { for: WordEffect[]; against: WordEffect[] } {
  const sorted = [...x.words].sort((a, b) => b.effects[emotion] - a.effects[emotion]);
  return {
    for: sorted.filter((w) => w.effects[emotion] > NEGLIGIBLE).slice(0, k),
    against: sorted.filter((w) => w.effects[emotion] < -NEGLIGIBLE).reverse().slice(0, k),
  };
}
