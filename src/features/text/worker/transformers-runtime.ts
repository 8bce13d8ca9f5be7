// The real WorkerRuntime: transformers.js with onnxruntime-web, wasm files from our own origin,
// model files through the IndexedDB cache and a fetch that only talks to the model host.
import { AutoConfig, AutoTokenizer, env, pipeline, type TextClassificationPipeline } from '@huggingface/transformers';
import { InferenceSession } from 'onnxruntime-web/webgpu';
import { ONE_NODE_MODEL } from './one-node-model';
import { externalizeWeights } from './external-weights';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import ortGpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortGpuMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { scoresFromPairs } from '../../../shared/emotions';
import { ModelError } from '../model-errors';
import { detectWebGpu, modelFileUrl, type Device, type GpuLike, type ModelSource } from '../model-source';
import type { ModelFileStore } from '../model-cache';
import { probeModelFiles, type FetchLike } from '../model-files';
import type { LoadProgress } from '../protocol';
import { isDownloadFailure } from '../handler/failures';
import type { RuntimeModel, WorkerRuntime } from '../handler/runtime';
import { liteRtBuildFor } from '../litert/load-litert';
import { loadLiteRtModel } from './litert-runtime';
import { convertedStore, type ConvertedShape, type ConvertedStore } from '../litert/converted-cache';
import { FIRST_LENGTH } from '../litert/lengths';
import liteRtVersion from 'virtual:litert-version';
import { liteRtWasmUrl } from '../litert/load-litert';
import { trialKey, usableTrial } from '../engine-trial';
import { createLoadProgress, type FileProgressEvent } from '../handler/load-progress';
import { startEngine } from '../handler/engine-start';
import { holdFiles } from '../handler/held-files';
import { setUpTransformers } from './model-env';

/**
 * The ONNX Runtime build per device. The plain build (14 MB) runs WASM only; the asyncify build
 * (27 MB) also runs WebGPU but takes about 3 s longer to start here (bench/README.md). A worker
 * can load only one of them, so the page gives each device preference its own worker.
 */
const RUNTIME_BUILDS: Readonly<Record<Device, { wasm: string; mjs: string }>> = {
  wasm: { wasm: ortWasmUrl, mjs: ortMjsUrl },
  webgpu: { wasm: ortGpuWasmUrl, mjs: ortGpuMjsUrl },
};

