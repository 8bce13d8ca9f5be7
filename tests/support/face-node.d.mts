// Types of face-node.mjs.
import type { InferenceSession } from 'onnxruntime-node';
import type { FaceImage, FaceModels } from '../../src/features/faces/face-pipeline';
export function session(name: string): Promise<InferenceSession>;
export function loadFaceModels(): Promise<FaceModels>;
export function sharpImage(file: Buffer | string): Promise<FaceImage>;
