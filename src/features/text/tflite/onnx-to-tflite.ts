// Converts an ONNX text classifier (the hub's export of a RoBERTa-family model, int8 or fp32) into
// a TFLite model for LiteRT.js, on the device, for one fixed input shape.
//
// LiteRT.js cannot resize inputs, so every shape is fixed at conversion: the free dimensions of the
// inputs get the sizes the caller gives (`batch_size: 1, sequence_length: 64`). With static shapes
// all the shape arithmetic of an export (Shape, Gather, Concat, Unsqueeze on shapes, ...) is
// constant and folded here, in JS; only tensor work reaches the TFLite graph.
//
// Three patterns become single TFLite ops, because LiteRT has no op for their parts:
// - onnxruntime's dynamic quantization, DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul by
//   (input scale x weight scale) [-> Add bias], is a "hybrid" FULLY_CONNECTED: float input, int8
//   weights [out, in], the input quantized per row inside the kernel (XNNPACK's relaxed-SIMD path);
// - erf GELU, x * 0.5 * (1 + erf(x / sqrt 2)) in any of its exported orders, is GELU;
// - LayerNormalization is written out as MEAN / SQUARED_DIFFERENCE / RSQRT / MUL / ADD.
// Everything else maps op for op; an op with no mapping stops the conversion with
// UnsupportedModelError, and the app keeps ONNX Runtime for that model.
//
// Integers are int32 in the TFLite graph (ONNX's int64 ids and masks fit, and LiteRT's kernels
// want int32), so the model's inputs are int32.
import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor } from './onnx-reader';
import { BuiltinOp, TensorType, type BuiltinOpCode, type OperatorOptions, type Quantization, type TensorTypeCode, type TfliteModel, type TfliteOperator, type TfliteTensor } from './model-writer';

/** The model uses something this converter cannot express in TFLite. */
export class UnsupportedModelError extends Error {
  override name = 'UnsupportedModelError';
}

export interface ConvertOptions {
  /** A size for each free dimension of the inputs, by its name in the model: `{ batch_size: 1, sequence_length: 64 }`. */
  readonly dims: Readonly<Record<string, number>>;
  readonly description?: string;
}

export interface ConvertedIo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: 'float32' | 'int32';
}

export interface ConvertedModel {
  readonly model: TfliteModel;
  readonly inputs: readonly ConvertedIo[];
  readonly outputs: readonly ConvertedIo[];
}

type RuntimeType = 'float32' | 'int32' | 'bool' | 'uint8' | 'int8';
/** Constant data: floats, integers (held as doubles: int64 shape values fit), booleans, raw 8-bit. */
type ConstType = 'float32' | 'int' | 'bool' | 'uint8' | 'int8';
type ConstData = Float32Array | Float64Array | Uint8Array | Int8Array;

interface Const {
  readonly kind: 'const';
  readonly type: ConstType;
  readonly dims: readonly number[];
  readonly data: ConstData;
}

interface Runtime {
  readonly kind: 'runtime';
  readonly tensor: number;
  readonly type: RuntimeType;
  readonly dims: readonly number[];
}

/** Steps of a pattern on its way to one TFLite op; never written to the graph themselves. */
type Pending =
  | { readonly kind: 'dynamic-quantized'; readonly part: 0 | 1 | 2; readonly x: Runtime }
  | { readonly kind: 'integer-matmul'; readonly x: Runtime; readonly weight: Const; readonly weightZero: Const | null; readonly float: boolean }
  | { readonly kind: 'input-scale'; readonly x: Runtime; readonly weightScale: Const }
  | { readonly kind: 'gelu'; readonly stage: 'scaled' | 'erf' | 'erf+1' | 'x(erf+1)' | '(erf+1)/2'; readonly x: Runtime };

type Value = Const | Runtime | Pending;

const TFLITE_TYPE: Readonly<Record<RuntimeType, TensorTypeCode>> = {
  float32: TensorType.FLOAT32,
  int32: TensorType.INT32,
  bool: TensorType.BOOL,
  uint8: TensorType.UINT8,
  int8: TensorType.INT8,
};

/** ONNX TensorProto.DataType -> the type a value of it has here. */
function onnxType(dataType: number): ConstType {
  switch (dataType) {
    case 1:
    case 11:
      return 'float32';
    case 2:
      return 'uint8';
    case 3:
      return 'int8';
    case 5:
    case 6:
    case 7:
    case 12:
    case 13:
      return 'int';
    case 9:
      return 'bool';
    default:
      throw new UnsupportedModelError(`tensor data type ${dataType} (only float, int and bool tensors are converted)`);
  }
}

const runtimeTypeOf = (t: ConstType): RuntimeType => (t === 'int' ? 'int32' : t);
const isPending = (v: Value): v is Pending => v.kind !== 'const' && v.kind !== 'runtime';
const size = (dims: readonly number[]) => dims.reduce((n, d) => n * d, 1);

/**
 * Work on the model's constants that does not depend on the input sizes, kept per source tensor:
 * converting the same graph for another length (worker/litert-runtime.ts) reuses it instead of
 * reading and transposing the weights again.
 */
const constsOf = new WeakMap<OnnxTensor, Const>();
const transposedWeights = new WeakMap<Const, Const>();
const hybridWeightsOf = new WeakMap<Const, { readonly zero: Const | null; readonly scale: Const; readonly weights: HybridWeights }>();

function constOf(t: OnnxTensor): Const {
  let c = constsOf.get(t);
  if (!c) constsOf.set(t, (c = readConst(t)));
  return c;
}

/** A 2-D weight matrix [in, out] as float [out, in], the layout FULLY_CONNECTED wants. */
function transposedWeight(c: Const): Const {
  let t = transposedWeights.get(c);
  if (!t) transposedWeights.set(c, (t = transposeConst({ ...c, type: 'float32' }, [1, 0])));
  return t;
}

interface HybridWeights {
  readonly data: Int8Array;
  readonly scale: number[];
}

/**
 * MatMulInteger's weights [in, out] as a hybrid FULLY_CONNECTED wants them: [out, in], int8 with a
 * zero point of 0. Symmetric int8 weights are copied as they are; anything else (uint8, zero
 * points) is dequantized and quantized again, symmetric per output channel.
 */
function hybridWeights(weight: Const, weightZero: Const | null, weightScale: Const): HybridWeights {
  const known = hybridWeightsOf.get(weight);
  if (known && known.zero === weightZero && known.scale === weightScale) return known.weights;
  const [inDim = 0, outDim = 0] = weight.dims;
  const scales = weightScale.data;
  const perColumn = size(weightScale.dims) > 1;
  const zeros = weightZero?.data;
  const symmetric = weight.type === 'int8' && (!zeros || zeros.every((z) => z === 0));
  const data = new Int8Array(inDim * outDim);
  let scale: number[];
  if (symmetric) {
    const w = weight.data;
    for (let i = 0; i < inDim; i++) for (let o = 0; o < outDim; o++) data[o * inDim + i] = w[i * outDim + o] ?? 0;
    scale = perColumn ? Array.from(scales) : [scales[0] ?? 1];
  } else {
    scale = new Array<number>(outDim).fill(0);
    const real = (i: number, o: number) => ((weight.data[i * outDim + o] ?? 0) - (zeros?.[zeros.length > 1 ? o : 0] ?? 0)) * (scales[perColumn ? o : 0] ?? 1);
    for (let o = 0; o < outDim; o++) {
      let max = 0;
      for (let i = 0; i < inDim; i++) max = Math.max(max, Math.abs(real(i, o)));
      const s = max / 127 || 1;
      scale[o] = s;
      for (let i = 0; i < inDim; i++) data[o * inDim + i] = Math.round(real(i, o) / s);
    }
  }
  const weights = { data, scale };
  hybridWeightsOf.set(weight, { zero: weightZero, scale: weightScale, weights });
  return weights;
}

