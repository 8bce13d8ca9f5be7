// The real WorkerRuntime: transformers.js with onnxruntime-web, wasm files from our own origin,
// model files through the IndexedDB cache and a fetch that only talks to the model host.
import { AutoConfig, AutoTokenizer, env, pipeline, type TextClassificationPipeline } from '@huggingface/transformers';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import ortGpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortGpuMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { scoresFromPairs } from '../../../shared/emotions';
import { ModelError } from '../model-errors';
import { modelFileUrl, type Device, type ModelSource } from '../model-source';
import type { ModelFileStore } from '../model-cache';
import { createModelFetch, probeModelFiles, type FetchLike } from '../model-files';
import type { LoadProgress } from '../protocol';
import { isDownloadFailure } from '../handler/failures';
import type { RuntimeModel, WorkerRuntime } from '../handler/runtime';
import { liteRtBuildFor } from '../litert/load-litert';
import { loadLiteRtModel } from './litert-runtime';
import { pickEngine, timeInTurns, trialKey, usableTrial, type EngineTrial } from '../engine-trial';
import { errorMessage } from '../../../shared/errors';

/**
 * The ONNX Runtime build per device. The plain build (14 MB) runs WASM only; the asyncify build
 * (27 MB) also runs WebGPU but takes about 3 s longer to start here (bench/README.md). A worker
 * can load only one of them, so the page gives each device preference its own worker.
 */
const RUNTIME_BUILDS: Readonly<Record<Device, { wasm: string; mjs: string }>> = {
  wasm: { wasm: ortWasmUrl, mjs: ortMjsUrl },
  webgpu: { wasm: ortGpuWasmUrl, mjs: ortGpuMjsUrl },
};
/** Minimum time between two progress messages. */
const PROGRESS_INTERVAL_MS = 100;

/** The part of the WebGPU API used here (the full types are not in the TS lib). */
interface GpuLike {
  requestAdapter(): Promise<{ features: { has(feature: string): boolean } } | null>;
}

