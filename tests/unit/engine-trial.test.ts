import { describe, expect, it } from 'vitest';
import { LITERT_MARGIN, TRIAL_RUNS, TRIAL_TEXT, describeTrial, pickEngine, timeInTurns, trialKey, usableTrial, type EngineTrial } from '../../src/features/text/engine-trial';

describe('the engine trial', () => {
  it('keeps LiteRT.js only when it is faster by the margin; a tie goes to ONNX Runtime', () => {
    // The two machines of issue 18: 46 against 58 ms, and 72 against 63 ms.
    expect(pickEngine(46.2, 58.3)).toBe('litert');
    expect(pickEngine(72.4, 62.9)).toBe('onnxruntime');
    expect(pickEngine(60, 60)).toBe('onnxruntime');
    expect(pickEngine(60 * LITERT_MARGIN, 60)).toBe('litert');
    expect(pickEngine(60 * LITERT_MARGIN + 0.01, 60)).toBe('onnxruntime');
  });

  it('times the trial paragraph on both engines in turns: one untimed run each, then the median of each', async () => {
    const order: string[] = [];
    // Each run takes the next of these (ms) on a fake clock: a's, then b's, in turns.
    const costs = { a: [500, 30, 90, 40, 35, 50], b: [900, 60, 20, 70, 65, 61] };
    let clock = 0;
    const fake = (name: 'a' | 'b') => ({
      async classify(texts: readonly string[]) {
        expect(texts).toEqual([TRIAL_TEXT]);
        clock += costs[name][order.filter((n) => n === name).length] ?? 0;
        order.push(name);
      },
    });
    expect(await timeInTurns(fake('a'), fake('b'), () => clock)).toEqual([40, 61]);
    expect(order).toEqual(['a', 'b', ...Array.from({ length: TRIAL_RUNS }, () => ['a', 'b']).flat()]);
  });

  it('keeps a trial per weights file, build and thread count, under the weights URL', () => {
    const url = 'http://127.0.0.1:1/a/b/resolve/main/onnx/model_quantized.onnx';
    expect(trialKey(url, 'threaded', 2).startsWith(url)).toBe(true);
    expect(new Set([trialKey(url, 'threaded', 2), trialKey(url, 'threaded', 1), trialKey(url, 'plain', 1)]).size).toBe(3);
  });

  it('reads back a stored trial only for the browser that measured it, and only what it can trust', () => {
    const trial: EngineTrial = { engine: 'litert', litertMs: 40, onnxruntimeMs: 60, measuredAt: 1, browser: 'Chrome/156' };
    expect(usableTrial(trial, 'Chrome/156')).toEqual(trial);
    expect(usableTrial(trial, 'Chrome/157')).toBeNull();
    expect(usableTrial({ ...trial, engine: 'tflite' }, 'Chrome/156')).toBeNull();
    expect(usableTrial(undefined, 'Chrome/156')).toBeNull();
    expect(usableTrial({ ...trial, litertMs: -1, onnxruntimeMs: 'x' }, 'Chrome/156')).toMatchObject({ litertMs: null, onnxruntimeMs: null });
  });

  it('says what was measured, or why LiteRT.js was not used', () => {
    const base = { measuredAt: 1, browser: 'b' };
    expect(describeTrial({ ...base, engine: 'onnxruntime', litertMs: 72.4, onnxruntimeMs: 62.9 })).toBe('Measured on this device: LiteRT.js 72 ms, ONNX Runtime 63 ms per paragraph.');
    expect(describeTrial({ ...base, engine: 'litert', litertMs: 1.23, onnxruntimeMs: 2.5 })).toBe('Measured on this device: LiteRT.js 1.2 ms, ONNX Runtime 2.5 ms per paragraph.');
    expect(describeTrial({ ...base, engine: 'onnxruntime', litertMs: null, onnxruntimeMs: null, reason: 'it could not run this model (the ONNX op Clip)' })).toBe(
      'LiteRT.js was not used here: it could not run this model (the ONNX op Clip).',
    );
  });
});
