// Reads the faces of one picture: fit it into the detector's input, find candidate faces, check
// each with the face landmark model's face flag on its square and on the square's mirror image (all
// in one batch), have each that passes confirmed by a second face detector (FaceBoxes) on a square
// around it (one batch), cut each face that is left out and read its expression, all expressions
// in one batch. The pixels and the models come through two
// small interfaces, so the same code runs in the face worker (OffscreenCanvas, onnxruntime-web)
// and in Node tests (sharp, onnxruntime-node).
import {
  CONFIRM_SCALE,
  CONFIRM_SIZE,
  DETECTOR_SIZE,
  EXPRESSION_LABELS,
  EXPRESSION_SIZE,
  MIN_CONFIRMATION,
  MIN_FACE_PRESENCE,
  MIN_FACE_SCORE,
  VERIFIER_SIZE,
  confirmationScore,
  confirmationTarget,
  cropRegion,
  decodeDetections,
  detectorInput,
  expressionInput,
  expressionScores,
  faceBoxesAnchors,
  facePresence,
  letterbox,
  mirrorImage,
  pointToPicture,
  squareBounds,
  suppressContained,
  toPicture,
  verifierInput,
  verifierSquare,
  type Box,
  type Face,
  type Letterbox,
  type Point,
} from './faces';

/** A decoded picture the pipeline can take pixels from (RGBA, 0..255). */
export interface FaceImage {
  readonly width: number;
  readonly height: number;
  /** The whole picture scaled by `fit` into a black square of `size`. */
  fitted(size: number, fit: Letterbox): Promise<ArrayLike<number>>;
  /** The region `box` of the picture, stretched to a square of `size`. */
  region(box: Box, size: number): Promise<ArrayLike<number>>;
}

/** The four models, whatever runs them. */
export interface FaceModels {
  /** Detector on one NHWC 1x256x256x3 input: 896 logits and 896x16 regressors, anchor order. */
  detect(input: Float32Array): Promise<{ logits: ArrayLike<number>; regressors: ArrayLike<number> }>;
  /** Face landmark model on `count` NHWC 192x192x3 inputs (RGB in [0, 1]): count face presences, 0..1. */
  presence(batch: Float32Array, count: number): Promise<ArrayLike<number>>;
  /**
   * Confirming detector (FaceBoxes) on `count` NHWC 256x256x3 inputs (RGB in [-1, 1]): its three
   * grids' outputs, each NHWC: class logits (2 per anchor) and box encodings (4 per anchor).
   */
  confirm(batch: Float32Array, count: number): Promise<{ classes: readonly ArrayLike<number>[]; boxes: readonly ArrayLike<number>[] }>;
  /** Expression model on `count` NHWC 64x64x1 inputs: count x 7 scores. */
  expressions(batch: Float32Array, count: number): Promise<ArrayLike<number>>;
}

/**
 * The intermediate region the verifier's square is sampled from: its upright bounds, at about the
 * verifier's resolution times the bounds' share of the square (at most sqrt(2) for a turned one).
 */
const VERIFIER_REGION = Math.ceil(VERIFIER_SIZE * Math.SQRT2);

/** The confirming detector's anchors for its input size (fixed, computed once). */
const CONFIRM_ANCHORS = faceBoxesAnchors(CONFIRM_SIZE);

/** What each candidate scored, for measurements (bench/face/precision.mjs). */
export interface Candidate {
  readonly box: Box;
  readonly score: number;
  /** The face presence the pipeline judges by: the lower of the two flags below. */
  readonly presence: number;
  /** The landmark model's face flag on the candidate's square, and on its mirror image. */
  readonly flags: readonly [number, number];
  /** The confirming detector's score for it; null when it was not asked (the presence was too low). */
  readonly confirmation: number | null;
}

/** Options of readFaces; the defaults are the app's. */
export interface ReadOptions {
  readonly minScore?: number;
  readonly minPresence?: number;
  readonly minConfirmation?: number;
  /** Called once with every candidate the detector kept, whether it passed or not. */
  readonly onCandidates?: (candidates: readonly Candidate[]) => void;
}

