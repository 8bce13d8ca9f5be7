// Splits a long text into pieces the classifier can take whole (DistilRoBERTa reads at most 512
// tokens, two of them <s> and </s>), on sentence boundaries where possible, so nothing is cut off.

/** Counts the tokens of a text, without the special tokens the model adds around it. */
export type TokenCounter = (text: string) => number;

/** One piece of the text with its token count (the weight it gets when chunks are combined). */
export interface Chunk {
  readonly text: string;
  readonly tokens: number;
}

/** Largest number of content tokens per chunk: the model's 512 minus <s> and </s>. */
export const MAX_CONTENT_TOKENS = 510;

/** Sentences of `text`, trimmed, empty ones dropped. Uses Intl.Segmenter where it exists. */
export function splitSentences(text: string): string[] {
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
    return Array.from(segmenter.segment(text), (s) => s.segment.trim()).filter((s) => s.length > 0);
  }
  return text
    .split(/(?<=[.!?…])\s+|\n{2,}/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Packs `text` into chunks of at most `maxTokens` tokens. Whole sentences are kept together; a
 * sentence longer than the limit is split between words, and a single over-long "word" between
 * characters. Each returned chunk is re-counted, so the limit holds even where BPE merges across
 * the joins differ from the sum of the parts.
 */
export function chunkText(text: string, count: TokenCounter, maxTokens = MAX_CONTENT_TOKENS): Chunk[] {
  if (!(maxTokens >= 1)) throw new RangeError('maxTokens must be at least 1.');
  const whole = text.trim();
  if (whole.length === 0) return [];
  const wholeTokens = count(whole);
  if (wholeTokens <= maxTokens) return [{ text: whole, tokens: wholeTokens }];

  return pack(
    splitSentences(whole).flatMap((s) => splitToFit(s, count, maxTokens)),
    count,
    maxTokens,
  );
}

/**
 * Greedily joins consecutive pieces (with a space) while they fit. A byte-level BPE tokenizer
 * counts "a b" as count("a") + count(" b"), so each piece is counted once, with its leading
 * space, instead of re-tokenizing the growing chunk (which made long texts quadratic). Each chunk
 * is then counted whole; where a tokenizer is not additive and a chunk overflows, its pieces are
 * packed again in halves.
 */
function pack(pieces: readonly Chunk[], count: TokenCounter, maxTokens: number): Chunk[] {
  const groups: Chunk[][] = [];
  let group: Chunk[] = [];
  let tokens = 0;
  for (const piece of pieces) {
    const added = group.length === 0 ? piece.tokens : count(` ${piece.text}`);
    if (group.length > 0 && tokens + added > maxTokens) {
      groups.push(group);
      group = [];
      tokens = piece.tokens;
    } else {
      tokens += added;
    }
    group.push(piece);
  }
  if (group.length > 0) groups.push(group);
  return groups.flatMap((g) => {
    const text = g.map((p) => p.text).join(' ');
    const n = count(text);
    if (n <= maxTokens || g.length === 1) return [{ text, tokens: n }];
    const mid = Math.ceil(g.length / 2);
    return [...pack(g.slice(0, mid), count, maxTokens), ...pack(g.slice(mid), count, maxTokens)];
  });
}

/** Splits one sentence into pieces that each fit, between words, then between characters. */
function splitToFit(sentence: string, count: TokenCounter, maxTokens: number): Chunk[] {
  const tokens = count(sentence);
  if (tokens <= maxTokens) return [{ text: sentence, tokens }];
  const words = sentence.split(/\s+/u).filter((w) => w.length > 0);
  if (words.length <= 1) return splitChars(sentence, count, maxTokens);

  return pack(
    words.flatMap((word) => splitToFit(word, count, maxTokens)),
    count,
    maxTokens,
  );
}

/** Last resort for a run of characters with no spaces: halve until each half fits. */
function splitChars(text: string, count: TokenCounter, maxTokens: number): Chunk[] {
  const chars = Array.from(text);
  if (chars.length <= 1) return [{ text, tokens: Math.min(count(text), maxTokens) }];
  const mid = Math.ceil(chars.length / 2);
  return [chars.slice(0, mid).join(''), chars.slice(mid).join('')].flatMap((half) => {
    const n = count(half);
    return n <= maxTokens ? [{ text: half, tokens: n }] : splitChars(half, count, maxTokens);
  });
}

/**
 * `sentences` in at most `max` groups of consecutive sentences (joined with a space), as even in
 * count as can be; unchanged when there are no more than `max`.
 */
export function groupSentences(sentences: readonly string[], max: number): string[] {
  if (sentences.length <= max) return [...sentences];
  const groups: string[] = [];
  for (let g = 0; g < max; g += 1) {
    const from = Math.floor((g * sentences.length) / max);
    const to = Math.floor(((g + 1) * sentences.length) / max);
    groups.push(sentences.slice(from, to).join(' '));
  }
  return groups;
}
