import { describe, expect, it } from 'vitest';
import { BuiltinOp, TensorType, readTflite, writeTflite, type TfliteModel } from '../../src/features/text/tflite/model-writer';

/** Two hybrid fully-connected layers: float activations, per-channel int8 weights, float bias. */
function twoLayers(): TfliteModel {
  const w1 = new Int8Array([1, -2, 3, -4, 5, -6, 127, -127]); // [4 out, 2 in]
  const w2 = new Int8Array([7, 8, 9, 10, 11, 12, 13, 14]); // [2 out, 4 in]
  const b1 = new Float32Array([0.5, -0.5, 0.25, 0]);
  const b2 = new Float32Array([1, -1]);
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return {
    description: 'two layers',
    tensors: [
      { name: 'x', shape: [3, 2], type: TensorType.FLOAT32 },
      { name: 'w1', shape: [4, 2], type: TensorType.INT8, data: bytes(w1), quantization: { scale: [0.1, 0.2, 0.3, 0.4], zeroPoint: [0, 0, 0, 0], axis: 0 } },
      { name: 'b1', shape: [4], type: TensorType.FLOAT32, data: bytes(b1) },
      { name: 'h', shape: [3, 4], type: TensorType.FLOAT32 },
      { name: 'w2', shape: [2, 4], type: TensorType.INT8, data: bytes(w2), quantization: { scale: [0.5], zeroPoint: [0], axis: 0 } },
      { name: 'b2', shape: [2], type: TensorType.FLOAT32, data: bytes(b2) },
      { name: 'y', shape: [3, 2], type: TensorType.FLOAT32 },
    ],
    inputs: [0],
    outputs: [6],
    operators: [
      { op: BuiltinOp.FULLY_CONNECTED, version: 5, inputs: [0, 1, 2], outputs: [3], options: { kind: 'fully-connected', activation: 1, keepNumDims: false, asymmetricQuantizeInputs: true } },
      { op: BuiltinOp.FULLY_CONNECTED, version: 5, inputs: [3, 4, 5], outputs: [6], options: { kind: 'fully-connected', activation: 0, keepNumDims: true, asymmetricQuantizeInputs: false } },
    ],
  };
}

describe('TFLite model writer', () => {
  it('writes a file that reads back as the same model', () => {
    const model = twoLayers();
    const file = writeTflite(model);
    const back = readTflite(file);
    expect(back.description).toBe('two layers');
    expect(back.inputs).toEqual([0]);
    expect(back.outputs).toEqual([6]);
    expect(back.operators).toEqual(model.operators);
    expect(back.tensors.map((t) => [t.name, t.shape, t.type])).toEqual(model.tensors.map((t) => [t.name, t.shape, t.type]));
    for (const [i, t] of model.tensors.entries()) {
      const read = back.tensors[i];
      if (t.data) expect(Array.from(read?.data ?? [])).toEqual(Array.from(t.data));
      else expect(read?.data).toBeUndefined();
      // Scales are float32 in the file.
      if (t.quantization) {
        expect(read?.quantization?.scale).toEqual(t.quantization.scale.map((s) => Math.fround(s)));
        expect(read?.quantization?.zeroPoint).toEqual(t.quantization.zeroPoint);
        expect(read?.quantization?.axis).toBe(t.quantization.axis);
      } else {
        expect(read?.quantization).toBeUndefined();
      }
    }
  });

  it('has the TFLite identifier and keeps constant data 16-byte aligned in the file', () => {
    const file = writeTflite(twoLayers());
    expect(new TextDecoder().decode(file.subarray(4, 8))).toBe('TFL3');
    const back = readTflite(file);
    for (const t of back.tensors) if (t.data) expect((t.data.byteOffset - file.byteOffset) % 16).toBe(0);
    expect(back.tensors.filter((t) => t.data).length).toBe(4);
  });

  it('refuses a file that is not a TFLite model', () => {
    expect(() => readTflite(new Uint8Array(64))).toThrow(/not a TFLite model/);
  });
});
