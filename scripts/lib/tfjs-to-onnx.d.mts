// Types of tfjs-to-onnx.mjs (the converter is plain JS, run by Node scripts and the build).

/** A weight of a graph model, as read from its weights files. */
export interface GraphWeight {
  dtype: 'float32' | 'int32';
  shape: number[];
  values: Float32Array | Int32Array;
}

/** The weights of a parsed model.json, by name. */
export function readWeights(modelJson: unknown, weightBytes: ArrayBuffer | Uint8Array): Map<string, GraphWeight>;

/** An ONNX model (opset 13) computing the TF.js graph model `modelJson` with its weights. */
export function convertGraphModel(modelJson: unknown, weightBytes: ArrayBuffer | Uint8Array, options: { name: string }): Uint8Array;
