// The ONNX -> TFLite converter's structure: which TFLite ops it writes for the fixture model and a
// small model of the bench's real-shape graph, how the quantized weights are laid out, and how it
// refuses what it cannot convert. Its numbers are checked in Chromium against onnxruntime
// (tests/e2e/litert-converter.spec.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGraph, makeWeights, type ModelShape } from '../../bench/real-shape/make-model.mjs';
import { ATTR, DT, encodeModel, f32Bytes, tensor, valueInfo } from '../../scripts/lib/onnx-proto.mjs';
import { BuiltinOp, TensorType, readTflite, writeTflite, type TfliteModel } from '../../src/features/text/tflite/model-writer';
import { readOnnx } from '../../src/features/text/tflite/onnx-reader';
import { UnsupportedModelError, convertOnnxToTflite } from '../../src/features/text/tflite/onnx-to-tflite';

const OP_NAMES = new Map<number, string>(Object.entries(BuiltinOp).map(([name, code]) => [code, name]));
const histogram = (model: TfliteModel) => {
  const counts: Record<string, number> = {};
  for (const o of model.operators) {
    const name = OP_NAMES.get(o.op) ?? String(o.op);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
};

const SMALL: ModelShape = { layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 120, positions: 40, labels: 7 };

function graphWith(nodes: object[], initializer: object[] = []) {
  return readOnnx(
    encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: 17 }],
      graph: { name: 'g', node: nodes, initializer, input: [valueInfo('x', DT.FLOAT, ['n', 4])], output: [valueInfo('y', DT.FLOAT, ['n', 4])] },
    }),
  );
}

describe('ONNX -> TFLite converter', () => {
  it('converts the fixture model with the given input sizes, int64 inputs as int32', () => {
    const onnx = readOnnx(new Uint8Array(readFileSync('tests/fixtures/model/moodlens/tiny-emotion/onnx/model_quantized.onnx')));
    const { model, inputs, outputs } = convertOnnxToTflite(onnx, { dims: { batch_size: 2, sequence_length: 9 } });
    expect(inputs).toEqual([
      { name: 'input_ids', shape: [2, 9], type: 'int32' },
      { name: 'attention_mask', shape: [2, 9], type: 'int32' },
    ]);
    expect(outputs).toEqual([{ name: 'logits', shape: [2, 7], type: 'float32' }]);
    // DequantizeLinear of the constant table is folded: the table is float in the file.
    expect(histogram(model)).toEqual({ GATHER: 1, CAST: 1, RESHAPE: 1, MUL: 1, SUM: 1, ADD: 1 });
    const table = model.tensors[model.operators[0]?.inputs[0] ?? -1];
    expect(table?.shape).toEqual([1090, 7]);
    expect(table?.type).toBe(TensorType.FLOAT32);
    // What is written reads back the same (options left out read back as the schema's defaults).
    const back = readTflite(writeTflite(model));
    expect(back.operators).toMatchObject(model.operators);
    expect(back.tensors.map((t) => t.shape)).toEqual(model.tensors.map((t) => t.shape));
  });

  it('turns every quantized linear layer into a hybrid FULLY_CONNECTED with its weights transposed', () => {
    const weights = makeWeights(SMALL, 0.1, 3);
    const onnx = readOnnx(new Uint8Array(buildGraph(weights, true, SMALL)));
    const { model } = convertOnnxToTflite(onnx, { dims: { batch_size: 1, sequence_length: 8 } });
    const ops = histogram(model);
    // 6 per layer and 2 in the head; erf GELU once per layer; LayerNorm written out 5 times.
    expect(ops).toMatchObject({ FULLY_CONNECTED: 14, GELU: 2, BATCH_MATMUL: 4, SOFTMAX: 2, RSQRT: 5, DEQUANTIZE: 2, CUMSUM: 1 });
    const fcs = model.operators.filter((o) => o.op === BuiltinOp.FULLY_CONNECTED);
    for (const fc of fcs) {
      expect(fc.options).toMatchObject({ kind: 'fully-connected', asymmetricQuantizeInputs: true });
      expect(fc.inputs[2]).toBeGreaterThanOrEqual(0); // the bias was fused in
      expect(model.tensors[fc.inputs[1] ?? -1]?.type).toBe(TensorType.INT8);
    }
    // The first layer's query weights: ONNX int8 [in, out] becomes [out, in], the same numbers.
    const onnxWeights = onnx.initializers.get('encoder.layer.0.attention.self.query.weight_quantized');
    const written = model.tensors[fcs[0]?.inputs[1] ?? -1];
    expect(written?.shape).toEqual([32, 32]);
    const source = new Int8Array(onnxWeights?.bytes.buffer ?? new ArrayBuffer(0), onnxWeights?.bytes.byteOffset, onnxWeights?.bytes.byteLength);
    const target = new Int8Array(written?.data?.buffer ?? new ArrayBuffer(0), written?.data?.byteOffset, written?.data?.byteLength);
    for (const [i, o] of [
      [0, 0],
      [3, 17],
      [31, 5],
    ] as const) {
      expect(target[o * 32 + i]).toBe(source[i * 32 + o]);
    }
    expect(written?.quantization?.zeroPoint.every((z) => z === 0)).toBe(true);
  });

  it('fixes every free dimension: no shape in the file is unknown', () => {
    const onnx = readOnnx(new Uint8Array(buildGraph(makeWeights(SMALL, 0.1, 3), false, SMALL)));
    const { model } = convertOnnxToTflite(onnx, { dims: { batch_size: 3, sequence_length: 5 } });
    for (const t of model.tensors) for (const d of t.shape) expect(d).toBeGreaterThan(0);
    const softmax = model.operators.find((o) => o.op === BuiltinOp.SOFTMAX);
    expect(model.tensors[softmax?.outputs[0] ?? -1]?.shape).toEqual([3, 4, 5, 5]);
  });

  it('refuses what it cannot convert, naming it', () => {
    const celu = graphWith([{ op_type: 'Celu', input: ['x'], output: ['y'], name: 'c', attribute: [] }]);
    expect(() => convertOnnxToTflite(celu, { dims: { n: 2 } })).toThrow(UnsupportedModelError);
    expect(() => convertOnnxToTflite(celu, { dims: { n: 2 } })).toThrow(/Celu/);
    const erf = graphWith([{ op_type: 'Erf', input: ['x'], output: ['y'], name: 'e', attribute: [] }]);
    expect(() => convertOnnxToTflite(erf, { dims: { n: 2 } })).toThrow(/Erf e outside GELU/);
    const softmax = graphWith([{ op_type: 'Softmax', input: ['x'], output: ['y'], name: 's', attribute: [{ name: 'axis', type: ATTR.INT, i: 0 }] }]);
    expect(() => convertOnnxToTflite(softmax, { dims: { n: 2 } })).toThrow(/other than the last/);
    const fine = graphWith([{ op_type: 'Mul', input: ['x', 'two'], output: ['y'], name: 'm', attribute: [] }], [tensor('two', DT.FLOAT, [], f32Bytes([2]))]);
    expect(() => convertOnnxToTflite(fine, { dims: {} })).toThrow(/no size given for the input dimension "n"/);
    expect(histogram(convertOnnxToTflite(fine, { dims: { n: 2 } }).model)).toEqual({ MUL: 1 });
  });
});
