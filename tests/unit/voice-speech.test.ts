import { describe, expect, it } from 'vitest';
import { recordingLanguage, segmentTexts, speechWindows, timedTexts, windowSamples } from '../../src/features/voice/speech';

const BEGIN = 1000; // the first timestamp token: <|0.00|>
const ts = (seconds: number) => BEGIN + Math.round(seconds / 0.02);
const WORDS: Record<number, string> = { 1: ' Hello', 2: ' there.', 3: ' Bye', 4: ' now.' };
const decode = (ids: number[]) => ids.map((id) => WORDS[id] ?? '').join('');

describe('speech windows', () => {
  it('packs consecutive segments, 0.8 s apart, into windows of at most 30 s: the silences between them take no room', () => {
    const spans = [
      { start: 0.5, end: 4 }, // 3.5 s
      { start: 5, end: 12 }, // 7 s
      { start: 20, end: 29.9 }, // 9.9 s
      { start: 31, end: 40 }, // 9 s: 3.5 + 7 + 9.9 + 9 + three gaps is 31.8 s, over
      { start: 70, end: 71 },
    ];
    const windows = speechWindows(spans);
    expect(windows.map((w) => w.segments)).toEqual([[0, 1, 2], [3, 4]]);
    expect(windows[0]!.at).toEqual([0, 4.3, expect.closeTo(12.1, 9)]);
    expect(windows[0]!.seconds).toBeCloseTo(22, 9);
    expect(windows[1]!.at).toEqual([0, 9.8]);
    expect(speechWindows([])).toEqual([]);
    // A segment as long as a window is a window of its own.
    expect(speechWindows([{ start: 0, end: 29.7 }, { start: 30, end: 31 }]).map((w) => w.segments)).toEqual([[0], [1]]);
  });

  it("a window's sound is its segments' samples one after the other, with silence between", () => {
    const rate = 10;
    const samples = Float32Array.from({ length: 100 }, (_, i) => i);
    const spans = [{ start: 1, end: 2 }, { start: 5, end: 5.5 }];
    const [window] = speechWindows(spans, 30, 0.3);
    expect(Array.from(windowSamples(samples, spans, window!, rate))).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0, 0, 0, 50, 51, 52, 53, 54]);
  });
});

describe('timed pieces of a generated sequence', () => {
  it('splits the text at timestamp pairs and times each piece', () => {
    expect(timedTexts([ts(0), 1, 2, ts(1.5), ts(2), 3, 4, ts(3.24)], BEGIN, decode)).toEqual([
      { start: 0, end: 1.5, text: 'Hello there.' },
      { start: 2, end: 3.24, text: 'Bye now.' },
    ]);
  });

  it('keeps text without timestamps (or after the last one) as a piece with null times, and drops empty pieces', () => {
    expect(timedTexts([1, 2], BEGIN, decode)).toEqual([{ start: null, end: null, text: 'Hello there.' }]);
    expect(timedTexts([ts(0), 1, ts(1), ts(1), 3], BEGIN, decode)).toEqual([
      { start: 0, end: 1, text: 'Hello' },
      { start: 1, end: null, text: 'Bye' },
    ]);
    // Special tokens decode to nothing: no piece.
    expect(timedTexts([ts(0), 99, ts(1)], BEGIN, decode)).toEqual([]);
  });
});

describe('each segment its words', () => {
  const spans = [
    { start: 1, end: 3 },
    { start: 10, end: 12 },
    { start: 30, end: 31 },
  ];
  // In the window (1 s apart): 0-2 s is segment 0, 3-5 s segment 1, 7-8 s segment 2.
  const window = { segments: [0, 1, 2], at: [0, 3, 7], seconds: 8 };

  it('gives each piece to the segment it overlaps most', () => {
    const pieces = [
      { start: 0, end: 2.2, text: 'Hello there.' },
      { start: 2.9, end: 4.5, text: 'Bye' },
      { start: 4.5, end: 5, text: 'now.' },
    ];
    expect(segmentTexts(window, spans, pieces)).toEqual(['Hello there.', 'Bye now.', '']);
  });

  it('gives a piece that overlaps none to the nearest segment, one without times to the first', () => {
    expect(segmentTexts(window, spans, [{ start: 6.2, end: 6.5, text: 'Hm.' }])).toEqual(['', '', 'Hm.']);
    expect(segmentTexts(window, spans, [{ start: null, end: null, text: 'Hello.' }])).toEqual(['Hello.', '', '']);
    // A piece running to the window's end (no end time) counts until the end.
    expect(segmentTexts(window, spans, [{ start: 6.8, end: null, text: 'Bye.' }])).toEqual(['', '', 'Bye.']);
  });
});

describe('the language of a recording', () => {
  it('is the one spoken longest; null when no window says', () => {
    expect(
      recordingLanguage([
        { language: 'de', seconds: 5 },
        { language: 'en', seconds: 4 },
        { language: 'en', seconds: 3 },
      ]),
    ).toBe('en');
    expect(recordingLanguage([{ language: null, seconds: 9 }])).toBeNull();
    expect(recordingLanguage([])).toBeNull();
  });
});
