// Writes and reads TensorFlow Lite models: the FlatBuffers file (identifier "TFL3") that LiteRT.js
// runs. Issue 18's second text engine converts the hub's ONNX model into one of these on the
// device; this module is the format, the converter (still to come) decides what goes in it.
//
// Field numbers follow the TFLite schema (schema.fbs): a table's fields are numbered in the order
// they are declared, a union takes two numbers (its type, then its value), and new fields are only
// ever appended, so the numbers below never change meaning.
import { Builder, ByteBuffer, type Offset } from 'flatbuffers';

/** TFLite's TensorType values used here. */
export const TensorType = { FLOAT32: 0, INT32: 2, INT64: 4, BOOL: 6, INT8: 9 } as const;
export type TensorTypeCode = (typeof TensorType)[keyof typeof TensorType];

/** TFLite's BuiltinOperator values used here. */
export const BuiltinOp = { FULLY_CONNECTED: 9 } as const;
export type BuiltinOpCode = (typeof BuiltinOp)[keyof typeof BuiltinOp];

/** The activation fused into an operator (ActivationFunctionType). */
export const Activation = { NONE: 0, RELU: 1 } as const;

/** Per-tensor (one scale) or per-channel (one scale per slice along `axis`) affine quantization. */
export interface Quantization {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly axis: number;
}

export interface TfliteTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: TensorTypeCode;
  /** Constant data, little-endian, row-major; absent for activations. */
  readonly data?: Uint8Array;
  readonly quantization?: Quantization;
}

/** FULLY_CONNECTED: y = x·Wᵀ + b, W [out, in]. Float x with int8 W is LiteRT's "hybrid" kernel. */
export interface FullyConnectedOptions {
  readonly kind: 'fully-connected';
  readonly activation?: number;
  /** Keep x's leading dimensions instead of flattening them to one. */
  readonly keepNumDims?: boolean;
  /** Hybrid kernel: quantise the float input with a zero point (asymmetric) instead of without. */
  readonly asymmetricQuantizeInputs?: boolean;
}

export type OperatorOptions = FullyConnectedOptions;

