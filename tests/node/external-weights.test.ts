// @vitest-environment node
// The graph rewritten with its weights as external data pointing into the original file
// (worker/external-weights.ts): a real ONNX Runtime loads it, with the original file as the
// external data, and gives exactly the scores of the original model.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { externalizeWeights } from '../../src/features/text/worker/external-weights';

const dir = mkdtempSync(join(tmpdir(), 'moodlens-external-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function logits(modelPath: string): Promise<number[]> {
  const session = await InferenceSession.create(modelPath);
  const ids = BigInt64Array.from([0n, 31414n, 232n, 2n].map((v) => v % 1000n));
  const feeds: Record<string, Tensor> = {};
  for (const name of session.inputNames) feeds[name] = new Tensor('int64', name === 'attention_mask' ? BigInt64Array.from([1n, 1n, 1n, 1n]) : ids, [1, 4]);
  const out = await session.run(feeds);
  await session.release();
  return [...(out[session.outputNames[0]!]!.data as Float32Array)];
}

describe('externalizeWeights', () => {
  for (const file of ['model_quantized.onnx', 'model.onnx']) {
    it(`${file}: the graph without its weights, loaded with the original file as external data, reads the same`, async () => {
      const original = readFileSync(join('tests/fixtures/model/moodlens/tiny-emotion/onnx', file));
      const bytes = new Uint8Array(original.buffer, original.byteOffset, original.byteLength);
      const { graph, externalized } = externalizeWeights(bytes, `${file}_data`);
      expect(externalized).toBeGreaterThan(0);
      expect(graph.byteLength).toBeLessThan(bytes.byteLength / 2);
      writeFileSync(join(dir, file), graph);
      writeFileSync(join(dir, `${file}_data`), bytes);
      const split = await logits(join(dir, file));
      writeFileSync(join(dir, `whole-${file}`), bytes);
      expect(split).toEqual(await logits(join(dir, `whole-${file}`)));
    });
  }

  it('refuses bytes that are not a protobuf message', () => {
    expect(() => externalizeWeights(Uint8Array.from([0x0a, 0x7f, 1, 2]), 'x')).toThrow(/ends inside a field/u);
    expect(() => externalizeWeights(Uint8Array.from([0x0b]), 'x')).toThrow(/wire type 3/u);
  });
});
