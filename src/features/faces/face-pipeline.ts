// Reads the faces of one picture: fit it into the detector's input, find candidate faces, check
// each with the face landmark model's face flag on its square and on the square's mirror image (all
// in one batch), cut each face that passes out and read its expression, all expressions in one batch. The pixels and the models come through two
// small interfaces, so the same code runs in the face worker (OffscreenCanvas, onnxruntime-web)
// and in Node tests (sharp, onnxruntime-node).
import {
  DETECTOR_SIZE,
  EXPRESSION_LABELS,
  EXPRESSION_SIZE,
  MIN_FACE_PRESENCE,
  MIN_FACE_SCORE,
  VERIFIER_SIZE,
  cropRegion,
  decodeDetections,
  detectorInput,
  expressionInput,
  expressionScores,
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

/** The three models, whatever runs them. */
export interface FaceModels {
  /** Detector on one NHWC 1x256x256x3 input: 896 logits and 896x16 regressors, anchor order. */
  detect(input: Float32Array): Promise<{ logits: ArrayLike<number>; regressors: ArrayLike<number> }>;
  /** Face landmark model on `count` NHWC 192x192x3 inputs (RGB in [0, 1]): count face presences, 0..1. */
  presence(batch: Float32Array, count: number): Promise<ArrayLike<number>>;
  /** Expression model on `count` NHWC 64x64x1 inputs: count x 7 scores. */
  expressions(batch: Float32Array, count: number): Promise<ArrayLike<number>>;
}

/**
 * The intermediate region the verifier's square is sampled from: its upright bounds, at about the
 * verifier's resolution times the bounds' share of the square (at most sqrt(2) for a turned one).
 */
const VERIFIER_REGION = Math.ceil(VERIFIER_SIZE * Math.SQRT2);

/** What each candidate scored, for measurements (bench/face/precision.mjs). */
export interface Candidate {
  readonly box: Box;
  readonly score: number;
  /** The face presence the pipeline judges by: the lower of the two flags below. */
  readonly presence: number;
  /** The landmark model's face flag on the candidate's square, and on its mirror image. */
  readonly flags: readonly [number, number];
}

/** Options of readFaces; the defaults are the app's. */
export interface ReadOptions {
  readonly minScore?: number;
  readonly minPresence?: number;
  /** Called once with every candidate the detector kept, whether it passed or not. */
  readonly onCandidates?: (candidates: readonly Candidate[]) => void;
}

/** The faces of `image`, largest detection score first; none is a normal answer. */
export async function readFaces(image: FaceImage, models: FaceModels, { minScore = MIN_FACE_SCORE, minPresence = MIN_FACE_PRESENCE, onCandidates }: ReadOptions = {}): Promise<Face[]> {
  const fit = letterbox(image.width, image.height, DETECTOR_SIZE);
  const pixels = await image.fitted(DETECTOR_SIZE, fit);
  const { logits, regressors } = await models.detect(detectorInput(pixels, DETECTOR_SIZE * DETECTOR_SIZE));
  const candidates = decodeDetections(logits, regressors, { minScore });
  if (candidates.length === 0) {
    onCandidates?.([]);
    return [];
  }
  const inPicture = candidates.map((d) => ({ box: toPicture(d.box, fit, image.width, image.height), score: d.score, keypoints: d.keypoints?.map((p) => pointToPicture(p, fit)) }));
  const presence = await verify(image, inPicture, models);
  const all = inPicture.map((d, i) => ({ box: d.box, score: d.score, presence: facePresence(...presence[i]!), flags: presence[i]! }));
  onCandidates?.(all);
  const detections = suppressContained(all.filter((c) => c.presence >= minPresence));
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