export interface TfliteOperator {
  readonly op: BuiltinOpCode;
  /** The operator's version: the lowest that has every feature the model uses. */
  readonly version: number;
  /** Tensor indices; -1 for an optional input left out. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly options?: OperatorOptions;
}

export interface TfliteModel {
  readonly description: string;
  readonly tensors: readonly TfliteTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly operators: readonly TfliteOperator[];
}

const SCHEMA_VERSION = 3;
const FILE_ID = 'TFL3';
/** BuiltinOptions union members used here (the union's 1-based order in the schema). */
const OPTIONS_TYPE: Readonly<Record<OperatorOptions['kind'], number>> = { 'fully-connected': 8 };
/** Constant buffers are aligned so the runtime can use them in place. */
const BUFFER_ALIGN = 16;

/** The model as a .tflite file. */
export function writeTflite(model: TfliteModel): Uint8Array {
  const dataBytes = model.tensors.reduce((n, t) => n + (t.data?.byteLength ?? 0) + BUFFER_ALIGN, 0);
  const b = new Builder(dataBytes + 64 * 1024);

  const ints = (values: readonly number[]): Offset => {
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i] ?? 0);
    return b.endVector();
  };
  const floats = (values: readonly number[]): Offset => {
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i] ?? 0);
    return b.endVector();
  };
  const longs = (values: readonly number[]): Offset => {
    b.startVector(8, values.length, 8);
    for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i] ?? 0));
    return b.endVector();
  };
  const tables = (offsets: readonly Offset[]): Offset => {
    b.startVector(4, offsets.length, 4);
    for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] ?? 0);
    return b.endVector();
  };

  // Buffers: 0 is the empty sentinel the schema requires; each constant tensor gets its own.
  const bufferOf: number[] = [];
  const bufferTables: Offset[] = [];
  b.startObject(1);
  bufferTables.push(b.endObject());
  for (const t of model.tensors) {
    if (!t.data) {
      bufferOf.push(0);
      continue;
    }
    b.prep(BUFFER_ALIGN, t.data.byteLength);
    const bytes = b.createByteVector(t.data);
    b.startObject(1);
    b.addFieldOffset(0, bytes, 0); // Buffer.data
    bufferOf.push(bufferTables.length);
    bufferTables.push(b.endObject());
  }

  const tensorTables = model.tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = ints(t.shape);
    let quantization = 0;
    if (t.quantization) {
      const scale = floats(t.quantization.scale);
      const zeroPoint = longs(t.quantization.zeroPoint);
      b.startObject(7);
      b.addFieldOffset(2, scale, 0); // QuantizationParameters.scale
      b.addFieldOffset(3, zeroPoint, 0); // .zero_point
      b.addFieldInt32(6, t.quantization.axis, 0); // .quantized_dimension
      quantization = b.endObject();
    }
    b.startObject(5);
    b.addFieldOffset(0, shape, 0); // Tensor.shape
    b.addFieldInt8(1, t.type, 0); // .type
    b.addFieldInt32(2, bufferOf[i] ?? 0, 0); // .buffer
    b.addFieldOffset(3, name, 0); // .name
    if (quantization) b.addFieldOffset(4, quantization, 0); // .quantization
    return b.endObject();
  });

  // One OperatorCode per distinct (op, version); operators point at theirs by index.
  const codes: Array<{ op: BuiltinOpCode; version: number }> = [];
  const codeIndex = (op: BuiltinOpCode, version: number) => {
    let i = codes.findIndex((c) => c.op === op && c.version === version);
    if (i < 0) i = codes.push({ op, version }) - 1;
    return i;
  };
  const operatorTables = model.operators.map((o) => {
    const options = o.options ? writeOptions(b, o.options) : 0;
    const inputs = ints(o.inputs);
    const outputs = ints(o.outputs);
    b.startObject(5);
    b.addFieldInt32(0, codeIndex(o.op, o.version), 0); // Operator.opcode_index
    b.addFieldOffset(1, inputs, 0); // .inputs
    b.addFieldOffset(2, outputs, 0); // .outputs
    if (o.options) {
      b.addFieldInt8(3, OPTIONS_TYPE[o.options.kind], 0); // .builtin_options_type
      b.addFieldOffset(4, options, 0); // .builtin_options
    }
    return b.endObject();
  });
  const codeTables = codes.map((c) => {
    b.startObject(4);
    b.addFieldInt8(0, Math.min(c.op, 127), 0); // OperatorCode.deprecated_builtin_code
    b.addFieldInt32(2, c.version, 1); // .version
    b.addFieldInt32(3, c.op, 0); // .builtin_code
    return b.endObject();
  });

  const tensors = tables(tensorTables);
  const inputs = ints(model.inputs);
  const outputs = ints(model.outputs);
  const operators = tables(operatorTables);
  const graphName = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0); // SubGraph.tensors
  b.addFieldOffset(1, inputs, 0); // .inputs
  b.addFieldOffset(2, outputs, 0); // .outputs
  b.addFieldOffset(3, operators, 0); // .operators
  b.addFieldOffset(4, graphName, 0); // .name
  const graph = b.endObject();

  const operatorCodes = tables(codeTables);
  const subgraphs = tables([graph]);
  const description = b.createString(model.description);
  const buffers = tables(bufferTables);
  b.startObject(5);
  b.addFieldInt32(0, SCHEMA_VERSION, 0); // Model.version
  b.addFieldOffset(1, operatorCodes, 0); // .operator_codes
  b.addFieldOffset(2, subgraphs, 0); // .subgraphs
  b.addFieldOffset(3, description, 0); // .description
  b.addFieldOffset(4, buffers, 0); // .buffers
  b.finish(b.endObject(), FILE_ID);
  return b.asUint8Array();
}

function writeOptions(b: Builder, options: OperatorOptions): Offset {
  switch (options.kind) {
    case 'fully-connected':
      b.startObject(4);
      b.addFieldInt8(0, options.activation ?? Activation.NONE, 0); // fused_activation_function
      b.addFieldInt8(2, options.keepNumDims ? 1 : 0, 0); // keep_num_dims
      b.addFieldInt8(3, options.asymmetricQuantizeInputs ? 1 : 0, 0); // asymmetric_quantize_inputs
      return b.endObject();
  }
}

