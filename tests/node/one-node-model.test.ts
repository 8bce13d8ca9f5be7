// @vitest-environment node
// The one-node model the emotion worker starts ONNX Runtime with (worker/one-node-model.ts): it is
// what the repo's ONNX writer produces, and a real ONNX Runtime loads and runs it.
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DT, ModelProto, valueInfo } from '../../scripts/lib/onnx-proto.mjs';
import { ONE_NODE_MODEL } from '../../src/features/text/worker/one-node-model';

describe('the one-node model', () => {
  it('is an Identity node as the ONNX writer encodes it', () => {
    const model = ModelProto.fromObject({
      ir_version: 7,
      opset_import: [{ domain: '', version: 13 }],
      graph: { name: 'warm', node: [{ input: ['x'], output: ['y'], op_type: 'Identity' }], input: [valueInfo('x', DT.FLOAT, [1])], output: [valueInfo('y', DT.FLOAT, [1])] },
    });
    expect([...ModelProto.encode(model).finish()]).toEqual([...ONE_NODE_MODEL]);
  });

  it('loads and runs in ONNX Runtime', async () => {
    const session = await InferenceSession.create(ONE_NODE_MODEL);
    const { y } = await session.run({ x: new Tensor('float32', new Float32Array([2.5]), [1]) });
    expect([...(y!.data as Float32Array)]).toEqual([2.5]);
    await session.release();
  });
});
