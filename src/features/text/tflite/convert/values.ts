// What an ONNX value is while the converter works: a constant (folded in JS), a tensor of the
// TFLite graph, or a step of a pattern on its way to one TFLite op; and the error for a model the
// converter cannot express.

/** The model uses something this converter cannot express in TFLite. */
export class UnsupportedModelError extends Error {
  override name = 'UnsupportedModelError';
}

export type RuntimeType = 'float32' | 'int32' | 'bool' | 'uint8' | 'int8';
/** Constant data: floats, integers (held as doubles: int64 shape values fit), booleans, raw 8-bit. */
export type ConstType = 'float32' | 'int' | 'bool' | 'uint8' | 'int8';
export type ConstData = Float32Array | Float64Array | Uint8Array | Int8Array;

export interface Const {
  readonly kind: 'const';
  readonly type: ConstType;
  readonly dims: readonly number[];
  readonly data: ConstData;
}

export interface Runtime {
  readonly kind: 'runtime';
  readonly tensor: number;
  readonly type: RuntimeType;
  readonly dims: readonly number[];
}

/** Steps of a pattern on its way to one TFLite op; never written to the graph themselves. */
export type Pending =
  | { readonly kind: 'dynamic-quantized'; readonly part: 0 | 1 | 2; readonly x: Runtime }
  | { readonly kind: 'integer-matmul'; readonly x: Runtime; readonly weight: Const; readonly weightZero: Const | null; readonly float: boolean }
  | { readonly kind: 'input-scale'; readonly x: Runtime; readonly weightScale: Const }
  | { readonly kind: 'gelu'; readonly stage: 'scaled' | 'erf' | 'erf+1' | 'x(erf+1)' | '(erf+1)/2'; readonly x: Runtime };

export type Value = Const | Runtime | Pending;

/** ONNX TensorProto.DataType -> the type a value of it has here. */
export function onnxType(dataType: number): ConstType {
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

export const runtimeTypeOf = (t: ConstType): RuntimeType => (t === 'int' ? 'int32' : t);
export const isPending = (v: Value): v is Pending => v.kind !== 'const' && v.kind !== 'runtime';
export const size = (dims: readonly number[]) => dims.reduce((n, d) => n * d, 1);
export const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
export const scalarOf = (c: Const): number | null => (size(c.dims) === 1 ? (c.data[0] ?? null) : null);
