import { describe, expect, it } from 'vitest';
import { LENGTHS, chooseLength, paddedLength } from '../../src/features/text/litert/lengths';

describe('LiteRT.js input lengths', () => {
  it('pads a text to the smallest length that holds it, at most the longest', () => {
    expect(LENGTHS).toEqual([32, 64, 128, 256, 512]);
    expect([1, 32, 33, 64, 65, 200, 512, 600].map((n) => paddedLength(n))).toEqual([32, 32, 64, 64, 128, 256, 512, 512]);
  });

  it('reuses a compiled length up to twice the own one, else compiles its own', () => {
    expect(chooseLength(16, [64])).toBe(64); // 64 <= 2 x 32
    expect(chooseLength(16, [128])).toBe(32); // 128 > 2 x 32
    expect(chooseLength(100, [64, 256])).toBe(256); // 64 is too short, 256 <= 2 x 128
    expect(chooseLength(100, [64, 512])).toBe(128);
    expect(chooseLength(20, [64, 32])).toBe(32); // the shortest that fits
    expect(chooseLength(20, [])).toBe(32);
  });

  it('settles a mix of 16, 64 and 128-token texts on two compiled lengths', () => {
    const compiled: number[] = [64]; // compiled at load
    const made: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const tokens of [16, 64, 128]) {
        const length = chooseLength(tokens, compiled);
        if (!compiled.includes(length)) {
          made.push(length);
          compiled.push(length);
          if (compiled.length > 2) compiled.shift();
        }
      }
    }
    expect(made).toEqual([128]);
  });
});
