// Loading a model for a config: the plan (load-plan.ts), the runtime's load, one warm-up run
// before it counts as loaded, and its timings; with the fallbacks and the mapping of failures: a
// broken download is told apart from a broken model, the cached files of a source that proved not
// to be a model are dropped, and WebGPU weights that failed are dropped so that the retry (in a
// fresh worker) picks what suits WASM.
import { errorDetail } from '../../../shared/errors';
import { ModelError } from '../model-errors';
import { isDiskSource } from '../model-source';
import { configKey, type LoadPlan, type LoadedModelInfo, type ModelConfig } from '../protocol';
import { cancelled, networkFailure } from './failures';
import { planLoad } from './load-plan';
import type { HandlerIo, LoadedModel } from './runtime';

const WARMUP_TEXT = 'Warming up the model.';

/**
 * Loads `config` for request `id`. `onLoadFailed` is called when the runtime's load (not the
 * plan) fails: the page should then replace this worker.
 */
export async function loadModel(io: HandlerIo, id: number, config: ModelConfig, signal: AbortSignal, onLoadFailed: () => void): Promise<LoadedModel> {
  try {
    return await loadOnce(io, id, config, signal, onLoadFailed);
  } catch (err) {
    if (err instanceof ModelError && err.code === 'invalid-model' && !isDiskSource(config.source)) {
      await io.runtime.evict(config.source).catch(() => undefined);
    }
    throw err;
  }
}

async function loadOnce(io: HandlerIo, id: number, config: ModelConfig, signal: AbortSignal, onLoadFailed: () => void): Promise<LoadedModel> {
  const { runtime, post } = io;
  const p = await planLoad(runtime, config);
  if (p.deviceNote) post({ type: 'notice', id, notice: p.deviceNote });
  try {
    return await loadWith(io, id, config, p, signal);
  } catch (err) {
    onLoadFailed();
    if (signal.aborted) throw cancelled();
    if (err instanceof ModelError) throw err;
    // A broken connection is not a broken model: say what happened and keep the cached files.
    const network = networkFailure(err, config.source, runtime.isOnline());
    if (network) throw network;
    if (p.device === 'webgpu') {
      // Other weights may still run on WASM, but not in this worker (transformers.js chains
      // every session creation on one promise): the page retries in a fresh worker. The
      // weights that failed are dropped so that retry picks what suits WASM.
      const weights = p.files.at(-1)?.file;
      if (weights && !isDiskSource(config.source)) await runtime.evict(config.source, [weights]).catch(() => undefined);
      throw new ModelError('webgpu-failed', errorDetail(err));
    }
    throw new ModelError('invalid-model', errorDetail(err));
  }
}

async function loadWith({ runtime, post }: HandlerIo, id: number, config: ModelConfig, p: LoadPlan, signal: AbortSignal): Promise<LoadedModel> {
  const { device, dtype } = p;
  const start = runtime.now();
  const model = await runtime.loadModel(
    config.source,
    { device, dtype, files: p.files, engine: config.engine ?? 'auto' },
    (progress) => post({ type: 'progress', id, progress }),
    signal,
  );
  if (model.engineNote) post({ type: 'notice', id, notice: model.engineNote });
  const warmupStart = runtime.now();
  try {
    post({ type: 'progress', id, progress: { phase: 'warmup', files: [], loaded: 1, total: 1 } });
    await model.classify([WARMUP_TEXT]);
  } catch (err) {
    await model.dispose().catch(() => undefined);
    throw err;
  }
  const end = runtime.now();
  const sessionMs = model.timings?.sessionMs ?? warmupStart - start;
  const phases = { filesMs: model.timings?.filesMs ?? sessionMs, sessionMs, warmupMs: end - warmupStart };
  const info: LoadedModelInfo = {
    source: config.source,
    device,
    dtype,
    engine: model.engine ?? 'onnxruntime',
    ...(model.engineDetail ? { engineDetail: model.engineDetail } : {}),
    ...(model.engineTrial ? { engineTrial: model.engineTrial } : {}),
    ...(model.bothEnginesStarted ? { bothEnginesStarted: true } : {}),
    loadMs: end - start,
    phases,
  };
  return { key: configKey(config), model, info };
}
