// The face channel's arithmetic, pure: where the detector looks (anchors), how its outputs become
// face boxes (decoding, scores, non-maximum suppression), how a picture is fitted into the
// detector's square input and boxes mapped back, how a face is cut out for the expression model,
// and how the faces' scores become one distribution for the picture. No DOM, no runtime: the face
// worker feeds pixels in and tensors through onnxruntime; tests feed numbers.
//
// A detection is only a candidate: BlazeFace alone also fires on cups, dice, animals and letters
// (PITFALLS.md). Each candidate is checked by a second model, as MediaPipe's face mesh pipeline
// does: the face landmark model (FaceMesh, 192x192 input) reads a square cut around the candidate,
// turned upright by its eyes and 1.7 times its size, and answers how likely that square holds a
// face. It reads the square and its mirror image, and a candidate is kept only when both views
// reach MIN_FACE_PRESENCE (see mirrorImage). Both models come from one family (MediaPipe's), and
// some animals, toys and dice fool both; so a candidate that passes is then confirmed by a face
// detector of another family, trained on other data (FaceBoxes, trained on WIDER FACE): it reads
// an upright square 2.5 times the candidate's size, and must find a face there, on the candidate,
// with a score of at least MIN_CONFIRMATION.
//
// The detector is BlazeFace (back model, 256x256 input): a 16x16 grid with 2 anchors per cell and
// an 8x8 grid with 6, 896 anchors in all; for each, a logit and 16 regressors (box center offset,
// box size, six keypoints) in input pixels. The expression model reads a 64x64 gray face and
// answers seven softmax scores in FER2013 order.
import { EMOTIONS, normalize, type Emotion, type EmotionScores } from '../../shared/emotions';

/** Side of the detector's square input, in pixels. */
export const DETECTOR_SIZE = 256;
/** Side of the expression model's square input, in pixels. */
export const EXPRESSION_SIZE = 64;
/** Detection score under which a box is not a face (see the tuning note in DEVELOPMENT.md). */
export const MIN_FACE_SCORE = 0.5;
/** Boxes overlapping more than this (intersection over union) are the same face. */
export const NMS_IOU = 0.3;
/** A face lying more than this share of its area inside a better face is that face (suppressContained). */
export const CONTAINED_SHARE = 0.5;
/** At most this many faces are read in one picture. */
export const MAX_FACES = 20;
/** The box is enlarged by this factor and squared before the face is cut out. */
export const CROP_SCALE = 1.2;
/** Side of the face landmark model's (the verifier's) square input, in pixels. */
export const VERIFIER_SIZE = 192;
/**
 * The verifier reads a square this many times the detection box, centered on the box, turned by
 * the eye line. MediaPipe's face landmark pipeline uses 1.5 (its RectTransformationCalculator) on
 * its front model's boxes; the back model's boxes are tighter, and on the tuning part of
 * bench/face/eval-set.json 1.5 lost a small tilted face that 1.7 keeps (1.5, 1.7 and 2.0 tried,
 * with and without turning; the held-out part was not used to choose; bench/README.md, "Faces").
 */
export const VERIFIER_SCALE = 1.7;
/**
 * Face presence (the landmark model's face flag) under which a detection is not a face: 0.5, the
 * MediaPipe default (min_tracking_confidence). Not fitted to any photo set. It must be reached by
 * the square and by its mirror image (facePresence).
 */
export const MIN_FACE_PRESENCE = 0.5;

/** Side of the confirming detector's (FaceBoxes') square input, in pixels (a multiple of 128). */
export const CONFIRM_SIZE = 256;
/**
 * The confirming detector reads a square this many times the candidate's longer side, so the face
 * is about 100 px of its 256: FaceBoxes' 128 px anchors cover it. Chosen on the tuning part of
 * bench/face/eval-set.json, by the gap between the lowest real face and the highest candidate on a
 * photo without a face: 384 px and 3x: 0.95 / 0.57; 256 px and 2x: 0.95 / 0.49; 256 px and 2.5x:
 * 0.93 / 0.30, the widest, at less than half the pixels of 384.
 */
