// Constant folding: with every input size fixed, the shape arithmetic of an export (Shape, Gather,
// Concat, Unsqueeze on shapes, ...) and whatever else reads only constants is computed here, in
// JS, and never reaches the TFLite graph. Also the shape rules the emitters share (broadcasting,
// Reshape's targets).
import type { OnnxTensor } from '../onnx-reader';
import { UnsupportedModelError, onnxType, scalarOf, size, type Const, type ConstData, type ConstType } from './values';

/**
 * The model's constants as read once per source tensor: converting the same graph for another
 * length (worker/litert-runtime.ts) reuses them instead of reading the weights again.
 */
const constsOf = new WeakMap<OnnxTensor, Const>();

/**
 * A copy of `bytes` in an ArrayBuffer of its own. Not `bytes.slice()`: on a Node Buffer (the CLI
 * reads files into those) slice() shares the memory, so its `.buffer` is the whole pool.
 */
function copyOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** An initializer or a tensor attribute as a constant (read once per tensor). */
export function constOf(t: OnnxTensor): Const {
  let c = constsOf.get(t);
  if (!c) constsOf.set(t, (c = readConst(t)));
  return c;
}

function readConst(t: OnnxTensor): Const {
  const type = onnxType(t.dataType);
  const n = size(t.dims);
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  let data: ConstData;
  if (type === 'uint8' || type === 'bool') data = t.bytes;
  else if (type === 'int8') data = new Int8Array(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  else if (t.dataType === 11) data = Float32Array.from({ length: n }, (_, i) => view.getFloat64(i * 8, true));
  else if (type === 'float32') data = t.bytes.byteOffset % 4 === 0 ? new Float32Array(t.bytes.buffer, t.bytes.byteOffset, n) : new Float32Array(copyOf(t.bytes).buffer, 0, n);
  else {
    const width = t.bytes.byteLength / Math.max(n, 1);
    data = Float64Array.from({ length: n }, (_, i) =>
      width === 8 ? Number(view.getBigInt64(i * 8, true)) : width === 4 ? (t.dataType === 12 ? view.getUint32(i * 4, true) : view.getInt32(i * 4, true)) : view.getInt16(i * 2, true),
    );
  }
  return { kind: 'const', type, dims: t.dims, data };
}

export function makeConst(type: ConstType, dims: readonly number[], values: ArrayLike<number>): Const {
  const data = type === 'float32' ? Float32Array.from(values) : type === 'int' ? Float64Array.from(values) : type === 'int8' ? Int8Array.from(values) : Uint8Array.from(values);
  return { kind: 'const', type, dims, data };
}

/** NumPy broadcasting of two shapes. */
export function broadcastDims(a: readonly number[], b: readonly number[]): number[] {
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

/** The ONNX Reshape target (0 keeps a dimension, -1 takes the rest). */
export function reshapeDims(from: readonly number[], target: readonly number[], allowZero = false): number[] {
  const dims = target.map((d, i) => (d === 0 && !allowZero ? (from[i] ?? 0) : d));
  const known = dims.reduce((n, d) => (d === -1 ? n : n * d), 1);
  return dims.map((d) => (d === -1 ? size(from) / known : d));
}

export function transposeConst(c: Const, perm: readonly number[]): Const {
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
export function gatherConst(data: Const, indices: Const, axis: number): Const {
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

/** Range from its start, limit and delta. */
export function rangeConst(bounds: readonly Const[]): Const {
  const [start = 0, limit = 0, delta = 1] = bounds.map((c) => scalarOf(c) ?? 0);
  const n = Math.max(0, Math.ceil((limit - start) / (delta || 1)));
  return makeConst(bounds[0]?.type ?? 'int', [n], Array.from({ length: n }, (_, i) => start + i * delta));
}

/** ConstantOfShape: `shape` filled with the first value of `fill`. */
export function constantOfShape(shape: Const, fill: Const): Const {
  const dims = Array.from(shape.data);
  return makeConst(fill.type, dims, new Array<number>(size(dims)).fill(fill.data[0] ?? 0));
}

/** Expand of a constant to `shape`. */
export function expandConst(c: Const, shape: readonly number[]): Const {
  return broadcastMap([c, makeConst(c.type, shape, new Array<number>(size(shape)).fill(0))], c.type, (x) => x);
}

/** Cast of a constant to an ONNX type. */
export function castConst(c: Const, type: ConstType): Const {
  const values = Array.from(c.data, (x) => (type === 'bool' ? (x ? 1 : 0) : type === 'float32' ? x : Math.trunc(x)));
  return makeConst(type, c.dims, values);
}

/** The binary (and Where's ternary) ops on constants; null for an op not folded. */
export function foldElementwise(op: string, consts: readonly Const[]): Const | null {
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
  if (!f) return null;
  return broadcastMap(consts, type, f);
}

/** The unary ops on a constant; null for an op not folded. */
export function foldUnary(op: string, c: Const): Const | null {
  const f: Record<string, (x: number) => number> = { Sqrt: Math.sqrt, Tanh: Math.tanh, Exp: Math.exp, Neg: (x) => -x, Not: (x) => (x ? 0 : 1) };
  const fn = f[op];
  if (!fn) return null;
  return makeConst(c.type, c.dims, Array.from(c.data, fn));
}

/** Concat of constants along `axis`, into `dims`. */
export function concatConst(parts: readonly Const[], axis: number, dims: readonly number[]): Const {
  const outer = size((parts[0]?.dims ?? []).slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = size(p.dims.slice(axis));
      for (let k = 0; k < chunk; k++) out.push(p.data[o * chunk + k] ?? 0);
    }
  }
  return makeConst(parts[0]?.type ?? 'float32', dims, out);
}

/** Slice of a constant (step 1) from `begin`, giving `dims`. */
export function sliceConst(c: Const, begin: readonly number[], dims: readonly number[]): Const {
  const rank = c.dims.length;
  const inStrides = stridesOf(c.dims);
  const out = new Array<number>(size(dims));
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    out[i] = c.data[index.reduce((o, x, d) => o + (x + (begin[d] ?? 0)) * (inStrides[d] ?? 0), 0)] ?? 0;
    for (let d = rank - 1; d >= 0; d--) {
      index[d] = (index[d] ?? 0) + 1;
      if ((index[d] ?? 0) < (dims[d] ?? 1)) break;
      index[d] = 0;
    }
  }
  return makeConst(c.type, dims, out);
}

/** DequantizeLinear of constant 8-bit data (per tensor, or per channel along `axis`). */
export function dequantizeConst(q: Const, scale: Const, zero: Const | null, axis: number): Const {
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
