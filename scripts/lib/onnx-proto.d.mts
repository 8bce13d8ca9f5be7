// Types of onnx-proto.mjs for the TypeScript tests that use it.
import type { Type } from 'protobufjs';

export const ONNX_SCHEMA: string;
export const ModelProto: Type;
export const DT: { readonly FLOAT: 1; readonly UINT8: 2; readonly INT8: 3; readonly INT32: 6; readonly INT64: 7; readonly BOOL: 9 };
export const ATTR: { readonly FLOAT: 1; readonly INT: 2; readonly GRAPH: 5; readonly INTS: 7 };
export function tensor(name: string, dataType: number, dims: readonly number[], bytes: Uint8Array): object;
export function f32Bytes(values: readonly number[]): Buffer;
export function i64Bytes(values: readonly number[]): Buffer;
export function valueInfo(name: string, elemType: number, dims: ReadonlyArray<number | string>): object;
/** Checks a ModelProto object (protobufjs's plain form) and encodes it. */
export function encodeModel(model: object): Buffer;
export function encodeGraph(graph: object, options?: { producer?: string; doc?: string; modelVersion?: number }): Buffer;
export function onnxNode(opType: string, inputs: string[], outputs: string[], name: string, attrs?: Array<[string, number]>): object;
export function quantizeUint8(values: ArrayLike<number> & Iterable<number>): { q: Buffer; scale: number; zeroPoint: number };
