// Types of make-model.mjs for the TypeScript tests that build small models of the same graph.
export interface ModelShape {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly ffn: number;
  readonly vocab: number;
  readonly positions: number;
  readonly labels: number;
}
export const SHAPE: ModelShape;
export const BENCH_MODEL_ID: string;
export const MODELS_DIR: string;
export type Weights = Map<string, { dims: number[]; data: Float32Array }>;
export function makeWeights(shape?: ModelShape, std?: number, seed?: number): Weights;
/** The ONNX graph of RobertaForSequenceClassification; `quantized` as onnxruntime's quantize_dynamic writes it. */
export function buildGraph(weights: Weights, quantized: boolean, shape?: ModelShape): Buffer;
export function ensureBenchModel(options?: { modelsDir?: string; force?: boolean; log?: (message: string) => void }): {
  dir: string;
  generated: boolean;
  files: Array<{ file: string; bytes: number }>;
};
