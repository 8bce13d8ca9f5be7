// An ONNX model of one Identity node (float [1] in, out): creating a session on it starts
// onnxruntime-web's wasm (compiled, its threads spawned) at the cost of the runtime alone, so the
// worker can start the runtime while it reads the real model's files (transformers-runtime.ts).
// Written by scripts/lib/onnx-proto.mjs; tests/node/one-node-model.test.ts checks it.
export const ONE_NODE_MODEL = new Uint8Array([
  8, 7, 58, 58, 10, 16, 10, 1, 120, 18, 1, 121, 34, 8, 73, 100, 101, 110, 116, 105, 116, 121, 18, 4, 119, 97, 114, 109, 90, 15, 10, 1, 120, 18, 10, 10, 8, 8, 1, 18, 4,
  10, 2, 8, 1, 98, 15, 10, 1, 121, 18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1, 66, 4, 10, 0, 16, 13,
]);
