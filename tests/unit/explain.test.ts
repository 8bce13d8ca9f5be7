// Issue 17, word explanations: words found whole (with their places), a word taken out cleanly,
// effects as the drop of each emotion, and the top words for and against.
import { describe, expect, it } from 'vitest';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import { explain, topWords, withoutWord, wordSpans } from '../../src/features/text/explain';

const scores = (joy: number) => normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === 'joy' ? joy : 1])) as Record<Emotion, number>);

describe('explain', () => {
  it('finds whole words with their places, punctuation left out', () => {
    const text = "I'm so well-rested, truly; café 42!";
    const spans = wordSpans(text);
    expect(spans.map((s) => s.word)).toEqual(["I'm", 'so', 'well', 'rested', 'truly', 'café', '42']);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.word);
  });

  it('takes a word out with one of its spaces, never leaving two', () => {
    const text = 'I am so happy today.';
    const spans = wordSpans(text);
    expect(spans.map((s) => withoutWord(text, s))).toEqual(['am so happy today.', 'I so happy today.', 'I am happy today.', 'I am so today.', 'I am so happy.']);
  });

  it("a word's effect is the drop of each emotion without it; top words for and against", () => {
    const text = 'so happy but tired';
    const spans = wordSpans(text);
    const whole = scores(5);
    // Without "happy" joy falls; without "tired" it rises; the others barely move it.
    const occluded = [scores(4.9), scores(1), scores(5), scores(8)];
    const x = explain(text, whole, spans, occluded);
    expect(x.words.map((w) => w.word)).toEqual(['so', 'happy', 'but', 'tired']);
    expect(x.words[1]!.effects.joy).toBeCloseTo(whole.joy - scores(1).joy, 12);
    expect(x.words[2]!.effects.joy).toBe(0);
    const top = topWords(x, 'joy', 2);
    expect(top.for.map((w) => w.word)).toEqual(['happy', 'so']);
    expect(top.against.map((w) => w.word)).toEqual(['tired']);
    // Every emotion's effect comes from the same readings; they sum to 0 for each word.
    for (const w of x.words) expect(EMOTIONS.reduce((n, e) => n + w.effects[e], 0)).toBeCloseTo(0, 12);
    expect(() => explain(text, whole, spans, occluded.slice(1))).toThrow();
  });
});
