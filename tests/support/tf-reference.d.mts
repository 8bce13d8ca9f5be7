// Types of tf-reference.mjs.

/** A tensor in NHWC order. */
export interface RefTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Runs a TF.js graph model on `input` with a plain reference executor; the Identity outputs by name. */
export function runReference(modelJson: unknown, weightBytes: ArrayBuffer | Uint8Array, input: RefTensor): Record<string, RefTensor>;