function readConst(t: OnnxTensor): Const {
  const type = onnxType(t.dataType);
  const n = size(t.dims);
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  let data: ConstData;
  if (type === 'uint8' || type === 'bool') data = t.bytes;
  else if (type === 'int8') data = new Int8Array(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  else if (t.dataType === 11) data = Float32Array.from({ length: n }, (_, i) => view.getFloat64(i * 8, true));
  else if (type === 'float32') data = t.bytes.byteOffset % 4 === 0 ? new Float32Array(t.bytes.buffer, t.bytes.byteOffset, n) : new Float32Array(t.bytes.slice().buffer, 0, n);
  else {
    const width = t.bytes.byteLength / Math.max(n, 1);
    data = Float64Array.from({ length: n }, (_, i) =>
      width === 8 ? Number(view.getBigInt64(i * 8, true)) : width === 4 ? (t.dataType === 12 ? view.getUint32(i * 4, true) : view.getInt32(i * 4, true)) : view.getInt16(i * 2, true),
    );
  }
  return { kind: 'const', type, dims: t.dims, data };
}

function makeConst(type: ConstType, dims: readonly number[], values: ArrayLike<number>): Const {
  const data = type === 'float32' ? Float32Array.from(values) : type === 'int' ? Float64Array.from(values) : type === 'int8' ? Int8Array.from(values) : Uint8Array.from(values);
  return { kind: 'const', type, dims, data };
}

const scalarOf = (c: Const): number | null => (size(c.dims) === 1 ? (c.data[0] ?? null) : null);
const near = (a: number | null, b: number) => a !== null && Math.abs(a - b) <= 1e-4 * Math.abs(b);

/** NumPy broadcasting of two shapes. */
function broadcastDims(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new UnsupportedModelError(`shapes [${a}] and [${b}] do not broadcast`);
    return x === 1 ? y : x;
  });
}

/** Applies `f` elementwise over broadcast constants (small tensors: shapes, scalars). */
function broadcastMap(inputs: readonly Const[], type: ConstType, f: (...v: number[]) => number): Const {
  const dims = inputs.reduce<number[]>((d, c) => broadcastDims(d, c.dims), []);
  const n = size(dims);
  const strides = inputs.map((c) => {
    const padded = [...Array<number>(dims.length - c.dims.length).fill(1), ...c.dims];
    const s: number[] = [];
    let acc = 1;
    for (let i = padded.length - 1; i >= 0; i--) {
      s[i] = padded[i] === 1 ? 0 : acc;
      acc *= padded[i] ?? 1;
    }
    return s;
  });
  const out = new Array<number>(n);
  const index = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    out[i] = f(...inputs.map((c, k) => c.data[index.reduce((o, x, d) => o + x * (strides[k]?.[d] ?? 0), 0)] ?? 0));
    for (let d = dims.length - 1; d >= 0; d--) {
      index[d] = (index[d] ?? 0) + 1;
      if ((index[d] ?? 0) < (dims[d] ?? 1)) break;
      index[d] = 0;
    }
  }
  return makeConst(type, dims, out);
}

/** Row-major strides of a shape. */
function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i] ?? 1;
  }
  return s;
}

function transposeConst(c: Const, perm: readonly number[]): Const {
  const dims = perm.map((p) => c.dims[p] ?? 1);
  const inStrides = stridesOf(c.dims);
  const out = new Array<number>(size(dims));
  const index = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    out[i] = c.data[index.reduce((o, x, d) => o + x * (inStrides[perm[d] ?? 0] ?? 0), 0)] ?? 0;
    for (let d = dims.length - 1; d >= 0; d--) {
      index[d] = (index[d] ?? 0) + 1;
      if ((index[d] ?? 0) < (dims[d] ?? 1)) break;
      index[d] = 0;
    }
  }
  return makeConst(c.type, dims, out);
}

/** Gathers along `axis` (negative indices count from the end, as ONNX allows). */
function gatherConst(data: Const, indices: Const, axis: number): Const {
  const outer = size(data.dims.slice(0, axis));
  const inner = size(data.dims.slice(axis + 1));
  const n = data.dims[axis] ?? 1;
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices.data) {
      const i = raw < 0 ? raw + n : raw;
      for (let k = 0; k < inner; k++) out.push(data.data[(o * n + i) * inner + k] ?? 0);
    }
  }
  return makeConst(data.type, [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)], out);
}

const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** The ONNX Reshape target (0 keeps a dimension, -1 takes the rest). */
function reshapeDims(from: readonly number[], target: readonly number[], allowZero = false): number[] {
  const dims = target.map((d, i) => (d === 0 && !allowZero ? (from[i] ?? 0) : d));
  const known = dims.reduce((n, d) => (d === -1 ? n : n * d), 1);
  return dims.map((d) => (d === -1 ? size(from) / known : d));
}

/** Converts a parsed ONNX graph (see onnx-reader.ts) into a TFLite model with fixed input shapes. */
export function convertOnnxToTflite(graph: OnnxGraph, options: ConvertOptions): ConvertedModel {
  return new Converter(graph, options).run();
}

interface MutableOperator {
  op: BuiltinOpCode;
  version: number;
  inputs: number[];
  outputs: number[];
  options?: OperatorOptions;
}

class Converter {
  private readonly tensors: Array<{ -readonly [K in keyof TfliteTensor]: TfliteTensor[K] }> = [];
  private readonly operators: MutableOperator[] = [];
  private readonly values = new Map<string, Value>();
  private readonly uses = new Map<string, number>();
  /** The op types that read each value. */
  private readonly readers = new Map<string, string[]>();
  /** The operator that wrote a tensor. */
  private readonly producer = new Map<number, MutableOperator>();
  /** Tensors that are MUL(x, 0.5), by tensor: x (half of GELU's product, exported first). */
  private readonly halves = new Map<number, Runtime>();
  private readonly constTensors = new Map<Const, Map<RuntimeType, number>>();

  constructor(
    private readonly graph: OnnxGraph,
    private readonly options: ConvertOptions,
  ) {
    for (const node of graph.nodes) {
      for (const input of node.inputs) {
        if (!input) continue;
        this.uses.set(input, (this.uses.get(input) ?? 0) + 1);
        this.readers.set(input, [...(this.readers.get(input) ?? []), node.opType]);
      }
    }
    for (const output of graph.outputs) this.uses.set(output.name, (this.uses.get(output.name) ?? 0) + 1);
  }