export const CONFIRM_SCALE = 2.5;
/** A box of the confirming detector is the candidate's when they overlap this much (intersection over union). */
export const CONFIRM_IOU = 0.3;
/**
 * FaceBoxes' score under which the candidate is not confirmed: 0.5, its author's default
 * (FaceBoxes-tensorflow's face_detector.py). Not fitted: on the tuning part it lies in the middle
 * of the gap above (0.30 .. 0.93).
 */
export const MIN_CONFIRMATION = 0.5;

/** The expression model's labels, in its output order, as the app's emotions. */
export const EXPRESSION_LABELS: readonly Emotion[] = ['anger', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'neutral'];

/** A box in some pixel space: left, top, right, bottom. */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** A point in some pixel space. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A face the detector found, in the detector's input pixels. */
export interface Detection {
  readonly box: Box;
  readonly score: number;
  /**
   * BlazeFace's six keypoints, in this order: the person's right eye, left eye, nose tip, mouth,
   * right ear, left ear (so the first is on the left of a frontal face). Absent in hand-made tests.
   */
  readonly keypoints?: readonly Point[];
}

/** Anchor centers [x, y] in input pixels, in the order of the detector's outputs (16x16x2, 8x8x6). */
export function anchors(inputSize = DETECTOR_SIZE): Float32Array {
  const layers = [
    { stride: inputSize / 16, perCell: 2 },
    { stride: inputSize / 8, perCell: 6 },
  ];
  const out: number[] = [];
  for (const { stride, perCell } of layers) {
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let n = 0; n < perCell; n++) out.push(stride * (x + 0.5), stride * (y + 0.5));
      }
    }
  }
  return Float32Array.from(out);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Intersection over union of two boxes (0 when one is empty). */
export function iou(a: Box, b: Box): number {
  const inter = intersection(a, b);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

export function area(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

/** Greedy non-maximum suppression: best score first, dropping boxes that overlap a kept one. */
export function nonMaxSuppression(candidates: readonly Detection[], iouThreshold = NMS_IOU, maxCount = MAX_FACES): Detection[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const c of sorted) {
    if (kept.length >= maxCount) break;
    if (kept.every((k) => iou(k.box, c.box) <= iouThreshold)) kept.push(c);
  }
  return kept;
}

/**
 * Drops every box that lies mostly (more than `share` of its area) inside a better-scored box that
 * was kept: two faces cannot share most of one's area, and when a face fills the picture the
 * detector also fires on halves of it, boxes that overlap the whole face too little for NMS.
 */
export function suppressContained<T extends { readonly box: Box; readonly score: number }>(items: readonly T[], share = CONTAINED_SHARE): T[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const c of sorted) {
    const own = area(c.box);
    if (kept.every((k) => !(own > 0 && intersection(k.box, c.box) > share * own))) kept.push(c);
  }
  return kept;
}

function intersection(a: Box, b: Box): number {
  return Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
}

/**
 * Faces from the detector's outputs: `logits` (896) and `regressors` (896 x 16), in anchor order
 * (the 512 anchors of the fine grid first). Boxes are in input pixels.
 */
export function decodeDetections(
  logits: ArrayLike<number>,
  regressors: ArrayLike<number>,
  { inputSize = DETECTOR_SIZE, minScore = MIN_FACE_SCORE, iouThreshold = NMS_IOU, maxCount = MAX_FACES } = {},
): Detection[] {
  const centers = anchors(inputSize);
  const count = centers.length / 2;
  if (logits.length !== count || regressors.length !== count * 16) {
    throw new Error(`expected ${count} logits and ${count * 16} regressors, got ${logits.length} and ${regressors.length}`);
  }
  const candidates: Detection[] = [];
  for (let i = 0; i < count; i++) {
    const score = sigmoid(logits[i]!);
    if (!(score >= minScore)) continue;
    const r = i * 16;
    const cx = centers[i * 2]! + regressors[r]!;
    const cy = centers[i * 2 + 1]! + regressors[r + 1]!;
    const w = regressors[r + 2]!;
    const h = regressors[r + 3]!;
    if (!(w > 0 && h > 0)) continue;
    const keypoints = Array.from({ length: 6 }, (_, k) => ({ x: centers[i * 2]! + regressors[r + 4 + k * 2]!, y: centers[i * 2 + 1]! + regressors[r + 5 + k * 2]! }));
    candidates.push({ box: { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 }, score, keypoints });
  }
  return nonMaxSuppression(candidates, iouThreshold, maxCount);
}

