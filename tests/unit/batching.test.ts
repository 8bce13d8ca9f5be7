import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planBatches } from '../../src/features/text/length-batches';

describe('planBatches', () => {
  it('puts every index in exactly one batch, shortest first, within the limits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 512 }), { maxLength: 80 }),
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 1, max: 8192 }),
        (lengths, maxSequences, maxTokens) => {
          const batches = planBatches(lengths, { maxSequences, maxTokens });
          expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
          const order = batches.flat().map((i) => lengths[i]!);
          expect(order).toEqual([...order].sort((a, b) => a - b));
          for (const b of batches) {
            expect(b.length).toBeGreaterThan(0);
            expect(b.length).toBeLessThanOrEqual(maxSequences);
            // Only a batch of one may exceed the token limit (a sequence always runs).
            if (b.length > 1) expect(b.length * Math.max(...b.map((i) => lengths[i]!))).toBeLessThanOrEqual(maxTokens);
          }
        },
      ),
    );
  });

  it('fills batches greedily: 40 equal texts of 64 tokens make batches of 16, 16 and 8', () => {
    expect(planBatches(Array(40).fill(64)).map((b) => b.length)).toEqual([16, 16, 8]);
    expect(planBatches([128, 16, 64])).toEqual([[1, 2, 0]]);
    expect(planBatches([])).toEqual([]);
  });

  it('refuses limits below 1', () => {
    expect(() => planBatches([1], { maxSequences: 0, maxTokens: 10 })).toThrow(RangeError);
  });
});