interface ProgressEvent {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

/** Sets transformers.js up for this app and returns the runtime the handler drives. */
export function createTransformersRuntime(cache: ModelFileStore): WorkerRuntime {
  let allowedHost = '';
  /** The signal of the load under way: a cancelled load stops downloading (whole files stay cached). */
  let loadSignal: AbortSignal | undefined;
  const modelFetch: FetchLike = createModelFetch({
    fetch: (input, init) => fetch(input, loadSignal ? { ...init, signal: init?.signal ? AbortSignal.any([init.signal, loadSignal]) : loadSignal } : init),
    cache,
    allowedHost: () => allowedHost,
    isOnline: () => navigator.onLine,
  });

  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.useBrowserCache = false;
  // The runtime wasm is an app file (served and, later, precached by us), not model data.
  env.useWasmCache = false;
  env.useCustomCache = true;
  // transformers.js logs a failed cache write and goes on; remember it so the user can be told.
  let cacheWriteFailure: string | null = null;
  env.customCache = {
    ...cache,
    async put(url: string, response: Response) {
      try {
        await cache.put(url, response);
      } catch (err) {
        cacheWriteFailure = err instanceof DOMException && err.name === 'QuotaExceededError' ? "the browser's storage for this site is full" : String(err);
        throw err;
      }
    },
  };
  env.fetch = modelFetch;
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

  /**
   * A model file's bytes through the model cache, as transformers.js reads it: from the cache, or
   * downloaded (with progress) and then cached.
   */
  async function readModelFile(url: string, file: string, report: (info: ProgressEvent) => void): Promise<Uint8Array> {
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
    report({ status: 'done', file });
    return bytes;
  }

  async function loadModel(source: ModelSource, plan: Parameters<WorkerRuntime['loadModel']>[1], onProgress: (progress: LoadProgress) => void): Promise<RuntimeModel> {
    allowedHost = source.host;
    env.remoteHost = `${source.host}/`;
    env.remotePathTemplate = '{model}/resolve/{revision}/';
    const started = performance.now();
    let filesRead: number | null = null;
    const report = progressReporter(plan.files, onProgress, () => (filesRead ??= performance.now()));

    // On WASM with relaxed SIMD, LiteRT.js or ONNX Runtime: the user's choice, or on Automatic
    // the one measured faster on this device (../engine-trial.ts). Any LiteRT.js failure past
    // the download falls back to ONNX Runtime, and the user is told why.
    const preference = plan.engine ?? 'auto';
    const ortThreads = plan.device === 'wasm' ? (onnx.wasm?.numThreads ?? 1) : 0;

    const finish = (model: RuntimeModel, trial: EngineTrial | null, engineNote?: string): RuntimeModel => {
      const made = performance.now();
      report({ status: 'ready' });
      return {
        ...model,
        timings: { filesMs: (filesRead ?? made) - started, sessionMs: made - started },
        ...(trial ? { engineTrial: trial } : {}),
        ...(engineNote ? { engineNote } : {}),
      };
    };
    const loadOnnxRuntime = async (): Promise<RuntimeModel> => {
      useRuntimeBuild(plan.device);
      const classifier = (await pipeline('text-classification', source.modelId, {
        device: plan.device,
        dtype: plan.dtype,
        progress_callback: (info: ProgressEvent) => report(info),
      })) as TextClassificationPipeline;
      return {
        ...wrapPipeline(classifier),
        engine: 'onnxruntime',
        engineDetail: plan.device === 'webgpu' ? 'ONNX Runtime Web (WebGPU)' : `ONNX Runtime Web (WASM, ${ortThreads > 1 ? `${ortThreads} threads` : 'one thread'})`,
      };
    };

    const build = plan.device === 'wasm' && preference !== 'onnxruntime' ? await liteRtBuildFor(self.crossOriginIsolated) : null;
    // As many threads as ONNX Runtime gets (the threaded build runs only cross-origin isolated).
    const threads = build === 'threaded' ? ortThreads : 1;
    const weights = plan.files.find((f) => f.file.endsWith('.onnx'))?.file;
    const key = build && weights ? trialKey(modelFileUrl(source, weights), build, threads) : null;
    const browser = navigator.userAgent;
    let stored = preference === 'auto' && key ? usableTrial(await cache.getValue(key).catch(() => undefined), browser) : null;
    const keep = async (trial: EngineTrial) => {
      if (key) await cache.setValue(key, trial).catch(() => undefined);
      return trial;
    };

    let engineNote: string | undefined =
      preference === 'litert' && plan.device === 'wasm' && !build
        ? 'This browser cannot run LiteRT.js (it needs WebAssembly relaxed SIMD), so the model runs on ONNX Runtime.'
        : undefined;
    if (build && weights && stored?.engine !== 'onnxruntime') {
      // The files at once, as transformers.js reads them; a failure to read them is the
      // model's or the network's, which ONNX Runtime would meet too, so it is not caught.
      const progress = (info: unknown) => report(info as ProgressEvent);
      const [tokenizer, config, onnxFile] = await Promise.all([
        AutoTokenizer.from_pretrained(source.modelId, { progress_callback: progress }),
        AutoConfig.from_pretrained(source.modelId, { progress_callback: progress }),
        readModelFile(modelFileUrl(source, weights), weights, report),
      ]);
      let lite: RuntimeModel | null = null;
      try {
        lite = await loadLiteRtModel({ modelId: source.modelId, build, threads, tokenizer, config, onnx: onnxFile });
      } catch (err) {
        // ONNX Runtime is precached by the service worker and LiteRT.js only cached once used,
        // so offline it may be the one that can start.
        if (isDownloadFailure(err)) {
          engineNote = 'LiteRT.js could not be downloaded (perhaps the connection dropped), so the model runs on ONNX Runtime this time.';
        } else {
          const reason = `it could not run this model (${errorMessage(err)})`;
          engineNote = `LiteRT.js was not used: ${reason}. The model runs on ONNX Runtime.`;
          // Known for this model and browser: later loads go straight to ONNX Runtime.
          if (preference === 'auto') stored = await keep({ engine: 'onnxruntime', litertMs: null, onnxruntimeMs: null, reason, measuredAt: Date.now(), browser });
        }
      }
      if (lite && (preference === 'litert' || stored)) return finish(lite, stored);
      if (lite) {
        // The first load here on Automatic: the same paragraph on both engines, the faster kept.
        let ort: RuntimeModel;
        try {
          ort = await loadOnnxRuntime();
        } catch (err) {
          // LiteRT.js runs: keep it, unmeasured (nothing is stored, so the next load tries again).
          return finish(lite, null, `ONNX Runtime could not start to be compared (${errorMessage(err)}), so the model runs on LiteRT.js.`);
        }
        const [litertMs, onnxruntimeMs] = await timeInTurns(lite, ort, () => performance.now()).catch(async (err: unknown) => {
          await ort.dispose().catch(() => undefined);
          await lite.dispose().catch(() => undefined);
          throw err;
        });
        const trial = await keep({ engine: pickEngine(litertMs, onnxruntimeMs), litertMs, onnxruntimeMs, measuredAt: Date.now(), browser });
        const [winner, loser] = trial.engine === 'litert' ? [lite, ort] : [ort, lite];
        await loser.dispose().catch(() => undefined);
        return finish(winner, trial);
      }
    }
    return finish(await loadOnnxRuntime(), stored, engineNote);
  }

  return {
    async detectWebGpu() {
      const gpu = (navigator as WorkerNavigator & { gpu?: GpuLike }).gpu;
      if (!gpu) return { available: false, fp16: false };
      try {
        const adapter = await gpu.requestAdapter();
        return { available: adapter !== null, fp16: adapter?.features.has('shader-f16') ?? false };
      } catch {
        return { available: false, fp16: false };
      }
    },

    probe(source: ModelSource, options) {
      allowedHost = source.host;
      return probeModelFiles(source, cache, modelFetch, options);
    },

    async loadModel(source, plan, onProgress, signal) {
      loadSignal = signal;
      try {
        return await loadModel(source, plan, onProgress);
      } finally {
        loadSignal = undefined;
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
 * Folds transformers.js progress events into one throttled LoadProgress stream; `onFilesRead`
 * runs when every expected file has been read (from the network or the cache).
 */
function progressReporter(
  expected: ReadonlyArray<{ file: string; size: number | null }>,
  onProgress: (progress: LoadProgress) => void,
  onFilesRead: () => void,
) {
  const files = new Map<string, { loaded: number; total: number }>();
  for (const f of expected) files.set(f.file, { loaded: 0, total: f.size ?? 0 });
  let last = 0;
  let phase: LoadProgress['phase'] = 'download';

  const emit = (force: boolean) => {
    const now = performance.now();
    if (!force && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    const list = [...files].map(([file, f]) => ({ file, loaded: f.loaded, total: Math.max(f.total, f.loaded) }));
    onProgress({
      phase,
      files: list,
      loaded: list.reduce((n, f) => n + f.loaded, 0),
      total: list.reduce((n, f) => n + f.total, 0),
    });
  };

  return (info: ProgressEvent) => {
    const file = info.file;
    if (info.status === 'progress' && file) {
      const f = files.get(file) ?? { loaded: 0, total: 0 };
      f.loaded = info.loaded ?? f.loaded;
      f.total = info.total ?? f.total;
      files.set(file, f);
      emit(false);
    } else if (info.status === 'done' && file) {
      const f = files.get(file);
      if (f) f.loaded = Math.max(f.loaded, f.total);
      if ([...files.values()].every((x) => x.loaded >= x.total)) {
        phase = 'init';
        onFilesRead();
      }
      emit(true);
    } else if (info.status === 'ready') {
      phase = 'init';
      emit(true);
    }
  };
}
