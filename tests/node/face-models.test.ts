// @vitest-environment node
// The face channel's models (blazeface and emotion, from @vladmandic/human's npm package) converted
// to ONNX by scripts/lib/tfjs-to-onnx.mjs and run by onnxruntime, against an independent NHWC
// reference executor written from TensorFlow's op semantics (tests/support/tf-reference.mjs), on
// the same deterministic input: every output agrees to float precision.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertGraphModel } from '../../scripts/lib/tfjs-to-onnx.mjs';
import { runReference } from '../support/tf-reference.mjs';

const MODELS = 'node_modules/@vladmandic/human/models';

function load(name: string) {
  return { json: JSON.parse(readFileSync(`${MODELS}/${name}.json`, 'utf8')), bin: readFileSync(`${MODELS}/${name}.bin`) };
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
        const a = got[out]!.data as Float32Array;
        const b = ref[out]!.data;
        let maxDiff = 0;
        let scale = 0;
        for (let i = 0; i < a.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
          scale = Math.max(scale, Math.abs(b[i]!));
        }
        expect(maxDiff, `${name} ${out}`).toBeLessThan(1e-4 * Math.max(1, scale));
      }
      if (name === 'emotion') expect([...(got.Identity!.data as Float32Array)].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });
  }

  it('refuses an op it does not know, by name', () => {
    const json = { format: 'graph-model', modelTopology: { node: [{ name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '1' }] } } } }, { name: 'y', op: 'Erf', input: ['x'] }] }, weightsManifest: [{ paths: [], weights: [] }] };
    expect(() => convertGraphModel(json, new Uint8Array(0), { name: 'test' })).toThrow(/TF op Erf \(y\) is not supported/u);
  });
});
