// Runs TFLite models written by src/features/text/tflite/model-writer.ts through LiteRT.js, started by
// src/features/text/litert/load-litert.ts exactly as the emotion worker will start it. Three requests:
// `run` (a given model once, for tests/e2e/litert-engine.spec.ts), `time` (a stack of int8
// linear layers of a transformer's shapes, made here, timed over many runs, for the bench) and
// `convert` (an ONNX model through src/features/text/tflite/onnx-to-tflite.ts, then run, for both).
import { getGlobalLiteRt, loadAndCompile, Tensor } from '@litertjs/core';
import { liteRtBuildFor, startLiteRt, type LiteRtBuild } from '../../../src/features/text/litert/load-litert';
import { Activation, BuiltinOp, TensorType, writeTflite, type TfliteModel, type TfliteOperator, type TfliteTensor } from '../../../src/features/text/tflite/model-writer';
import { convertOnnxToTflite } from '../../../src/features/text/tflite/onnx-to-tflite';
import { readOnnx } from '../../../src/features/text/tflite/onnx-reader';

export type ProbeRequest =
  | { readonly type: 'run'; readonly model: TfliteModel; readonly input: Float32Array; readonly inputShape: readonly number[] }
  | { readonly type: 'time'; readonly stack: LinearStack; readonly runs: number; readonly numThreads?: number }
  | {
      readonly type: 'convert';
      readonly onnx: Uint8Array;
      readonly dims: Readonly<Record<string, number>>;
      readonly feeds: Readonly<Record<string, readonly number[]>>;
      readonly runs: number;
      /** More input sizes to convert and compile after the run, all kept alive, to measure memory per shape. */
      readonly moreDims?: ReadonlyArray<Readonly<Record<string, number>>>;
    };

/** One output of a converted model's run. */
export interface ProbeOutput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** `layers` transformer layers' linear parts: Q, K, V, O (hidden->hidden), then hidden->ffn->hidden. */
export interface LinearStack {
  readonly rows: number;
  readonly hidden: number;
  readonly ffn: number;
  readonly layers: number;
}

export type ProbeReply =
  | { readonly type: 'run'; readonly build: LiteRtBuild | null; readonly output: Float32Array | null; readonly outputShape: readonly number[] }
  | { readonly type: 'time'; readonly build: LiteRtBuild | null; readonly startMs: number; readonly compileMs: number; readonly times: readonly number[] }
  | {
      readonly type: 'convert';
      readonly build: LiteRtBuild | null;
      readonly outputs: readonly ProbeOutput[];
      /** TFLite operators written, by name. */
      readonly ops: Readonly<Record<string, number>>;
      readonly convertMs: number;
      readonly compileMs: number;
      readonly times: readonly number[];
      /** LiteRT.js's wasm memory after the first compile, then after each of `moreDims`. */
      readonly memoryBytes: readonly number[];
      /** Convert and compile time of each of `moreDims`. */
      readonly moreMs: readonly number[];
    }
  | { readonly error: string };

/** The linear layers as hybrid FULLY_CONNECTED ops with random int8 weights (values do not matter for time). */
function linearStack({ rows, hidden, ffn, layers }: LinearStack): TfliteModel {
  let seed = 1;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const tensors: TfliteTensor[] = [{ name: 'x', shape: [rows, hidden], type: TensorType.FLOAT32 }];
  const operators: TfliteOperator[] = [];
  let x = 0;
  let width = hidden;
  const widths = Array.from({ length: layers }, () => [hidden, hidden, hidden, hidden, ffn, hidden]).flat();
  for (const [i, out] of widths.entries()) {
    const weights = Int8Array.from({ length: out * width }, () => Math.round((next() * 2 - 1) * 127));
    const scale = 1 / (127 * Math.sqrt(width));
    tensors.push({
      name: `w${i}`,
      shape: [out, width],
      type: TensorType.INT8,
      data: new Uint8Array(weights.buffer),
      quantization: { scale: Array.from({ length: out }, () => scale), zeroPoint: Array.from({ length: out }, () => 0), axis: 0 },
    });
    tensors.push({ name: `b${i}`, shape: [out], type: TensorType.FLOAT32, data: new Uint8Array(new Float32Array(out).buffer) });
    tensors.push({ name: `y${i}`, shape: [rows, out], type: TensorType.FLOAT32 });
    const n = tensors.length;
    operators.push({ op: BuiltinOp.FULLY_CONNECTED, version: 5, inputs: [x, n - 3, n - 2], outputs: [n - 1], options: { kind: 'fully-connected', activation: Activation.NONE, asymmetricQuantizeInputs: true } });
    x = n - 1;
    width = out;
  }
  return { description: 'linear stack', tensors, inputs: [0], outputs: [x], operators };
}

