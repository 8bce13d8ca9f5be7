// Writes and reads TensorFlow Lite models: the FlatBuffers file (identifier "TFL3") that LiteRT.js
// runs. The second text engine converts the hub's ONNX model into one of these on the
// device; this module is the format, the converter (still to come) decides what goes in it.
//
// Field numbers follow the TFLite schema (schema.fbs): a table's fields are numbered in the order
// they are declared, a union takes two numbers (its type, then its value), and new fields are only
// ever appended, so the numbers below never change meaning.
import { Builder, ByteBuffer, type Offset } from 'flatbuffers';

/** TFLite's TensorType values used here. */
export const TensorType = { FLOAT32: 0, INT32: 2, UINT8: 3, INT64: 4, BOOL: 6, INT8: 9 } as const;
export type TensorTypeCode = (typeof TensorType)[keyof typeof TensorType];

/** TFLite's BuiltinOperator values used here. */
export const BuiltinOp = {
  ADD: 0,
  CONCATENATION: 2,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  MUL: 18,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  GATHER: 36,
  TRANSPOSE: 39,
  MEAN: 40,
  SUB: 41,
  DIV: 42,
  SQUEEZE: 43,
  STRIDED_SLICE: 45,
  EXP: 47,
  CAST: 53,
  MAXIMUM: 55,
  MINIMUM: 57,
  NEG: 59,
  EQUAL: 71,
  NOT_EQUAL: 72,
  SUM: 74,
  SQRT: 75,
  RSQRT: 76,
  POW: 78,
  LOGICAL_NOT: 87,
  SQUARED_DIFFERENCE: 99,
  SELECT_V2: 123,
  BATCH_MATMUL: 126,
  CUMSUM: 128,
  BROADCAST_TO: 130,
  GELU: 150,
} as const;
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

type FieldKind = 'int8' | 'bool' | 'int32' | 'float32' | 'int32s';
/**
 * The option tables written here: the table's number in the BuiltinOptions union (1-based, in
 * schema order) and, per field, its slot and type. Ops without options (TANH, RSQRT, ...) are absent.
 */
const OPTION_TABLES = {
  // y = x·Wᵀ + b, W [out, in]. Float x with int8 W is LiteRT's "hybrid" kernel: x is quantized
  // per row on the fly (with a zero point when asymmetricQuantizeInputs), W stays int8.
  'fully-connected': { union: 8, fields: { activation: [0, 'int8'], keepNumDims: [2, 'bool'], asymmetricQuantizeInputs: [3, 'bool'] } },
  softmax: { union: 9, fields: { beta: [0, 'float32'] } },
  concatenation: { union: 10, fields: { axis: [0, 'int32'], activation: [1, 'int8'] } },
  add: { union: 11, fields: { activation: [0, 'int8'] } },
  reshape: { union: 17, fields: { newShape: [0, 'int32s'] } },
  mul: { union: 21, fields: { activation: [0, 'int8'] } },
  gather: { union: 23, fields: { axis: [0, 'int32'], batchDims: [1, 'int32'] } },
  transpose: { union: 26, fields: {} },
  reducer: { union: 27, fields: { keepDims: [0, 'bool'] } },
  sub: { union: 28, fields: { activation: [0, 'int8'] } },
  div: { union: 29, fields: { activation: [0, 'int8'] } },
  squeeze: { union: 30, fields: { squeezeDims: [0, 'int32s'] } },
  'strided-slice': { union: 32, fields: { beginMask: [0, 'int32'], endMask: [1, 'int32'], shrinkAxisMask: [4, 'int32'] } },
  exp: { union: 33, fields: {} },
  cast: { union: 37, fields: { inDataType: [0, 'int8'], outDataType: [1, 'int8'] } },
  dequantize: { union: 38, fields: {} },
  'maximum-minimum': { union: 39, fields: {} },
  neg: { union: 42, fields: {} },
  equal: { union: 53, fields: {} },
  'not-equal': { union: 54, fields: {} },
  pow: { union: 56, fields: {} },
  'logical-not': { union: 63, fields: {} },
  'squared-difference': { union: 76, fields: {} },
  'select-v2': { union: 98, fields: {} },
  'batch-matmul': { union: 101, fields: { adjX: [0, 'bool'], adjY: [1, 'bool'], asymmetricQuantizeInputs: [2, 'bool'] } },
  cumsum: { union: 102, fields: { exclusive: [0, 'bool'], reverse: [1, 'bool'] } },
  'broadcast-to': { union: 104, fields: {} },
  gelu: { union: 116, fields: { approximate: [0, 'bool'] } },
} as const satisfies Record<string, { union: number; fields: Record<string, readonly [number, FieldKind]> }>;

