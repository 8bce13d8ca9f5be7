// Which engine a load starts on WASM, and the steps it reports while it does: the user's choice;
// on Automatic the engine measured faster on this device before (engine-trial.ts), or, on the
// first load here, LiteRT.js, then ONNX Runtime, then both timed on one paragraph, the faster
// kept. Any LiteRT.js failure past the download falls back to ONNX Runtime, with a note saying
// why. The engines come as functions, so this runs in Node tests as it runs in the worker.
import { errorMessage } from '../../../shared/errors';
import { pickEngine, timeInTurns, type EngineTrial } from '../engine-trial';
import type { TextEnginePreference } from '../model-source';
import type { StartStep } from './load-progress';
import type { RuntimeModel } from './runtime';

/** What choosing and starting the engine needs; `F` is what LiteRT.js reads before it starts. */
export interface EngineStartDeps<F> {
  readonly preference: TextEnginePreference;
  /** LiteRT.js, where it can run (WASM with relaxed SIMD); null where it cannot. */
  readonly liteRt: { read(): Promise<F>; start(files: F): Promise<RuntimeModel> } | null;
  readonly startOnnxRuntime: () => Promise<RuntimeModel>;
  /** The trial stored for this model, build and browser (Automatic only), or null. */
  readonly stored: EngineTrial | null;
  /** Stores a trial (best effort) and gives it back. */
  readonly keep: (trial: EngineTrial) => Promise<EngineTrial>;
  /** True when an error means LiteRT.js's own files could not be downloaded. */
  readonly isDownloadFailure: (err: unknown) => boolean;
  readonly browser: string;
  readonly now: () => number;
  /** Tells the page what starts now. */
  readonly step: (step: StartStep) => void;
  /** A note to pass on when nothing else is said (e.g. why LiteRT.js cannot run here). */
  readonly note?: string;
}

/** The engine started, the trial behind the choice (if any), and what the user should be told. */
export interface StartedEngine {
  readonly model: RuntimeModel;
  readonly trial: EngineTrial | null;
  readonly note?: string;
  /** Both engines were started (the trial): the slower one's runtime memory stays in this worker. */
  readonly bothStarted?: boolean;
}

/** Chooses and starts the engine (see the header). */
export async function startEngine<F>(deps: EngineStartDeps<F>): Promise<StartedEngine> {
  const { preference, liteRt, step } = deps;
  let stored = deps.stored;
  let note = deps.note;
  const started = (model: RuntimeModel, trial: EngineTrial | null, why = note): StartedEngine => ({ model, trial, ...(why ? { note: why } : {}) });

  if (liteRt && stored?.engine !== 'onnxruntime') {
    // Automatic with nothing measured yet: this load compares the two engines. (A step is
    // shown once the files are read, so it is set first.)
    const trialing = preference === 'auto' && stored === null;
    step({ phase: trialing ? 'trial' : 'init', engine: 'litert' });
    // A failure to read the files is the model's or the network's, which ONNX Runtime would
    // meet too, so it is not caught.
    const files = await liteRt.read();
    let lite: RuntimeModel | null = null;
    try {
      lite = await liteRt.start(files);
    } catch (err) {
      // ONNX Runtime is precached by the service worker and LiteRT.js only cached once used,
      // so offline it may be the one that can start.
      if (deps.isDownloadFailure(err)) {
        note = 'LiteRT.js could not be downloaded (perhaps the connection dropped), so the model runs on ONNX Runtime this time.';
      } else {
        const reason = `it could not run this model (${errorMessage(err)})`;
        note = `LiteRT.js was not used: ${reason}. The model runs on ONNX Runtime.`;
        // Known for this model and browser: later loads go straight to ONNX Runtime.
        if (preference === 'auto') {
          stored = await deps.keep({ engine: 'onnxruntime', litertMs: null, onnxruntimeMs: null, reason, measuredAt: Date.now(), browser: deps.browser });
        }
      }
    }
    if (lite && (preference === 'litert' || stored)) return started(lite, stored);
    if (lite) {
      step({ phase: 'trial', engine: 'onnxruntime' });
      let ort: RuntimeModel;
      try {
        ort = await deps.startOnnxRuntime();
      } catch (err) {
        // LiteRT.js runs: keep it, unmeasured (nothing is stored, so the next load tries again).
        return started(lite, null, `ONNX Runtime could not start to be compared (${errorMessage(err)}), so the model runs on LiteRT.js.`);
      }
      step({ phase: 'trial' });
      const [litertMs, onnxruntimeMs] = await timeInTurns(lite, ort, deps.now).catch(async (err: unknown) => {
        await ort.dispose().catch(() => undefined);
        await lite.dispose().catch(() => undefined);
        throw err;
      });
      const trial = await deps.keep({ engine: pickEngine(litertMs, onnxruntimeMs), litertMs, onnxruntimeMs, measuredAt: Date.now(), browser: deps.browser });
      const [winner, loser] = trial.engine === 'litert' ? [lite, ort] : [ort, lite];
      await loser.dispose().catch(() => undefined);
      return { ...started(winner, trial), bothStarted: true };
    }
  }
  step({ phase: 'init', engine: 'onnxruntime' });
  return started(await deps.startOnnxRuntime(), stored);
}
