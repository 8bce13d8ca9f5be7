// Types of face-models-plugin.mjs (imported by vite.config.ts and the Node tests' support).
import type { Plugin } from 'vite';
import type { GraphCut } from './tfjs-to-onnx.mjs';

/** The id the face worker imports the models' URLs from. */
export const FACE_MODELS_MODULE: 'virtual:face-models';

/** One face model: the name the app uses, its npm package and graph model, and where the graph is cut. */
export interface FaceModelSource {
  key: string;
  file: string;
  pkg: string;
  source: string;
  cut?: GraphCut;
}

/** The face channel's models. */
export const FACE_MODELS: readonly FaceModelSource[];

/** One of FACE_MODELS converted to ONNX. */
export function convertFaceModel(model: FaceModelSource): Promise<Uint8Array>;

/** Converts the face models at build time and emits them (build) or serves them (dev). */
export function faceModels(): Plugin;
