// Reads the faces of one picture: fit it into the detector's input, find the faces, cut each out
// and read its expression, all expressions in one batch. The pixels and the models come through two
// small interfaces, so the same code runs in the face worker (OffscreenCanvas, onnxruntime-web)
// and in Node tests (sharp, onnxruntime-node).
import {
  DETECTOR_SIZE,
  EXPRESSION_LABELS,
  EXPRESSION_SIZE,
  MIN_FACE_SCORE,
  cropRegion,
  decodeDetections,
  detectorInput,
  expressionInput,
  expressionScores,
  letterbox,
  toPicture,
  type Box,
  type Face,
  type Letterbox,
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

/** The two models, whatever runs them. */
export interface FaceModels {
  /** Detector on one NHWC 1x256x256x3 input: 896 logits and 896x16 regressors, anchor order. */
  detect(input: Float32Array): Promise<{ logits: ArrayLike<number>; regressors: ArrayLike<number> }>;
  /** Expression model on `count` NHWC 64x64x1 inputs: count x 7 scores. */
  expressions(batch: Float32Array, count: number): Promise<ArrayLike<number>>;
}

/** The faces of `image`, largest detection score first; none is a normal answer. */
export async function readFaces(image: FaceImage, models: FaceModels, { minScore = MIN_FACE_SCORE } = {}): Promise<Face[]> {
  const fit = letterbox(image.width, image.height, DETECTOR_SIZE);
  const pixels = await image.fitted(DETECTOR_SIZE, fit);
  const { logits, regressors } = await models.detect(detectorInput(pixels, DETECTOR_SIZE * DETECTOR_SIZE));
  const detections = decodeDetections(logits, regressors, { minScore });
  if (detections.length === 0) return [];
  const boxes = detections.map((d) => toPicture(d.box, fit, image.width, image.height));
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