/** How a picture sits in the detector's square input: scaled by `scale`, then shifted by the padding. */
export interface Letterbox {
  readonly scale: number;
  readonly padX: number;
  readonly padY: number;
}

/** The picture (w x h) fitted whole into a square of `size`, centered, aspect kept. */
export function letterbox(width: number, height: number, size = DETECTOR_SIZE): Letterbox {
  const scale = size / Math.max(width, height);
  return { scale, padX: (size - width * scale) / 2, padY: (size - height * scale) / 2 };
}

/** A box in input pixels, back in the picture's pixels, clipped to the picture. */
export function toPicture(box: Box, fit: Letterbox, width: number, height: number): Box {
  const x = (v: number) => Math.min(width, Math.max(0, (v - fit.padX) / fit.scale));
  const y = (v: number) => Math.min(height, Math.max(0, (v - fit.padY) / fit.scale));
  return { x1: x(box.x1), y1: y(box.y1), x2: x(box.x2), y2: y(box.y2) };
}

/** A point in input pixels, back in the picture's pixels (not clipped). */
export function pointToPicture(p: Point, fit: Letterbox): Point {
  return { x: (p.x - fit.padX) / fit.scale, y: (p.y - fit.padY) / fit.scale };
}

/** A square turned by `angle` (radians, clockwise in image coordinates) about its center. */
export interface TurnedSquare {
  readonly cx: number;
  readonly cy: number;
  readonly side: number;
  readonly angle: number;
}

/**
 * The square the verifier reads for a detection (all in one pixel space): centered on the box,
 * VERIFIER_SCALE times its longer side, turned so the eyes (keypoints 0 and 1) lie level, as
 * MediaPipe turns a face before its landmark model. Without keypoints it is not turned.
 */
export function verifierSquare(box: Box, keypoints?: readonly Point[], scale = VERIFIER_SCALE): TurnedSquare {
  const right = keypoints?.[0];
  const left = keypoints?.[1];
  const angle = right && left && (left.x !== right.x || left.y !== right.y) ? Math.atan2(left.y - right.y, left.x - right.x) : 0;
  return { cx: (box.x1 + box.x2) / 2, cy: (box.y1 + box.y2) / 2, side: Math.max(box.x2 - box.x1, box.y2 - box.y1) * scale, angle };
}

/** The upright box that holds a turned square, clipped to the picture. */
export function squareBounds(square: TurnedSquare, width: number, height: number): Box {
  const half = (square.side / 2) * (Math.abs(Math.cos(square.angle)) + Math.abs(Math.sin(square.angle)));
  return {
    x1: Math.max(0, square.cx - half),
    y1: Math.max(0, square.cy - half),
    x2: Math.min(width, square.cx + half),
    y2: Math.min(height, square.cy + half),
  };
}

/**
 * The verifier's input: the turned square sampled (bilinear) out of `rgba`, the pixels of the
 * picture's region `bounds` stretched to `regionWidth` x `regionHeight`; RGB in [0, 1], NHWC,
 * `size` x `size`; what lies outside `bounds` (beyond the picture) is black.
 */
export function verifierInput(rgba: ArrayLike<number>, bounds: Box, regionWidth: number, regionHeight: number, square: TurnedSquare, size = VERIFIER_SIZE): Float32Array {
  const out = new Float32Array(size * size * 3);
  const bw = bounds.x2 - bounds.x1;
  const bh = bounds.y2 - bounds.y1;
  if (!(bw > 0 && bh > 0)) return out;
  const sx = regionWidth / bw;
  const sy = regionHeight / bh;
  const cos = Math.cos(square.angle);
  const sin = Math.sin(square.angle);
  const pixel = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= regionWidth || y >= regionHeight ? 0 : rgba[(y * regionWidth + x) * 4 + c]!);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const dx = ((u + 0.5) / size - 0.5) * square.side;
      const dy = ((v + 0.5) / size - 0.5) * square.side;
      // The point in the picture, then in the region's pixels (pixel centers at +0.5).
      const px = (square.cx + dx * cos - dy * sin - bounds.x1) * sx - 0.5;
      const py = (square.cy + dx * sin + dy * cos - bounds.y1) * sy - 0.5;
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      const fx = px - x0;
      const fy = py - y0;
      const o = (v * size + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = pixel(x0, y0, c) * (1 - fx) + pixel(x0 + 1, y0, c) * fx;
        const bottom = pixel(x0, y0 + 1, c) * (1 - fx) + pixel(x0 + 1, y0 + 1, c) * fx;
        out[o + c] = (top * (1 - fy) + bottom * fy) / 255;
      }
    }
  }
  return out;
}