  run(): ConvertedModel {
    const inputs: ConvertedIo[] = [];
    const inputTensors: number[] = [];
    for (const input of this.graph.inputs) {
      const shape = input.shape.map((d) => {
        if (typeof d === 'number') return d;
        const fixed = this.options.dims[d];
        if (fixed === undefined) throw new UnsupportedModelError(`no size given for the input dimension "${d}"`);
        return fixed;
      });
      const type = runtimeTypeOf(onnxType(input.elemType));
      if (type !== 'float32' && type !== 'int32') throw new UnsupportedModelError(`input ${input.name} is ${type}`);
      const tensor = this.addTensor(input.name, type, shape);
      this.values.set(input.name, { kind: 'runtime', tensor, type, dims: shape });
      inputs.push({ name: input.name, shape, type });
      inputTensors.push(tensor);
    }
    for (const [name, t] of this.graph.initializers) this.values.set(name, constOf(t));
    for (const node of this.graph.nodes) this.convertNode(node);

    const outputs: ConvertedIo[] = [];
    const outputTensors: number[] = [];
    for (const output of this.graph.outputs) {
      let value = this.runtime(this.get(output.name), output.name);
      // An output that is also another op's input, or an input itself, gets its own tensor.
      if (outputTensors.includes(value.tensor) || inputTensors.includes(value.tensor)) value = this.reshape(value, value.dims, output.name);
      if (value.type !== 'float32' && value.type !== 'int32') throw new UnsupportedModelError(`output ${output.name} is ${value.type}`);
      this.tensors[value.tensor]!.name = output.name;
      outputs.push({ name: output.name, shape: value.dims, type: value.type });
      outputTensors.push(value.tensor);
    }
    return { model: this.finish(inputTensors, outputTensors), inputs, outputs };
  }

  // ---- the TFLite graph --------------------------------------------------------------------

  private addTensor(name: string, type: RuntimeType, dims: readonly number[], data?: Uint8Array, quantization?: Quantization): number {
    this.tensors.push({ name, type: TFLITE_TYPE[type], shape: [...dims], ...(data ? { data } : {}), ...(quantization ? { quantization } : {}) });
    return this.tensors.length - 1;
  }

  private emit(op: BuiltinOpCode, inputs: number[], out: { name: string; type: RuntimeType; dims: readonly number[] }, options?: OperatorOptions, version = 1): Runtime {
    const tensor = this.addTensor(out.name, out.type, out.dims);
    const operator: MutableOperator = { op, version, inputs, outputs: [tensor], ...(options ? { options } : {}) };
    this.operators.push(operator);
    this.producer.set(tensor, operator);
    return { kind: 'runtime', tensor, type: out.type, dims: out.dims };
  }

