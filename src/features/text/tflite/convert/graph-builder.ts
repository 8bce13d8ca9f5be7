// Assembles the TFLite graph the converter writes: its tensors (constant data as their buffers,
// each constant written once per type), its operators in order, and at the end the model for
// model-writer.ts, without the operators nobody reads and the tensors nobody uses.
import { BuiltinOp, TensorType, type BuiltinOpCode, type OperatorOptions, type Quantization, type TensorTypeCode, type TfliteModel, type TfliteOperator, type TfliteTensor } from '../model-writer';
import { makeConst } from './folding';
import { UnsupportedModelError, runtimeTypeOf, type Const, type Runtime, type RuntimeType, type Value } from './values';

/** An operator as written so far: a later step may still fuse an input (a bias) into it. */
export interface MutableOperator {
  op: BuiltinOpCode;
  version: number;
  inputs: number[];
  outputs: number[];
  options?: OperatorOptions;
}

export const TFLITE_TYPE: Readonly<Record<RuntimeType, TensorTypeCode>> = {
  float32: TensorType.FLOAT32,
  int32: TensorType.INT32,
  bool: TensorType.BOOL,
  uint8: TensorType.UINT8,
  int8: TensorType.INT8,
};

export class GraphBuilder {
  private readonly tensors: Array<{ -readonly [K in keyof TfliteTensor]: TfliteTensor[K] }> = [];
  private readonly operators: MutableOperator[] = [];
  /** The operator that wrote a tensor. */
  private readonly producer = new Map<number, MutableOperator>();
  private readonly constTensors = new Map<Const, Map<RuntimeType, number>>();

  /** How many tensors there are so far (names of new tensors count with it). */
  get tensorCount(): number {
    return this.tensors.length;
  }

  nameOf(tensor: number): string | undefined {
    return this.tensors[tensor]?.name;
  }

  rename(tensor: number, name: string): void {
    this.tensors[tensor]!.name = name;
  }

  quantize(tensor: number, quantization: Quantization): void {
    this.tensors[tensor]!.quantization = quantization;
  }

  /** The operator that wrote `tensor`, if an operator did. */
  producerOf(tensor: number): MutableOperator | undefined {
    return this.producer.get(tensor);
  }

  addTensor(name: string, type: RuntimeType, dims: readonly number[], data?: Uint8Array, quantization?: Quantization): number {
    this.tensors.push({ name, type: TFLITE_TYPE[type], shape: [...dims], ...(data ? { data } : {}), ...(quantization ? { quantization } : {}) });
    return this.tensors.length - 1;
  }

  emit(op: BuiltinOpCode, inputs: number[], out: { name: string; type: RuntimeType; dims: readonly number[] }, options?: OperatorOptions, version = 1): Runtime {
    const tensor = this.addTensor(out.name, out.type, out.dims);
    const operator: MutableOperator = { op, version, inputs, outputs: [tensor], ...(options ? { options } : {}) };
    this.operators.push(operator);
    this.producer.set(tensor, operator);
    return { kind: 'runtime', tensor, type: out.type, dims: out.dims };
  }

  /** A constant as a tensor of `type` (written once per constant and type). */
  constTensor(c: Const, type: RuntimeType = runtimeTypeOf(c.type)): number {
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

  int32Tensor(values: readonly number[], dims: readonly number[] = [values.length]): number {
    return this.constTensor(makeConst('int', dims, values), 'int32');
  }

  /** A value as a graph tensor: constants become constant tensors; a pattern left half-way cannot. */
  runtime(v: Value, context: string): Runtime {
    if (v.kind === 'runtime') return v;
    if (v.kind === 'const') return { kind: 'runtime', tensor: this.constTensor(v), type: runtimeTypeOf(v.type), dims: v.dims };
    throw new UnsupportedModelError(`${context}: a partial ${v.kind} pattern is used on its own`);
  }

  /** An operand of `type`: a constant written as that type, or the value's tensor. */
  operand(v: Value, type: RuntimeType, context: string): number {
    return v.kind === 'const' ? this.constTensor(v, type) : this.runtime(v, context).tensor;
  }

  castTensor(t: Runtime, type: RuntimeType): number {
    return this.emit(BuiltinOp.CAST, [t.tensor], { name: `cast_${this.tensors.length}`, type, dims: t.dims }, { kind: 'cast', inDataType: TFLITE_TYPE[t.type], outDataType: TFLITE_TYPE[type] }).tensor;
  }

  reshape(x: Runtime, dims: readonly number[], name: string): Runtime {
    return this.emit(BuiltinOp.RESHAPE, [x.tensor, this.int32Tensor(dims)], { name, type: x.type, dims }, { kind: 'reshape', newShape: dims });
  }

  /** The model, without the operators nobody reads and the tensors nobody uses. */
  finish(inputs: number[], outputs: number[], description: string): TfliteModel {
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
    return { description, tensors, inputs: inputs.map(at), outputs: outputs.map(at), operators };
  }
}