/**
 * A square NHWC image (`size` x `size`, `channels` per pixel) mirrored left to right. The verifier
 * reads each candidate and its mirror image: a face is nearly symmetric and the landmark model was
 * trained on mirrored faces too, so a real face's flag barely moves (0.86-1.00 -> 0.91-1.00 on the
 * 78 faces of bench/face/eval-set.json), while a pattern that resembles a face from one side only
 * can fall apart (a squirrel's head: 0.92 -> 0.04).
 */
export function mirrorImage(image: ArrayLike<number>, size: number, channels = 3): Float32Array {
  const out = new Float32Array(size * size * channels);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + (size - 1 - x)) * channels;
      const to = (y * size + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = image[from + c]!;
    }
  }
  return out;
}

/** A candidate's face presence from the flags of its square and of its mirror: both must be high. */
export function facePresence(flag: number, mirroredFlag: number): number {
  return Math.min(flag, mirroredFlag);
}

/** FaceBoxes' anchor boxes (scale in input pixels, densification) on each of its three grids (strides 32, 64, 128). */
const FACEBOXES_ANCHORS: readonly (readonly (readonly [number, number])[])[] = [
  [
    [32, 4],
    [64, 2],
    [128, 1],
  ],
  [[256, 1]],
  [[512, 1]],
];
/** FaceBoxes' box encodings are scaled by these: center y, center x, height, width. */
const FACEBOXES_SCALES = [10, 10, 5, 5] as const;

/**
 * FaceBoxes' anchors for a square input of `size`, in the order of its outputs (grid by grid, row
 * by row, then each cell's anchors), as center y, center x, height, width in fractions of the
 * input, after clipping their corners to the input as the model does: on each grid cell, an
 * anchor of scale s and densification n is repeated n x n times, its centers spread over the cell
 * s / n apart (x outer, y inner).
 */
export function faceBoxesAnchors(size = CONFIRM_SIZE): Float32Array {
  const out: number[] = [];
  FACEBOXES_ANCHORS.forEach((specs, layer) => {
    const cells = size / (32 * 2 ** layer);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (const [scale, n] of specs) {
          const side = scale / size;
          const step = side / n;
          for (let a = 0; a < n; a++) {
            for (let b = 0; b < n; b++) {
              const cy = (gy + 0.5) / cells - side / 2 + step * (b + 0.5);
              const cx = (gx + 0.5) / cells - side / 2 + step * (a + 0.5);
              const clip = (v: number) => Math.min(1, Math.max(0, v));
              const y1 = clip(cy - side / 2);
              const y2 = clip(cy + side / 2);
              const x1 = clip(cx - side / 2);
              const x2 = clip(cx + side / 2);
              out.push((y1 + y2) / 2, (x1 + x2) / 2, y2 - y1, x2 - x1);
            }
          }
        }
      }
    }
  });
  return Float32Array.from(out);
}

/**
 * The best face score FaceBoxes gives a box on `target` (in fractions of its input) in item `item`
 * of a batch of `count`: `classes` and `boxes` are its three grids' outputs, NHWC, in order (2
 * logits and 4 box encodings per anchor). 0 when no box overlaps the target by more than `minIou`.
 */
