// The worker handler's edges: what it needs from the outside world (the real runtime on
// transformers.js and LiteRT.js, or a test's fake), the way to the page, and what it keeps of a
// loaded model.
import type { EmotionScores } from '../../../shared/emotions';
import type { EngineTrial } from '../engine-trial';
import type { ProbeFindings } from '../model-files';
import type { Device, ModelDtype, ModelSource, TextEngine, TextEnginePreference } from '../model-source';
import type { LoadPlan, LoadProgress, LoadedModelInfo, WorkerResponse } from '../protocol';

/** A loaded model, as the runtime hands it to the handler. */
export interface RuntimeModel {
  countTokens(text: string): number;
  /** One distribution per input text, in order. */
  classify(texts: readonly string[]): Promise<EmotionScores[]>;
  dispose(): Promise<void>;
  /** When, from the start of the load, every file had been read and the session was made. */
  readonly timings?: { readonly filesMs: number; readonly sessionMs: number };
  /** What runs it (absent: ONNX Runtime), in a few words, and why it is not the one preferred. */
  readonly engine?: TextEngine;
  readonly engineDetail?: string;
  readonly engineNote?: string;
  /** How the engine was chosen on Automatic: the times measured on this device (engine-trial.ts). */
  readonly engineTrial?: EngineTrial;
  /**
   * The load started both engines (the engine trial) and disposed of the slower: its model is
   * gone, but its runtime's wasm memory cannot shrink, so the worker holds it until it ends.
   */
  readonly bothEnginesStarted?: boolean;
}

/** What the handler needs from the outside world. */
export interface WorkerRuntime {
  detectWebGpu(): Promise<{ available: boolean; fp16: boolean }>;
  probe(source: ModelSource, options?: { cachedOnly?: boolean }): Promise<ProbeFindings>;
  loadModel(
    source: ModelSource,
    plan: { device: Device; dtype: ModelDtype; files: LoadPlan['files']; engine?: TextEnginePreference },
    onProgress: (progress: LoadProgress) => void,
    /** Aborted when the request that started the load is cancelled: stop downloading. */
    signal?: AbortSignal,
  ): Promise<RuntimeModel>;
  /** Removes cached files of a source: the given ones, or all (after they proved unusable). */
  evict(source: ModelSource, files?: readonly string[]): Promise<void>;
  now(): number;
  /** navigator.onLine: tells "offline" from "host unreachable" when a download breaks. */
  isOnline(): boolean;
  /** Why a downloaded file could not be cached since the last call (then cleared), or null. */
  takeCacheWriteFailure(): string | null;
}

/** The runtime, and `post`, which sends a response to the page. */
export interface HandlerIo {
  readonly runtime: WorkerRuntime;
  readonly post: (message: WorkerResponse) => void;
}

/** A model loaded for one config (`key`), with what the page is told about it. */
export interface LoadedModel {
  readonly key: string;
  readonly model: RuntimeModel;
  readonly info: LoadedModelInfo;
}