/** Sets transformers.js up for this app and returns the runtime the handler drives. */
export function createTransformersRuntime(cache: ModelFileStore): WorkerRuntime {
  // transformers.js logs a failed cache write and goes on; remember it so the user can be told.
  let cacheWriteFailure: string | null = null;
  // The weights LiteRT.js read are held for the rest of that load, so ONNX Runtime (the engine
  // trial, or the fallback) is not served them by a second IndexedDB read (handler/held-files.ts).
  const held = holdFiles(cache);
  const models = setUpTransformers(cache, {
    ...held.store,
    async put(url: string, response: Response) {
      try {
        await cache.put(url, response);
      } catch (err) {
        cacheWriteFailure = err instanceof DOMException && err.name === 'QuotaExceededError' ? "the browser's storage for this site is full" : String(err);
        throw err;
      }
    },
  });
  const modelFetch: FetchLike = models.fetch;
  const onnx = env.backends.onnx;
  if (onnx.wasm) {
    // Threads need SharedArrayBuffer, which needs cross-origin isolation (COOP/COEP headers).
    onnx.wasm.numThreads = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  }
  let runtimeBuild: Device | null = null;
  /** Points onnxruntime-web at the build for `device`, before its first session. */
  const useRuntimeBuild = (device: Device) => {
    if (runtimeBuild === device) return;
    if (runtimeBuild !== null) {
      throw new ModelError('unknown', `This worker already started the ${runtimeBuild} runtime; a new worker is needed for ${device}.`);
    }
    const urls = RUNTIME_BUILDS[device];
    if (onnx.wasm) onnx.wasm.wasmPaths = { wasm: new URL(urls.wasm, self.location.href).href, mjs: new URL(urls.mjs, self.location.href).href };
    runtimeBuild = device;
  };

  /** Starts onnxruntime-web's wasm for `device` once per worker, before any session (see startModel); never fails. */
  const prestartOnnxRuntime = (device: Device) => {
    if (runtimeBuild !== null) return;
    useRuntimeBuild(device);
    void InferenceSession.create(ONE_NODE_MODEL)
      .then((session) => session.release())
      .catch(() => undefined);
  };

  /**
   * A model file's bytes through the model cache, as transformers.js reads it: from the cache, or
   * downloaded (with progress) and then cached.
   */
  async function readModelFile(url: string, file: string, report: (info: FileProgressEvent) => void, hold = true): Promise<Uint8Array> {
    const cached = await cache.match(url);
    const response = cached ?? (await modelFetch(url));
    if (!response.ok || !response.body) throw new ModelError('invalid-model', `${file}: HTTP ${response.status}`);
    const total = Number(response.headers.get('content-length')) || 0;
    const parts: Uint8Array[] = [];
    let loaded = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      loaded += value.byteLength;
      report({ status: 'progress', file, loaded, total: Math.max(total, loaded) });
    }
    const bytes = new Uint8Array(loaded);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.byteLength;
    }
    if (!cached) await env.customCache?.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(loaded) } })).catch(() => undefined);
    // Held for the rest of the load (a read after it, for a length not converted yet, is not).
    if (hold) held.hold(url, bytes);
    report({ status: 'done', file });
    return bytes;
  }

  /** Loads a model; the files it held for its engines are let go when it ends, however it ends. */
  async function loadModel(source: ModelSource, plan: Parameters<WorkerRuntime['loadModel']>[1], onProgress: (progress: LoadProgress) => void): Promise<RuntimeModel> {
    try {
      return await startModel(source, plan, onProgress);
    } finally {
      held.release();
    }
  }

  async function startModel(source: ModelSource, plan: Parameters<WorkerRuntime['loadModel']>[1], onProgress: (progress: LoadProgress) => void): Promise<RuntimeModel> {
    models.useHost(source.host);
    const started = performance.now();
    const browser = navigator.userAgent;
    let filesRead: number | null = null;
    const progress = createLoadProgress(plan.files, onProgress, () => (filesRead ??= performance.now()), () => performance.now());
    const report = (info: FileProgressEvent) => progress.file(info);

    const preference = plan.engine ?? 'auto';
    const weights = plan.files.find((f) => f.file.endsWith('.onnx'))?.file;
    const weightsUrl = weights ? modelFileUrl(source, weights) : null;
    /**
     * The session options that load the weights as external data pointing into their own file
     * (worker/external-weights.ts: without them ONNX Runtime's wasm heap keeps a second copy of
     * the model as its high-water mark). transformers.js is served the graph alone (held for the
     * load); the file's bytes, read once (or taken from LiteRT.js's read), are the external data.
     */
    const weightsAsExternalData = async (url: string, file: string) => {
      const bytes = held.held(url) ?? (await readModelFile(url, file, report));
      const dataPath = `${file.split('/').pop()}_data`;
      let split: ReturnType<typeof externalizeWeights>;
      try {
        split = externalizeWeights(bytes, dataPath);
      } catch {
        // Not a model this can read: ONNX Runtime reads the file as it is and says what is wrong.
        return {};
      }
      if (split.externalized === 0) return {};
      held.hold(url, split.graph);
      return { externalData: [{ path: dataPath, data: bytes }] };
    };
    const ortThreads = plan.device === 'wasm' ? (onnx.wasm?.numThreads ?? 1) : 0;
    const startOnnxRuntime = async (): Promise<RuntimeModel> => {
      useRuntimeBuild(plan.device);
      const classifier = (await pipeline('text-classification', source.modelId, {
        device: plan.device,
        dtype: plan.dtype,
        progress_callback: report,
        ...(plan.device === 'wasm' && weights && weightsUrl ? { session_options: await weightsAsExternalData(weightsUrl, weights) } : {}),
      })) as TextClassificationPipeline;
      return {
        ...wrapPipeline(classifier),
        engine: 'onnxruntime',
        engineDetail: plan.device === 'webgpu' ? 'ONNX Runtime Web (WebGPU)' : `ONNX Runtime Web (WASM, ${ortThreads > 1 ? `${ortThreads} threads` : 'one thread'})`,
      };
    };

    // On WASM with relaxed SIMD, LiteRT.js or ONNX Runtime (handler/engine-start.ts).
    const build = plan.device === 'wasm' && preference !== 'onnxruntime' ? await liteRtBuildFor(self.crossOriginIsolated) : null;
    // As many threads as ONNX Runtime gets (the threaded build runs only cross-origin isolated).
    const threads = build === 'threaded' ? ortThreads : 1;
    const key = build && weightsUrl ? trialKey(weightsUrl, build, threads) : null;
    const stored = preference === 'auto' && key ? usableTrial(await cache.getValue(key).catch(() => undefined), browser) : null;
    // ONNX Runtime will run the model: its wasm starts (compiled, threads spawned) while the
    // files are read, on a model of one node, instead of after them.
    if (plan.device === 'wasm' && (!build || preference === 'onnxruntime' || stored?.engine === 'onnxruntime')) prestartOnnxRuntime(plan.device);
    const converted = build && weightsUrl ? convertedStore(cache, weightsUrl, liteRtIdentity(build)) : null;
    const { model, trial, note, bothStarted } = await startEngine({
      preference,
      liteRt:
        build && weights && weightsUrl && converted
          ? {
              // The files at once, as transformers.js reads them; the weights as the model
              // converted before (kept on the device), else as the ONNX file.
              read: () =>
                Promise.all([
                  AutoTokenizer.from_pretrained(source.modelId, { progress_callback: report }),
                  AutoConfig.from_pretrained(source.modelId, { progress_callback: report }),
                  (async () => {
                    const first = await converted.get(FIRST_LENGTH);
                    if (first) {
                      report({ status: 'done', file: weights });
                      return { first };
                    }
                    return { onnx: await readModelFile(weightsUrl, weights, report) };
                  })(),
                ]),
              start: ([tokenizer, config, read]) =>
                loadLiteRtModel({
                  modelId: source.modelId,
                  build,
                  threads,
                  tokenizer,
                  config,
                  onnx: () => (read.onnx ? Promise.resolve(read.onnx) : readModelFile(weightsUrl, weights, () => undefined, false)),
                  converted: read.first ? withFirst(converted, FIRST_LENGTH, read.first) : converted,
                }),
            }
          : null,
      startOnnxRuntime,
      stored,
      async keep(trial) {
        if (key) await cache.setValue(key, trial).catch(() => undefined);
        return trial;
      },
      isDownloadFailure,
      browser,
      now: () => performance.now(),
      step: (step) => progress.step(step),
      ...(preference === 'litert' && plan.device === 'wasm' && !build
        ? { note: 'This browser cannot run LiteRT.js (it needs WebAssembly relaxed SIMD), so the model runs on ONNX Runtime.' }
        : {}),
    });
    const made = performance.now();
    report({ status: 'ready' });
    return {
      ...model,
      timings: { filesMs: (filesRead ?? made) - started, sessionMs: made - started },
      ...(trial ? { engineTrial: trial } : {}),
      ...(note ? { engineNote: note } : {}),
      ...(bothStarted ? { bothEnginesStarted: true } : {}),
    };
  }

  return {
    detectWebGpu: () => detectWebGpu((navigator as WorkerNavigator & { gpu?: GpuLike }).gpu),

    probe(source: ModelSource, options) {
      models.useHost(source.host);
      return probeModelFiles(source, cache, modelFetch, options);
    },

    async loadModel(source, plan, onProgress, signal) {
      models.setLoadSignal(signal);
      try {
        return await loadModel(source, plan, onProgress);
      } finally {
        models.setLoadSignal(undefined);
      }
    },

    async evict(source, files) {
      if (!files) await cache.clear(`${source.host}/${source.modelId}/resolve/`);
      else for (const file of files) await cache.clear(modelFileUrl(source, file));
    },

    now: () => performance.now(),
    isOnline: () => navigator.onLine,
    takeCacheWriteFailure() {
      const failure = cacheWriteFailure ?? (cache.degraded ? 'this browser does not let the app store data here' : null);
      cacheWriteFailure = null;
      return failure;
    },
  };
}


