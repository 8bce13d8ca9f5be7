// Constants read from ONNX tensors whose bytes sit anywhere in a larger buffer: a browser hands
// the converter Uint8Arrays, Node (the CLI to come) hands it Buffers, whose slice() shares memory.
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { constOf } from '../../src/features/text/tflite/convert/folding';

const values = [1.5, -2.25, 3.125, 1e-3];

/** The float32 bytes of `values`, `offset` bytes into a larger buffer of junk. */
function floatsAt(offset: number, make: (size: number) => Uint8Array): Uint8Array {
  const whole = make(offset + values.length * 4 + 3).fill(0xab);
  whole.set(new Uint8Array(Float32Array.from(values).buffer), offset);
  return whole.subarray(offset, offset + values.length * 4);
}

describe('constOf', () => {
  for (const [kind, make] of [
    ['Uint8Array', (size: number) => new Uint8Array(size)],
    ['Node Buffer', (size: number) => Buffer.alloc(size)],
    ['pooled Node Buffer', (size: number) => Buffer.allocUnsafe(size)],
  ] as const) {
    for (const offset of [0, 1, 2, 3, 4, 7]) {
      it(`reads float32 values at byte offset ${offset} of a ${kind}`, () => {
        const c = constOf({ name: `w${offset}`, dims: [values.length], dataType: 1, bytes: floatsAt(offset, make) });
        expect(c.type).toBe('float32');
        expect([...c.data]).toEqual(values.map((v) => Math.fround(v)));
      });
    }
  }
});
