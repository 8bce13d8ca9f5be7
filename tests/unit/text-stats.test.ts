import { describe, expect, it } from 'vitest';
import { countWords, languageHint } from '../../src/features/text/text-stats';

describe('countWords', () => {
  it('counts words in scripts without spaces', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('  ')).toBe(0);
    expect(countWords('I am happy, really!')).toBe(4);
    expect(countWords('今日はとても嬉しいです')).toBeGreaterThan(2);
    expect(countWords('我今天很开心')).toBeGreaterThan(1);
    expect(countWords('오늘 정말 행복해요')).toBe(3);
  });

  it('counts an emoji as a word, since the model reads it (an emoji-only text is not "0 words")', () => {
    expect(countWords('😢')).toBe(1);
    expect(countWords('😢😢 🎉')).toBe(3);
    expect(countWords('so happy 🎉')).toBe(3);
    expect(countWords('👩‍👩‍👧')).toBe(1);
  });
});

describe('languageHint', () => {
  it('says nothing about English, or about texts too short to tell', () => {
    expect(languageHint('I finally got the job and I cannot stop smiling!')).toBeNull();
    expect(languageHint('The weather in Madrid is hot today')).toBeNull();
    expect(languageHint('Hola')).toBeNull();
    expect(languageHint('ok')).toBeNull();
  });

  it('flags another script, and common Latin-script languages', () => {
    expect(languageHint('今日はとても嬉しいです')).toBe('other-script');
    expect(languageHint('Я сегодня очень счастлив')).toBe('other-script');
    expect(languageHint('Estoy muy feliz porque hoy es mi cumpleaños')).toBe('other-language');
    expect(languageHint('Je suis très heureux de te voir aujourd\'hui')).toBe('other-language');
    expect(languageHint('Ich bin heute sehr glücklich und das ist gut')).toBe('other-language');
  });
});
