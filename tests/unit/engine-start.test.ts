// Which engine a load starts and what it tells the page on the way (handler/engine-start.ts over
// handler/load-progress.ts): the phases arrive in order, and the engine trial of Automatic's first
// load says which engine it is starting and when it times them.
import { describe, expect, it } from 'vitest';
import { startEngine, type EngineStartDeps } from '../../src/features/text/handler/engine-start';
import { createLoadProgress, PROGRESS_INTERVAL_MS } from '../../src/features/text/handler/load-progress';
import type { EngineTrial } from '../../src/features/text/engine-trial';
import type { RuntimeModel } from '../../src/features/text/handler/runtime';
import type { LoadProgress } from '../../src/features/text/protocol';
import type { TextEngine } from '../../src/features/text/model-source';

const FILES = [
  { file: 'config.json', size: 10, cached: false },
  { file: 'onnx/model_quantized.onnx', size: 100, cached: false },
];

/** A model whose every run takes `ms` on the fake clock. */
function fakeEngine(engine: TextEngine, ms: number, clock: { t: number }, log: string[]): RuntimeModel {
  return {
    engine,
    countTokens: () => 1,
    async classify() {
      clock.t += ms;
      return [];
    },
    async dispose() {
      log.push(`dispose:${engine}`);
    },
  };
}

/** The phases the page would see, each once, in order: `phase` or `phase:engine`. */
function phasesOf(messages: readonly LoadProgress[]): string[] {
  const seen = messages.map((m) => (m.engine ? `${m.phase}:${m.engine}` : m.phase));
  return seen.filter((p, i) => p !== seen[i - 1]);
}

/**
 * A load as the runtime does it: the files read (reported to the progress stream) and then the
 * engines started, with the steps going to the same stream.
 */
function setup(opts: { litertMs?: number; ortMs?: number; stored?: EngineTrial | null; preference?: EngineStartDeps<void>['preference']; liteRtFails?: Error; noLiteRt?: boolean } = {}) {
  const clock = { t: 0 };
  const log: string[] = [];
  const messages: LoadProgress[] = [];
  const kept: EngineTrial[] = [];
  const progress = createLoadProgress(FILES, (p) => messages.push(p), () => log.push('files-read'), () => clock.t);
  const readFiles = async () => {
    for (const f of FILES) {
      for (const loaded of [f.size / 2, f.size]) {
        clock.t += PROGRESS_INTERVAL_MS;
        progress.file({ status: 'progress', file: f.file, loaded, total: f.size });
      }
      progress.file({ status: 'done', file: f.file });
    }
  };
  const deps: EngineStartDeps<void> = {
    preference: opts.preference ?? 'auto',
    liteRt: opts.noLiteRt
      ? null
      : {
          read: readFiles,
          async start() {
            log.push('start:litert');
            if (opts.liteRtFails) throw opts.liteRtFails;
            return fakeEngine('litert', opts.litertMs ?? 40, clock, log);
          },
        },
    async startOnnxRuntime() {
      // ONNX Runtime reads the files itself (from the cache when LiteRT.js read them first).
      await readFiles();
      log.push('start:onnxruntime');
      return fakeEngine('onnxruntime', opts.ortMs ?? 60, clock, log);
    },
    stored: opts.stored ?? null,
    async keep(trial) {
      kept.push(trial);
      return trial;
    },
    isDownloadFailure: () => false,
    browser: 'test-browser',
    now: () => clock.t,
    step: (step) => progress.step(step),
  };
  return { deps, log, messages, kept };
}

const trial = (engine: TextEngine): EngineTrial => ({ engine, litertMs: 40, onnxruntimeMs: 60, measuredAt: 1, browser: 'test-browser' });

describe('starting the text engine', () => {
  it("on Automatic's first load: download, then the trial starting LiteRT.js, then ONNX Runtime, then timing both, in that order", async () => {
    const { deps, log, messages, kept } = setup({ litertMs: 40, ortMs: 60 });
    const started = await startEngine(deps);
    expect(phasesOf(messages)).toEqual(['download', 'trial:litert', 'trial:onnxruntime', 'trial']);
    // Bytes while downloading; the steps only once every file is read.
    expect(messages.filter((m) => m.phase === 'download').map((m) => m.loaded)).toEqual([5, 10, 10, 60, 110]);
    expect(messages.every((m) => m.total === 110)).toBe(true);
    expect(log.filter((l) => l.startsWith('start') || l === 'files-read')).toEqual(['files-read', 'start:litert', 'start:onnxruntime']);
    expect(started.model.engine).toBe('litert');
    expect(started.trial).toMatchObject({ engine: 'litert', litertMs: 40, onnxruntimeMs: 60 });
    expect(kept).toHaveLength(1);
    expect(log).toContain('dispose:onnxruntime');
    // Both runtimes were started in this worker: the client moves the model to a fresh one.
    expect(started.bothStarted).toBe(true);
  });

  it('with a stored verdict for LiteRT.js: starts only LiteRT.js, said as a start, not as a trial', async () => {
    const { deps, log, messages } = setup({ stored: trial('litert') });
    const started = await startEngine(deps);
    expect(phasesOf(messages)).toEqual(['download', 'init:litert']);
    expect(log).not.toContain('start:onnxruntime');
    expect(started.model.engine).toBe('litert');
    expect(started.bothStarted).toBeUndefined();
  });

  it('with a stored verdict for ONNX Runtime: starts only ONNX Runtime, without reading for LiteRT.js', async () => {
    const { deps, log, messages } = setup({ stored: trial('onnxruntime') });
    const started = await startEngine(deps);
    expect(phasesOf(messages)).toEqual(['download', 'init:onnxruntime']);
    expect(log).not.toContain('start:litert');
    expect(started.model.engine).toBe('onnxruntime');
  });

  it('where LiteRT.js cannot run (or ONNX Runtime is chosen): download, then starting ONNX Runtime', async () => {
    const { deps, messages } = setup({ noLiteRt: true, preference: 'onnxruntime' });
    expect((await startEngine(deps)).model.engine).toBe('onnxruntime');
    expect(phasesOf(messages)).toEqual(['download', 'init:onnxruntime']);
  });

  it('a model LiteRT.js cannot run: the trial ends at LiteRT.js, ONNX Runtime starts, the reason is kept and told', async () => {
    const { deps, messages, kept } = setup({ liteRtFails: new Error('the ONNX op Clip has no TFLite form') });
    const started = await startEngine(deps);
    expect(phasesOf(messages)).toEqual(['download', 'trial:litert', 'init:onnxruntime']);
    expect(started.model.engine).toBe('onnxruntime');
    expect(started.note).toMatch(/^LiteRT.js was not used: it could not run this model \(the ONNX op Clip/u);
    expect(kept).toEqual([expect.objectContaining({ engine: 'onnxruntime', litertMs: null, reason: expect.stringContaining('Clip') })]);
  });
});