  /** A constant as a tensor of `type` (written once per constant and type). */
  private constTensor(c: Const, type: RuntimeType = runtimeTypeOf(c.type)): number {
    let byType = this.constTensors.get(c);
    if (!byType) this.constTensors.set(c, (byType = new Map()));
    const known = byType.get(type);
    if (known !== undefined) return known;
    let bytes: Uint8Array;
    if ((type === 'uint8' && c.type === 'uint8') || (type === 'int8' && c.type === 'int8')) bytes = new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength);
    else if (type === 'float32') bytes = new Uint8Array(Float32Array.from(c.data).buffer);
    else if (type === 'int32') bytes = new Uint8Array(Int32Array.from(c.data, (v) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v))).buffer);
    else if (type === 'bool') bytes = Uint8Array.from(c.data, (v) => (v ? 1 : 0));
    else throw new UnsupportedModelError(`a ${c.type} constant used as ${type}`);
    const tensor = this.addTensor(`const_${this.tensors.length}`, type, c.dims, bytes);
    byType.set(type, tensor);
    return tensor;
  }

  private int32Tensor(values: readonly number[], dims: readonly number[] = [values.length]): number {
    return this.constTensor(makeConst('int', dims, values), 'int32');
  }

  /** Drops operators nobody reads and tensors nobody uses. */
  private finish(inputs: number[], outputs: number[]): TfliteModel {
    const needed = new Set<number>(outputs);
    const kept: MutableOperator[] = [];
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const o = this.operators[i]!;
      if (!o.outputs.some((t) => needed.has(t))) continue;
      kept.unshift(o);
      for (const t of o.inputs) if (t >= 0) needed.add(t);
    }
    for (const t of inputs) needed.add(t);
    const remap = new Map<number, number>();
    const tensors: TfliteTensor[] = [];
    this.tensors.forEach((t, i) => {
      if (!needed.has(i)) return;
      remap.set(i, tensors.length);
      tensors.push(t);
    });
    const at = (t: number) => (t < 0 ? t : (remap.get(t) ?? -1));
    const operators: TfliteOperator[] = kept.map((o) => ({ ...o, inputs: o.inputs.map(at), outputs: o.outputs.map(at) }));
    return { description: this.options.description ?? 'converted from ONNX by Moodlens', tensors, inputs: inputs.map(at), outputs: outputs.map(at), operators };
  }

  // ---- values --------------------------------------------------------------------------------

  private get(name: string): Value {
    const v = this.values.get(name);
    if (!v) throw new UnsupportedModelError(`the value "${name}" is used before it is made`);
    return v;
  }

  /** A value as a graph tensor: constants become constant tensors; a pattern left half-way cannot. */
  private runtime(v: Value, context: string): Runtime {
    if (v.kind === 'runtime') return v;
    if (v.kind === 'const') return { kind: 'runtime', tensor: this.constTensor(v), type: runtimeTypeOf(v.type), dims: v.dims };
    throw new UnsupportedModelError(`${context}: a partial ${v.kind} pattern is used on its own`);
  }

  private reshape(x: Runtime, dims: readonly number[], name: string): Runtime {
    return this.emit(BuiltinOp.RESHAPE, [x.tensor, this.int32Tensor(dims)], { name, type: x.type, dims }, { kind: 'reshape', newShape: dims });
  }

  // ---- nodes ---------------------------------------------------------------------------------

  private convertNode(node: OnnxNode): void {
    if (node.domain !== '' && node.domain !== 'ai.onnx' && !(node.domain === 'com.microsoft' && node.opType === 'Gelu')) {
      throw new UnsupportedModelError(`${node.domain}.${node.opType} (node ${node.name})`);
    }
    const inputs = node.inputs.map((name) => (name === '' ? undefined : this.get(name)));
    const out = this.convert(node, inputs);
    const results = Array.isArray(out) ? out : [out];
    results.forEach((v, i) => {
      const name = node.outputs[i];
      if (name) this.values.set(name, v);
    });
  }

  private attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
    return node.attributes.get(name);
  }
  private intAttr(node: OnnxNode, name: string, fallback: number): number {
    const v = this.attr(node, name);
    return typeof v === 'number' ? v : fallback;
  }
  private intsAttr(node: OnnxNode, name: string): readonly number[] | undefined {
    const v = this.attr(node, name);
    return Array.isArray(v) ? (v as readonly number[]) : undefined;
  }

  /** An input that must be constant once shapes are fixed (axes, shapes, indices of slices). */
  private constInput(node: OnnxNode, v: Value | undefined, what: string): Const {
    if (v?.kind !== 'const') throw new UnsupportedModelError(`${node.opType} ${node.name}: its ${what} is not constant`);
    return v;
  }

  private convert(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>): Value | Value[] {
    const [a, b] = inputs;
    const allConst = inputs.every((v) => v === undefined || v.kind === 'const');
    const name = node.outputs[0] ?? node.name;
    const need = (v: Value | undefined, what = 'input'): Value => {
      if (!v) throw new UnsupportedModelError(`${node.opType} ${node.name}: no ${what}`);
      return v;
    };
    const rt = (v: Value | undefined) => this.runtime(need(v), `${node.opType} ${node.name}`);

    switch (node.opType) {
      case 'Identity':
      case 'Dropout':
        return need(a);
      case 'Constant':
        return this.constantNode(node);
      case 'Shape': {
        const v = need(a);
        if (isPending(v)) throw new UnsupportedModelError(`Shape of a partial pattern (${node.name})`);
        const rank = v.dims.length;
        const start = normAxis(this.intAttr(node, 'start', 0), rank);
        const end = normAxis(this.intAttr(node, 'end', rank), rank);
        const dims = v.dims.slice(start, end);
        return makeConst('int', [dims.length], dims);
      }
      case 'Cast':
        return this.cast(node, need(a), name);
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Reshape':
      case 'Flatten':
        return this.reshapeNode(node, inputs, name);
      case 'Transpose': {
        const v = need(a);
        if (!isPending(v)) {
          const perm = this.intsAttr(node, 'perm') ?? v.dims.map((_, i) => v.dims.length - 1 - i);
          if (v.kind === 'const') return transposeConst(v, perm);
          return this.emit(BuiltinOp.TRANSPOSE, [v.tensor, this.int32Tensor(perm)], { name, type: v.type, dims: perm.map((p) => v.dims[p] ?? 1) }, { kind: 'transpose' });
        }
        return rt(v);
      }
      case 'Concat':
        return this.concat(node, inputs, name);
      case 'Gather':
        return this.gather(node, need(a), need(b, 'indices'), name);
      case 'Slice':
        return this.slice(node, inputs, name);
      case 'Range': {
        const [first, ...rest] = inputs.map((v) => this.constInput(node, v, 'start, limit or delta'));
        const [start = 0, limit = 0, delta = 1] = [first, ...rest].map((c) => (c ? (scalarOf(c) ?? 0) : 0));
        const n = Math.max(0, Math.ceil((limit - start) / (delta || 1)));
        return makeConst(first?.type ?? 'int', [n], Array.from({ length: n }, (_, i) => start + i * delta));
      }
      case 'ConstantOfShape': {
        const dims = Array.from(this.constInput(node, a, 'shape').data);
        const value = this.attr(node, 'value');
        const fill = value && typeof value === 'object' && 'bytes' in value ? constOf(value) : makeConst('float32', [1], [0]);
        return makeConst(fill.type, dims, new Array<number>(size(dims)).fill(fill.data[0] ?? 0));
      }
      case 'Expand': {
        const shape = Array.from(this.constInput(node, b, 'shape').data);
        const v = need(a);
        if (v.kind === 'const') return broadcastMap([v, makeConst(v.type, shape, new Array<number>(size(shape)).fill(0))], v.type, (x) => x);
        const x = rt(v);
        const dims = broadcastDims(x.dims, shape);
        if (dims.every((d, i) => d === x.dims[i]) && dims.length === x.dims.length) return x;
        return this.emit(BuiltinOp.BROADCAST_TO, [x.tensor, this.int32Tensor(dims)], { name, type: x.type, dims }, { kind: 'broadcast-to' }, 2);
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'Pow':
      case 'Equal':
      case 'Max':
      case 'Min':
      case 'Where':
        return this.elementwise(node, inputs, allConst, name);
      case 'Sqrt':
      case 'Tanh':
      case 'Exp':
      case 'Neg':
      case 'Not':
      case 'Erf':
      case 'Gelu':
        return this.unary(node, need(a), name);
      case 'ReduceMean':
      case 'ReduceSum':
        return this.reduce(node, inputs, name);
      case 'LayerNormalization':
        return this.layerNorm(node, inputs, name);
      case 'Softmax': {
        const x = rt(a);
        const rank = x.dims.length;
        if (normAxis(this.intAttr(node, 'axis', this.graph.opset >= 13 ? -1 : 1), rank) !== rank - 1) {
          throw new UnsupportedModelError(`Softmax ${node.name} over a dimension other than the last`);
        }
        return this.emit(BuiltinOp.SOFTMAX, [x.tensor], { name, type: 'float32', dims: x.dims }, { kind: 'softmax', beta: 1 });
      }
      case 'CumSum': {
        const x = rt(a);
        const axis = normAxis(scalarOf(this.constInput(node, b, 'axis')) ?? 0, x.dims.length);
        return this.emit(BuiltinOp.CUMSUM, [x.tensor, this.int32Tensor([axis], [])], { name, type: x.type, dims: x.dims }, {
          kind: 'cumsum',
          exclusive: this.intAttr(node, 'exclusive', 0) === 1,
          reverse: this.intAttr(node, 'reverse', 0) === 1,
        });
      }
      case 'MatMul':
        return this.matmul(node, need(a), need(b), name);
      case 'Gemm':
        return this.gemm(node, inputs, name);
      case 'DequantizeLinear':
        return this.dequantize(node, inputs, name);
      case 'DynamicQuantizeLinear': {
        const x = rt(a);
        return [0, 1, 2].map((part) => ({ kind: 'dynamic-quantized', part: part as 0 | 1 | 2, x }));
      }
      case 'MatMulInteger':
        return this.matmulInteger(node, inputs);
      default:
        throw new UnsupportedModelError(`the ONNX op ${node.opType} (node ${node.name})`);
    }
  }

  private constantNode(node: OnnxNode): Const {
    const value = this.attr(node, 'value');
    if (value && typeof value === 'object' && 'bytes' in value) return constOf(value);
    const f = this.attr(node, 'value_float');
    if (typeof f === 'number') return makeConst('float32', [], [f]);
    const i = this.attr(node, 'value_int');
    if (typeof i === 'number') return makeConst('int', [], [i]);
    const ints = this.attr(node, 'value_ints');
    if (Array.isArray(ints)) return makeConst('int', [ints.length], ints as readonly number[]);
    const floats = this.attr(node, 'value_floats');
    if (Array.isArray(floats)) return makeConst('float32', [floats.length], floats as readonly number[]);
    throw new UnsupportedModelError(`Constant ${node.name} of a kind not converted`);
  }

  private cast(node: OnnxNode, v: Value, name: string): Value {
    const to = this.intAttr(node, 'to', 1);
    const type = onnxType(to);
    if (v.kind === 'const') {
      const values = Array.from(v.data, (x) => (type === 'bool' ? (x ? 1 : 0) : type === 'float32' ? x : Math.trunc(x)));
      return makeConst(type, v.dims, values);
    }
    if (isPending(v)) {
      // The int32 product of MatMulInteger, cast to float on its way to the scale.
      if (v.kind === 'integer-matmul' && type === 'float32') return { ...v, float: true };
      throw new UnsupportedModelError(`Cast ${node.name} of a partial ${v.kind} pattern`);
    }
    const target = runtimeTypeOf(type);
    if (target === v.type) return v;
    return this.emit(BuiltinOp.CAST, [v.tensor], { name, type: target, dims: v.dims }, { kind: 'cast', inDataType: TFLITE_TYPE[v.type], outDataType: TFLITE_TYPE[target] });
  }

  private reshapeNode(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const v = inputs[0];
    if (!v || isPending(v)) throw new UnsupportedModelError(`${node.opType} ${node.name} of a partial pattern`);
    const rank = v.dims.length;
    let dims: number[];
    if (node.opType === 'Reshape') {
      dims = reshapeDims(v.dims, Array.from(this.constInput(node, inputs[1], 'shape').data), this.intAttr(node, 'allowzero', 0) === 1);
    } else if (node.opType === 'Flatten') {
      const axis = normAxis(this.intAttr(node, 'axis', 1), rank);
      dims = [size(v.dims.slice(0, axis)), size(v.dims.slice(axis))];
    } else {
      const axesInput = inputs[1];
      const axes = axesInput ? Array.from(this.constInput(node, axesInput, 'axes').data) : (this.intsAttr(node, 'axes') ?? []);
      if (node.opType === 'Unsqueeze') {
        const outRank = rank + axes.length;
        const at = new Set(axes.map((x) => normAxis(x, outRank)));
        const rest = [...v.dims];
        dims = Array.from({ length: outRank }, (_, i) => (at.has(i) ? 1 : (rest.shift() ?? 1)));
      } else {
        const at = new Set(axes.length ? axes.map((x) => normAxis(x, rank)) : v.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
        dims = v.dims.filter((_, i) => !at.has(i));
      }
    }
    if (size(dims) !== size(v.dims)) throw new UnsupportedModelError(`${node.opType} ${node.name}: [${v.dims}] cannot become [${dims}]`);
    if (v.kind === 'const') return { ...v, dims };
    return this.reshape(v, dims, name);
  }

  private concat(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const parts = inputs.filter((v): v is Value => v !== undefined && (v.kind !== 'const' || size(v.dims) > 0 || v.dims.length > 1));
    const first = parts[0];
    if (!first || isPending(first)) throw new UnsupportedModelError(`Concat ${node.name}`);
    const rank = first.dims.length;
    const axis = normAxis(this.intAttr(node, 'axis', 0), rank);
    const dims = [...first.dims];
    dims[axis] = parts.reduce((n, p) => n + (isPending(p) ? 0 : (p.dims[axis] ?? 0)), 0);
    if (parts.every((p): p is Const => p.kind === 'const')) {
      const outer = size(first.dims.slice(0, axis));
      const out: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const p of parts) {
          const chunk = size(p.dims.slice(axis));
          for (let k = 0; k < chunk; k++) out.push(p.data[o * chunk + k] ?? 0);
        }
      }
      return makeConst(parts[0]?.type ?? 'float32', dims, out);
    }
    const tensors = parts.map((p) => this.runtime(p, `Concat ${node.name}`));
    const type = tensors.find((t) => this.producer.has(t.tensor) || t.type === 'float32')?.type ?? tensors[0]!.type;
    return this.emit(BuiltinOp.CONCATENATION, tensors.map((t) => (t.type === type ? t.tensor : this.castTensor(t, type))), { name, type, dims }, { kind: 'concatenation', axis });
  }

  private castTensor(t: Runtime, type: RuntimeType): number {
    return this.emit(BuiltinOp.CAST, [t.tensor], { name: `cast_${this.tensors.length}`, type, dims: t.dims }, { kind: 'cast', inDataType: TFLITE_TYPE[t.type], outDataType: TFLITE_TYPE[type] }).tensor;
  }

  private gather(node: OnnxNode, data: Value, indices: Value, name: string): Value {
    if (isPending(data) || isPending(indices)) throw new UnsupportedModelError(`Gather ${node.name} of a partial pattern`);
    const axis = normAxis(this.intAttr(node, 'axis', 0), data.dims.length);
    if (data.kind === 'const' && indices.kind === 'const') return gatherConst(data, indices, axis);
    const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
    const n = data.dims[axis] ?? 1;
    const indexTensor =
      indices.kind === 'const'
        ? this.constTensor(makeConst('int', indices.dims, Array.from(indices.data, (i) => (i < 0 ? i + n : i))), 'int32')
        : indices.type === 'int32'
          ? indices.tensor
          : this.castTensor(indices, 'int32');
    const params = this.runtime(data, `Gather ${node.name}`);
    return this.emit(BuiltinOp.GATHER, [params.tensor, indexTensor], { name, type: params.type, dims }, { kind: 'gather', axis });
  }

  private slice(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const v = inputs[0];
    if (!v || isPending(v)) throw new UnsupportedModelError(`Slice ${node.name}`);
    const rank = v.dims.length;
    const list = (i: number, attr: string) => {
      const input = inputs[i];
      if (input) return Array.from(this.constInput(node, input, attr).data);
      return this.intsAttr(node, attr) ? [...(this.intsAttr(node, attr) ?? [])] : undefined;
    };
    const starts = list(1, 'starts') ?? [];
    const ends = list(2, 'ends') ?? [];
    const axes = (list(3, 'axes') ?? starts.map((_, i) => i)).map((x) => normAxis(x, rank));
    const steps = list(4, 'steps') ?? starts.map(() => 1);
    const begin = v.dims.map(() => 0);
    const end = [...v.dims];
    const stride = v.dims.map(() => 1);
    axes.forEach((axis, i) => {
      const dim = v.dims[axis] ?? 1;
      const step = steps[i] ?? 1;
      if (step !== 1) throw new UnsupportedModelError(`Slice ${node.name} with step ${step}`);
      const clamp = (x: number) => Math.max(0, Math.min(dim, x < 0 ? x + dim : x));
      begin[axis] = clamp(starts[i] ?? 0);
      end[axis] = clamp(ends[i] ?? dim);
      stride[axis] = step;
    });
    const dims = v.dims.map((_, i) => Math.max(0, (end[i] ?? 0) - (begin[i] ?? 0)));
    if (v.kind === 'const') {
      const inStrides = stridesOf(v.dims);
      const out = new Array<number>(size(dims));
      const index = new Array<number>(rank).fill(0);
      for (let i = 0; i < out.length; i++) {
        out[i] = v.data[index.reduce((o, x, d) => o + (x + (begin[d] ?? 0)) * (inStrides[d] ?? 0), 0)] ?? 0;
        for (let d = rank - 1; d >= 0; d--) {
          index[d] = (index[d] ?? 0) + 1;
          if ((index[d] ?? 0) < (dims[d] ?? 1)) break;
          index[d] = 0;
        }
      }
      return makeConst(v.type, dims, out);
    }
    return this.emit(BuiltinOp.STRIDED_SLICE, [v.tensor, this.int32Tensor(begin), this.int32Tensor(end), this.int32Tensor(stride)], { name, type: v.type, dims }, { kind: 'strided-slice' });
  }

  private elementwise(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, allConst: boolean, name: string): Value {
    const [a, b] = inputs;
    if (!a || !b) throw new UnsupportedModelError(`${node.opType} ${node.name}: missing input`);
    const op = node.opType;
    if (allConst) {
      const consts = inputs as Const[];
      const fold: Record<string, (...v: number[]) => number> = {
        Add: (x, y) => x + y,
        Sub: (x, y) => x - y,
        Mul: (x, y) => x * y,
        Div: (x, y) => (consts[0]?.type === 'int' ? Math.trunc(x / y) : x / y),
        Pow: (x, y) => x ** y,
        Equal: (x, y) => (x === y ? 1 : 0),
        Max: (x, y) => Math.max(x, y),
        Min: (x, y) => Math.min(x, y),
        Where: (c, x, y) => (c ? x : y),
      };
      const type = op === 'Equal' ? 'bool' : (op === 'Where' ? consts[1]?.type : consts[0]?.type) ?? 'float32';
      const f = fold[op];
      if (!f) throw new UnsupportedModelError(`${op} ${node.name} of constants`);
      return broadcastMap(consts, type, f);
    }
    const pattern = this.pattern(op, a, b, node.outputs[0] ?? '');
    if (pattern) return pattern;

    if (op === 'Where') {
      const [cond, x, y] = inputs.map((v) => this.runtime(need(v), `Where ${node.name}`));
      if (!cond || !x || !y) throw new UnsupportedModelError(`Where ${node.name}`);
      const type = x.type === 'float32' || y.type === 'float32' ? 'float32' : x.type;
      const dims = broadcastDims(broadcastDims(cond.dims, x.dims), y.dims);
      const operand = (v: Value, r: Runtime) => (v.kind === 'const' ? this.constTensor(v, type) : r.type === type ? r.tensor : this.castTensor(r, type));
      return this.emit(BuiltinOp.SELECT_V2, [cond.tensor, operand(inputs[1]!, x), operand(inputs[2]!, y)], { name, type, dims }, { kind: 'select-v2' });
    }
    // One side runtime: the constant takes its type.
    const runtimeSide = a.kind === 'runtime' ? a : b.kind === 'runtime' ? b : null;
    if (!runtimeSide) throw new UnsupportedModelError(`${op} ${node.name} of partial patterns`);
    const type = runtimeSide.type;
    const operand = (v: Value) => (v.kind === 'const' ? this.constTensor(v, type) : this.runtime(v, `${op} ${node.name}`).tensor);
    const x = a.kind === 'const' ? null : this.runtime(a, op);
    const y = b.kind === 'const' ? null : this.runtime(b, op);
    if (x && y && x.type !== y.type) throw new UnsupportedModelError(`${op} ${node.name} of ${x.type} and ${y.type}`);
    const dims = broadcastDims(isPending(a) ? [] : a.dims, isPending(b) ? [] : b.dims);

    if (op === 'Add' && x && b.kind === 'const') {
      // The bias of a FULLY_CONNECTED just written: fused into it.
      const fc = this.producer.get(x.tensor);
      const out = x.dims[x.dims.length - 1];
      if (fc?.op === BuiltinOp.FULLY_CONNECTED && fc.inputs[2] === -1 && this.usesOf(node.inputs[0]) === 1 && b.dims.length === 1 && b.dims[0] === out) {
        fc.inputs[2] = this.constTensor(b, 'float32');
        return x;
      }
    }
    if (op === 'Pow' && x && b.kind === 'const') {
      const e = scalarOf(b);
      if (e === 2) return this.emit(BuiltinOp.MUL, [x.tensor, x.tensor], { name, type, dims }, { kind: 'mul' });
      if (e === 0.5) return this.emit(BuiltinOp.SQRT, [x.tensor], { name, type, dims });
      if (e === 1) return x;
    }
    const codes: Record<string, [BuiltinOpCode, OperatorOptions | undefined, RuntimeType]> = {
      Add: [BuiltinOp.ADD, { kind: 'add' }, type],
      Sub: [BuiltinOp.SUB, { kind: 'sub' }, type],
      Mul: [BuiltinOp.MUL, { kind: 'mul' }, type],
      Div: [BuiltinOp.DIV, { kind: 'div' }, type],
      Pow: [BuiltinOp.POW, { kind: 'pow' }, type],
      Equal: [BuiltinOp.EQUAL, { kind: 'equal' }, 'bool'],
      Max: [BuiltinOp.MAXIMUM, { kind: 'maximum-minimum' }, type],
      Min: [BuiltinOp.MINIMUM, { kind: 'maximum-minimum' }, type],
    };
    const mapped = codes[op];
    if (!mapped) throw new UnsupportedModelError(`${op} ${node.name}`);
    const [code, options, outType] = mapped;
    // SUB and DIV of more than 4 dimensions with broadcasting need newer kernels; none here.
    const result = this.emit(code, [operand(a), operand(b)], { name, type: outType, dims }, options, op === 'Sub' && type === 'int32' ? 3 : 1);
    if (op === 'Mul' && x && b.kind === 'const' && scalarOf(b) === 0.5) this.halves.set(result.tensor, x);
    if (op === 'Mul' && y && a.kind === 'const' && scalarOf(a) === 0.5) this.halves.set(result.tensor, y);
    return result;

    function need(v: Value | undefined): Value {
      if (!v) throw new UnsupportedModelError(`${op} ${node.name}: missing input`);
      return v;
    }
  }

  private usesOf(name: string | undefined): number {
    return name ? (this.uses.get(name) ?? 0) : 0;
  }

  /** The steps of the quantized linear layer and of erf GELU (see the file's comment). */
  private pattern(op: string, a: Value, b: Value, output: string): Value | null {
    const pair = <T extends Value>(test: (v: Value) => v is T): [T, Value] | null => (test(a) ? [a, b] : test(b) ? [b, a] : null);
    const isPending = (kind: Pending['kind']) => (v: Value): v is Pending => v.kind === kind;

    if (op === 'Mul') {
      // input scale x weight scale
      const scale = pair((v): v is Pending & { kind: 'dynamic-quantized' } => v.kind === 'dynamic-quantized' && v.part === 1);
      if (scale && scale[1].kind === 'const') return { kind: 'input-scale', x: scale[0].x, weightScale: scale[1] };
      // the int32 product, as float, times that scale: the linear layer
      const product = pair((v): v is Pending & { kind: 'integer-matmul' } => v.kind === 'integer-matmul' && v.float);
      if (product && product[1].kind === 'input-scale' && product[1].x === product[0].x) {
        return this.hybridLinear(product[0].x, product[0].weight, product[0].weightZero, product[1].weightScale);
      }
    }
    // x / sqrt 2 (or x * 1/sqrt 2) read only by an Erf: GELU's first step.
    const toErf = this.readers.get(output)?.every((r) => r === 'Erf') ?? false;
    if (toErf && op === 'Div' && a.kind === 'runtime' && a.type === 'float32' && b.kind === 'const' && near(scalarOf(b), Math.SQRT2)) {
      return { kind: 'gelu', stage: 'scaled', x: a };
    }
    if (toErf && op === 'Mul') {
      const scaled = pair((v): v is Runtime => v.kind === 'runtime');
      if (scaled && scaled[0].type === 'float32' && scaled[1].kind === 'const' && near(scalarOf(scaled[1]), Math.SQRT1_2)) return { kind: 'gelu', stage: 'scaled', x: scaled[0] };
    }
    const gelu = pair(isPending('gelu')) as [Pending & { kind: 'gelu' }, Value] | null;
    if (!gelu) return null;
    const [g, other] = gelu;
    const constant = other.kind === 'const' ? scalarOf(other) : null;
    if (op === 'Add' && g.stage === 'erf' && constant === 1) return { ...g, stage: 'erf+1' };
    if (op === 'Mul' && g.stage === 'erf+1' && other === g.x) return { ...g, stage: 'x(erf+1)' };
    if (op === 'Mul' && g.stage === 'erf+1' && constant === 0.5) return { ...g, stage: '(erf+1)/2' };
    const x = g.x;
    if (op === 'Mul' && g.stage === 'x(erf+1)' && constant === 0.5) return this.gelu(x);
    if (op === 'Mul' && g.stage === '(erf+1)/2' && other === x) return this.gelu(x);
    if (op === 'Mul' && g.stage === 'erf+1' && other.kind === 'runtime' && this.halves.get(other.tensor) === x) return this.gelu(x);
    throw new UnsupportedModelError(`an erf that is not part of GELU (${op} after ${g.stage})`);
  }

  private gelu(x: Runtime): Runtime {
    return this.emit(BuiltinOp.GELU, [x.tensor], { name: `${this.tensors[x.tensor]?.name ?? 'x'}_gelu`, type: 'float32', dims: x.dims }, { kind: 'gelu', approximate: false });
  }

  private unary(node: OnnxNode, v: Value, name: string): Value {
    const op = node.opType;
    if (op === 'Erf') {
      if (v.kind === 'gelu' && v.stage === 'scaled') return { ...v, stage: 'erf' };
      throw new UnsupportedModelError(`Erf ${node.name} outside GELU`);
    }
    if (op === 'Gelu') return this.gelu(this.runtime(v, `Gelu ${node.name}`));
    if (v.kind === 'const') {
      const f: Record<string, (x: number) => number> = { Sqrt: Math.sqrt, Tanh: Math.tanh, Exp: Math.exp, Neg: (x) => -x, Not: (x) => (x ? 0 : 1) };
      const fn = f[op];
      if (!fn) throw new UnsupportedModelError(`${op} ${node.name} of a constant`);
      return makeConst(v.type, v.dims, Array.from(v.data, fn));
    }
    const x = this.runtime(v, op);
    const codes: Record<string, [BuiltinOpCode, OperatorOptions | undefined]> = {
      Sqrt: [BuiltinOp.SQRT, undefined],
      Tanh: [BuiltinOp.TANH, undefined],
      Exp: [BuiltinOp.EXP, { kind: 'exp' }],
      Neg: [BuiltinOp.NEG, { kind: 'neg' }],
      Not: [BuiltinOp.LOGICAL_NOT, { kind: 'logical-not' }],
    };
    const mapped = codes[op];
    if (!mapped) throw new UnsupportedModelError(`${op} ${node.name}`);
    const [code, options] = mapped;
    return this.emit(code, [x.tensor], { name, type: x.type, dims: x.dims }, options);
  }

  private reduce(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const x = this.runtime(inputs[0] ?? makeConst('float32', [], [0]), `${node.opType} ${node.name}`);
    const rank = x.dims.length;
    const axesInput = inputs[1];
    let axes = axesInput ? Array.from(this.constInput(node, axesInput, 'axes').data) : (this.intsAttr(node, 'axes') ?? []);
    if (axes.length === 0) {
      if (this.intAttr(node, 'noop_with_empty_axes', 0) === 1) return x;
      axes = x.dims.map((_, i) => i);
    }
    axes = axes.map((a) => normAxis(a, rank));
    const keepDims = this.intAttr(node, 'keepdims', 1) === 1;
    const dims = keepDims ? x.dims.map((d, i) => (axes.includes(i) ? 1 : d)) : x.dims.filter((_, i) => !axes.includes(i));
    const op = node.opType === 'ReduceMean' ? BuiltinOp.MEAN : BuiltinOp.SUM;
    return this.emit(op, [x.tensor, this.int32Tensor(axes)], { name, type: x.type, dims }, { kind: 'reducer', keepDims });
  }

  private layerNorm(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const x = this.runtime(inputs[0] ?? makeConst('float32', [], [0]), `LayerNormalization ${node.name}`);
    const rank = x.dims.length;
    if (normAxis(this.intAttr(node, 'axis', -1), rank) !== rank - 1) throw new UnsupportedModelError(`LayerNormalization ${node.name} over more than the last dimension`);
    const epsilonAttr = this.attr(node, 'epsilon');
    const epsilon = typeof epsilonAttr === 'number' ? epsilonAttr : 1e-5;
    const axis = this.int32Tensor([rank - 1]);
    const statDims = x.dims.map((d, i) => (i === rank - 1 ? 1 : d));
    const f = (suffix: string, dims = x.dims) => ({ name: `${name}/${suffix}`, type: 'float32' as const, dims });
    const mean = this.emit(BuiltinOp.MEAN, [x.tensor, axis], f('mean', statDims), { kind: 'reducer', keepDims: true });
    const squares = this.emit(BuiltinOp.SQUARED_DIFFERENCE, [x.tensor, mean.tensor], f('squares'), { kind: 'squared-difference' });
    const variance = this.emit(BuiltinOp.MEAN, [squares.tensor, axis], f('variance', statDims), { kind: 'reducer', keepDims: true });
    const shifted = this.emit(BuiltinOp.ADD, [variance.tensor, this.constTensor(makeConst('float32', [], [epsilon]))], f('shifted', statDims), { kind: 'add' });
    const inverse = this.emit(BuiltinOp.RSQRT, [shifted.tensor], f('inverse', statDims));
    const centered = this.emit(BuiltinOp.SUB, [x.tensor, mean.tensor], f('centered'), { kind: 'sub' });
    let y = this.emit(BuiltinOp.MUL, [centered.tensor, inverse.tensor], f('normalized'), { kind: 'mul' });
    const scale = inputs[1];
    const bias = inputs[2];
    if (scale) y = this.emit(BuiltinOp.MUL, [y.tensor, this.operandTensor(scale, 'float32', node)], f('scaled'), { kind: 'mul' });
    if (bias) y = this.emit(BuiltinOp.ADD, [y.tensor, this.operandTensor(bias, 'float32', node)], { name, type: 'float32', dims: x.dims }, { kind: 'add' });
    return y;
  }

  private operandTensor(v: Value, type: RuntimeType, node: OnnxNode): number {
    return v.kind === 'const' ? this.constTensor(v, type) : this.runtime(v, `${node.opType} ${node.name}`).tensor;
  }

  /** MatMul: two activations -> BATCH_MATMUL; an activation and constant weights -> float FULLY_CONNECTED. */
  private matmul(node: OnnxNode, a: Value, b: Value, name: string): Value {
    if (b.kind === 'const' && b.dims.length === 2 && a.kind !== 'const') {
      const x = this.runtime(a, `MatMul ${node.name}`);
      const [inDim = 0, outDim = 0] = b.dims;
      const weight = transposedWeight(b);
      return this.fullyConnected(x, this.constTensor(weight, 'float32'), outDim, name, inDim);
    }
    const x = this.runtime(a, `MatMul ${node.name}`);
    const y = this.runtime(b, `MatMul ${node.name}`);
    if (x.dims.length < 2 || y.dims.length < 2) throw new UnsupportedModelError(`MatMul ${node.name} of a vector`);
    const batch = broadcastDims(x.dims.slice(0, -2), y.dims.slice(0, -2));
    const dims = [...batch, x.dims[x.dims.length - 2] ?? 1, y.dims[y.dims.length - 1] ?? 1];
    return this.emit(BuiltinOp.BATCH_MATMUL, [x.tensor, y.tensor], { name, type: 'float32', dims }, { kind: 'batch-matmul', adjX: false, adjY: false });
  }

  private gemm(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const [a, b, c] = inputs;
    const alpha = this.attr(node, 'alpha') ?? 1;
    const beta = this.attr(node, 'beta') ?? 1;
    if (!a || b?.kind !== 'const' || this.intAttr(node, 'transA', 0) !== 0 || alpha !== 1 || beta !== 1) throw new UnsupportedModelError(`Gemm ${node.name} of a kind not converted`);
    const x = this.runtime(a, `Gemm ${node.name}`);
    const weight = this.intAttr(node, 'transB', 0) === 1 ? { ...b, type: 'float32' as const } : transposedWeight(b);
    const [outDim = 0, inDim = 0] = weight.dims;
    const y = this.fullyConnected(x, this.constTensor(weight, 'float32'), outDim, name, inDim);
    if (c) {
      const fc = this.producer.get(y.tensor);
      if (fc && c.kind === 'const' && size(c.dims) === outDim) fc.inputs[2] = this.constTensor({ ...c, dims: [outDim] }, 'float32');
      else return this.emit(BuiltinOp.ADD, [y.tensor, this.operandTensor(c, 'float32', node)], { name: `${name}/bias`, type: 'float32', dims: y.dims }, { kind: 'add' });
    }
    return y;
  }

  private fullyConnected(x: Runtime, weight: number, outDim: number, name: string, inDim: number, hybrid = false): Runtime {
    if (x.dims[x.dims.length - 1] !== inDim) throw new UnsupportedModelError(`a linear layer of ${inDim} inputs given [${x.dims}]`);
    const dims = [...x.dims.slice(0, -1), outDim];
    return this.emit(
      BuiltinOp.FULLY_CONNECTED,
      [x.tensor, weight, -1],
      { name, type: 'float32', dims },
      { kind: 'fully-connected', keepNumDims: x.dims.length !== 2, ...(hybrid ? { asymmetricQuantizeInputs: true } : {}) },
      hybrid ? 7 : 5,
    );
  }

  private dequantize(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const [q, scaleV, zeroV] = inputs;
    const scale = this.constInput(node, scaleV, 'scale');
    const zero = zeroV ? this.constInput(node, zeroV, 'zero point') : null;
    const axisAttr = this.intAttr(node, 'axis', 1);
    if (q?.kind === 'const') {
      const axis = normAxis(axisAttr, q.dims.length);
      const inner = size(q.dims.slice(axis + 1));
      const channels = q.dims[axis] ?? 1;
      const perAxis = size(scale.dims) > 1;
      return makeConst(
        'float32',
        q.dims,
        Array.from(q.data, (v, i) => {
          const c = perAxis ? Math.floor(i / inner) % channels : 0;
          return (v - (zero?.data[c] ?? 0)) * (scale.data[c] ?? 1);
        }),
      );
    }
    const x = this.runtime(q ?? makeConst('float32', [], [0]), `DequantizeLinear ${node.name}`);
    if (x.type !== 'uint8' && x.type !== 'int8') throw new UnsupportedModelError(`DequantizeLinear ${node.name} of ${x.type}`);
    const quantization: Quantization = {
      scale: Array.from(scale.data),
      zeroPoint: zero ? Array.from(zero.data) : Array.from(scale.data, () => 0),
      axis: size(scale.dims) > 1 ? normAxis(axisAttr, x.dims.length) : 0,
    };
    // The 8-bit tensor carries its quantization; a gathered table carries it too.
    this.tensors[x.tensor]!.quantization = quantization;
    const from = this.producer.get(x.tensor);
    if (from?.op === BuiltinOp.GATHER && size(scale.dims) === 1) {
      const table = from.inputs[0];
      if (table !== undefined && table >= 0) this.tensors[table]!.quantization = quantization;
    }
    return this.emit(BuiltinOp.DEQUANTIZE, [x.tensor], { name, type: 'float32', dims: x.dims }, undefined, x.type === 'int8' ? 2 : 1);
  }

  private matmulInteger(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>): Value {
    const [a, b, aZero, bZero] = inputs;
    if (a?.kind !== 'dynamic-quantized' || a.part !== 0) throw new UnsupportedModelError(`MatMulInteger ${node.name} whose input is not dynamically quantized`);
    if (aZero && !(aZero.kind === 'dynamic-quantized' && aZero.part === 2 && aZero.x === a.x)) throw new UnsupportedModelError(`MatMulInteger ${node.name}: its input zero point is not its input's`);
    const weight = this.constInput(node, b, 'weight');
    if (weight.dims.length !== 2 || (weight.type !== 'int8' && weight.type !== 'uint8')) throw new UnsupportedModelError(`MatMulInteger ${node.name}: weights [${weight.dims}] ${weight.type}`);
    const weightZero = bZero ? this.constInput(node, bZero, 'weight zero point') : null;
    return { kind: 'integer-matmul', x: a.x, weight, weightZero, float: false };
  }

  /** The linear layer x·W as a hybrid FULLY_CONNECTED (weights laid out by hybridWeights). */
  private hybridLinear(x: Runtime, weight: Const, weightZero: Const | null, weightScale: Const): Runtime {
    const [inDim = 0, outDim = 0] = weight.dims;
    const { data, scale } = hybridWeights(weight, weightZero, weightScale);
    const tensor = this.addTensor(`weights_${this.tensors.length}`, 'int8', [outDim, inDim], new Uint8Array(data.buffer), {
      scale,
      zeroPoint: scale.map(() => 0),
      axis: 0,
    });
    return this.fullyConnected(x, tensor, outDim, `linear_${this.tensors.length}`, inDim, true);
  }
}
