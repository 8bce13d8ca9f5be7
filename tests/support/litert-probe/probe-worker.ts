// Runs a TFLite model written by src/lib/ml/tflite/model-writer.ts through LiteRT.js, started by
// src/lib/ml/litert/load-litert.ts exactly as the emotion worker will start it.
import { loadAndCompile, Tensor } from '@litertjs/core';
import { liteRtBuildFor, startLiteRt, type LiteRtBuild } from '../../../src/lib/ml/litert/load-litert';
import { writeTflite, type TfliteModel } from '../../../src/lib/ml/tflite/model-writer';

export interface ProbeRequest {
  readonly model: TfliteModel;
  readonly input: Float32Array;
  readonly inputShape: readonly number[];
}

export type ProbeReply =
  | { readonly build: LiteRtBuild | null; readonly output: Float32Array | null; readonly outputShape: readonly number[] }
  | { readonly error: string };

self.addEventListener('message', (event: MessageEvent<ProbeRequest>) => {
  void (async () => {
    try {
      const { model, input, inputShape } = event.data;
      const build = await liteRtBuildFor(self.crossOriginIsolated);
      if (!build) {
        self.postMessage({ build, output: null, outputShape: [] } satisfies ProbeReply);
        return;
      }
      await startLiteRt(build);
      const compiled = await loadAndCompile(writeTflite(model), { accelerator: 'wasm' });
      const tensor = new Tensor(input, [...inputShape]);
      const [out] = await compiled.run([tensor]);
      tensor.delete();
      if (!out) throw new Error('the model gave no output');
      const output = new Float32Array(out.toTypedArray() as Float32Array);
      const outputShape = [...compiled.getOutputDetails()[0]!.shape];
      out.delete();
      compiled.delete();
      self.postMessage({ build, output, outputShape } satisfies ProbeReply);
    } catch (err) {
      self.postMessage({ error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) } satisfies ProbeReply);
    }
  })();
});
