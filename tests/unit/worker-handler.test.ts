import { describe, expect, it } from 'vitest';
import { normalize, type EmotionScores } from '../../src/shared/emotions';
import type { ModelSource } from '../../src/features/text/model-source';
import type { ProbeFindings } from '../../src/features/text/model-files';
import type { LoadProgress, ModelConfig, WorkerResponse } from '../../src/features/text/protocol';
import { createWorkerHandler, type RuntimeModel, type WorkerRuntime } from '../../src/features/text/worker-handler';
import { SETTLE_TEXT } from '../../src/features/text/handler/model-session';

const source: ModelSource = { host: 'http://127.0.0.1:1', modelId: 'test/model' };
const config: ModelConfig = { source, device: 'auto' };

const JOY = normalize({ anger: 0, disgust: 0, fear: 0, joy: 3, neutral: 1, sadness: 0, surprise: 0 });
const SAD = normalize({ anger: 0, disgust: 0, fear: 0, joy: 0, neutral: 1, sadness: 3, surprise: 0 });

const findings: ProbeFindings = {
  base: [
    { file: 'config.json', size: 10, cached: false },
    { file: 'tokenizer.json', size: 20, cached: false },
    { file: 'tokenizer_config.json', size: 5, cached: true },
  ],
  weights: {
    fp32: { file: 'onnx/model.onnx', size: 400, cached: false },
    q8: { file: 'onnx/model_quantized.onnx', size: 100, cached: false },
  },
};

/** A fake model: one token per word; "happy" texts score joy, everything else sadness. */
function fakeModel(log: string[], opts: { failRun?: boolean; failSettle?: boolean; timings?: RuntimeModel['timings'] } = {}, batches?: string[][]): RuntimeModel {
  return {
    ...(opts.timings ? { timings: opts.timings } : {}),
    countTokens: (t) => t.split(/\s+/u).filter(Boolean).length,
    async classify(texts) {
      log.push(texts[0] === SETTLE_TEXT ? 'settle' : `classify:${texts.length}`);
      batches?.push([...texts]);
      if (opts.failRun && !texts[0]?.startsWith('Warming')) throw new Error('GPU device lost');
      if (opts.failSettle && texts[0] === SETTLE_TEXT) throw new Error('memory access out of bounds');
      return texts.map((t): EmotionScores => (t.includes('happy') ? JOY : SAD));
    },
    async dispose() {
      log.push('dispose');
    },
  };
}

interface FakeOptions {
  gpu?: boolean;
  failLoadOn?: Set<string>;
  failRunOnGpu?: boolean;
  probe?: () => Promise<ProbeFindings>;
  /** Thrown by loadModel, as transformers.js or ONNX Runtime would. */
  loadError?: Error;
  online?: boolean;
  /** What takeCacheWriteFailure answers once. */
  cacheWriteFailure?: string;
  /** The load's own breakdown, as the real runtime reports it. */
  timings?: RuntimeModel['timings'];
  /** The engine the runtime reports it loaded on, and why not the preferred one. */
  engine?: Pick<RuntimeModel, 'engine' | 'engineDetail' | 'engineNote' | 'engineTrial'>;
  /** The download goes on until the load's signal is aborted (then fails as fetch does). */
  holdLoad?: boolean;
  /** What the runtime reports while it loads (default: half of the download). */
  progress?: LoadProgress[];
  /** The model's settling run fails (ModelSession.settle). */
  failSettle?: boolean;
  /** Each final message is also logged (`answer:<id>`), to see it in order with the runs. */
  logAnswers?: boolean;
}

