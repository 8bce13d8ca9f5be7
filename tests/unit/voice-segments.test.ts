import { describe, expect, it } from 'vitest';
import { DEFAULT_SEGMENT_OPTIONS, VAD_FRAME, VOICE_SAMPLE_RATE, speechSegments } from '../../src/features/voice/vad';

const FRAME_S = VAD_FRAME / VOICE_SAMPLE_RATE; // 32 ms
/** Probabilities from runs of [seconds, probability]. */
function frames(...runs: Array<[number, number]>): Float32Array {
  const out: number[] = [];
  for (const [seconds, p] of runs) for (let i = 0; i < Math.round(seconds / FRAME_S); i++) out.push(p);
  return Float32Array.from(out);
}
const total = (p: Float32Array) => p.length * FRAME_S;

describe('speech segments from speech probabilities', () => {
  it('one segment per stretch of speech, padded by 100 ms, a pause of 400 ms or more between them', () => {
    const p = frames([1, 0.02], [2, 0.9], [1, 0.02], [1.5, 0.8], [1, 0.02]);
    const s = speechSegments(p, total(p));
    expect(s).toHaveLength(2);
    expect(s[0]!.start).toBeCloseTo(1 - 0.1, 1);
    expect(s[0]!.end).toBeCloseTo(3 + 0.1, 1);
    expect(s[1]!.start).toBeCloseTo(4 - 0.1, 1);
    expect(s[1]!.end).toBeCloseTo(5.5 + 0.1, 1);
  });

  it('a short pause (a comma) does not end a segment; a dip between the two thresholds never does', () => {
    const p = frames([0.5, 0], [1, 0.9], [0.2, 0.1], [1, 0.9], [0.6, 0.4], [1, 0.9], [1, 0]);
    expect(speechSegments(p, total(p))).toHaveLength(1);
  });

  it('drops a blip shorter than 250 ms', () => {
    const p = frames([1, 0], [0.1, 0.95], [1, 0], [1, 0.9], [1, 0]);
    const s = speechSegments(p, total(p));
    expect(s).toHaveLength(1);
    expect(s[0]!.start).toBeGreaterThan(1.9); // the second stretch (2.1 s) less its pad
  });

  it('keeps speech that runs to the end of the recording, and pads within it', () => {
    const p = frames([0.05, 0], [2, 0.9]);
    const s = speechSegments(p, total(p));
    expect(s).toEqual([{ start: 0, end: Math.round(total(p) * 1000) / 1000 }]);
  });

  it('splits a gap shorter than two pads in its middle, so segments never overlap', () => {
    const p = frames([1, 0], [1, 0.9], [0.45, 0], [1, 0.9], [1, 0]);
    const s = speechSegments(p, total(p), { ...DEFAULT_SEGMENT_OPTIONS, padMs: 300 });
    expect(s).toHaveLength(2);
    expect(s[0]!.end).toBeLessThanOrEqual(s[1]!.start);
    expect(s[1]!.start - s[0]!.end).toBeLessThan(0.01);
  });

  it('cuts speech longer than the longest segment at its quietest frame', () => {
    const p = frames([0.5, 0], [20, 0.9], [0.1, 0.52], [20, 0.9], [0.5, 0]);
    const s = speechSegments(p, total(p));
    expect(s.length).toBe(2);
    // Within Whisper's 30 s window, pads included.
    for (const seg of s) expect(seg.end - seg.start).toBeLessThanOrEqual(30);
    // The cut is at the dip (20.5-20.6 s), not at 30 s.
    expect(s[0]!.end).toBeGreaterThan(20.4);
    expect(s[0]!.end).toBeLessThan(20.8);
  });

  it('finds nothing in silence', () => {
    expect(speechSegments(frames([5, 0.01]), 5)).toEqual([]);
  });
});