type OptionTables = typeof OPTION_TABLES;
type FieldValue<K extends FieldKind> = K extends 'bool' ? boolean : K extends 'int32s' ? readonly number[] : number;
/** One operator's options: `kind` names the table, every field is optional (the schema's default). */
export type OperatorOptions = {
  [K in keyof OptionTables]: { readonly kind: K } & {
    readonly [F in keyof OptionTables[K]['fields']]?: OptionTables[K]['fields'][F] extends readonly [number, infer T extends FieldKind] ? FieldValue<T> : never;
  };
}[keyof OptionTables];
export type OptionsKind = OperatorOptions['kind'];

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
/** Constant buffers are aligned so the runtime can use them in place. */
const BUFFER_ALIGN = 16;

/** The model as a .tflite file. */
export function writeTflite(model: TfliteModel): Uint8Array<ArrayBuffer> {
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
    b.startObject(9);
    b.addFieldOffset(0, shape, 0); // Tensor.shape
    b.addFieldInt8(1, t.type, 0); // .type
    b.addFieldInt32(2, bufferOf[i] ?? 0, 0); // .buffer
    b.addFieldOffset(3, name, 0); // .name
    if (quantization) b.addFieldOffset(4, quantization, 0); // .quantization
    b.addFieldInt8(8, 1, 0); // .has_rank: a shape [] is a scalar, not an unknown rank
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
      b.addFieldInt8(3, OPTION_TABLES[o.options.kind].union, 0); // .builtin_options_type
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
  return b.asUint8Array() as Uint8Array<ArrayBuffer>;
}

function writeOptions(b: Builder, options: OperatorOptions): Offset {
  const fields = Object.entries(OPTION_TABLES[options.kind].fields) as Array<[string, readonly [number, FieldKind]]>;
  const values = options as unknown as Readonly<Record<string, number | boolean | readonly number[] | undefined>>;
  // Vectors are built before the table that points at them.
  const vectors = new Map<string, Offset>();
  for (const [name, [, kind]] of fields) {
    const value = values[name];
    if (kind !== 'int32s' || !Array.isArray(value)) continue;
    b.startVector(4, value.length, 4);
    for (let i = value.length - 1; i >= 0; i--) b.addInt32(value[i] ?? 0);
    vectors.set(name, b.endVector());
  }
  b.startObject(fields.reduce((n, [, [slot]]) => Math.max(n, slot + 1), 0));
  for (const [name, [slot, kind]] of fields) {
    const value = values[name];
    if (value === undefined) continue;
    if (kind === 'int32s') b.addFieldOffset(slot, vectors.get(name) ?? 0, 0);
    else if (kind === 'float32') b.addFieldFloat32(slot, Number(value), 0);
    else if (kind === 'int32') b.addFieldInt32(slot, Number(value), 0);
    else b.addFieldInt8(slot, Number(value), 0);
  }
  return b.endObject();
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
    const readOptions = (union: number, at: number): OperatorOptions => {
      const entry = Object.entries(OPTION_TABLES).find(([, t]) => t.union === union);
      if (!entry) throw new Error(`options table ${union} is not one this module writes`);
      const [kind, { fields }] = entry;
      const out: Record<string, unknown> = { kind };
      for (const [name, [slot, type]] of Object.entries(fields) as Array<[string, readonly [number, FieldKind]]>) {
        if (type === 'int32s') out[name] = vector(at, slot, 4, (p) => bb.readInt32(p));
        else if (type === 'float32') out[name] = field(at, slot) ? bb.readFloat32(at + field(at, slot)) : 0;
        else if (type === 'int32') out[name] = int32(at, slot);
        else if (type === 'bool') out[name] = int8(at, slot) === 1;
        else out[name] = int8(at, slot);
      }
      return out as OperatorOptions;
    };
    return {
      op: code.op,
      version: code.version,
      inputs: vector(o, 1, 4, (at) => bb.readInt32(at)),
      outputs: vector(o, 2, 4, (at) => bb.readInt32(at)),
      ...(opts ? { options: readOptions(optionsType, opts) } : {}),
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
