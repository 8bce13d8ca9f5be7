// Types of tfjs-to-onnx.mjs (the converter is plain JS, run by Node scripts and the build).

/** A weight of a graph model, as read from its weights files. */
export interface GraphWeight {
  dtype: 'float32' | 'int32';
  shape: number[];
  values: Float32Array | Int32Array;
  /** Stored as float16 in the model (so float16 holds it exactly). */
  half: boolean;
}

/** Float numbers as IEEE half-precision bits (little-endian), rounded to nearest even. */
export function toHalfBytes(values: ArrayLike<number>): Uint8Array;

/** The weights of a parsed model.json, by name. */
export function readWeights(modelJson: unknown, weightBytes: ArrayBuffer | Uint8Array): Map<string, GraphWeight>;

/** Where to cut a graph: a node fed as the NHWC input named `input`, and nodes whose activations are the outputs. */
export interface GraphCut {
  input?: { node: string; shape: (number | string)[] };
  outputs?: string[];
}

/** An ONNX model (opset 13) computing the TF.js graph model `modelJson` with its weights. */
export function convertGraphModel(modelJson: unknown, weightBytes: ArrayBuffer | Uint8Array, options: { name: string } & GraphCut): Uint8Array;
