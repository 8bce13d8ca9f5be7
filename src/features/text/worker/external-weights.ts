// The model's weights as ONNX "external data" pointing into the model's own file, for ONNX
// Runtime Web: given a model whose weights are inside it (as the hub's exports are), this writes
// the graph again without the large initializers' bytes, each replaced by a reference (offset and
// length) into the original file, which is then handed to the session as the external data file.
//
// Why: from one buffer, ONNX Runtime Web copies the whole model into its wasm heap, makes the
// initializers from that copy and frees it; wasm memory never shrinks, so the copy stays as a
// high-water mark (about the weights' size again). With external data, each initializer is
// copied straight from the JS bytes into its tensor.
//
// Only the protobuf framing is read and written (ModelProto.graph = 7, GraphProto.initializer =
// 5, TensorProto.raw_data = 9, external_data = 13, data_location = 14); every other field is
// copied byte for byte.

/** Initializers smaller than this stay in the graph. */
const MIN_EXTERNAL_BYTES = 1024;

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
const EXTERNAL = 1;

/** The graph to load, and how many initializers now point into the original file. */
export interface ExternalizedModel {
  readonly graph: Uint8Array<ArrayBuffer>;
  readonly externalized: number;
}

interface Field {
  readonly field: number;
  readonly wire: number;
  /** The whole field, tag included. */
  readonly start: number;
  readonly end: number;
  /** A length-delimited field's content. */
  readonly contentStart: number;
}

/**
 * The graph of `model` with every initializer of at least MIN_EXTERNAL_BYTES moved to external
 * data at `dataPath` (the original file). Throws on bytes that are not a protobuf message.
 */
export function externalizeWeights(model: Uint8Array, dataPath: string): ExternalizedModel {
  let externalized = 0;
  const out = new Writer();
  for (const f of fields(model, 0, model.length)) {
    if (f.field !== MODEL_GRAPH || f.wire !== 2) {
      out.raw(model.subarray(f.start, f.end));
      continue;
    }
    const graph = new Writer();
    for (const g of fields(model, f.contentStart, f.end)) {
      const tensor = g.field === GRAPH_INITIALIZER && g.wire === 2 ? externalTensor(model, g, dataPath) : null;
      if (tensor) {
        externalized += 1;
        graph.lengthDelimited(GRAPH_INITIALIZER, tensor);
      } else graph.raw(model.subarray(g.start, g.end));
    }
    out.lengthDelimited(MODEL_GRAPH, graph.bytes());
  }
  return { graph: out.bytes(), externalized };
}

/** The tensor with its raw data as a reference into the original file, or null to keep it as it is. */
function externalTensor(model: Uint8Array, tensor: Field, dataPath: string): Uint8Array | null {
  const parts = fields(model, tensor.contentStart, tensor.end);
  const raw = parts.find((p) => p.field === TENSOR_RAW_DATA && p.wire === 2);
  if (!raw || raw.end - raw.contentStart < MIN_EXTERNAL_BYTES) return null;
  const out = new Writer();
  for (const p of parts) if (p.field !== TENSOR_RAW_DATA && p.field !== TENSOR_DATA_LOCATION && p.field !== TENSOR_EXTERNAL_DATA) out.raw(model.subarray(p.start, p.end));
  for (const [key, value] of [
    ['location', dataPath],
    ['offset', String(raw.contentStart)],
    ['length', String(raw.end - raw.contentStart)],
  ] as const) {
    const entry = new Writer();
    entry.lengthDelimited(1, new TextEncoder().encode(key));
    entry.lengthDelimited(2, new TextEncoder().encode(value));
    out.lengthDelimited(TENSOR_EXTERNAL_DATA, entry.bytes());
  }
  out.tag(TENSOR_DATA_LOCATION, 0);
  out.varint(EXTERNAL);
  return out.bytes();
}

/** The fields of the message in bytes [from, to). */
function fields(bytes: Uint8Array, from: number, to: number): Field[] {
  const found: Field[] = [];
  let pos = from;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= to) throw new Error('The model file ends inside a number.');
      const b = bytes[pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error('The model file has a number that is too long.');
    }
  };
  while (pos < to) {
    const start = pos;
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let contentStart = pos;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const length = varint();
      contentStart = pos;
      pos += length;
    } else throw new Error(`The model file has a field of wire type ${wire}, which ONNX does not use.`);
    if (pos > to) throw new Error('The model file ends inside a field.');
    found.push({ field, wire, start, end: pos, contentStart });
  }
  return found;
}

/** Appends protobuf pieces and joins them once. */
class Writer {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  raw(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#length += bytes.length;
  }

  varint(value: number): void {
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.raw(Uint8Array.from(out));
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  lengthDelimited(field: number, content: Uint8Array): void {
    this.tag(field, 2);
    this.varint(content.length);
    this.raw(content);
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
