// The page of tests/e2e/litert-engine.spec.ts: starts the probe worker (a module worker, as the
// app's emotion worker is) and passes the test's requests to it, with plain arrays on the test's
// side and typed arrays on the worker's.
import type { TfliteModel, TfliteTensor } from '../../../src/lib/ml/tflite/model-writer';
import type { ProbeReply } from './probe-worker';

/** A model as the test sends it: constant data as a list of bytes. */
export type PlainModel = Omit<TfliteModel, 'tensors'> & {
  readonly tensors: ReadonlyArray<Omit<TfliteTensor, 'data'> & { readonly data?: readonly number[] }>;
};

export type PlainReply =
  | { readonly build: string | null; readonly output: number[] | null; readonly outputShape: readonly number[] }
  | { readonly error: string };

declare global {
  interface Window {
    probe(model: PlainModel, input: readonly number[], inputShape: readonly number[]): Promise<PlainReply>;
  }
}

const worker = new Worker(new URL('./probe-worker.ts', import.meta.url), { type: 'module', name: 'probe' });
let next: ((reply: ProbeReply) => void) | null = null;
worker.addEventListener('message', (event: MessageEvent<ProbeReply>) => next?.(event.data));

window.probe = async (plain, input, inputShape) => {
  const model: TfliteModel = {
    ...plain,
    tensors: plain.tensors.map(({ data, ...t }) => (data ? { ...t, data: Uint8Array.from(data) } : t)),
  };
  const reply = await new Promise<ProbeReply>((resolve) => {
    next = resolve;
    worker.postMessage({ model, input: Float32Array.from(input), inputShape });
  });
  if ('error' in reply) return reply;
  return { build: reply.build, output: reply.output ? Array.from(reply.output) : null, outputShape: reply.outputShape };
};
