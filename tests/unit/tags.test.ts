import { describe, expect, it } from 'vitest';
import { MAX_TAGS, MAX_TAG_LENGTH, cleanTag, countTags, formatTags, hasTag, parseTags } from '../../src/features/history/tags';

describe('tags', () => {
  it('reads what was typed: commas, semicolons and lines separate; spaces are tidied; repeats in any case are dropped', () => {
    expect(parseTags('  Campaign A ,@brand;campaign   a\n\n#spring  sale,, ')).toEqual(['Campaign A', '@brand', '#spring sale']);
    expect(parseTags('')).toEqual([]);
    expect(parseTags(' , ; ')).toEqual([]);
    expect(formatTags(parseTags('a,b'))).toBe('a, b');
  });

  it('keeps at most MAX_TAGS tags of at most MAX_TAG_LENGTH characters, counting emoji as one', () => {
    expect(parseTags(Array.from({ length: 20 }, (_, i) => `t${i}`).join(','))).toHaveLength(MAX_TAGS);
    expect(cleanTag('x'.repeat(100))).toHaveLength(MAX_TAG_LENGTH);
    const emoji = cleanTag('😀'.repeat(50));
    expect([...emoji]).toHaveLength(MAX_TAG_LENGTH);
  });

  it('compares without regard to case or order, and counts tags by use', () => {
    expect(hasTag(['Campaign A'], ' campaign  a ')).toBe(true);
    expect(countTags([['b', 'A'], ['a'], ['c'], []])).toEqual([
      { tag: 'A', count: 2 },
      { tag: 'b', count: 1 },
      { tag: 'c', count: 1 },
    ]);
  });
});
