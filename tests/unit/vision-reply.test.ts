import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMOTIONS } from '../../src/shared/emotions';
import { parseVisionReply } from '../../src/features/vision/reply';
import { emotionOfLabel } from '../../src/shared/emotion-labels';

const CLEAN = JSON.stringify({
  description: 'A wide smile with raised cheeks.',
  scores: { anger: 0.01, disgust: 0.01, fear: 0.02, joy: 0.86, neutral: 0.06, sadness: 0.02, surprise: 0.02 },
});

function expectDistribution(scores: Record<string, number>) {
  expect(Object.keys(scores).sort()).toEqual([...EMOTIONS].sort());
  for (const v of Object.values(scores)) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  expect(Object.values(scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
}

describe('vision reply parser', () => {
  it('reads clean JSON', () => {
    const r = parseVisionReply(CLEAN, 'stop');
    if (!r.ok) throw new Error(r.detail);
    expect(r.reading.scores.joy).toBeCloseTo(0.86);
    expect(r.reading.description).toBe('A wide smile with raised cheeks.');
    expectDistribution(r.reading.scores);
  });

  it('finds JSON in a fenced block inside prose, with synonyms and percentages', () => {
    const content =
      'Here is my analysis:\n```json\n{"description": "Big grin.", "scores": {"happiness": "72%", "Angry": 3, "sad": 5, "fearful": 2, "disgusted": 1, "surprised": 12, "neutral": 5}}\n```\nLet me know!';
    const r = parseVisionReply(content, 'stop');
    if (!r.ok) throw new Error(r.detail);
    expect(r.reading.scores.joy).toBeCloseTo(0.72);
    expect(r.reading.scores.surprise).toBeCloseTo(0.12);
    expectDistribution(r.reading.scores);
  });

  it('finds a bare object inside prose and ignores braces in strings', () => {
    const r = parseVisionReply('Sure! {"description": "a frown {tense}", "emotions": {"sadness": 0.6, "neutral": 0.4}} Hope that helps.');
    if (!r.ok) throw new Error(r.detail);
    expect(r.reading.scores.sadness).toBeCloseTo(0.6);
    expect(r.reading.description).toBe('a frown {tense}');
  });

  it('reads a list of label/score pairs', () => {
    const r = parseVisionReply('[{"label":"joy","score":0.5},{"label":"surprise","score":0.5}]');
    if (!r.ok) throw new Error(r.detail);
    expect(r.reading.scores.joy).toBeCloseTo(0.5);
  });

  it('treats missing labels as 0, clamps negatives and NaN, renormalises', () => {
    const r = parseVisionReply('{"scores": {"joy": 2, "anger": -5, "fear": "NaN", "sadness": 2}}');
    if (!r.ok) throw new Error(r.detail);
    expect(r.reading.scores.joy).toBeCloseTo(0.5);
    expect(r.reading.scores.anger).toBe(0);
    expect(r.reading.scores.fear).toBe(0);
  });

  it('fails with a reason for unusable replies', () => {
    expect(parseVisionReply('')).toMatchObject({ ok: false, failure: 'empty' });
    expect(parseVisionReply(null)).toMatchObject({ ok: false, failure: 'empty' });
    expect(parseVisionReply("I'm sorry, I can't help with that.")).toMatchObject({ ok: false, failure: 'no-json' });
    expect(parseVisionReply('{"description": "x", "scores": {"joy": 0.8, "sad', 'length')).toMatchObject({ ok: false, failure: 'truncated' });
    expect(parseVisionReply('{"scores": {"joy": 0, "anger": 0}}')).toMatchObject({ ok: false, failure: 'all-zero' });
    expect(parseVisionReply('{"mood": "good"}')).toMatchObject({ ok: false, failure: 'no-scores' });
  });

  it('keeps the description plain and short', () => {
    const long = JSON.stringify({ description: `<img src=x onerror=alert(1)>\u0000\u202e ${'a'.repeat(2000)}`, scores: { joy: 1 } });
    const r = parseVisionReply(long);
    if (!r.ok) throw new Error(r.detail);
    expect(r.reading.description.length).toBeLessThanOrEqual(600);
    expect(r.reading.description.includes('\u0000') || r.reading.description.includes('\u202e')).toBe(false);
  });

  it('maps label synonyms', () => {
    expect(emotionOfLabel('Happiness')).toBe('joy');
    expect(emotionOfLabel(' ANGRY ')).toBe('anger');
    expect(emotionOfLabel('sad')).toBe('sadness');
    expect(emotionOfLabel('surprised')).toBe('surprise');
    expect(emotionOfLabel('love')).toBeUndefined();
  });

  it('never throws, and yields a distribution or a typed failure (property)', () => {
    const label = fc.oneof(fc.constantFrom(...EMOTIONS, 'happiness', 'angry', 'sad', 'Surprised', 'fearful'), fc.string());
    const value = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null), fc.constantFrom('50%', '0.3', '-1', 'NaN'));
    const scoresObject = fc.dictionary(label, value);
    const reply = fc.oneof(
      fc.string(),
      fc.json(),
      scoresObject.map((scores) => JSON.stringify({ description: 'x', scores })),
      scoresObject.map((scores) => `Here you go:\n\`\`\`json\n${JSON.stringify({ scores })}\n\`\`\``),
      scoresObject.map((scores) => JSON.stringify({ scores }).slice(0, 20)),
    );
    fc.assert(
      fc.property(reply, fc.constantFrom('stop', 'length', undefined, 42), (content, finish) => {
        const r = parseVisionReply(content, finish);
        if (r.ok) expectDistribution(r.reading.scores);
        else expect(['empty', 'no-json', 'truncated', 'no-scores', 'all-zero']).toContain(r.failure);
      }),
      { numRuns: 500 },
    );
  });
});
