// Which engine runs the text model on this device, measured rather than assumed.
//
// LiteRT.js's relaxed-SIMD int8 kernels beat ONNX Runtime's on some CPUs and lose on others: on
// one 2-core machine here one 64-token text took 46 ms against 58 ms, on another (an AMD EPYC
// with AVX2 and no VNNI) 72 ms against 63 ms. Feature detection cannot tell the two apart, so on
// "Automatic" the first load on a device times the same paragraph on both engines, in turns, and
// keeps the faster; the verdict is stored beside the model's files, so later loads start only
// the winner.
import type { TextEngine } from './model-source';

/** A paragraph of about 60 tokens: what a text in the app usually is. */
export const TRIAL_TEXT =
  'I finally got the job and I am delighted, but also a little scared about moving to a new city where ' +
  'I know nobody yet. The train was late again this morning and everyone on the platform looked furious.';

/** Timed runs per engine, after one untimed run. */
export const TRIAL_RUNS = 5;

/**
 * LiteRT.js must be at least this much faster to be chosen: ONNX Runtime runs a batch as one call
 * and very short texts unpadded, so on a tie it is the better engine for the app's other work.
 */
export const LITERT_MARGIN = 0.95;

/** The outcome of a trial, as stored and as shown to the user. */
export interface EngineTrial {
  readonly engine: TextEngine;
  /** Median ms per trial paragraph; null when the engine could not run the model. */
  readonly litertMs: number | null;
  readonly onnxruntimeMs: number | null;
  /** Why LiteRT.js was not measured (the converter refused the model, say). */
  readonly reason?: string;
  /** When it was measured (ms since the epoch). */
  readonly measuredAt: number;
  /** The browser it was measured in (navigator.userAgent): a new browser version measures again. */
  readonly browser: string;
}

/** The faster engine by the measured times (see LITERT_MARGIN). */
export function pickEngine(litertMs: number, onnxruntimeMs: number): TextEngine {
  return litertMs <= onnxruntimeMs * LITERT_MARGIN ? 'litert' : 'onnxruntime';
}

/**
 * Median ms per classification of TRIAL_TEXT on each of two models, timed in turns (a, b, a, b,
 * ...) after one untimed run each, so whatever else the machine does (V8 still compiling the
 * runtime that just started, say) falls on both alike.
 */
export async function timeInTurns(
  a: { classify(texts: readonly string[]): Promise<unknown> },
  b: { classify(texts: readonly string[]): Promise<unknown> },
  now: () => number,
  runs = TRIAL_RUNS,
): Promise<[number, number]> {
  await a.classify([TRIAL_TEXT]);
  await b.classify([TRIAL_TEXT]);
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const [k, model] of [a, b].entries()) {
      const start = now();
      await model.classify([TRIAL_TEXT]);
      times[k]!.push(now() - start);
    }
  }
  const median = (t: number[]) => t.sort((x, y) => x - y)[Math.floor(t.length / 2)] ?? 0;
  return [median(times[0]), median(times[1])];
}

/**
 * Where a trial is stored: under the weights file's URL, so removing the model's files (Settings,
 * or a model found broken) removes its verdict too. The LiteRT.js build and the thread count
 * change the answer, so each has its own.
 */
export function trialKey(weightsUrl: string, build: string, threads: number): string {
  return `${weightsUrl}#engine-trial/${build}/${threads}`;
}

/** A stored trial, if it is one and still holds for this browser. */
export function usableTrial(value: unknown, browser: string): EngineTrial | null {
  if (typeof value !== 'object' || value === null) return null;
  const t = value as Partial<EngineTrial>;
  if (t.engine !== 'litert' && t.engine !== 'onnxruntime') return null;
  if (t.browser !== browser || typeof t.measuredAt !== 'number') return null;
  const ms = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
  return {
    engine: t.engine,
    litertMs: ms(t.litertMs),
    onnxruntimeMs: ms(t.onnxruntimeMs),
    ...(typeof t.reason === 'string' ? { reason: t.reason } : {}),
    measuredAt: t.measuredAt,
    browser,
  };
}

/** One sentence on a trial, for the ready line and Settings. */
export function describeTrial(trial: EngineTrial): string {
  const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
  if (trial.litertMs === null || trial.onnxruntimeMs === null) {
    return trial.reason ? `LiteRT.js was not used here: ${trial.reason}.` : 'Only one engine could run this model here.';
  }
  return `Measured on this device: LiteRT.js ${ms(trial.litertMs)}, ONNX Runtime ${ms(trial.onnxruntimeMs)} per paragraph.`;
}
