// The page of the LiteRT.js probe (tests/e2e/litert-engine.spec.ts, the bench): starts the probe
// worker (a module worker, as the app's emotion worker is) and passes requests to it, with plain
// arrays on the caller's side and typed arrays on the worker's.
import type { TfliteModel, TfliteTensor } from '../../../src/features/text/tflite/model-writer';
import type { LinearStack, ProbeOutput, ProbeReply, ProbeRequest } from './probe-worker';

/** A model as the test sends it: constant data as a list of bytes. */
export type PlainModel = Omit<TfliteModel, 'tensors'> & {
  readonly tensors: ReadonlyArray<Omit<TfliteTensor, 'data'> & { readonly data?: readonly number[] }>;
};

export type PlainReply =
  | { readonly build: string | null; readonly output: number[] | null; readonly outputShape: readonly number[] }
  | { readonly error: string };

/** The worker's `convert` reply as the test receives it: plain arrays instead of typed ones. */
export type ConvertReply =
  | (Omit<Extract<ProbeReply, { type: 'convert' }>, 'type' | 'build' | 'outputs'> & {
      readonly build: string | null;
      readonly outputs: ReadonlyArray<Omit<ProbeOutput, 'data'> & { readonly data: number[] }>;
    })
  | { readonly error: string };

/** Where the ONNX model comes from: a URL on the probe's server, or its bytes in base64. */
export type OnnxSource = { readonly url: string } | { readonly base64: string };

export type TimingReply = { readonly build: string | null; readonly startMs: number; readonly compileMs: number; readonly times: readonly number[] } | { readonly error: string };

declare global {
  interface Window {
    probe(model: PlainModel, input: readonly number[], inputShape: readonly number[]): Promise<PlainReply>;
    probeTiming(stack: LinearStack, runs: number, numThreads?: number): Promise<TimingReply>;
    probeConvert(
      source: OnnxSource,
      dims: Readonly<Record<string, number>>,
      feeds: Readonly<Record<string, readonly number[]>>,
      runs?: number,
      moreDims?: ReadonlyArray<Readonly<Record<string, number>>>,
    ): Promise<ConvertReply>;
  }
}

const worker = new Worker(new URL('./probe-worker.ts', import.meta.url), { type: 'module', name: 'probe' });
let next: ((reply: ProbeReply) => void) | null = null;
worker.addEventListener('message', (event: MessageEvent<ProbeReply>) => next?.(event.data));
const ask = (request: ProbeRequest) =>
  new Promise<ProbeReply>((resolve) => {
    next = resolve;
    worker.postMessage(request);
  });

window.probe = async (plain, input, inputShape) => {
  const model: TfliteModel = {
    ...plain,
    tensors: plain.tensors.map(({ data, ...t }) => (data ? { ...t, data: Uint8Array.from(data) } : t)),
  };
  const reply = await ask({ type: 'run', model, input: Float32Array.from(input), inputShape });
  if ('error' in reply) return reply;
  if (reply.type !== 'run') return { error: `unexpected reply ${reply.type}` };
  return { build: reply.build, output: reply.output ? Array.from(reply.output) : null, outputShape: reply.outputShape };
};

window.probeTiming = async (stack, runs, numThreads) => {
  const reply = await ask({ type: 'time', stack, runs, ...(numThreads ? { numThreads } : {}) });
  if ('error' in reply) return reply;
  if (reply.type !== 'time') return { error: `unexpected reply ${reply.type}` };
  return { build: reply.build, startMs: reply.startMs, compileMs: reply.compileMs, times: reply.times };
};

window.probeConvert = async (source, dims, feeds, runs = 1, moreDims) => {
  const onnx =
    'url' in source
      ? new Uint8Array(await (await fetch(source.url)).arrayBuffer())
      : Uint8Array.from(atob(source.base64), (c) => c.charCodeAt(0));
  const reply = await ask({ type: 'convert', onnx, dims, feeds, runs, ...(moreDims ? { moreDims } : {}) });
  if ('error' in reply) return reply;
  if (reply.type !== 'convert') return { error: `unexpected reply ${reply.type}` };
  return { ...reply, outputs: reply.outputs.map((o) => ({ ...o, data: Array.from(o.data) })) };
};
