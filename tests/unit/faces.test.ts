// The face channel's arithmetic, by hand-computed examples and properties: anchors, decoding,
// suppression, the letterbox round trip, crops, input scaling and the picture's distribution.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMOTIONS, topEmotion, type EmotionScores } from '../../src/shared/emotions';
import {
  anchors,
  area,
  confirmationScore,
  confirmationTarget,
  cropRegion,
  decodeDetections,
  detectorInput,
  expressionInput,
  expressionScores,
  faceBoxesAnchors,
  facePresence,
  iou,
  letterbox,
  mirrorImage,
  nonMaxSuppression,
  pictureScores,
  toPicture,
  type Box,
} from '../../src/features/faces/faces';

const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });

function one(emotion: (typeof EMOTIONS)[number]): EmotionScores {
  return Object.fromEntries(EMOTIONS.map((e) => [e, e === emotion ? 1 : 0])) as unknown as EmotionScores;
}

describe('anchors', () => {
  it('has 896 centers: the 16x16 grid with 2 per cell, then the 8x8 grid with 6', () => {
    const a = anchors();
    expect(a.length).toBe(896 * 2);
    expect([a[0], a[1], a[2], a[3]]).toEqual([8, 8, 8, 8]); // first cell, both anchors
    expect([a[4], a[5]]).toEqual([24, 8]); // next cell to the right
    expect([a[512 * 2], a[512 * 2 + 1]]).toEqual([16, 16]); // first cell of the coarse grid
    expect([a[895 * 2], a[895 * 2 + 1]]).toEqual([240, 240]); // last cell
  });
});

describe('iou and suppression', () => {
  it('computes intersection over union by hand', () => {
    expect(iou(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    expect(iou(box(0, 0, 10, 10), box(5, 0, 15, 10))).toBeCloseTo(50 / 150, 12);
    expect(iou(box(0, 0, 10, 10), box(20, 20, 30, 30))).toBe(0);
    expect(iou(box(0, 0, 0, 0), box(0, 0, 0, 0))).toBe(0);
  });

  it('keeps the best of overlapping boxes and every separate one', () => {
    const kept = nonMaxSuppression([
      { box: box(0, 0, 10, 10), score: 0.6 },
      { box: box(1, 1, 11, 11), score: 0.9 },
      { box: box(50, 50, 60, 60), score: 0.7 },
    ]);
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.7]);
  });

  it('never keeps two boxes overlapping more than the threshold, and at most maxCount', () => {
    const arb = fc.array(
      fc.record({ x: fc.integer({ min: 0, max: 200 }), y: fc.integer({ min: 0, max: 200 }), s: fc.integer({ min: 1, max: 60 }), score: fc.double({ min: 0, max: 1, noNaN: true }) }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 10 }), (items, max) => {
        const kept = nonMaxSuppression(items.map((i) => ({ box: box(i.x, i.y, i.x + i.s, i.y + i.s), score: i.score })), 0.3, max);
        expect(kept.length).toBeLessThanOrEqual(max);
        for (let i = 0; i < kept.length; i++) for (let j = i + 1; j < kept.length; j++) expect(iou(kept[i]!.box, kept[j]!.box)).toBeLessThanOrEqual(0.3);
      }),
    );
  });
});

describe('decodeDetections', () => {
  it('turns one confident anchor into one box around its center, and ignores the rest', () => {
    const logits = new Float32Array(896).fill(-10);
    const regressors = new Float32Array(896 * 16);
    // Anchor 2 is the second cell of the fine grid: center (24, 8). Offset (+2, +4), size 20 x 30.
    logits[2] = 2; // sigmoid(2) = 0.8808
    regressors.set([2, 4, 20, 30], 2 * 16);
    const [d, ...rest] = decodeDetections(logits, regressors);
    expect(rest).toEqual([]);
    expect(d!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(d!.box).toEqual(box(16, -3, 36, 27));
  });

  it('drops boxes under the score threshold or without size, and refuses wrong shapes', () => {
    const logits = new Float32Array(896).fill(-10);
    const regressors = new Float32Array(896 * 16);
    logits[0] = 0; // 0.5: kept at the default threshold of 0.5
    regressors.set([0, 0, 10, 10], 0);
    logits[600] = 5; // confident but of size 0
    expect(decodeDetections(logits, regressors)).toHaveLength(1);
    expect(decodeDetections(logits, regressors, { minScore: 0.6 })).toHaveLength(0);
    expect(() => decodeDetections(new Float32Array(10), regressors)).toThrow(/896 logits/);
  });
});

describe('letterbox and boxes back in the picture', () => {
  it('fits a landscape picture centered, with bars above and below', () => {
    expect(letterbox(1024, 512)).toEqual({ scale: 0.25, padX: 0, padY: 64 });
    expect(letterbox(300, 600)).toEqual({ scale: 256 / 600, padX: (256 - 128) / 2, padY: 0 });
  });

  it('maps a box to the input and back to where it was (inside the picture)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 5000 }), fc.integer({ min: 16, max: 5000 }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (w, h, fx, fy) => {
        const fit = letterbox(w, h);
        const original = box(fx * w, fy * h, (fx + 0.4) * w, (fy + 0.4) * h);
        const input = box(original.x1 * fit.scale + fit.padX, original.y1 * fit.scale + fit.padY, original.x2 * fit.scale + fit.padX, original.y2 * fit.scale + fit.padY);
        const back = toPicture(input, fit, w, h);
        expect(back.x1).toBeCloseTo(original.x1, 6);
        expect(back.y2).toBeCloseTo(original.y2, 6);
      }),
    );
  });

  it('clips a box that reaches over the picture edge', () => {
    const fit = letterbox(1024, 512);
    expect(toPicture(box(-10, 0, 300, 300), fit, 1024, 512)).toEqual(box(0, 0, 1024, 512));
  });
});