export function confirmationScore(
  classes: readonly ArrayLike<number>[],
  boxes: readonly ArrayLike<number>[],
  item: number,
  count: number,
  target: Box,
  { minIou = CONFIRM_IOU, anchorBoxes = faceBoxesAnchors(CONFIRM_SIZE) } = {},
): number {
  const [sy, sx, sh, sw] = FACEBOXES_SCALES;
  let best = 0;
  let anchor = 0;
  for (let layer = 0; layer < classes.length; layer++) {
    const perItem = classes[layer]!.length / 2 / count;
    for (let k = 0; k < perItem; k++, anchor++) {
      const at = item * perItem + k;
      const logits = classes[layer]!;
      const score = sigmoid(logits[at * 2 + 1]! - logits[at * 2]!); // softmax over (background, face)
      if (!(score > best)) continue;
      const e = boxes[layer]!;
      const [ay, ax, ah, aw] = [anchorBoxes[anchor * 4]!, anchorBoxes[anchor * 4 + 1]!, anchorBoxes[anchor * 4 + 2]!, anchorBoxes[anchor * 4 + 3]!];
      const cy = (e[at * 4]! / sy) * ah + ay;
      const cx = (e[at * 4 + 1]! / sx) * aw + ax;
      const h = Math.exp(e[at * 4 + 2]! / sh) * ah;
      const w = Math.exp(e[at * 4 + 3]! / sw) * aw;
      if (iou({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 }, target) > minIou) best = score;
    }
  }
  if (anchor * 4 !== anchorBoxes.length) throw new Error(`expected ${anchorBoxes.length / 4} anchors, got ${anchor}`);
  return best;
}

/** Where the candidate lies in the confirming detector's input (the middle third of its square), in fractions. */
export function confirmationTarget(scale = CONFIRM_SCALE): Box {
  const half = 1 / (2 * scale);
  return { x1: 0.5 - half, y1: 0.5 - half, x2: 0.5 + half, y2: 0.5 + half };
}

/** The square region to cut out for the expression model: the box enlarged and squared, clipped. */
export function cropRegion(box: Box, width: number, height: number, scale = CROP_SCALE): Box {
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * scale;
  return {
    x1: Math.max(0, cx - side / 2),
    y1: Math.max(0, cy - side / 2),
    x2: Math.min(width, cx + side / 2),
    y2: Math.min(height, cy + side / 2),
  };
}

/** RGBA pixels (0..255) as the detector's input: NHWC floats in [-1, 1]. */
export function detectorInput(rgba: ArrayLike<number>, pixels: number): Float32Array {
  const out = new Float32Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    out[i * 3] = rgba[i * 4]! / 127.5 - 1;
    out[i * 3 + 1] = rgba[i * 4 + 1]! / 127.5 - 1;
    out[i * 3 + 2] = rgba[i * 4 + 2]! / 127.5 - 1;
  }
  return out;
}

/** RGBA pixels (0..255) as the expression model's input: gray in [-1, 1], one channel. */
export function expressionInput(rgba: ArrayLike<number>, pixels: number): Float32Array {
  const out = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const gray = (0.2989 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!) / 255;
    out[i] = (gray - 0.5) * 2;
  }
  return out;
}

/** The expression model's seven scores as the app's distribution. */
export function expressionScores(output: ArrayLike<number>): EmotionScores {
  if (output.length !== EXPRESSION_LABELS.length) throw new Error(`expected 7 scores, got ${output.length}`);
  const raw = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  EXPRESSION_LABELS.forEach((label, i) => (raw[label] = Math.max(0, Number(output[i]) || 0)));
  return normalize(raw);
}

/** One face of a picture, in the picture's pixels, with its own scores. */
export interface Face {
  readonly box: Box;
  /** The detector's score, 0..1. */
  readonly score: number;
  readonly scores: EmotionScores;
}

/**
 * The picture's distribution: the faces' scores weighted by face area times detection score, so a
 * large, clear face counts more than a small, doubtful one; null without faces.
 */
export function pictureScores(faces: readonly Face[]): EmotionScores | null {
  const weights = faces.map((f) => area(f.box) * f.score);
  const total = weights.reduce((a, b) => a + b, 0);
  if (faces.length === 0 || !(total > 0)) return null;
  const mixed = Object.fromEntries(EMOTIONS.map((e) => [e, faces.reduce((n, f, i) => n + (weights[i]! / total) * f.scores[e], 0)])) as Record<Emotion, number>;
  return normalize(mixed);
}
