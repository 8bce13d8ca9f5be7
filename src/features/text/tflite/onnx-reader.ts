// Reads an ONNX model (a protobuf ModelProto) into the graph the ONNX->TFLite converter walks:
// nodes with their attributes, initializers (constant tensors) and the graph's inputs and outputs.
//
// A small decoder of the protobuf wire format rather than a protobuf library: only the dozen
// fields below are needed, and an initializer's bytes stay a view into the model's buffer (the
// hub's int8 model is 82 MB; nothing is copied). Field numbers are those of onnx.proto, the same
// as scripts/lib/onnx-proto.mjs (which encodes the test models).

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  /** TensorProto.DataType: 1 float, 2 uint8, 3 int8, 6 int32, 7 int64, 9 bool. */
  readonly dataType: number;
  /** Little-endian element bytes (raw_data, or the typed fields re-encoded). */
  readonly bytes: Uint8Array;
}

export type OnnxAttribute = number | readonly number[] | string | OnnxTensor;

export interface OnnxNode {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: number;
  /** A number per fixed dimension, a name (`batch_size`) per free one. */
  readonly shape: ReadonlyArray<number | string>;
}

export interface OnnxGraph {
  readonly opset: number;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;
const decoder = new TextDecoder();

/** One protobuf message: calls `onField` for each field, with a reader positioned on its value. */
class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new Error('ONNX model: truncated varint');
      const b = this.bytes[this.pos++] ?? 0;
      // Lengths and field keys: far below 2^53, so a double holds them exactly.
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
      if (shift > 63) throw new Error('ONNX model: varint too long');
    }
    return result;
  }

  /** A varint read as a signed 64-bit integer (two's complement, as protobuf's int64). */
  int64(): number {
    // A negative value takes 10 bytes, beyond a double's precision: assemble it as a BigInt.
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('ONNX model: truncated varint');
      const b = this.bytes[this.pos++] ?? 0;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
      if (shift > 63n) throw new Error('ONNX model: varint too long');
    }
    return Number(BigInt.asIntN(64, result));
  }

  lengthDelimited(): Reader {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) throw new Error('ONNX model: a field runs past its message');
    this.pos += length;
    return new Reader(this.bytes, start, start + length);
  }

  view(): Uint8Array {
    const r = this.lengthDelimited();
    return this.bytes.subarray(r.pos, r.end);
  }

  string(): string {
    return decoder.decode(this.view());
  }

  float32(): number {
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    if (wire === WIRE.VARINT) this.varint();
    else if (wire === WIRE.I64) this.pos += 8;
    else if (wire === WIRE.LEN) this.lengthDelimited();
    else if (wire === WIRE.I32) this.pos += 4;
    else throw new Error(`ONNX model: unknown wire type ${wire}`);
  }

  /** Calls `onField` per field; a field it did not read is skipped. */
  fields(onField: (field: number, wire: number) => void): void {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      const start = this.pos;
      onField(field, wire);
      if (this.pos === start) this.skip(wire);
    }
  }

  /** A repeated scalar field, packed (one LEN field) or not (one field per value). */
  repeated(wire: number, readOne: (r: Reader) => number, into: number[]): void {
    if (wire === WIRE.LEN) {
      const r = this.lengthDelimited();
      while (r.pos < r.end) into.push(readOne(r));
    } else {
      into.push(readOne(this));
    }
  }
}

/** Reads a model; throws on bytes that are not an ONNX model. */
export function readOnnx(bytes: Uint8Array): OnnxGraph {
  let graph: Reader | null = null;
  let opset = 0;
  const model = new Reader(bytes);
  model.fields((field, wire) => {
    if (field === 7 && wire === WIRE.LEN) graph = model.lengthDelimited();
    else if (field === 8 && wire === WIRE.LEN) {
      const o = model.lengthDelimited();
      let domain = '';
      let version = 0;
      o.fields((f, w) => {
        if (f === 1 && w === WIRE.LEN) domain = o.string();
        else if (f === 2 && w === WIRE.VARINT) version = o.varint();
      });
      if (domain === '' || domain === 'ai.onnx') opset = Math.max(opset, version);
    }
  });
  if (!graph) throw new Error('not an ONNX model (no graph)');
  const g: Reader = graph;
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxTensor>();
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  g.fields((field, wire) => {
    if (wire !== WIRE.LEN) return;
    if (field === 1) nodes.push(readNode(g.lengthDelimited()));
    else if (field === 5) {
      const t = readTensor(g.lengthDelimited());
      initializers.set(t.name, t);
    } else if (field === 11) inputs.push(readValueInfo(g.lengthDelimited()));
    else if (field === 12) outputs.push(readValueInfo(g.lengthDelimited()));
  });
  // Inputs that are initializers (older exporters list them) are constants, not model inputs.
  return { opset, nodes, initializers, inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
}

function readNode(r: Reader): OnnxNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes = new Map<string, OnnxAttribute>();
  let name = '';
  let opType = '';
  let domain = '';
  r.fields((field, wire) => {
    if (wire !== WIRE.LEN) return;
    if (field === 1) inputs.push(r.string());
    else if (field === 2) outputs.push(r.string());
    else if (field === 3) name = r.string();
    else if (field === 4) opType = r.string();
    else if (field === 7) domain = r.string();
    else if (field === 5) {
      const [key, value] = readAttribute(r.lengthDelimited());
      if (value !== undefined) attributes.set(key, value);
    }
  });
  return { opType, domain, name, inputs, outputs, attributes };
}

