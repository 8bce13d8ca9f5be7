// Types of tf-reference.mjs.

/** A tensor in NHWC order. */
export interface RefTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

/**
 * Runs a TF.js graph model on `input` with a plain reference executor; the Identity outputs by
 * name, or with `cut` the activations of `cut.outputs`, the input fed as node `cut.input`.
 */
export function runReference(modelJson: unknown, weightBytes: ArrayBuffer | Uint8Array, input: RefTensor, cut?: { input: string; outputs: string[] }): Record<string, RefTensor>;
