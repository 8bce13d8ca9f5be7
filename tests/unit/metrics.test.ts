// Evaluation metrics against hand-computed examples, scikit-learn's documented example, and
// properties: a perfect classifier's macro-F1 is 1; a constant classifier's accuracy is its
// class's share; the bootstrap is reproducible with its seed and brackets the point value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMOTIONS, type Emotion } from '../../src/shared/emotions';
import {
  accuracy,
  bootstrapInterval,
  classMetrics,
  confusionMatrix,
  expectedCalibrationError,
  macroF1,
  presentClasses,
  reliabilityBins,
  rowNormalised,
} from '../../src/features/evaluation/metrics';

describe('classification metrics', () => {
  it("scikit-learn's f1_score example: y_true [0,1,2,0,1,2], y_pred [0,2,1,0,0,1] -> macro 0.2667, accuracy 1/3", () => {
    const name: Emotion[] = ['anger', 'joy', 'sadness'];
    const gold = [0, 1, 2, 0, 1, 2].map((i) => name[i]!);
    const pred = [0, 2, 1, 0, 0, 1].map((i) => name[i]!);
    const m = confusionMatrix(gold, pred);
    expect(accuracy(m)).toBeCloseTo(1 / 3, 12);
    expect(macroF1(m)).toBeCloseTo(0.26666666666666666, 12);
    expect(presentClasses(m)).toEqual(['anger', 'joy', 'sadness']);
    const anger = classMetrics(m).find((c) => c.emotion === 'anger')!;
    // anger: 2 right of 3 predicted, 2 of 2 gold.
    expect(anger).toMatchObject({ precision: 2 / 3, recall: 1, support: 2 });
    expect(anger.f1).toBeCloseTo(0.8, 12);
    expect(rowNormalised(m)[EMOTIONS.indexOf('joy')]![EMOTIONS.indexOf('anger')]).toBe(0.5);
  });

  it('a class only predicted (never gold) counts in macro-F1 with F1 0, as in scikit-learn', () => {
    const m = confusionMatrix(['joy', 'joy'], ['joy', 'fear']);
    // joy: P 1, R 0.5, F1 2/3; fear: P 0, R 0 -> F1 0; mean of the two.
    expect(macroF1(m)).toBeCloseTo(1 / 3, 12);
  });

  it('a perfect classifier has macro-F1 1; a constant classifier has its class share as accuracy', () => {
    const labels = fc.array(fc.constantFrom(...EMOTIONS), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(labels, fc.constantFrom(...EMOTIONS), (gold, constant) => {
        expect(macroF1(confusionMatrix(gold, gold))).toBeCloseTo(1, 12);
        const share = gold.filter((g) => g === constant).length / gold.length;
        expect(accuracy(confusionMatrix(gold, gold.map(() => constant)))).toBeCloseTo(share, 12);
      }),
      { seed: 20261202 },
    );
  });
});

describe('calibration', () => {
  it('ECE by hand: bins (0.8, 0.9] and (0.5, 0.6]', () => {
    // Two rows at 0.9 (one right), two at 0.6 (both right): |0.5-0.9|*2/4 + |1-0.6|*2/4 = 0.4.
    expect(expectedCalibrationError([0.9, 0.9, 0.6, 0.6], [true, false, true, true])).toBeCloseTo(0.4, 12);
    const bins = reliabilityBins([0.9, 0.9, 0.6, 0.6, 0, 1], [true, false, true, true, false, true]);
    expect(bins[8]).toMatchObject({ count: 2, accuracy: 0.5, confidence: 0.9 });
    expect(bins[5]).toMatchObject({ count: 2, accuracy: 1 });
    expect(bins[0]!.count).toBe(1);
    expect(bins[9]!.count).toBe(1);
    // Perfectly calibrated: confidence equals accuracy in each bin.
    expect(expectedCalibrationError([0.75, 0.75, 0.75, 0.75], [true, true, true, false])).toBeCloseTo(0, 12);
  });
});

describe('bootstrap', () => {
  it('is reproducible with its seed and brackets the point value', () => {
    const correct = Array.from({ length: 20 }, (_, i) => i % 4 !== 0);
    const acc = (rows: Uint32Array) => rows.filter((r) => correct[r]!).length / rows.length;
    const a = bootstrapInterval(20, acc, { seed: 7 });
    expect(bootstrapInterval(20, acc, { seed: 7 })).toEqual(a);
    expect(a.low).toBeLessThanOrEqual(0.75);
    expect(a.high).toBeGreaterThanOrEqual(0.75);
    expect(a.high - a.low).toBeGreaterThan(0.2);
    // 20 rows give a wide interval; 2,000 a narrow one.
    const many = Array.from({ length: 2000 }, (_, i) => i % 4 !== 0);
    const b = bootstrapInterval(2000, (rows) => rows.filter((r) => many[r]!).length / rows.length, { seed: 7 });
    expect(b.high - b.low).toBeLessThan(0.05);
  });
});