function wrapPipeline(classifier: TextClassificationPipeline): RuntimeModel {
  return {
    countTokens: (text) => classifier.tokenizer.encode(text, { add_special_tokens: false }).length,
    // The handler plans the batches (length-batches.ts: at most 16 sequences and 2048 padded tokens).
    async classify(texts) {
      const result = (await classifier([...texts], { top_k: null })) as unknown as Array<Array<{ label: string; score: number }>>;
      return result.map(scoresFromPairs);
    },
    dispose: () => classifier.dispose(),
  };
}

/**
 * The runtime a converted model was made for (converted-cache.ts): LiteRT.js's version and the
 * hashed URLs of its wasm and of this worker's script, which holds the converter (a build that
 * changes either gets a new URL).
 */
function liteRtIdentity(build: 'plain' | 'threaded'): string {
  return `LiteRT.js ${liteRtVersion} (${liteRtWasmUrl(build)}), worker ${self.location.pathname}`;
}

/** The store, answering `length` from the model already read for it (once). */
function withFirst(store: ConvertedStore, length: number, first: ConvertedShape): ConvertedStore {
  let kept: ConvertedShape | undefined = first;
  return {
    get(l) {
      if (l !== length || !kept) return store.get(l);
      const shape = kept;
      kept = undefined;
      return Promise.resolve(shape);
    },
    put: (l, shape) => store.put(l, shape),
  };
}
