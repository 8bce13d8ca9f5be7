// The part of onnx.proto that our generators need (proto2; field numbers from onnx/onnx.proto),
// and small helpers to build tensors, value infos and nodes. Shared by the committed fixture
// model (scripts/make-fixture-model.mjs) and the benchmark's real-shape model (bench/real-shape/).
import protobuf from 'protobufjs';

export const ONNX_SCHEMA = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  optional string name = 1;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6;
    INT64 = 7; STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13;
  }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
  optional string doc_string = 12;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`;

const ONNX = protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root;
export const ModelProto = ONNX.lookupType('onnx.ModelProto');

/** TensorProto.DataType values. */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9 };
/** AttributeProto.AttributeType values. */
export const ATTR = { FLOAT: 1, INT: 2, GRAPH: 5, INTS: 7 };

export function tensor(name, dataType, dims, bytes) {
  return { name, data_type: dataType, dims, raw_data: bytes };
}
export function f32Bytes(values) {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf;
}
export function i64Bytes(values) {
  const buf = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => buf.writeBigInt64LE(BigInt(v), i * 8));
  return buf;
}
export function valueInfo(name, elemType, dims) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) },
      },
    },
  };
}

/** A node whose attributes are all integers (`[[name, value], ...]`). */
export function onnxNode(opType, inputs, outputs, name, attrs = []) {
  return { op_type: opType, input: inputs, output: outputs, name, attribute: attrs.map(([n, i]) => ({ name: n, type: ATTR.INT, i })) };
}

/**
 * Encodes a model of `graph` at IR version 8 and opset 17, as every model the scripts and the
 * bench generate is; `producer` names who made it, `doc` and `modelVersion` only when given.
 */
export function encodeGraph(graph, { producer, doc, modelVersion } = {}) {
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: producer,
    producer_version: '1',
    ...(modelVersion !== undefined ? { model_version: modelVersion } : {}),
    ...(doc ? { doc_string: doc } : {}),
    graph,
  });
}

/** Checks a ModelProto object and encodes it. */
export function encodeModel(model) {
  const err = ModelProto.verify(model);
  if (err) throw new Error(`invalid ModelProto: ${err}`);
  return Buffer.from(ModelProto.encode(ModelProto.fromObject(model)).finish());
}

/**
 * Per-tensor asymmetric uint8 quantization, the scheme of onnxruntime's quantize_dynamic for
 * Gather data: q = clamp(round(v / scale) + zeroPoint, 0, 255).
 * @param {ArrayLike<number> & Iterable<number>} values
 */
export function quantizeUint8(values) {
  let min = 0;
  let max = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = Math.fround((max - min) / 255 || 1);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  const q = Buffer.alloc(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.min(255, Math.max(0, Math.round(values[i] / scale) + zeroPoint));
  return { q, scale, zeroPoint };
}
