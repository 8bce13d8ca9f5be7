// Types of face-models-plugin.mjs (imported by vite.config.ts).
import type { Plugin } from 'vite';

/** The id the face worker imports the models' URLs from. */
export const FACE_MODELS_MODULE: 'virtual:face-models';

/** Converts the face models at build time and emits them (build) or serves them (dev). */
export function faceModels(): Plugin;