const OP_NAMES = new Map<number, string>(Object.entries(BuiltinOp).map(([name, code]) => [code, name]));

/** Converts an ONNX model for the given input sizes, runs it `runs` times on the feeds, returns the last outputs. */
async function convertAndRun(request: Extract<ProbeRequest, { type: 'convert' }>, build: LiteRtBuild): Promise<ProbeReply> {
  const t0 = performance.now();
  const converted = convertOnnxToTflite(readOnnx(request.onnx), { dims: request.dims });
  const file = writeTflite(converted.model);
  const t1 = performance.now();
  const compiled = await loadAndCompile(file, { accelerator: 'wasm' });
  const t2 = performance.now();
  const ops: Record<string, number> = {};
  for (const o of converted.model.operators) ops[OP_NAMES.get(o.op) ?? String(o.op)] = (ops[OP_NAMES.get(o.op) ?? String(o.op)] ?? 0) + 1;
  const times: number[] = [];
  let outputs: ProbeOutput[] = [];
  for (let i = 0; i < Math.max(1, request.runs); i++) {
    const start = performance.now();
    const tensors = converted.inputs.map((input) => {
      const values = request.feeds[input.name];
      if (!values) throw new Error(`no feed for ${input.name}`);
      return new Tensor(input.type === 'int32' ? Int32Array.from(values) : Float32Array.from(values), [...input.shape]);
    });
    const results = await compiled.run(tensors);
    outputs = results.map((t, k) => ({ name: converted.outputs[k]?.name ?? String(k), shape: converted.outputs[k]?.shape ?? [], data: new Float32Array(t.toTypedArray() as Float32Array) }));
    for (const t of [...tensors, ...results]) t.delete();
    times.push(performance.now() - start);
  }
  const heap = () => (getGlobalLiteRt().liteRtWasm as unknown as { HEAPU8?: Uint8Array }).HEAPU8?.buffer.byteLength ?? 0;
  const memoryBytes = [heap()];
  const kept = [compiled];
  const moreMs: number[] = [];
  for (const dims of request.moreDims ?? []) {
    const start = performance.now();
    kept.push(await loadAndCompile(writeTflite(convertOnnxToTflite(readOnnx(request.onnx), { dims }).model), { accelerator: 'wasm' }));
    moreMs.push(performance.now() - start);
    memoryBytes.push(heap());
  }
  for (const c of kept) c.delete();
  return { type: 'convert', build, outputs, ops, convertMs: t1 - t0, compileMs: t2 - t1, times, memoryBytes, moreMs };
}

async function handle(request: ProbeRequest): Promise<ProbeReply> {
  const build = await liteRtBuildFor(self.crossOriginIsolated);
  if (!build) {
    if (request.type === 'run') return { type: 'run', build, output: null, outputShape: [] };
    if (request.type === 'convert') return { type: 'convert', build, outputs: [], ops: {}, convertMs: 0, compileMs: 0, times: [], memoryBytes: [], moreMs: [] };
    return { type: 'time', build, startMs: 0, compileMs: 0, times: [] };
  }
  const t0 = performance.now();
  await startLiteRt(build);
  const t1 = performance.now();
  if (request.type === 'convert') return convertAndRun(request, build);
  if (request.type === 'run') {
    const compiled = await loadAndCompile(writeTflite(request.model), { accelerator: 'wasm' });
    const tensor = new Tensor(request.input, [...request.inputShape]);
    const [out] = await compiled.run([tensor]);
    tensor.delete();
    if (!out) throw new Error('the model gave no output');
    const output = new Float32Array(out.toTypedArray() as Float32Array);
    const outputShape = [...(compiled.getOutputDetails()[0]?.shape ?? [])];
    out.delete();
    compiled.delete();
    return { type: 'run', build, output, outputShape };
  }
  const { stack, runs, numThreads } = request;
  const file = writeTflite(linearStack(stack));
  const t2 = performance.now();
  const compiled = await loadAndCompile(file, { accelerator: 'wasm', ...(numThreads ? { cpuOptions: { numThreads } } : {}) });
  const compileMs = performance.now() - t2;
  const input = Float32Array.from({ length: stack.rows * stack.hidden }, (_, i) => Math.sin(i * 0.37) * 0.5);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const tensor = new Tensor(input, [stack.rows, stack.hidden]);
    const [out] = await compiled.run([tensor]);
    out?.toTypedArray();
    out?.delete();
    tensor.delete();
    times.push(performance.now() - start);
  }
  compiled.delete();
  return { type: 'time', build, startMs: t1 - t0, compileMs, times };
}

self.addEventListener('message', (event: MessageEvent<ProbeRequest>) => {
  handle(event.data).then(
    (reply) => self.postMessage(reply),
    (err: unknown) => self.postMessage({ error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) } satisfies ProbeReply),
  );
});