function setup(opts: FakeOptions = {}) {
  const log: string[] = [];
  const batches: string[][] = [];
  const messages: WorkerResponse[] = [];
  let clock = 0;
  const online = opts.online ?? true;
  let cacheFailure: string | null = null;
  const runtime: WorkerRuntime = {
    detectWebGpu: async () => ({ available: opts.gpu ?? false, fp16: false }),
    probe: opts.probe ?? (async () => findings),
    async loadModel(_source, plan, onProgress, signal) {
      log.push(`load:${plan.device}:${plan.dtype}${plan.engine && plan.engine !== 'auto' ? `:${plan.engine}` : ''}`);
      for (const p of opts.progress ?? [{ phase: 'download', files: [], loaded: 50, total: 100 }]) onProgress(p);
      if (opts.holdLoad) {
        await new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new DOMException('The user aborted a request.', 'AbortError'))));
      }
      if (opts.failLoadOn?.has(plan.device)) throw new Error(`cannot load on ${plan.device}`);
      if (opts.loadError) throw opts.loadError;
      cacheFailure = opts.cacheWriteFailure ?? null;
      return {
        ...fakeModel(log, { failRun: plan.device === 'webgpu' && opts.failRunOnGpu, failSettle: opts.failSettle, ...(opts.timings ? { timings: opts.timings } : {}) }, batches),
        ...opts.engine,
      };
    },
    async evict(source, files) {
      log.push(`evict:${source.modelId}${files ? `:${files.join(',')}` : ''}`);
    },
    now: () => (clock += 5),
    isOnline: () => online,
    takeCacheWriteFailure: () => {
      const failure = cacheFailure;
      cacheFailure = null;
      return failure;
    },
  };
  const handle = createWorkerHandler(runtime, (m) => {
    messages.push(m);
    if (opts.logAnswers && finals([m]).length) log.push(`answer:${m.id}`);
  });
  return { handle, log, messages, batches };
}

const finals = (ms: WorkerResponse[]) => ms.filter((m) => ['probed', 'classified', 'classified-batch', 'unloaded', 'error'].includes(m.type));

