// Explain, leave-one-word-out: the text, then a copy without each word, read in the normal
// length-sorted batches (progress as for a long text); the effects come from explain.ts. The
// explanations of the loaded model are kept, so explaining the same text again costs nothing.
import { EMOTIONS, type EmotionScores } from '../../../shared/emotions';
import { explain, withoutWord, wordSpans, type Explanation } from '../explain';
import type { TextResult } from '../protocol';

/** Explanations kept per loaded model, most recent last. */
const EXPLANATION_CACHE_SIZE = 16;

/** Explanations of one model by text (the latest few). */
export class ExplanationCache {
  readonly #explanations = new Map<string, Explanation>();

  get(text: string): Explanation | undefined {
    return this.#explanations.get(text);
  }

  set(text: string, explanation: Explanation): void {
    this.#explanations.set(text, explanation);
    if (this.#explanations.size > EXPLANATION_CACHE_SIZE) this.#explanations.delete(this.#explanations.keys().next().value!);
  }

  clear(): void {
    this.#explanations.clear();
  }

  /** Every explanation kept, oldest first. */
  entries(): Array<[string, Explanation]> {
    return [...this.#explanations];
  }
}

/** Explains `text` with `classify`, which reads texts in batches (and keeps the copies out of the results cache). */
export async function leaveOneWordOut(text: string, classify: (texts: readonly string[]) => Promise<TextResult[]>): Promise<Explanation> {
  const spans = wordSpans(text);
  const copies = spans.map((s) => withoutWord(text, s));
  const readable = copies.filter((c) => c !== '');
  const [whole, ...read] = await classify([text, ...readable]);
  // A copy with nothing left (a one-word text) reads as no evidence at all: every emotion alike.
  const uniform = Object.fromEntries(EMOTIONS.map((e) => [e, 1 / EMOTIONS.length])) as EmotionScores;
  let next = 0;
  const occluded = copies.map((c) => (c === '' ? uniform : read[next++]!.scores));
  return explain(text, whole!.scores, spans, occluded);
}
