import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chunkText, groupSentences, splitSentences } from '../../src/features/text/chunking';

/** A stand-in tokenizer: one token per word. */
const words = (t: string) => t.split(/\s+/u).filter(Boolean).length;

describe('chunking', () => {
  it('splits sentences', () => {
    expect(splitSentences('I am glad. Are you? Yes!  ')).toEqual(['I am glad.', 'Are you?', 'Yes!']);
  });

  it('keeps a short text whole', () => {
    expect(chunkText('  Hello there. How are you?  ', words, 10)).toEqual([{ text: 'Hello there. How are you?', tokens: 5 }]);
  });

  it('returns nothing for blank text', () => {
    expect(chunkText(' \n ', words)).toEqual([]);
  });

  it('packs whole sentences into chunks that fit', () => {
    const text = 'One two three. Four five six. Seven eight nine. Ten eleven.';
    const chunks = chunkText(text, words, 6);
    expect(chunks.map((c) => c.text)).toEqual(['One two three. Four five six.', 'Seven eight nine. Ten eleven.']);
    expect(chunks.every((c) => c.tokens <= 6)).toBe(true);
  });

  it('splits a sentence longer than the limit between words', () => {
    const chunks = chunkText('a b c d e f g h i j', words, 4);
    expect(chunks.map((c) => c.tokens)).toEqual([4, 4, 2]);
  });

  it('splits a run with no spaces between characters', () => {
    const chars = (t: string) => t.length;
    const chunks = chunkText('x'.repeat(25), chars, 10);
    expect(chunks.every((c) => c.tokens <= 10)).toBe(true);
    expect(chunks.map((c) => c.text).join('')).toBe('x'.repeat(25));
  });

  it('never exceeds the limit and never drops a word (property)', () => {
    const word = fc.stringMatching(/^[a-z]{1,8}[.!?]?$/u);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 40 }), (ws, max) => {
        const text = ws.join(' ');
        const chunks = chunkText(text, words, max);
        expect(chunks.every((c) => c.tokens <= max && c.tokens === words(c.text))).toBe(true);
        expect(chunks.map((c) => c.text).join(' ').split(/\s+/u)).toEqual(text.split(/\s+/u));
      }),
    );
  });

  it('keeps the limit with a tokenizer whose counts do not add up over joins (property)', () => {
    // One token per 3 characters, rounded up: "ab cd" is not count("ab") + count(" cd").
    const lumpy = (t: string) => Math.ceil(t.length / 3);
    const word = fc.stringMatching(/^[a-z]{1,9}[.!?]?$/u);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 150 }), fc.integer({ min: 4, max: 40 }), (ws, max) => {
        const text = ws.join(' ');
        const chunks = chunkText(text, lumpy, max);
        expect(chunks.every((c) => c.tokens <= max && c.tokens === lumpy(c.text))).toBe(true);
        expect(chunks.map((c) => c.text).join(' ')).toBe(text);
      }),
    );
  });

  it('counts each piece once instead of re-counting the growing chunk', () => {
    let counted = 0;
    const counting = (t: string) => {
      counted += t.length;
      return words(t);
    };
    const text = Array.from({ length: 400 }, () => 'We are so happy today.').join(' ');
    chunkText(text, counting, 510);
    // Whole text once, each sentence about twice, each chunk once: about 4x the text's length.
    expect(counted).toBeLessThan(text.length * 5);
  });
});

describe('groupSentences', () => {
  it('keeps up to max sentences as they are, and groups more into max runs of neighbours, none lost', () => {
    expect(groupSentences(['a.', 'b.'], 3)).toEqual(['a.', 'b.']);
    const many = Array.from({ length: 10 }, (_, i) => `s${i}.`);
    const groups = groupSentences(many, 4);
    expect(groups).toHaveLength(4);
    expect(groups.join(' ')).toBe(many.join(' '));
    expect(groups.map((g) => g.split(' ').length)).toEqual([2, 3, 2, 3]);
  });
});