describe('worker handler', () => {
  it('plans q8 on WASM and counts only uncached bytes', async () => {
    const { handle, messages } = setup();
    await handle({ type: 'probe', id: 1, config });
    expect(messages).toEqual([
      {
        type: 'probed',
        id: 1,
        plan: expect.objectContaining({ device: 'wasm', dtype: 'q8', available: ['fp32', 'q8'], downloadBytes: 130 }),
      },
    ]);
  });

  it('plans fp32 on WebGPU when an adapter exists', async () => {
    const { handle, messages } = setup({ gpu: true });
    await handle({ type: 'probe', id: 1, config });
    expect(messages[0]).toMatchObject({ type: 'probed', plan: { device: 'webgpu', dtype: 'fp32', downloadBytes: 430 } });
  });

  it('says so when WebGPU is forced but the browser has no adapter', async () => {
    const { handle, messages } = setup({ gpu: false });
    await handle({ type: 'classify', id: 1, config: { source, device: 'webgpu' }, text: 'happy day' });
    expect(messages.find((m) => m.type === 'notice')).toMatchObject({ notice: expect.stringContaining('no WebGPU adapter') });
    expect(messages.at(-1)).toMatchObject({ type: 'classified', result: { device: 'wasm', top: 'joy' } });
  });

  it('loads once, warms up, then reuses the model', async () => {
    const { handle, log, messages } = setup();
    await handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    await handle({ type: 'classify', id: 2, config, text: 'a gray day' });
    // The warm-up, the text, the settling run after the answer, then the second text.
    expect(log).toEqual(['load:wasm:q8', 'classify:1', 'classify:1', 'settle', 'classify:1']);
    const types = messages.map((m) => `${m.type}:${m.id}`);
    expect(types).toEqual(['progress:1', 'progress:1', 'loaded:1', 'classified:1', 'classified:2']);
    // The load's parts (the clock ticks 5 ms a reading): the runtime reported no timings of its
    // own, so the files and the session count up to the warm-up, which took one tick.
    expect(messages[2]).toMatchObject({ type: 'loaded', model: { loadMs: 10, phases: { filesMs: 5, sessionMs: 5, warmupMs: 5 } } });
    expect(messages[3]).toMatchObject({ result: { top: 'joy', device: 'wasm', dtype: 'q8', chunks: 1, tokens: 3, modelId: 'test/model' } });
    expect(messages[4]).toMatchObject({ result: { top: 'sadness' } });
  });

  it('passes on what the load is doing, in order: the download, the engine trial step by step, then the warm-up, then loaded', async () => {
    const step = (phase: LoadProgress['phase'], engine?: 'litert' | 'onnxruntime'): LoadProgress => ({ phase, ...(engine ? { engine } : {}), files: [], loaded: 100, total: 100 });
    const { handle, messages } = setup({ progress: [step('download'), step('trial', 'litert'), step('trial', 'onnxruntime'), step('trial')] });
    await handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    const said = messages.flatMap((m) => (m.type === 'progress' ? [`${m.progress.phase}${m.progress.engine ? `:${m.progress.engine}` : ''}`] : m.type === 'loaded' ? ['loaded'] : []));
    expect(said).toEqual(['download', 'trial:litert', 'trial:onnxruntime', 'trial', 'warmup', 'loaded']);
  });

  it("reports the runtime's own split of a load: files read, then the session made", async () => {
    const { handle, messages } = setup({ timings: { filesMs: 2, sessionMs: 4 } });
    await handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    expect(messages.find((m) => m.type === 'loaded')).toMatchObject({ model: { loadMs: 10, phases: { filesMs: 2, sessionMs: 4, warmupMs: 5 } } });
  });

  it('names the engine the runtime loaded on in the load and in every result, and passes its note on', async () => {
    const engineTrial = { engine: 'litert', litertMs: 40, onnxruntimeMs: 60, measuredAt: 1, browser: 'test' } as const;
    const { handle, messages } = setup({ engine: { engine: 'litert', engineDetail: 'LiteRT.js, threads', engineTrial } });
    await handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    expect(messages.find((m) => m.type === 'loaded')).toMatchObject({ model: { engine: 'litert', engineDetail: 'LiteRT.js, threads', engineTrial } });
    expect(messages.at(-1)).toMatchObject({ type: 'classified', result: { engine: 'litert' } });

    const fallback = setup({ engine: { engine: 'onnxruntime', engineNote: 'LiteRT.js could not run this model (x), so it runs on ONNX Runtime.' } });
    await fallback.handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    expect(fallback.messages.find((m) => m.type === 'notice')).toMatchObject({ notice: expect.stringContaining('could not run this model') });
    expect(fallback.messages.at(-1)).toMatchObject({ type: 'classified', result: { engine: 'onnxruntime' } });

    // A runtime that says nothing (older workers, the fake) counts as ONNX Runtime.
    const plain = setup();
    await plain.handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    expect(plain.messages.find((m) => m.type === 'loaded')).toMatchObject({ model: { engine: 'onnxruntime' } });
  });

  it('loads the model again when the engine setting changes, and hands the setting to the runtime', async () => {
    const { handle, log } = setup();
    await handle({ type: 'classify', id: 1, config, text: 'happy' });
    await handle({ type: 'classify', id: 2, config: { ...config, engine: 'onnxruntime' }, text: 'happy' });
    await handle({ type: 'classify', id: 3, config: { ...config, engine: 'onnxruntime' }, text: 'sad' });
    expect(log.filter((l) => l.startsWith('load') || l === 'dispose')).toEqual(['load:wasm:q8', 'dispose', 'load:wasm:q8:onnxruntime']);
  });

  it('reloads when the config changes, disposing the old model', async () => {
    const { handle, log } = setup();
    await handle({ type: 'classify', id: 1, config, text: 'happy' });
    await handle({ type: 'classify', id: 2, config: { ...config, source: { ...source, modelId: 'other/model' } }, text: 'happy' });
    expect(log.filter((l) => l.startsWith('load') || l === 'dispose')).toEqual(['load:wasm:q8', 'dispose', 'load:wasm:q8']);
  });

  it('reports webgpu-failed when the model does not load on WebGPU (the page retries on WASM)', async () => {
    const { handle, log, messages } = setup({ gpu: true, failLoadOn: new Set(['webgpu']) });
    await handle({ type: 'classify', id: 1, config, text: 'happy' });
    expect(log.filter((l) => l.startsWith('load'))).toEqual(['load:webgpu:fp32']);
    expect(finals(messages)).toEqual([
      { type: 'error', id: 1, error: { code: 'webgpu-failed', detail: 'Error: cannot load on webgpu' }, recycle: true },
    ]);
    expect(log).toContain('evict:test/model:onnx/model.onnx');
  });

  it('reports webgpu-failed when WebGPU fails while running, and drops the model', async () => {
    const { handle, log, messages } = setup({ gpu: true, failRunOnGpu: true });
    await handle({ type: 'classify', id: 1, config, text: 'happy' });
    expect(finals(messages)).toEqual([
      { type: 'error', id: 1, error: { code: 'webgpu-failed', detail: 'Error: GPU device lost' } },
    ]);
    expect(log.at(-1)).toBe('dispose');
  });

  it('runs on WASM when asked, even with an adapter', async () => {
    const { handle, messages } = setup({ gpu: true });
    await handle({ type: 'classify', id: 1, config: { source, device: 'wasm' }, text: 'happy' });
    expect(finals(messages)).toEqual([expect.objectContaining({ type: 'classified', result: expect.objectContaining({ device: 'wasm', dtype: 'q8' }) })]);
  });

  it('reports a failed load as an error, then retries on the next request', async () => {
    let calls = 0;
    const { handle, messages } = setup({
      probe: async () => {
        calls += 1;
        if (calls === 1) throw new Error('network down');
        return findings;
      },
    });
    await handle({ type: 'classify', id: 1, config, text: 'happy' });
    await handle({ type: 'classify', id: 2, config, text: 'happy' });
    expect(finals(messages)).toEqual([
      { type: 'error', id: 1, error: { code: 'unknown', detail: 'Error: network down' } },
      expect.objectContaining({ type: 'classified', id: 2 }),
    ]);
  });

  it('maps a model that does not load on WASM to invalid-model, and drops its cached files', async () => {
    const { handle, messages, log } = setup({ failLoadOn: new Set(['wasm']) });
    await handle({ type: 'classify', id: 7, config, text: 'happy' });
    expect(finals(messages)).toEqual([{ type: 'error', id: 7, error: { code: 'invalid-model', detail: 'Error: cannot load on wasm' }, recycle: true }]);
    expect(log).toContain('evict:test/model');
  });

  it('tells a download that broke off from a broken model, and keeps the cached files', async () => {
    const cases: Array<[Error, boolean, string, string | undefined]> = [
      [new TypeError('network error'), true, 'host-unreachable', '127.0.0.1:1'],
      [new TypeError('Failed to fetch'), false, 'offline', undefined],
      [
        new Error('no available backend found. ERR: [wasm] TypeError: Failed to fetch dynamically imported module: http://127.0.0.1:4173/assets/ort-wasm-simd-threaded.mjs'),
        true,
        'runtime-unavailable',
        undefined,
      ],
      [new Error('Aborted(both async and sync fetching of the wasm failed)'), false, 'runtime-unavailable', undefined],
    ];
    for (const [loadError, online, code, subject] of cases) {
      const { handle, messages, log } = setup({ loadError, online });
      await handle({ type: 'classify', id: 1, config, text: 'happy' });
      expect(finals(messages)).toEqual([
        { type: 'error', id: 1, error: { code, detail: `${loadError.name}: ${loadError.message}`, ...(subject ? { subject } : {}) }, recycle: true },
      ]);
      expect(log.filter((l) => l.startsWith('evict'))).toEqual([]);
    }
  });

  it('says when the downloaded model could not be kept on the device, and runs it anyway', async () => {
    const { handle, messages } = setup({ cacheWriteFailure: "the browser's storage for this site is full" });
    await handle({ type: 'classify', id: 1, config, text: 'happy' });
    expect(messages.filter((m) => m.type === 'notice').map((m) => (m.type === 'notice' ? m.notice : ''))).toEqual([
      "The model could not be kept on this device (the browser's storage for this site is full), so it will be downloaded again next time.",
    ]);
    expect(finals(messages).map((m) => m.type)).toEqual(['classified']);
  });

  it('reports a source without usable weights', async () => {
    const { handle, messages } = setup({ probe: async () => ({ base: findings.base, weights: {} }) });
    await handle({ type: 'probe', id: 3, config });
    expect(finals(messages)).toEqual([expect.objectContaining({ type: 'error', id: 3, error: expect.objectContaining({ code: 'no-weights' }) })]);
  });

  it('chunks a long text and combines chunks by token count', async () => {
    const { handle, messages } = setup();
    // 102 five-token sentences fill the first chunk exactly (510 tokens); the rest is sad.
    const happy = Array.from({ length: 102 }, () => 'I am so happy today.').join(' ');
    const sad = Array.from({ length: 40 }, () => 'It rains again.').join(' ');
    await handle({ type: 'classify', id: 1, config, text: `${happy} ${sad}` });
    const done = messages.find((m) => m.type === 'classified');
    if (done?.type !== 'classified') throw new Error('no result');
    expect(done.result.chunks).toBe(2);
    expect(done.result.tokens).toBe(630);
    expect(done.result.top).toBe('joy');
    // Chunk weights 510 (joy 0.75) and 120 (sadness 0.75).
    expect(done.result.scores.joy).toBeCloseTo((510 * 0.75) / 630);
    expect(done.result.scores.sadness).toBeCloseTo((120 * 0.75) / 630);
    // Each chunk comes back with its own scores, in the order of the text (how the text moves).
    expect(done.result.parts?.map((p) => p.text.split(' ').length)).toEqual([510, 120]);
    expect(done.result.parts?.[0]!.scores.joy).toBeCloseTo(0.75);
    expect(done.result.parts?.[1]!.scores.sadness).toBeCloseTo(0.75);
    expect(done.result.parts?.map((p) => p.text).join(' ')).toBe(`${happy} ${sad}`);
  });

  it('explains a text word by word in batches, keeps the copies out of the cache, and remembers the explanation', async () => {
    const { handle, messages, log } = setup();
    await handle({ type: 'explain', id: 1, config, text: 'I am so happy today' });
    const done = messages.find((m) => m.type === 'explained');
    if (done?.type !== 'explained') throw new Error('no explanation');
    const { explanation } = done;
    expect(explanation.words.map((w) => w.word)).toEqual(['I', 'am', 'so', 'happy', 'today']);
    // Without "happy" the fake model reads sadness: joy drops from 0.75 to 0; no other word moves it.
    expect(explanation.words[3]!.effects.joy).toBeCloseTo(JOY.joy - SAD.joy, 12);
    expect(explanation.words.filter((w) => w.effects.joy !== 0)).toHaveLength(1);
    // The copies did not go into the results cache: the text alone is read (from the model) again.
    const runs = log.filter((l) => l.startsWith('classify:')).length;
    await handle({ type: 'classify', id: 2, config, text: 'I am so happy' });
    expect(log.filter((l) => l.startsWith('classify:')).length).toBe(runs + 1);
    // The same explanation again costs nothing.
    await handle({ type: 'explain', id: 3, config, text: 'I am so happy today' });
    expect(log.filter((l) => l.startsWith('classify:')).length).toBe(runs + 1);
    expect(messages.filter((m) => m.type === 'explained')).toHaveLength(2);
  });

  it('a text read in one piece has no parts', async () => {
    const { handle, messages } = setup();
    await handle({ type: 'classify', id: 1, config, text: 'I am so happy today. It rains again.' });
    const done = messages.find((m) => m.type === 'classified');
    if (done?.type !== 'classified') throw new Error('no result');
    expect(done.result.chunks).toBe(1);
    expect(done.result.parts).toBeUndefined();
  });

  it('after the answer of a request that loaded a model, runs it once more on a typical text, before the next request, and only once', async () => {
    const { handle, log, messages } = setup({ logAnswers: true });
    await Promise.all([handle({ type: 'classify', id: 1, config, text: 'a happy day' }), handle({ type: 'classify', id: 2, config, text: 'a gray day' })]);
    await handle({ type: 'classify', id: 3, config, text: 'a third day' });
    // The warm-up, the first text and its answer, the settling run, then the next requests.
    expect(log).toEqual(['load:wasm:q8', 'classify:1', 'classify:1', 'answer:1', 'settle', 'classify:1', 'answer:2', 'classify:1', 'answer:3']);
    // Its result is not kept: the same text is read by the model, not answered from the cache.
    await handle({ type: 'classify', id: 4, config, text: SETTLE_TEXT });
    expect(finals(messages).at(-1)).toMatchObject({ type: 'classified' });
    expect(finals(messages).at(-1)).not.toMatchObject({ result: { cached: true } });
  });

  it('a settling run that fails is quiet: the next request is answered', async () => {
    const { handle, log, messages } = setup({ failSettle: true, logAnswers: true });
    await handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    await handle({ type: 'classify', id: 2, config, text: 'a gray day' });
    expect(log).toEqual(['load:wasm:q8', 'classify:1', 'classify:1', 'answer:1', 'settle', 'classify:1', 'answer:2']);
    expect(finals(messages).map((m) => m.type)).toEqual(['classified', 'classified']);
  });

  it('no settling run for a model dropped by the request that loaded it', async () => {
    const { handle, log, messages } = setup({ gpu: true, failRunOnGpu: true, logAnswers: true });
    await handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    await handle({ type: 'probe', id: 2, config });
    expect(finals(messages)[0]).toMatchObject({ type: 'error', error: { code: 'webgpu-failed' } });
    expect(log).toEqual(['load:webgpu:fp32', 'classify:1', 'classify:1', 'dispose', 'answer:1', 'answer:2']);
  });

  it('runs requests one at a time, in order, each ending in one final message', async () => {
    const { handle, messages } = setup();
    await Promise.all([
      handle({ type: 'classify', id: 1, config, text: 'happy' }),
      handle({ type: 'probe', id: 2, config }),
      handle({ type: 'unload', id: 3 }),
    ]);
    expect(finals(messages).map((m) => `${m.type}:${m.id}`)).toEqual(['classified:1', 'probed:2', 'unloaded:3']);
  });

  it('classifies many texts in length-sorted batches and answers in the order asked', async () => {
    const { handle, messages, batches } = setup();
    const words = (n: number, w: string) => Array.from({ length: n }, () => w).join(' ');
    // 20 texts of 1 to 200 words: 16 sequences or 2048 padded tokens per batch at most.
    const texts = Array.from({ length: 20 }, (_, i) => words(((i * 7) % 20) * 10 + 1, i % 2 ? 'happy' : 'gray'));
    await handle({ type: 'classify-batch', id: 1, config, texts });
    const done = finals(messages)[0];
    if (done?.type !== 'classified-batch') throw new Error(`no batch result: ${JSON.stringify(done)}`);
    expect(done.results.map((r) => r.tokens)).toEqual(texts.map((t) => t.split(' ').length));
    expect(done.results.map((r) => r.top)).toEqual(texts.map((_, i) => (i % 2 ? 'joy' : 'sadness')));
    await handle({ type: 'probe', id: 2, config }); // after the settling run
    expect(batches.at(-1)).toEqual([SETTLE_TEXT]);
    const runs = batches.slice(1, -1); // the first is the warm-up, the last the settling run
    expect(runs.flat().sort()).toEqual([...texts].sort());
    for (const batch of runs) {
      const lengths = batch.map((t) => t.split(' ').length);
      expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
      expect(batch.length * Math.max(...lengths)).toBeLessThanOrEqual(2048);
      expect(batch.length).toBeLessThanOrEqual(16);
    }
    expect(runs.length).toBeGreaterThan(1);
    // Before every batch but the first: how many chunks are done, of how many.
    const progress = messages.flatMap((m) => (m.type === 'analyzing' ? [[m.done, m.total]] : []));
    expect(progress).toHaveLength(runs.length - 1);
    expect(progress.map(([d]) => d)).toEqual(runs.slice(0, -1).map((_, k) => runs.slice(0, k + 1).flat().length));
    expect(progress.every(([, total]) => total === texts.length)).toBe(true);
  });

  it('takes in what an earlier worker kept for the model it loads (the seed), and answers those texts from its cache', async () => {
    const { handle, messages, log, batches } = setup();
    const earlier = setup();
    await earlier.handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    const kept = finals(earlier.messages)[0];
    if (kept?.type !== 'classified') throw new Error('no result');
    const explanation = { text: 'a happy day', words: [], top: 'joy' } as never;
    // The seed comes with the first request; the load comes first, then the seed is taken in.
    await handle({ type: 'classify-batch', id: 1, config, texts: ['a gray day', 'a happy day'], seed: { results: [['a happy day', kept.result]], explanations: [['a happy day', explanation]] } });
    expect(log.filter((l) => l.startsWith('load'))).toEqual(['load:wasm:q8']);
    // Only the new text ran (after the warm-up).
    expect(batches.flat().filter((t) => t.includes('day'))).toEqual(['a gray day']);
    const batch = finals(messages)[0];
    if (batch?.type !== 'classified-batch') throw new Error('no batch');
    expect(batch.results.map((r) => r.cached)).toEqual([undefined, true]);
    expect(batch.results[1]).toEqual({ ...kept.result, cached: true });
    await handle({ type: 'explain', id: 2, config, text: 'a happy day' });
    expect(messages.at(-1)).toEqual({ type: 'explained', id: 2, explanation });
    // A seed for another model (sent while this one is loaded) is not mixed into this model's cache.
    const other: ModelConfig = { ...config, source: { ...source, modelId: 'other/model' } };
    await handle({ type: 'classify-batch', id: 3, config: other, texts: ['a windy day'], ifLoaded: true, seed: { results: [['a windy day', kept.result]], explanations: [] } });
    expect(finals(messages).at(-1)).toMatchObject({ type: 'error', error: { code: 'not-loaded' } });
    await handle({ type: 'classify', id: 4, config, text: 'a windy day' });
    expect(finals(messages).at(-1)).toMatchObject({ type: 'classified' });
    expect(finals(messages).at(-1)).not.toMatchObject({ result: { cached: true } });
  });

  it('answers a text it has seen from its cache, until the model is unloaded', async () => {
    const { handle, messages, log } = setup();
    await handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    await handle({ type: 'classify-batch', id: 2, config, texts: ['a happy day', 'a gray day'] });
    await handle({ type: 'classify', id: 3, config, text: 'a gray day' });
    expect(log).toEqual(['load:wasm:q8', 'classify:1', 'classify:1', 'settle', 'classify:1']);
    const [first, batch, third] = finals(messages);
    if (first?.type !== 'classified' || batch?.type !== 'classified-batch' || third?.type !== 'classified') throw new Error('missing results');
    expect(first.result.cached).toBeUndefined();
    expect(batch.results.map((r) => r.cached)).toEqual([true, undefined]);
    expect(batch.results[0]).toEqual({ ...first.result, cached: true });
    expect(third.result).toMatchObject({ cached: true, top: 'sadness' });

    await handle({ type: 'unload', id: 4 });
    await handle({ type: 'classify', id: 5, config, text: 'a happy day' });
    expect(finals(messages).at(-1)).toMatchObject({ type: 'classified', result: { top: 'joy' } });
    expect(finals(messages).at(-1)).not.toMatchObject({ result: { cached: true } });
  });

  it('a cancelled request that waits in the queue never runs; the request before it and after it are answered', async () => {
    const { handle, messages, log } = setup();
    const cancelled = new AbortController();
    const first = handle({ type: 'classify', id: 1, config, text: 'a happy day' });
    const second = handle({ type: 'classify', id: 2, config, text: 'a gray day' }, cancelled.signal);
    const third = handle({ type: 'classify', id: 3, config, text: 'another gray day' });
    cancelled.abort();
    await Promise.all([first, second, third]);
    expect(finals(messages).map((m) => [m.id, m.type])).toEqual([
      [1, 'classified'],
      [2, 'error'],
      [3, 'classified'],
    ]);
    expect(finals(messages)[1]).toMatchObject({ error: { code: 'cancelled' } });
    expect(log).toEqual(['load:wasm:q8', 'classify:1', 'classify:1', 'settle', 'classify:1']);
  });

  it('a running request cancelled between two batches stops there; the model stays loaded for the next', async () => {
    const { handle, messages, log } = setup();
    await handle({ type: 'classify', id: 1, config, text: 'warm' });
    const controller = new AbortController();
    const texts = Array.from({ length: 40 }, (_, i) => `text number ${i} ${'word '.repeat(i)}`);
    const running = handle({ type: 'classify-batch', id: 2, config, texts }, controller.signal);
    // The first batch runs, then the handler yields to its event loop, where the cancel arrives.
    await new Promise((r) => setTimeout(r, 0));
    controller.abort();
    await running;
    const runs = log.filter((l) => l.startsWith('classify:')).length;
    expect(finals(messages).at(-1)).toMatchObject({ id: 2, type: 'error', error: { code: 'cancelled' } });
    expect(finals(messages).at(-1)).not.toHaveProperty('recycle');
    await handle({ type: 'classify', id: 3, config, text: 'a happy day' });
    expect(finals(messages).at(-1)).toMatchObject({ id: 3, type: 'classified', result: { top: 'joy' } });
    // Loaded once; the cancelled request ran fewer batches than 40 texts need (at most 16 a batch).
    expect(log.filter((l) => l.startsWith('load:'))).toHaveLength(1);
    expect(runs - 2).toBeLessThan(3);
  });

  it('a request for a loaded model only (the sentence breakdown) never starts a load', async () => {
    const { handle, messages, log } = setup();
    await handle({ type: 'classify-batch', id: 1, config, texts: ['one. two.'], ifLoaded: true });
    expect(finals(messages).at(-1)).toMatchObject({ id: 1, type: 'error', error: { code: 'not-loaded' } });
    expect(log).toEqual([]);
    await handle({ type: 'classify', id: 2, config, text: 'a happy day' });
    await handle({ type: 'classify-batch', id: 3, config, texts: ['a gray day'], ifLoaded: true });
    expect(finals(messages).at(-1)).toMatchObject({ id: 3, type: 'classified-batch' });
    expect(log.filter((l) => l.startsWith('load:'))).toHaveLength(1);
  });

  it('a load cancelled while it downloads stops downloading (the runtime has the signal) and answers cancelled', async () => {
    const { handle, messages, log } = setup({ holdLoad: true });
    const controller = new AbortController();
    const running = handle({ type: 'classify', id: 1, config, text: 'hello' }, controller.signal);
    await new Promise((r) => setTimeout(r, 0));
    expect(messages.some((m) => m.type === 'progress')).toBe(true);
    controller.abort();
    await running;
    expect(finals(messages).at(-1)).toMatchObject({ id: 1, type: 'error', error: { code: 'cancelled' } });
    expect(log).toEqual(['load:wasm:q8']);
  });
});