function readAttribute(r: Reader): [string, OnnxAttribute | undefined] {
  let name = '';
  let value: OnnxAttribute | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  r.fields((field, wire) => {
    if (field === 1 && wire === WIRE.LEN) name = r.string();
    else if (field === 2 && wire === WIRE.I32) value = r.float32();
    else if (field === 3 && wire === WIRE.VARINT) value = r.int64();
    else if (field === 4 && wire === WIRE.LEN) value = r.string();
    else if (field === 5 && wire === WIRE.LEN) value = readTensor(r.lengthDelimited());
    else if (field === 7) r.repeated(wire, (x) => x.float32(), floats);
    else if (field === 8) r.repeated(wire, (x) => x.int64(), ints);
  });
  if (value === undefined && floats.length > 0) value = floats;
  if (value === undefined && ints.length > 0) value = ints;
  return [name, value];
}

function readTensor(r: Reader): OnnxTensor {
  const dims: number[] = [];
  const floats: number[] = [];
  const int32s: number[] = [];
  const int64s: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | null = null;
  r.fields((field, wire) => {
    if (field === 1) r.repeated(wire, (x) => x.int64(), dims);
    else if (field === 2 && wire === WIRE.VARINT) dataType = r.varint();
    else if (field === 4) r.repeated(wire, (x) => x.float32(), floats);
    else if (field === 5) r.repeated(wire, (x) => x.int64(), int32s);
    else if (field === 7) r.repeated(wire, (x) => x.int64(), int64s);
    else if (field === 8 && wire === WIRE.LEN) name = r.string();
    else if (field === 9 && wire === WIRE.LEN) raw = r.view();
  });
  return { name, dims, dataType, bytes: raw ?? typedBytes(dataType, floats, int32s, int64s) };
}

/** The typed-field forms of a tensor's data, as raw little-endian bytes. */
function typedBytes(dataType: number, floats: number[], int32s: number[], int64s: number[]): Uint8Array {
  if (floats.length > 0) return new Uint8Array(Float32Array.from(floats).buffer);
  if (int64s.length > 0) return new Uint8Array(BigInt64Array.from(int64s.map((v) => BigInt(v))).buffer);
  if (int32s.length > 0) {
    // int32_data also carries the 8- and 16-bit types and bool, one value per element.
    if (dataType === 2 || dataType === 9) return Uint8Array.from(int32s);
    if (dataType === 3) return new Uint8Array(Int8Array.from(int32s).buffer);
    return new Uint8Array(Int32Array.from(int32s).buffer);
  }
  return new Uint8Array(0);
}

function readValueInfo(r: Reader): OnnxValueInfo {
  let name = '';
  let elemType = 0;
  const shape: Array<number | string> = [];
  r.fields((field, wire) => {
    if (field === 1 && wire === WIRE.LEN) name = r.string();
    else if (field === 2 && wire === WIRE.LEN) {
      const type = r.lengthDelimited();
      type.fields((f, w) => {
        if (f !== 1 || w !== WIRE.LEN) return;
        const tensorType = type.lengthDelimited();
        tensorType.fields((tf, tw) => {
          if (tf === 1 && tw === WIRE.VARINT) elemType = tensorType.varint();
          else if (tf === 2 && tw === WIRE.LEN) {
            const s = tensorType.lengthDelimited();
            s.fields((sf, sw) => {
              if (sf !== 1 || sw !== WIRE.LEN) return;
              const dim = s.lengthDelimited();
              let value: number | string = '?';
              dim.fields((df, dw) => {
                if (df === 1 && dw === WIRE.VARINT) value = dim.int64();
                else if (df === 2 && dw === WIRE.LEN) value = dim.string();
              });
              shape.push(value);
            });
          }
        });
      });
    }
  });
  return { name, elemType, shape };
}
