// Issue 18's second text engine, its first two parts in Chromium: a TFLite model written by our
// own writer (src/features/text/tflite/model-writer.ts) runs in LiteRT.js, started inside a module worker
// by src/features/text/litert/load-litert.ts, with threads (cross-origin isolated page) and without.
// The outputs are checked against the same layers computed here in double precision.
//
// The probe page (tests/support/litert-probe/) is built with Vite and the app's LiteRT plugin
// into a temporary folder, and served from 127.0.0.1 with and without COOP/COEP (serve-probe.mjs).
import { expect, test } from '@playwright/test';
import { Activation, BuiltinOp, TensorType } from '../../src/features/text/tflite/model-writer';
import type { PlainModel, PlainReply } from '../support/litert-probe/probe-page';
import { seededRandom } from '../../src/features/evaluation/metrics';
import { serveProbe } from '../support/litert-probe/serve-probe.mjs';

let probe: Awaited<ReturnType<typeof serveProbe>> | null = null;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  probe = await serveProbe();
});

test.afterAll(async () => {
  await probe?.close();
});

const bytesOf = (a: Int8Array | Float32Array) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

/**
 * Two hybrid fully-connected layers, as the converter will write a transformer's linear layers:
 * float activations, int8 weights (per output channel, then one scale for the whole matrix),
 * float bias, ReLU after the first. Returns the model and the same layers in double precision.
 */
function twoLayers(rows: number, dims: readonly [number, number, number], seed: number) {
  const next = seededRandom(seed);
  const [d0, d1, d2] = dims;
  const weights = (out: number, inp: number) => Int8Array.from({ length: out * inp }, () => Math.round((next() * 2 - 1) * 127));
  const w1 = weights(d1, d0);
  const w2 = weights(d2, d1);
  const s1 = Array.from({ length: d1 }, () => Math.fround((0.5 + next()) / (127 * Math.sqrt(d0))));
  const s2 = [Math.fround(1 / (127 * Math.sqrt(d1)))];
  const b1 = Float32Array.from({ length: d1 }, () => (next() - 0.5) * 0.2);
  const b2 = Float32Array.from({ length: d2 }, () => (next() - 0.5) * 0.2);
  const model: PlainModel = {
    description: 'probe',
    tensors: [
      { name: 'x', shape: [rows, d0], type: TensorType.FLOAT32 },
      { name: 'w1', shape: [d1, d0], type: TensorType.INT8, data: bytesOf(w1), quantization: { scale: s1, zeroPoint: s1.map(() => 0), axis: 0 } },
      { name: 'b1', shape: [d1], type: TensorType.FLOAT32, data: bytesOf(b1) },
      { name: 'h', shape: [rows, d1], type: TensorType.FLOAT32 },
      { name: 'w2', shape: [d2, d1], type: TensorType.INT8, data: bytesOf(w2), quantization: { scale: s2, zeroPoint: [0], axis: 0 } },
      { name: 'b2', shape: [d2], type: TensorType.FLOAT32, data: bytesOf(b2) },
      { name: 'y', shape: [rows, d2], type: TensorType.FLOAT32 },
    ],
    inputs: [0],
    outputs: [6],
    operators: [
      { op: BuiltinOp.FULLY_CONNECTED, version: 5, inputs: [0, 1, 2], outputs: [3], options: { kind: 'fully-connected', activation: Activation.RELU, asymmetricQuantizeInputs: true } },
      { op: BuiltinOp.FULLY_CONNECTED, version: 5, inputs: [3, 4, 5], outputs: [6], options: { kind: 'fully-connected', asymmetricQuantizeInputs: true } },
    ],
  };
  const input = Array.from({ length: rows * d0 }, () => next() * 2 - 1);
  const layer = (x: readonly number[], w: Int8Array, scale: (o: number) => number, bias: Float32Array, inp: number, out: number, relu: boolean) => {
    const y: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < out; o++) {
        let acc = 0;
        for (let k = 0; k < inp; k++) acc += (x[r * inp + k] ?? 0) * (w[o * inp + k] ?? 0);
        const v = acc * scale(o) + (bias[o] ?? 0);
        y.push(relu ? Math.max(0, v) : v);
      }
    }
    return y;
  };
  const hidden = layer(input, w1, (o) => s1[o] ?? 0, b1, d0, d1, true);
  const expected = layer(hidden, w2, () => s2[0] ?? 0, b2, d1, d2, false);
  return { model, input, inputShape: [rows, d0], expected };
}

for (const [mode, build] of [
  ['iso', 'threaded'],
  ['plain', 'plain'],
] as const) {
  test(`LiteRT.js runs a model from our TFLite writer in a module worker: ${build} build`, async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${probe?.origin ?? ''}/${mode}/index.html`);
    await page.waitForFunction(() => typeof window.probe === 'function');
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(mode === 'iso');

    const { model, input, inputShape, expected } = twoLayers(16, [48, 96, 32], 20261202);
    const reply: PlainReply = await page.evaluate(([m, i, s]) => window.probe(m, i, s), [model, input, inputShape] as const);
    if ('error' in reply) throw new Error(reply.error);
    // Chromium 156 has relaxed SIMD, so LiteRT.js is the engine, threaded only when isolated.
    expect(reply.build).toBe(build);
    expect(reply.outputShape).toEqual([16, 32]);
    const output = reply.output ?? [];
    expect(output).toHaveLength(expected.length);
    // The hybrid kernel quantizes each row of activations to int8 on the fly, so the answer is
    // within int8 rounding of the exact one, never equal to it.
    const largest = Math.max(...expected.map(Math.abs));
    const worst = Math.max(...output.map((v, i) => Math.abs(v - (expected[i] ?? 0))));
    expect(largest).toBeGreaterThan(0.1);
    expect(worst).toBeLessThan(0.02 * largest);
    expect(worst).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
}