describe('cropRegion', () => {
  it('enlarges the box by 1.2 around its center and makes it square', () => {
    expect(cropRegion(box(100, 100, 200, 150), 1000, 1000)).toEqual(box(90, 65, 210, 185));
  });
  it('stays inside the picture', () => {
    expect(cropRegion(box(0, 0, 100, 100), 80, 1000)).toEqual(box(0, 0, 80, 110));
  });
});

describe('model inputs', () => {
  it('scales RGB to [-1, 1] for the detector, dropping alpha', () => {
    expect(Array.from(detectorInput([0, 127.5, 255, 9, 255, 0, 0, 9], 2))).toEqual([-1, 0, 1, 1, -1, -1]);
  });
  it('turns RGB into gray in [-1, 1] for the expression model', () => {
    const [white, black, red] = Array.from(expressionInput([255, 255, 255, 0, 0, 0, 0, 0, 255, 0, 0, 0], 3));
    expect(white).toBeCloseTo((0.2989 + 0.587 + 0.114 - 0.5) * 2, 6);
    expect(black).toBe(-1);
    expect(red).toBeCloseTo((0.2989 - 0.5) * 2, 6);
  });
});

describe('expressionScores', () => {
  it('maps the FER order (angry, disgust, fear, happy, sad, surprise, neutral) to ours', () => {
    expect(topEmotion(expressionScores([0, 0, 0, 1, 0, 0, 0])).emotion).toBe('joy');
    expect(topEmotion(expressionScores([0, 0, 0, 0, 1, 0, 0])).emotion).toBe('sadness');
    expect(topEmotion(expressionScores([0, 0, 0, 0, 0, 0, 1])).emotion).toBe('neutral');
    const s = expressionScores([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4]);
    expect(s.neutral).toBeCloseTo(0.4, 6);
    expect(EMOTIONS.reduce((n, e) => n + s[e], 0)).toBeCloseTo(1, 9);
  });
  it('refuses a wrong number of scores', () => {
    expect(() => expressionScores([1, 0])).toThrow(/7 scores/);
  });
});

describe('pictureScores', () => {
  it('is null without faces', () => {
    expect(pictureScores([])).toBeNull();
  });

  it('weights each face by its area times its detection score', () => {
    // Joy face: 20x20 at 0.5 = 200; sadness face: 10x10 at 1 = 100. Joy gets 2/3.
    const s = pictureScores([
      { box: box(0, 0, 20, 20), score: 0.5, scores: one('joy') },
      { box: box(50, 50, 60, 60), score: 1, scores: one('sadness') },
    ])!;
    expect(s.joy).toBeCloseTo(2 / 3, 9);
    expect(s.sadness).toBeCloseTo(1 / 3, 9);
  });

  it('is the face itself with one face, and lies between the faces with several', () => {
    const face = { box: box(0, 0, 10, 10), score: 0.9, scores: expressionScores([0.2, 0, 0.1, 0.5, 0.1, 0.05, 0.05]) };
    expect(pictureScores([face])).toEqual(face.scores);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0.5, max: 1, noNaN: true }), fc.constantFrom(...EMOTIONS)), { minLength: 1, maxLength: 6 }), (items) => {
        const faces = items.map(([s, score, e]) => ({ box: box(0, 0, s, s), score, scores: one(e) }));
        const mixed = pictureScores(faces)!;
        for (const e of EMOTIONS) {
          const has = faces.some((f) => f.scores[e] === 1);
          expect(mixed[e] > 0).toBe(has);
        }
        expect(area(faces[0]!.box)).toBeGreaterThan(0);
      }),
    );
  });
});

describe('the mirror check', () => {
  it('mirrors a square image left to right, pixel by pixel, channels kept together', () => {
    // 2x2, 3 channels: [a b / c d] -> [b a / d c]
    const image = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    expect(Array.from(mirrorImage(image, 2))).toEqual([4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9]);
  });

  it('mirroring twice gives the image back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), (size, channels) => {
        const image = Float32Array.from({ length: size * size * channels }, (_, i) => i);
        expect(Array.from(mirrorImage(mirrorImage(image, size, channels), size, channels))).toEqual(Array.from(image));
      }),
    );
  });

  it('a candidate is as present as its weaker view', () => {
    expect(facePresence(0.92, 0.04)).toBe(0.04);
    expect(facePresence(0.57, 0.99)).toBe(0.57);
  });
});