/** The faces of `image`, largest detection score first; none is a normal answer. */
export async function readFaces(
  image: FaceImage,
  models: FaceModels,
  { minScore = MIN_FACE_SCORE, minPresence = MIN_FACE_PRESENCE, minConfirmation = MIN_CONFIRMATION, onCandidates }: ReadOptions = {},
): Promise<Face[]> {
  const fit = letterbox(image.width, image.height, DETECTOR_SIZE);
  const pixels = await image.fitted(DETECTOR_SIZE, fit);
  const { logits, regressors } = await models.detect(detectorInput(pixels, DETECTOR_SIZE * DETECTOR_SIZE));
  const candidates = decodeDetections(logits, regressors, { minScore });
  if (candidates.length === 0) {
    onCandidates?.([]);
    return [];
  }
  const inPicture = candidates.map((d) => ({ box: toPicture(d.box, fit, image.width, image.height), score: d.score, keypoints: d.keypoints?.map((p) => pointToPicture(p, fit)) }));
  const flags = await verify(image, inPicture, models);
  const present = inPicture.flatMap((d, i) => (facePresence(...flags[i]!) >= minPresence ? [i] : []));
  const confirmations = await confirm(
    image,
    present.map((i) => inPicture[i]!.box),
    models,
  );
  const all: Candidate[] = inPicture.map((d, i) => {
    const at = present.indexOf(i);
    return { box: d.box, score: d.score, presence: facePresence(...flags[i]!), flags: flags[i]!, confirmation: at >= 0 ? confirmations[at]! : null };
  });
  onCandidates?.(all);
  const detections = suppressContained(all.filter((c) => c.presence >= minPresence && c.confirmation !== null && c.confirmation >= minConfirmation));
  if (detections.length === 0) return [];
  const boxes = detections.map((d) => d.box);
  const area = EXPRESSION_SIZE * EXPRESSION_SIZE;
  const batch = new Float32Array(boxes.length * area);
  for (let i = 0; i < boxes.length; i++) {
    const crop = await image.region(cropRegion(boxes[i]!, image.width, image.height), EXPRESSION_SIZE);
    batch.set(expressionInput(crop, area), i * area);
  }
  const scores = await models.expressions(batch, boxes.length);
  const n = EXPRESSION_LABELS.length;
  return boxes.map((box, i) => ({
    box,
    score: detections[i]!.score,
    scores: expressionScores(Array.from({ length: n }, (_, k) => scores[i * n + k]!)),
  }));
}

/**
 * The face landmark model's face flags for each candidate (box and keypoints in picture pixels): on
 * its square and on the square's mirror image, all in one batch.
 */
async function verify(image: FaceImage, candidates: readonly { box: Box; keypoints?: readonly Point[] | undefined }[], models: FaceModels): Promise<[number, number][]> {
  const size = VERIFIER_SIZE * VERIFIER_SIZE * 3;
  const batch = new Float32Array(candidates.length * 2 * size);
  for (let i = 0; i < candidates.length; i++) {
    const square = verifierSquare(candidates[i]!.box, candidates[i]!.keypoints);
    const bounds = squareBounds(square, image.width, image.height);
    const region = await image.region(bounds, VERIFIER_REGION);
    const input = verifierInput(region, bounds, VERIFIER_REGION, VERIFIER_REGION, square);
    batch.set(input, 2 * i * size);
    batch.set(mirrorImage(input, VERIFIER_SIZE), (2 * i + 1) * size);
  }
  const flags = await models.presence(batch, candidates.length * 2);
  return Array.from({ length: candidates.length }, (_, i) => [Number(flags[2 * i]), Number(flags[2 * i + 1])]);
}

/**
 * The confirming detector's score for each box (in picture pixels): FaceBoxes on an upright square
 * CONFIRM_SCALE times the box, black beyond the picture, all in one batch.
 */
async function confirm(image: FaceImage, boxes: readonly Box[], models: FaceModels): Promise<number[]> {
  if (boxes.length === 0) return [];
  const size = CONFIRM_SIZE * CONFIRM_SIZE * 3;
  const batch = new Float32Array(boxes.length * size);
  for (let i = 0; i < boxes.length; i++) {
    const square = verifierSquare(boxes[i]!, undefined, CONFIRM_SCALE);
    const bounds = squareBounds(square, image.width, image.height);
    const region = await image.region(bounds, CONFIRM_SIZE);
    const input = verifierInput(region, bounds, CONFIRM_SIZE, CONFIRM_SIZE, square, CONFIRM_SIZE);
    for (let k = 0; k < size; k++) batch[i * size + k] = input[k]! * 2 - 1;
  }
  const { classes, boxes: encodings } = await models.confirm(batch, boxes.length);
  const target = confirmationTarget();
  return boxes.map((_, i) => confirmationScore(classes, encodings, i, boxes.length, target, { anchorBoxes: CONFIRM_ANCHORS }));
}
