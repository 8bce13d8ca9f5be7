// Entry of the voice Web Worker: the real runtime of the voice handler (../voice-handler.ts). The
// voice-activity model (Silero VAD v5, from @ricky0123/vad-web's package, served from our own
// origin and precached) runs on onnxruntime-web; the speech model (Whisper, read by whisper.ts)
// and the tone model are transformers.js pipelines (`automatic-speech-recognition`,
// `audio-classification`), downloaded once from the Model host into the same model cache as the
// text model (IndexedDB `moodlens-models`) and read from it afterwards, offline too. Its own
// worker: the speech models' wasm heaps stay out of the text worker's (issue 29's budget), and
// the idle unload ends it as it ends the others.
import { env, pipeline, type AudioClassificationPipeline, type AutomaticSpeechRecognitionPipeline, type PipelineType, type ProgressInfo } from '@huggingface/transformers';
import { InferenceSession, Tensor } from 'onnxruntime-web/webgpu';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import vadUrl from '@ricky0123/vad-web/dist/silero_vad_v5.onnx?url';
import { serveWorker } from '../../../shared/worker/serve';
import { createIdbModelCache, withMemoryFallback } from '../../text/model-cache';
import { setUpTransformers } from '../../text/worker/model-env';
import { probeModelFiles } from '../../text/model-files';
import type { ModelSource } from '../../text/model-source';
import type { ProbedFile } from '../../text/protocol';
import type { VoiceRequest, VoiceResponse } from '../protocol';
import { sileroStep, type OrtLike } from '../vad';
import { createVoiceHandler, type ToneModel, type VoiceRuntime } from '../voice-handler';
import { whisperReader } from '../whisper';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const cache = withMemoryFallback(createIdbModelCache());
const models = setUpTransformers(cache);
/** The tone model's files besides its weights. */
const TONE_FILES = ['config.json', 'preprocessor_config.json'] as const;
/**
 * How the speech model is loaded: Whisper's encoder in fp32 (int8 encoders lose words; the
 * transformers.js Whisper demo loads it so too), its merged decoder in int8.
 */
const SPEECH_DTYPE = { encoder_model: 'fp32', decoder_model_merged: 'q8' } as const;
/** The speech model's files, its weights as SPEECH_DTYPE loads them. */
const SPEECH_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/encoder_model.onnx',
  'onnx/decoder_model_merged_quantized.onnx',
] as const;
const onnx = env.backends.onnx;
if (onnx.wasm) {
  onnx.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, scope.location.href).href, mjs: new URL(ortMjsUrl, scope.location.href).href };
  // Two threads at most: the text worker runs its own on the same cores during an analysis.
  onnx.wasm.numThreads = scope.crossOriginIsolated ? Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1)) : 1;
}

const runtime: VoiceRuntime = {
  async vad() {
    const response = await fetch(new URL(vadUrl, scope.location.href), { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${vadUrl}: HTTP ${response.status}`);
    const session = await InferenceSession.create(new Uint8Array(await response.arrayBuffer()), { executionProviders: ['wasm'] });
    return sileroStep({ Tensor } as unknown as OrtLike, session);
  },

  async loadSpeech(source, onProgress, signal) {
    const recognizer = (await loadPipeline('automatic-speech-recognition', source, SPEECH_DTYPE, onProgress, signal)) as AutomaticSpeechRecognitionPipeline;
    try {
      return whisperReader(recognizer, source.modelId);
    } catch (err) {
      await recognizer.dispose();
      throw err;
    }
  },

  async loadTone(source, onProgress, signal): Promise<ToneModel> {
    const classifier = (await loadPipeline('audio-classification', source, 'q8', onProgress, signal)) as AudioClassificationPipeline;
    const id2label = (classifier.model.config as unknown as { id2label?: Record<string, string> }).id2label ?? {};
    const labels = Object.keys(id2label)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => id2label[k]!);
    return {
      modelId: source.modelId,
      labels,
      async classify(samples) {
        return (await classifier(samples, { top_k: labels.length })) as Array<{ label: string; score: number }>;
      },
      dispose: () => classifier.dispose(),
    };
  },

  async probe(kind, source) {
    models.useHost(source.host);
    if (kind === 'speech') {
      const found = await probeModelFiles(source, cache, models.fetch, { required: SPEECH_FILES, weights: false });
      return planOf(found.base);
    }
    const found = await probeModelFiles(source, cache, models.fetch, { required: TONE_FILES });
    // The weights the load takes: q8 (as loadTone asks), else what there is.
    const weights = found.weights.q8 ?? found.weights.fp32 ?? found.weights.fp16;
    if (!weights) throw new Error(`${source.modelId} has no onnx/model_quantized.onnx or onnx/model.onnx at ${source.host}`);
    return planOf([...found.base, weights]);
  },

  now: () => performance.now(),
};

/** A transformers.js pipeline of `task` from `source`, on WASM, its download's progress summed over its files. */
async function loadPipeline(
  task: PipelineType,
  source: ModelSource,
  dtype: 'q8' | typeof SPEECH_DTYPE,
  onProgress: (loaded: number, total: number) => void,
  signal: AbortSignal,
): Promise<unknown> {
  models.useHost(source.host);
  models.setLoadSignal(signal);
  const files = new Map<string, { loaded: number; total: number }>();
  try {
    return await pipeline(task, source.modelId, {
      device: 'wasm',
      dtype: dtype as 'q8',
      progress_callback: (info: ProgressInfo) => {
        if (info.status !== 'progress') return;
        files.set(info.file, { loaded: info.loaded, total: info.total });
        let loaded = 0;
        let total = 0;
        for (const f of files.values()) {
          loaded += f.loaded;
          total += f.total;
        }
        onProgress(loaded, total);
      },
    });
  } finally {
    models.setLoadSignal(undefined);
  }
}

/** The download of `files`: the bytes of those not on this device (null when a size is unknown). */
function planOf(files: readonly ProbedFile[]) {
  const missing = files.filter((f) => !f.cached);
  const downloadBytes = missing.some((f) => f.size === null) ? null : missing.reduce((n, f) => n + (f.size ?? 0), 0);
  return { files, downloadBytes };
}

const handle = createVoiceHandler(runtime, (message: VoiceResponse) => scope.postMessage(message));
serveWorker<VoiceRequest>(scope, 'voice', handle);
