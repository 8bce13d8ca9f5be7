// The typed message protocol between the page (EmotionClient) and the emotion worker. Both sides
// import these types; `type` decides the payload, and every request carries an id that its
// replies echo.
import type { Explanation } from './explain';
import type { EmotionScores, Emotion } from '../../shared/emotions';
import type { ModelErrorData } from './model-errors';
import type { EngineTrial } from './engine-trial';
import type { Device, DevicePreference, ModelDtype, ModelSource, TextEngine, TextEnginePreference } from './model-source';

/** What the page asks the worker to load. */
export interface ModelConfig {
  readonly source: ModelSource;
  readonly device: DevicePreference;
  /** Absent: 'auto'. */
  readonly engine?: TextEnginePreference;
}

/** One file the model needs, as the probe found it. */
export interface ProbedFile {
  readonly file: string;
  /** Bytes, when the host or cache said; null when unknown. */
  readonly size: number | null;
  readonly cached: boolean;
}

/** What loading would take: device, dtype and the files, with what is already cached. */
export interface LoadPlan {
  readonly device: Device;
  readonly dtype: ModelDtype;
  /** dtypes whose weights the source has. */
  readonly available: readonly ModelDtype[];
  readonly files: readonly ProbedFile[];
  /** Bytes still to download (sum over uncached files); null when a size is unknown. */
  readonly downloadBytes: number | null;
  /** Why the device differs from the preference, if it does (e.g. no WebGPU adapter). */
  readonly deviceNote?: string;
}

/**
 * Download and start-up progress, already aggregated over files. Phases, in order: 'download'
 * (reading the files, from the network or this device), then 'init' (starting `engine`) or, on
 * Automatic's first load on a device, 'trial' (starting LiteRT.js, then ONNX Runtime, each named
 * in `engine`, then timing both: no `engine`), then 'warmup' (one run before the model counts as
 * loaded).
 */
export interface LoadProgress {
  readonly phase: 'download' | 'init' | 'trial' | 'warmup';
  /** 'init' and 'trial': the engine being started (absent while both are timed, or not yet known). */
  readonly engine?: TextEngine;
  readonly files: ReadonlyArray<{ readonly file: string; readonly loaded: number; readonly total: number }>;
  readonly loaded: number;
  readonly total: number;
}

/** The model that is loaded and how. */
export interface LoadedModelInfo {
  readonly source: ModelSource;
  readonly device: Device;
  readonly dtype: ModelDtype;
  /** What runs it (absent from older workers: ONNX Runtime). */
  readonly engine?: TextEngine;
  /** The engine in a few words: build, threads. */
  readonly engineDetail?: string;
  /** On Automatic: the times that chose the engine on this device. */
  readonly engineTrial?: EngineTrial;
  /**
   * This worker started both engines to compare them: the slower one's runtime memory stays
   * until the worker ends, so the client moves the model to a fresh worker (EmotionClient).
   */
  readonly bothEnginesStarted?: boolean;
  readonly loadMs: number;
  /** Where `loadMs` went (the benchmark prints it): files read or downloaded, session, warm-up. */
  readonly phases?: LoadPhases;
}

/** The parts of a model load, in ms from its start. */
export interface LoadPhases {
  /** Every model file was read (from the cache or the network). */
  readonly filesMs: number;
  /** The inference session was created (files read included). */
  readonly sessionMs: number;
  /** The warm-up run took this long (after the session). */
  readonly warmupMs: number;
}

/** The text channel's answer for one text. */
/** One piece of a text as it was read, with its own scores. */
export interface TextPiece {
  readonly text: string;
  readonly scores: EmotionScores;
}

export interface TextResult {
  readonly scores: EmotionScores;
  readonly top: Emotion;
  readonly topScore: number;
  /** Wall time of tokenization and inference over all chunks, in ms. */
  readonly inferenceMs: number;
  readonly device: Device;
  readonly dtype: ModelDtype;
  /** What ran the model (absent in older results: ONNX Runtime). */
  readonly engine?: TextEngine;
  readonly modelId: string;
  /** Number of pieces the text was split into (1 when it fitted). */
  readonly chunks: number;
  /** Content tokens over all chunks. */
  readonly tokens: number;
  /** Each chunk with its own scores, when there were several (how the text moves). */
  readonly parts?: readonly TextPiece[];
  /** True when the same text was classified by the same model before and this is that result. */
  readonly cached?: boolean;
}

/** Page -> worker. */
/**
 * What a worker keeps for the model it holds (results by text, explanations by text), as the
 * page keeps a copy of it: a worker that takes over the model (after the engine trial, or after
 * the model was unloaded to free memory) is handed it with its first request, so a text read
 * before is still answered from the cache.
 */
export interface KeptResults {
  readonly results: ReadonlyArray<readonly [string, TextResult]>;
  readonly explanations: ReadonlyArray<readonly [string, Explanation]>;
}

/** `seed`: what earlier workers kept for this config's model (KeptResults), sent once per worker. */
export type WorkerRequest =
  /** `cachedOnly`: look in the model cache only and send no request (a missing file is an error). */
  | { readonly type: 'probe'; readonly id: number; readonly config: ModelConfig; readonly cachedOnly?: boolean }
  | { readonly type: 'classify'; readonly id: number; readonly config: ModelConfig; readonly text: string; readonly seed?: KeptResults }
  /** `ifLoaded`: only with the model already loaded; never start a load (ModelError `not-loaded`). */
  | { readonly type: 'classify-batch'; readonly id: number; readonly config: ModelConfig; readonly texts: readonly string[]; readonly ifLoaded?: boolean; readonly seed?: KeptResults }
  /** Leave-one-word-out occlusion of `text`. */
  | { readonly type: 'explain'; readonly id: number; readonly config: ModelConfig; readonly text: string; readonly seed?: KeptResults }
  | { readonly type: 'unload'; readonly id: number };

/** What each request resolves with on the page, by request `type`. */
export interface ReplyOf {
  readonly probe: LoadPlan;
  readonly classify: TextResult;
  readonly 'classify-batch': readonly TextResult[];
  readonly explain: Explanation;
  readonly unload: void;
}

/** Worker -> page (besides the plumbing's `ready`, shared/worker/protocol.ts). */
export type WorkerResponse =
  | { readonly type: 'progress'; readonly id: number; readonly progress: LoadProgress }
  | { readonly type: 'notice'; readonly id: number; readonly notice: string }
  /** Chunks classified so far in a request of several batches (a long text, or many texts). */
  | { readonly type: 'analyzing'; readonly id: number; readonly done: number; readonly total: number }
  | { readonly type: 'probed'; readonly id: number; readonly plan: LoadPlan }
  | { readonly type: 'loaded'; readonly id: number; readonly model: LoadedModelInfo }
  | { readonly type: 'classified'; readonly id: number; readonly result: TextResult }
  | { readonly type: 'classified-batch'; readonly id: number; readonly results: readonly TextResult[] }
  | { readonly type: 'explained'; readonly id: number; readonly explanation: Explanation }
  | { readonly type: 'unloaded'; readonly id: number }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly error: ModelErrorData;
      /**
       * The failure came from a model load that had started: transformers.js chains every session
       * start on one promise, so this worker cannot load again and the page should replace it.
       */
      readonly recycle?: boolean;
    };


/** Stable key of a config: a loaded model is reused only for the same key. */
export function configKey(config: ModelConfig): string {
  return `${config.source.host}|${config.source.modelId}|${config.device}|${config.engine ?? 'auto'}`;
}