/** Reads a model written by `writeTflite` (its first subgraph) back: for tests and debugging. */
export function readTflite(bytes: Uint8Array): TfliteModel {
  const bb = new ByteBuffer(bytes);
  if (bb.getBufferIdentifier() !== FILE_ID) throw new Error('not a TFLite model (no "TFL3" identifier)');
  const root = bb.readInt32(bb.position()) + bb.position();

  const field = (table: number, slot: number) => bb.__offset(table, 4 + 2 * slot);
  const int32 = (table: number, slot: number, fallback = 0) => {
    const o = field(table, slot);
    return o ? bb.readInt32(table + o) : fallback;
  };
  const int8 = (table: number, slot: number, fallback = 0) => {
    const o = field(table, slot);
    return o ? bb.readInt8(table + o) : fallback;
  };
  const str = (table: number, slot: number) => {
    const o = field(table, slot);
    return o ? String(bb.__string(table + o)) : '';
  };
  const table = (table: number, slot: number) => {
    const o = field(table, slot);
    return o ? bb.__indirect(table + o) : 0;
  };
  const vector = <T>(table: number, slot: number, size: number, read: (at: number) => T): T[] => {
    const o = field(table, slot);
    if (!o) return [];
    const start = bb.__vector(table + o);
    return Array.from({ length: bb.__vector_len(table + o) }, (_, i) => read(start + i * size));
  };
  const tablesOf = (t: number, slot: number) => vector(t, slot, 4, (at) => bb.__indirect(at));

  const buffers = tablesOf(root, 4).map((buf) => {
    const o = field(buf, 0);
    return o ? bytes.subarray(bb.__vector(buf + o), bb.__vector(buf + o) + bb.__vector_len(buf + o)) : undefined;
  });
  const codes = tablesOf(root, 1).map((c) => ({ op: int32(c, 3, int8(c, 0)) as BuiltinOpCode, version: int32(c, 2, 1) }));
  const graph = tablesOf(root, 2)[0];
  if (graph === undefined) throw new Error('the model has no subgraph');

  const tensors = tablesOf(graph, 0).map((t): TfliteTensor => {
    const data = buffers[int32(t, 2)];
    const q = table(t, 4);
    const scale = q ? vector(q, 2, 4, (at) => bb.readFloat32(at)) : [];
    return {
      name: str(t, 3),
      shape: vector(t, 0, 4, (at) => bb.readInt32(at)),
      type: int8(t, 1) as TensorTypeCode,
      ...(data && data.byteLength > 0 ? { data } : {}),
      ...(q && scale.length > 0
        ? { quantization: { scale, zeroPoint: vector(q, 3, 8, (at) => Number(bb.readInt64(at))), axis: int32(q, 6) } }
        : {}),
    };
  });
  const operators = tablesOf(graph, 3).map((o): TfliteOperator => {
    const code = codes[int32(o, 0)];
    if (!code) throw new Error('an operator points at no operator code');
    const optionsType = int8(o, 3);
    const opts = table(o, 4);
    return {
      op: code.op,
      version: code.version,
      inputs: vector(o, 1, 4, (at) => bb.readInt32(at)),
      outputs: vector(o, 2, 4, (at) => bb.readInt32(at)),
      ...(optionsType === OPTIONS_TYPE['fully-connected'] && opts
        ? {
            options: {
              kind: 'fully-connected' as const,
              activation: int8(opts, 0),
              keepNumDims: int8(opts, 2) === 1,
              asymmetricQuantizeInputs: int8(opts, 3) === 1,
            },
          }
        : {}),
    };
  });
  return {
    description: str(root, 3),
    tensors,
    inputs: vector(graph, 1, 4, (at) => bb.readInt32(at)),
    outputs: vector(graph, 2, 4, (at) => bb.readInt32(at)),
    operators,
  };
}
