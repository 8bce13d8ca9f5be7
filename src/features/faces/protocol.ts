// The typed message protocol between the page (FaceClient) and the face worker. Both sides import
// these types; `type` decides the payload, and every request carries an id that its reply echoes.
// The page sends the picture file as it is (a Blob: JPEG, PNG, WebP, GIF); the worker decodes it.
import type { EmotionScores } from '../../shared/emotions';
import type { FaceErrorData } from './face-errors';
import type { Box } from './faces';

/** One face of a picture. */
export interface FaceReading {
  /** Where the face is, in FRACTIONS of the picture's width and height (0..1). */
  readonly box: Box;
  /** The detector's score, 0..1. */
  readonly score: number;
  /** The face's expression as the app's seven emotions. */
  readonly scores: EmotionScores;
}

/** Where the worker's time for one picture went, in ms. */
export interface FaceTimings {
  /** Decoding the file into pixels (scaled down while decoding when the format allows). */
  readonly decodeMs: number;
  /** Fitting the picture into the detector's input and running the detector. */
  readonly detectMs: number;
  /** Decoding the detections, cutting the faces out and reading all expressions in one batch. */
  readonly expressionsMs: number;
}

/** The face channel's answer for one picture. */
export interface FaceAnswer {
  /** The faces, largest detection score first; none is a normal answer. */
  readonly faces: readonly FaceReading[];
  /** The picture's size in pixels, as displayed (EXIF orientation applied). */
  readonly width: number;
  readonly height: number;
  /** Worker time for this picture: decode + detect + expressions. */
  readonly elapsedMs: number;
  /** The models that read it, e.g. 'blazeface + mini-Xception (human 3.3.6)'. */
  readonly model: string;
  readonly timings: FaceTimings;
}

/** How the models were loaded (the `warmed` reply). */
export interface FaceLoadInfo {
  /** From the worker's start until both model files were fetched. */
  readonly fetchedMs: number;
  /** From the worker's start until both sessions were created (ONNX Runtime's wasm included). */
  readonly loadMs: number;
  /** The warm-up runs after that. */
  readonly warmupMs: number;
  /** ONNX Runtime's WASM threads. */
  readonly threads: number;
}

/** Page -> worker. */
export type FaceRequest =
  /** Answers `warmed` once the models are loaded and warmed up (they start loading with the worker). */
  | { readonly type: 'warm'; readonly id: number }
  /** Reads the faces of one picture file, or of one video frame already in pixels (transferred). */
  | { readonly type: 'read'; readonly id: number; readonly picture: Blob | ImageBitmap };

/** Worker -> page (besides the plumbing's `ready`, shared/worker/protocol.ts). */
export type FaceResponse =
  | { readonly type: 'warmed'; readonly id: number; readonly load: FaceLoadInfo }
  | { readonly type: 'answer'; readonly id: number; readonly answer: FaceAnswer }
  | { readonly type: 'error'; readonly id: number; readonly error: FaceErrorData };