describe('the confirming detector (FaceBoxes)', () => {
  const px = (...values: number[]) => values.map((v) => v / 384);
  const anchorAt = (a: Float32Array, i: number) => Array.from(a.subarray(i * 4, i * 4 + 4));

  it('has 3069 anchors for 384 px, as center y, center x, height, width after clipping, densified ones first', () => {
    const a = faceBoxesAnchors(384);
    expect(a.length).toBe(3069 * 4); // 12x12 cells x (16 + 4 + 1), 6x6, 3x3
    // Cell (0, 0) of the 32 px grid: the 32 px anchor 4x4 times, y moving fastest, clipped at the top left.
    expect(anchorAt(a, 0)).toEqual(px(10, 10, 20, 20).map((v) => expect.closeTo(v, 6)));
    expect(anchorAt(a, 1)).toEqual(px(14, 10, 28, 20).map((v) => expect.closeTo(v, 6)));
    expect(anchorAt(a, 4)).toEqual(px(10, 14, 20, 28).map((v) => expect.closeTo(v, 6)));
    // then the 64 px anchor 2x2 times (centers 0 and 32), then the 128 px one.
    expect(anchorAt(a, 16)).toEqual(px(16, 16, 32, 32).map((v) => expect.closeTo(v, 6)));
    expect(anchorAt(a, 17)).toEqual(px(32, 16, 64, 32).map((v) => expect.closeTo(v, 6)));
    expect(anchorAt(a, 20)).toEqual(px(40, 40, 80, 80).map((v) => expect.closeTo(v, 6)));
    // The last: the 512 px anchor on cell (2, 2) of the 3x3 grid, center 320, clipped to 64..384.
    expect(anchorAt(a, 3068)).toEqual(px(224, 224, 320, 320).map((v) => expect.closeTo(v, 6)));
  });

  /** Outputs for one item where anchor `at` (of the 12x12 grid) alone says face, with `encoding`. */
  function outputs(at: number, logit: number, encoding = [0, 0, 0, 0]) {
    const counts = [12 * 12 * 21, 36, 9];
    const classes = counts.map((n) => new Float32Array(n * 2).fill(0).map((_, i) => (i % 2 === 0 ? 5 : -5)));
    const boxes = counts.map((n) => new Float32Array(n * 4));
    classes[0]!.set([0, logit], at * 2);
    boxes[0]!.set(encoding, at * 4);
    return { classes, boxes };
  }
  const boxOf = (cy: number, cx: number, h: number, w: number): Box => box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);

  it('scores the face softmax of the best box on the target, decoded from its anchor', () => {
    const a = faceBoxesAnchors(384);
    // The 128 px anchor of cell (5, 5): center 176 px, side 128 px.
    const at = (5 * 12 + 5) * 21 + 20;
    expect(anchorAt(a, at)).toEqual(px(176, 176, 128, 128).map((v) => expect.closeTo(v, 6)));
    const { classes, boxes } = outputs(at, Math.log(9));
    const options = { anchorBoxes: a };
    expect(confirmationScore(classes, boxes, 0, 1, boxOf(176 / 384, 176 / 384, 1 / 3, 1 / 3), options)).toBeCloseTo(0.9, 6);
    // A target elsewhere: only the anchors that say background (face 0.00005) are on it.
    expect(confirmationScore(classes, boxes, 0, 1, boxOf(0.9, 0.9, 0.1, 0.1), options)).toBeCloseTo(1 / (1 + Math.exp(10)), 9);
    // Encodings move and scale the box: +10 in y is one anchor height down, +5 in height is e times as tall.
    const moved = outputs(at, Math.log(9), [10, 0, 5, 0]);
    expect(confirmationScore(moved.classes, moved.boxes, 0, 1, boxOf(176 / 384 + 1 / 3, 176 / 384, Math.E / 3, 1 / 3), { ...options, minIou: 0.99 })).toBeCloseTo(0.9, 6);
    // Outputs of another input size than the anchors' are refused.
    expect(() => confirmationScore(classes, boxes, 0, 1, boxOf(0.5, 0.5, 0.4, 0.4))).toThrow(/anchors/u);
  });

  it('the candidate is the middle of the square: a third of it at 3x, 0.4 of it at 2.5x (the app)', () => {
    const t = confirmationTarget(3);
    expect([t.x1, t.y1, t.x2, t.y2].map((v) => v * 3)).toEqual([1, 1, 2, 2].map((v) => expect.closeTo(v, 12)));
    expect(confirmationTarget()).toEqual({ x1: expect.closeTo(0.3, 12), y1: expect.closeTo(0.3, 12), x2: expect.closeTo(0.7, 12), y2: expect.closeTo(0.7, 12) });
  });

  it('has 1364 anchors for the 256 px input of the app', () => {
    expect(faceBoxesAnchors().length).toBe((8 * 8 * 21 + 4 * 4 + 2 * 2) * 4);
  });
});
