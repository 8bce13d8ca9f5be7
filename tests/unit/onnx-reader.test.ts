import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelProto, encodeModel, f32Bytes, valueInfo } from '../../scripts/lib/onnx-proto.mjs';
import { readOnnx } from '../../src/features/text/tflite/onnx-reader';

const FIXTURE = 'tests/fixtures/model/moodlens/tiny-emotion/onnx';

/** The same model decoded by protobufjs (scripts/lib/onnx-proto.mjs), the reference. */
function reference(bytes: Uint8Array) {
  const model = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Array, defaults: false }) as {
    graph: {
      node: Array<{ op_type: string; input?: string[]; output?: string[]; attribute?: Array<{ name: string }> }>;
      initializer: Array<{ name: string; dims?: number[]; data_type: number; raw_data?: number[] }>;
    };
  };
  return model.graph;
}

describe('ONNX reader', () => {
  for (const file of ['model.onnx', 'model_quantized.onnx']) {
    it(`reads the fixture's ${file} as protobufjs does`, () => {
      const bytes = new Uint8Array(readFileSync(`${FIXTURE}/${file}`));
      const graph = readOnnx(bytes);
      const ref = reference(bytes);
      expect(graph.nodes.map((n) => [n.opType, n.inputs, n.outputs, [...n.attributes.keys()]])).toEqual(
        ref.node.map((n) => [n.op_type, n.input ?? [], n.output ?? [], (n.attribute ?? []).map((a) => a.name)]),
      );
      expect([...graph.initializers.keys()]).toEqual(ref.initializer.map((t) => t.name));
      for (const t of ref.initializer) {
        const mine = graph.initializers.get(t.name);
        expect(mine?.dims).toEqual(t.dims ?? []);
        expect(mine?.dataType).toBe(t.data_type);
        expect(Array.from(mine?.bytes ?? [])).toEqual(t.raw_data ?? []);
        // No copy: the bytes are a view into the model's buffer.
        expect(mine?.bytes.buffer).toBe(bytes.buffer);
      }
      expect(graph.opset).toBeGreaterThan(0);
      expect(graph.inputs.map((i) => i.name)).toContain('input_ids');
    });
  }

  it('reads every attribute kind, typed tensor data, free dimensions, and drops initializers listed as inputs', () => {
    const bytes = encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: [
          {
            op_type: 'Custom',
            input: ['x', 'w'],
            output: ['y'],
            attribute: [
              { name: 'f', type: 1, f: 0.5 },
              { name: 'i', type: 2, i: -3 },
              { name: 's', type: 3, s: Buffer.from('mean') },
              { name: 'floats', type: 6, floats: [1.5, -2] },
              { name: 'ints', type: 7, ints: [0, -1, 2 ** 40] },
              { name: 't', type: 4, t: { name: 'c', dims: [2], data_type: 7, int64_data: [5, -6] } },
            ],
          },
        ],
        initializer: [
          { name: 'w', dims: [2, 2], data_type: 1, float_data: [1, 2, 3, 4] },
          { name: 'q', dims: [3], data_type: 3, int32_data: [-1, 0, 127] },
          { name: 'raw', dims: [2], data_type: 1, raw_data: f32Bytes([0.25, -8]) },
        ],
        input: [valueInfo('x', 1, ['batch_size', 'sequence_length', 768]), valueInfo('w', 1, [2, 2])],
        output: [valueInfo('y', 1, ['batch_size', 7])],
      },
    });
    const graph = readOnnx(new Uint8Array(bytes));
    expect(graph.opset).toBe(17);
    const node = graph.nodes[0];
    expect(node?.opType).toBe('Custom');
    expect(Object.fromEntries(node?.attributes ?? [])).toMatchObject({ f: 0.5, i: -3, s: 'mean', floats: [1.5, -2], ints: [0, -1, 2 ** 40] });
    const t = node?.attributes.get('t');
    expect(t && typeof t === 'object' && 'bytes' in t ? Array.from(new BigInt64Array(t.bytes.slice().buffer)) : null).toEqual([5n, -6n]);
    expect(Array.from(new Float32Array(graph.initializers.get('w')!.bytes.slice().buffer))).toEqual([1, 2, 3, 4]);
    expect(Array.from(new Int8Array(graph.initializers.get('q')!.bytes.slice().buffer))).toEqual([-1, 0, 127]);
    expect(Array.from(new Float32Array(graph.initializers.get('raw')!.bytes.slice().buffer))).toEqual([0.25, -8]);
    expect(graph.inputs).toEqual([{ name: 'x', elemType: 1, shape: ['batch_size', 'sequence_length', 768] }]);
    expect(graph.outputs).toEqual([{ name: 'y', elemType: 1, shape: ['batch_size', 7] }]);
  });

  it('refuses bytes that are not an ONNX model', () => {
    expect(() => readOnnx(new TextEncoder().encode('<!doctype html><p>not found</p>'))).toThrow(/ONNX model|not an ONNX model/);
  });
});
