// Reading an ONNX node: its attributes, and the inputs that must be constant once every input size
// is fixed (axes, shapes, the indices of slices).
import type { OnnxAttribute, OnnxNode } from '../onnx-reader';
import { UnsupportedModelError, type Const, type Value } from './values';

export function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.get(name);
}

export function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const v = attr(node, name);
  return typeof v === 'number' ? v : fallback;
}

export function intsAttr(node: OnnxNode, name: string): readonly number[] | undefined {
  const v = attr(node, name);
  return Array.isArray(v) ? (v as readonly number[]) : undefined;
}

/** An input that must be constant once shapes are fixed (axes, shapes, indices of slices). */
export function constInput(node: OnnxNode, v: Value | undefined, what: string): Const {
  if (v?.kind !== 'const') throw new UnsupportedModelError(`${node.opType} ${node.name}: its ${what} is not constant`);
  return v;
}
