#!/usr/bin/env node
// The text channel on the real model's shape, side by side: the app's built worker in headless
// Chromium (with and without cross-origin isolation), onnxruntime-node on the same ONNX graph and
// dtype, and PyTorch eager when Debian's python3-torch is installed. Runs are interleaved (every
// round visits every engine for every case) so machine noise hits all alike. See bench/README.md.
//
//   node bench/real-shape/run.mjs [--rounds N] [--loads N] [--no-build] [--only a,b] [--out file]
//   node bench/real-shape/run.mjs --print bench/results/baseline.json   (tables of a stored run)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { BENCH_MODEL_ID, MODELS_DIR, SHAPE, ensureBenchModel } from './make-model.mjs';
import { launchChromium, launchProfile, longTasksBetween, recordLongTasks, useBenchModel } from './browser.mjs';
import { startServers } from './servers.mjs';
import { serveProbe } from '../../tests/support/litert-probe/serve-probe.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const DIST = path.join(ROOT, 'dist');
const THREADS = 2;
/**
 * Pause after every timed run: thread pools (OpenMP, onnxruntime's) spin for a while after their
 * work, and without a pause that spinning would be charged to the next engine.
 */
const SETTLE_MS = 150;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

function options(argv) {
  const o = { rounds: 12, loads: 3, build: true, only: null, out: null, print: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--loads') o.loads = Number(argv[++i]);
    else if (a === '--no-build') o.build = false;
    else if (a === '--only') o.only = new Set(argv[++i].split(','));
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else if (a === '--print') o.print = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a} (see bench/README.md)`);
  }
  return o;
}

// ---------------------------------------------------------------------------
// Inputs: texts of exactly N tokens (with <s> and </s>), as the real tokenizer counts them
// ---------------------------------------------------------------------------

const WORDS = (
  'I finally got the job and I am delighted but also a little scared about moving to a new city ' +
  'where I know nobody yet. The train was late again this morning and everyone on the platform ' +
  'looked furious, then a stranger shared her umbrella and we laughed about the weather. ' +
  'My grandmother called to say the tests came back clear, and I cried with relief in the car park. ' +
  'Honestly this restaurant was disgusting: cold soup, a hair in the salad and a rude waiter.'
).split(' ');

/**
 * `count` texts of exactly `tokens` tokens, each starting with its own tag, so no two texts in a
 * run are the same (the app answers a repeated text from its cache, which would time nothing).
 */
function makeTexts(tokenizer, tokens, count, tag) {
  const size = (t) => tokenizer.encode(t).length;
  const texts = [];
  for (let n = 0; n < count; n++) {
    let text = `${tag}.${n}:`;
    let w = n * 7;
    while (size(`${text} ${WORDS[w % WORDS.length]}`) <= tokens) text = `${text} ${WORDS[w++ % WORDS.length]}`;
    while (size(`${text} ok`) <= tokens) text = `${text} ok`;
    if (size(text) !== tokens) throw new Error(`could not make a ${tokens}-token text (got ${size(text)})`);
    texts.push(text);
  }
  return texts;
}

const CASES = [
  { name: '1x16', batch: 1, tokens: 16 },
  { name: '1x64', batch: 1, tokens: 64 },
  { name: '1x128', batch: 1, tokens: 128 },
  { name: '8x64', batch: 8, tokens: 64 },
  { name: '32x64', batch: 32, tokens: 64 },
  // The 1x64 text of the same round once more: the app answers it from its results cache.
  { name: '1x64 again', batch: 1, tokens: 64, repeat: '1x64' },
];

/** Inputs of every case for one round (round -1 is the warm-up): new texts each round. */
function roundInputs(tokenizer, round) {
  const inputs = {};
  for (const c of CASES) {
    const texts = c.repeat ? inputs[c.repeat].texts : makeTexts(tokenizer, c.tokens, c.batch, `${round + 1}${c.name}`);
    inputs[c.name] = { ...c, texts, ids: texts.map((t) => Array.from(tokenizer.encode(t))) };
  }
  return inputs;
}

// ---------------------------------------------------------------------------
// Engines: each has load() and run(case) returning milliseconds measured on its own side
// ---------------------------------------------------------------------------

function lineProcess(command, args, name) {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map();
  let next = 1;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line);
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.error) w?.reject(new Error(`${name}: ${msg.error}`));
    else w?.resolve(msg);
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`${name} exited with ${code}`));
    waiting.clear();
  });
  return {
    send(msg) {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.stdin.write(`${JSON.stringify({ ...msg, id })}\n`);
      });
    },
    close: () => child.stdin.end(),
  };
}

function nodeEngine(dtype) {
  const p = lineProcess(process.execPath, [path.join(HERE, 'engines/node-engine.mjs')], `ort-node ${dtype}`);
  return {
    name: `onnxruntime-node ${dtype}, ${THREADS} threads`,
    key: `node-${dtype}`,
    dtype,
    async load() {
      return (await p.send({ cmd: 'load', modelsDir: `${MODELS_DIR}/`, modelId: BENCH_MODEL_ID, dtype: dtype === 'int8' ? 'q8' : 'fp32', threads: THREADS })).ms;
    },
    run: async (c) => (await p.send({ cmd: 'run', texts: c.texts })).ms,
    close: async () => p.close(),
  };
}

function torchAvailable() {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Debian's torch uses the system BLAS for what oneDNN does not do: the reference one is slow. */
function systemBlas() {
  try {
    return fs.realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3');
  } catch {
    return 'unknown';
  }
}

function torchEngine(version) {
  const p = lineProcess('/usr/bin/python3', [path.join(HERE, 'engines/torch_engine.py')], 'torch');
  return {
    name: `PyTorch ${version} eager fp32, ${THREADS} threads`,
    key: 'torch-fp32',
    dtype: 'fp32',
    note: 'model only: token ids come from the controller',
    load: async () => (await p.send({ cmd: 'load', shape: SHAPE, threads: THREADS })).ms,
    run: async (c) => (await p.send({ cmd: 'run', ids: c.ids })).ms,
    close: async () => p.close(),
  };
}

function workerUrl() {
  const file = fs.readdirSync(path.join(DIST, 'assets')).find((f) => /^emotion-worker-.*\.js$/.test(f));
  if (!file) throw new Error('dist/ has no emotion worker: run `npm run build`');
  return `/assets/${file}`;
}

/**
 * The app's emotion worker in Chromium; `engine` is the app's Text engine setting: 'onnxruntime'
 * (onnxruntime-web) or 'litert' (LiteRT.js on the model converted in the worker, issue 18).
 */
function browserEngine(servers, { dtype, isolated, engine = 'onnxruntime' }) {
  const origin = isolated ? servers.isolated : servers.plain;
  const config = { source: { host: servers.hub, modelId: `${BENCH_MODEL_ID}-${dtype}` }, device: 'wasm', engine };
  // Each engine has its own profile on disk: warm loads then find the code caches a returning
  // user's browser has (browser.mjs, launchProfile).
  let profile = null;
  let context = null;
  let page = null;
  let batch = false;
  const threads = isolated ? THREADS : 1;

  async function openPage() {
    page = await context.newPage();
    page.on('pageerror', (err) => console.error(`  [page] ${err.message}`));
    await page.goto(`${origin}/__bench.html`);
    await page.waitForFunction(() => 'moodlensBench' in window);
    if ((await page.evaluate(() => window.moodlensBench.crossOriginIsolated())) !== isolated) {
      throw new Error(`expected crossOriginIsolated=${isolated}`);
    }
    await page.evaluate((url) => window.moodlensBench.start(url), workerUrl());
  }
  const firstResult = async () => {
    const ms = await page.evaluate(([c, t]) => window.moodlensBench.run(c, t, false), [config, ['Warm start: how long until this text has scores?']]);
    // A LiteRT.js row that fell back to onnxruntime-web would time the wrong engine.
    const loaded = await page.evaluate(() => window.moodlensBench.engine());
    if (loaded !== engine) throw new Error(`${engine} was asked for, the worker loaded ${loaded}`);
    return ms;
  };

  /** Waits until the worker's cache writes (not awaited by transformers.js) have all landed. */
  async function cacheSettled() {
    let last = -1;
    for (let i = 0; i < 120; i++) {
      const files = await page.evaluate(() => window.moodlensBench.cachedFiles());
      if (files.length === last && files.some((f) => f.endsWith('.onnx'))) return files.length;
      last = files.length;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('the model cache never settled');
  }

  return {
    name: `Chromium ${engine === 'litert' ? 'LiteRT.js' : 'WASM'} ${dtype}, ${threads} thread${threads > 1 ? 's' : ''}${isolated ? ' (cross-origin isolated)' : ' (not isolated)'}`,
    key: `${engine === 'litert' ? 'litert' : 'chromium'}-${dtype}-${isolated ? 'isolated' : 'plain'}`,
    dtype,
    browser: true,
    get batched() {
      return batch;
    },
    async load() {
      profile = await launchProfile('npm run bench');
      context = profile.context;
      await openPage();
      const ms = await firstResult();
      batch = await page.evaluate((c) => window.moodlensBench.hasBatch(c), config);
      await cacheSettled();
      return ms;
    },
    run: (c) => page.evaluate(([cfg, texts, b]) => window.moodlensBench.run(cfg, texts, b), [config, c.texts, batch]),
    /** A fresh profile (empty IndexedDB, no HTTP or code cache) to the first result. */
    async coldLoad() {
      const keep = { context, page };
      const fresh = await launchProfile('npm run bench');
      context = fresh.context;
      try {
        await openPage();
        const ms = await firstResult();
        await cacheSettled();
        await page.close();
        return ms;
      } finally {
        await fresh.close();
        ({ context, page } = keep);
      }
    },
    /** A new page and worker in the profile that holds the model (and the code caches), to the first result. */
    async warmLoad() {
      const keep = page;
      try {
        await openPage();
        const ms = await firstResult();
        this.lastMarks = await page.evaluate(() => window.moodlensBench.marks());
        this.lastPhases = await page.evaluate(() => window.moodlensBench.phases());
        await page.close();
        return ms;
      } finally {
        page = keep;
      }
    },
    close: async () => profile?.close(),
  };
}

// ---------------------------------------------------------------------------
// The app itself: main-thread long tasks during an analysis, JS and wasm bytes
// ---------------------------------------------------------------------------

async function appMetrics(browser, servers) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await recordLongTasks(page);
  const from = servers.log.length;
  await page.goto(`${servers.isolated}/`);
  await page.getByRole('button', { name: 'Analyze', exact: true }).waitFor();
  await useBenchModel(page, servers.hub);

  const analyzeButton = page.getByRole('button', { name: 'Analyze', exact: true });
  const analyze = async (text) => {
    await page.getByLabel('Text', { exact: true }).fill(text);
    const t0 = await page.evaluate(() => performance.now());
    await analyzeButton.click();
    const download = page.getByRole('button', { name: 'Download and analyze' });
    for (let i = 0; ; i++) {
      if (i > 1200) throw new Error('the analysis did not finish in 2 minutes');
      if (await download.isVisible()) await download.click();
      else if ((await analyzeButton.getAttribute('aria-busy')) !== 'true' && (await page.getByTestId('top-emotion').isVisible())) break;
      await page.waitForTimeout(100);
    }
    const t1 = await page.evaluate(() => performance.now());
    await page.waitForTimeout(300); // let the charts finish drawing: their tasks count too
    const tasks = await longTasksBetween(page, t0);
    // The app's own User Timing measure (src/features/analysis/perf.ts): Analyze to the frame that paints the
    // answer, and the text channel's time inside the worker; polling above only finds the end.
    const measure = await page.evaluate(([a]) => {
      const m = performance.getEntriesByName('moodlens:analyze-to-result', 'measure').filter((e) => e.startTime >= a).at(-1);
      return m ? { screenMs: m.duration, textMs: m.detail?.textMs ?? null } : null;
    }, [t0]);
    return { ms: t1 - t0, ...measure, longTasks: tasks.length, longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)) };
  };
  // What the page loaded before any analysis: its own JS, before the ML runtime is needed.
  const beforeAnalysis = servers.log.length;
  const first = await analyze('The first analysis downloads the model. I hope it is quick!');
  const afterFirst = servers.log.length;
  const second = await analyze('A second text, once the model is loaded: how smooth is the page now?');

  // Reopening the app with the model on this device: Analyze at once, and once the background
  // load (TextChannelState.preload) says the model is ready.
  const reopen = async () => {
    await page.reload();
    await analyzeButton.waitFor();
    await page.waitForFunction(() => document.readyState === 'complete');
  };
  await reopen();
  const reopenedAtOnce = await analyze('Reopened, and analysed straight away.');
  // The first analysis once "ready", in three reopened pages: one sample swings by a third
  // between runs here, so the median of three is compared with the steady ones.
  const readySamples = [];
  let preloadMs = 0;
  let engine = null;
  for (let k = 1; k <= 3; k++) {
    await reopen();
    const readyAfterMs = await page.evaluate(() => performance.now());
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    if (k === 1) {
      preloadMs = (await page.evaluate(() => performance.now())) - readyAfterMs;
      // Text engine "Automatic": the first load timed both engines; the ready line says which won.
      engine = {
        engine: await page.getByTestId('model-engine').getAttribute('data-engine'),
        line: (await page.getByTestId('model-ready').textContent())?.replace(/\s+/g, ' ').trim(),
      };
    }
    readySamples.push(await analyze(`Reopened (${k}), and analysed once the model said it was ready.`));
  }
  const reopenedReady = [...readySamples].sort((x, y) => (x.screenMs ?? x.ms) - (y.screenMs ?? y.ms))[1];
  // Nine more texts of about the same length: is the first analysis after "ready" as fast as the tenth?
  const steady = [];
  for (let i = 2; i <= 10; i++) steady.push(await analyze(`Analysis number ${i} of the reopened app, still about as long.`));

  const ofApp = (from, to) => servers.log.slice(from, to).filter((r) => r.server === 'isolated');
  const gz = (rel) => gzipSync(fs.readFileSync(path.join(DIST, rel))).length;
  const isJs = (r) => /\.m?js$/.test(r.path);
  // /workbox-*.js and /share-target.js at the root are the service worker's (importScripts), not the page's.
  const pageJs = ofApp(from, beforeAnalysis).filter((r) => r.dest === 'script' && isJs(r) && !r.path.includes('ort-wasm') && !/^\/(workbox-|share-target\.js)/.test(r.path));
  // The worker starts with the page (client.warm), so the runtime's JS is looked for up to the first result.
  const runtimeJs = ofApp(from, afterFirst).filter((r) => (r.dest === 'worker' || r.path.includes('ort-wasm')) && isJs(r));
  const wasm = ofApp(from, afterFirst).filter((r) => r.path.endsWith('.wasm'));
  await context.close();
  return {
    firstAnalysis: first,
    secondAnalysis: second,
    reopenedAtOnce,
    preloadMs,
    reopenedReady,
    readySamples,
    steady,
    engine,
    pageJsGzipBytes: pageJs.reduce((n, r) => n + gz(r.path.slice(1)), 0),
    pageJsFiles: pageJs.map((r) => r.path),
    runtimeJsGzipBytes: runtimeJs.reduce((n, r) => n + gz(r.path.slice(1)), 0),
    wasmBytes: wasm.reduce((n, r) => n + r.bytes, 0),
    wasmFiles: wasm.map((r) => r.path),
  };
}

// ---------------------------------------------------------------------------
// Batch (issue 15): the app's Batch view against the worker's own batch rate, on texts of the
// same shape (fresh texts each time: the results cache would answer repeated ones)
// ---------------------------------------------------------------------------

const BATCH_ROWS = 256;

async function batchMetrics(browser, servers, tokenizer, rounds) {
  const context = await browser.newContext();
  const config = { source: { host: servers.hub, modelId: `${BENCH_MODEL_ID}-int8` }, device: 'wasm' };
  // The worker alone, from the bench page: classify-batch requests of 32 texts (sorted by length
  // and batched inside the worker). One request of all 256 was tried and varied 10x between runs
  // here (0.9-10.9 s), so it is not used as the reference.
  const bench = await context.newPage();
  await bench.goto(`${servers.isolated}/__bench.html`);
  await bench.waitForFunction(() => 'moodlensBench' in window);
  await bench.evaluate((url) => window.moodlensBench.start(url), workerUrl());
  await bench.evaluate(([c, t]) => window.moodlensBench.run(c, t, true), [config, makeTexts(tokenizer, 64, 8, 'bw')]);

  // The app: a file of the same texts read in the Batch view, Start to done, main-thread long
  // tasks recorded throughout.
  const app = await context.newPage();
  await recordLongTasks(app);
  await app.goto(`${servers.isolated}/`);
  await useBenchModel(app, servers.hub);
  await app.getByRole('button', { name: 'Batch', exact: true }).click();
  const runApp = async (texts) => {
    const another = app.getByRole('button', { name: 'Another file' });
    if (await another.isVisible()) await another.click();
    await app.getByLabel('Batch file').setInputFiles({ name: 'bench.txt', mimeType: 'text/plain', buffer: Buffer.from(`${texts.join('\n')}\n`) });
    await app.locator('[data-testid="batch-status"][data-state="ready"]').waitFor();
    // The end is seen inside the page (a MutationObserver), not by polling from here.
    const t0 = await app.evaluate(() => {
      window.__batchEnd = new Promise((resolve) => {
        const status = () => document.querySelector('[data-testid="batch-status"]');
        const observer = new MutationObserver(() => {
          if (status()?.getAttribute('data-state') === 'done') {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state'], childList: true });
      });
      return performance.now();
    });
    await app.getByRole('button', { name: 'Start', exact: true }).click();
    const t1 = await app.evaluate(() => window.__batchEnd);
    const tasks = await app.evaluate(([a, b]) => window.__longTasks.filter((t) => t.start >= a && t.start <= b), [t0, t1]);
    return { ms: t1 - t0, longTasks: tasks.length, longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)) };
  };
  // Warm-up: the model loads in the app's worker (a download on the first run) and both code paths run once.
  await runApp(makeTexts(tokenizer, 64, 8, 'ba'));

  const worker = [];
  const viaApp = [];
  for (let r = 0; r < rounds; r++) {
    const a = makeTexts(tokenizer, 64, BATCH_ROWS, `w${r}`);
    const b = makeTexts(tokenizer, 64, BATCH_ROWS, `a${r}`);
    const first = r % 2 === 0;
    const runWorker = async () => {
      await bench.bringToFront();
      // The same request size as the Batch view's pages (32 rows), one request after another:
      // the worker's own batch rate for this work, without the app around it.
      let ms = 0;
      for (let i = 0; i < a.length; i += 32) ms += await bench.evaluate(([c, t]) => window.moodlensBench.run(c, t, true), [config, a.slice(i, i + 32)]);
      worker.push(ms);
    };
    if (first) await runWorker();
    await app.bringToFront();
    viaApp.push(await runApp(b));
    if (!first) await runWorker();
    if (process.env.BENCH_DEBUG) {
      const vis = await Promise.all([bench, app].map((p) => p.evaluate(() => document.visibilityState)));
      console.log(`  batch round ${r + 1}: worker ${fmt(worker.at(-1))}, app ${fmt(viaApp.at(-1).ms)} (visibility ${vis.join('/')})`);
    }
    await sleep(SETTLE_MS);
  }
  await context.close();
  return {
    rows: BATCH_ROWS,
    tokens: 64,
    workerMs: stats(worker),
    appMs: stats(viaApp.map((x) => x.ms)),
    longTasks: Math.max(...viaApp.map((x) => x.longTasks)),
    longestTaskMs: Math.max(...viaApp.map((x) => x.longestTaskMs)),
  };
}

// ---------------------------------------------------------------------------
// Statistics and output
// ---------------------------------------------------------------------------

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s.at(-1), n: s.length };
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);

function table(results) {
  const header = ['engine', ...CASES.map((c) => c.name + (c.batch > 1 ? ' (seq/s)' : ''))];
  const rows = results.engines.map((e) => {
    const ref = results.engines.find((r) => r.key === `node-${e.dtype}`);
    return [
      e.name,
      ...CASES.map((c) => {
        const s = e.cases[c.name];
        if (!s) return '-';
        const ratio = ref && ref !== e ? ` ${(s.median / ref.cases[c.name].median).toFixed(1)}x` : '';
        const value = c.batch > 1 ? `${((c.batch * 1000) / s.median).toFixed(0)}/s` : fmt(s.median);
        return `${value} (${fmt(s.min)}-${fmt(s.max)})${ratio}`;
      }),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Issue 18's speed targets, as ratios within this run: each engine of the app against PyTorch eager fp32. */
function targets(results) {
  const find = (key) => results.engines.find((e) => e.key === key);
  const torch = find('torch-fp32');
  if (!torch) return;
  const line = (key, c, what, limit, higherIsBetter = false) => {
    const e = find(key);
    const mine = e?.cases[c]?.median;
    const ref = torch.cases[c]?.median;
    if (!mine || !ref) return;
    const ratio = mine / ref;
    const met = higherIsBetter ? ratio <= 1 : ratio <= limit;
    console.log(`  ${e.name.padEnd(52)} ${c.padEnd(6)} ${fmt(mine)} vs PyTorch ${fmt(ref)}: ${ratio.toFixed(2)}x time (${what}: ${met ? 'met' : 'not met'})`);
  };
  console.log('\nIssue 18 targets against PyTorch eager fp32 (time ratio; below 1 is faster):');
  for (const key of ['litert-int8-isolated', 'chromium-int8-isolated']) line(key, '1x64', 'at or under 1.0 with 2 threads', 1);
  for (const key of ['litert-int8-plain', 'chromium-int8-plain']) line(key, '1x64', 'within 1.3 on one thread', 1.3);
  for (const key of ['litert-int8-isolated', 'chromium-int8-isolated']) line(key, '32x64', 'throughput at or above PyTorch', 1, true);
}

/**
 * Issue 29's start-up targets, each met or not: warm start (model cached, a new page and worker)
 * to the first result under 1 s on 2 threads and under 1.5 s on one, split into its phases; an
 * Analyze pressed as the reopened page opens answered within 1.5 s; the first analysis after
 * "ready" within 1.1x the steady ones (the median of the 2nd to 10th: one sample of the tenth
 * alone swings by a third between runs here).
 */
function startUpTargets(results) {
  const verdict = (ok) => (ok ? 'met' : 'NOT MET');
  const lines = [];
  for (const [key, l] of Object.entries(results.loads ?? {})) {
    if (!l.warm?.n) continue;
    const twoThreads = key.endsWith('-isolated');
    const target = twoThreads ? 1000 : 1500;
    const p = l.warmPhases;
    const total = l.warmPhasesOf ?? l.warm.median;
    const phases = p ? `; the load nearest it (${fmt(total)}): files read ${fmt(p.filesMs)}, engine started ${fmt(p.sessionMs - p.filesMs)}, warm-up run ${fmt(p.warmupMs)}, the rest (worker start, messages, the first text) ${fmt(total - p.sessionMs - p.warmupMs)}` : '';
    lines.push(`  warm start, ${key} (${twoThreads ? '2 threads' : 'one thread'}): ${fmt(l.warm.median)}, target under ${fmt(target)}: ${verdict(l.warm.median < target)}${phases}`);
  }
  const a = results.app;
  if (a?.reopenedAtOnce) lines.push(`  Analyze pressed as the reopened app opens: ${fmt(a.reopenedAtOnce.ms)}, target within 1.50 s: ${verdict(a.reopenedAtOnce.ms <= 1500)}`);
  if (a?.reopenedReady?.screenMs && a.steady?.length) {
    const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const steadyScreen = median(a.steady.map((r) => r.screenMs));
    const steadyText = median(a.steady.map((r) => r.textMs));
    const ratio = a.reopenedReady.screenMs / steadyScreen;
    const samples = a.readySamples?.length ? ` (median of ${a.readySamples.length} reopened pages: ${a.readySamples.map((r) => fmt(r.screenMs)).join(', ')})` : '';
    lines.push(`  first analysis after "ready": ${fmt(a.reopenedReady.screenMs)}${samples} on screen against a median ${fmt(steadyScreen)} for the 2nd-10th (${ratio.toFixed(2)}x; in the worker ${(a.reopenedReady.textMs / steadyText).toFixed(2)}x), target at most 1.10x: ${verdict(ratio <= 1.1)}`);
  }
  if (lines.length) console.log(`\nStart-up against its targets (issue 29):\n${lines.join('\n')}`);
}

/** Prints the tables of one run. */
function report(results) {
  console.log(`\nMedian per case (min-max) and ratio to onnxruntime-node at the same dtype; batches in sequences/s.`);
  console.log(table(results));
  for (const e of results.engines) if (e.note) console.log(`  ${e.name}: ${e.note}`);
  targets(results);
  if (Object.keys(results.loads).length) {
    console.log('\nModel load to first result (median, min-max):');
    for (const [key, l] of Object.entries(results.loads)) {
      console.log(`  ${key.padEnd(24)} cold ${fmt(l.cold.median)} (${fmt(l.cold.min)}-${fmt(l.cold.max)})   warm ${fmt(l.warm.median)} (${fmt(l.warm.min)}-${fmt(l.warm.max)})`);
      if (l.warmMarks) console.log(`  ${''.padEnd(24)} the warm start nearest the median (${fmt(l.warmPhasesOf ?? NaN)}): ${Object.entries(l.warmMarks).map(([k, t]) => `${k} ${fmt(t)}`).join(', ')}`);
      if (l.warmPhases) {
        const p = l.warmPhases;
        console.log(`  ${''.padEnd(24)} inside the load: files read ${fmt(p.filesMs)}, session ${fmt(p.sessionMs - p.filesMs)}, warm-up run ${fmt(p.warmupMs)}`);
      }
    }
  }
  if (results.app) {
    const a = results.app;
    console.log('\nThe app page (int8, isolated):');
    console.log(`  first analysis (download + load): ${fmt(a.firstAnalysis.ms)}, ${a.firstAnalysis.longTasks} main-thread tasks over 50 ms (longest ${fmt(a.firstAnalysis.longestTaskMs)})`);
    console.log(`  second analysis: ${fmt(a.secondAnalysis.ms)}, ${a.secondAnalysis.longTasks} tasks over 50 ms (longest ${fmt(a.secondAnalysis.longestTaskMs)})`);
    if (a.reopenedAtOnce) {
      console.log(`  reopened (model cached), Analyze at once: ${fmt(a.reopenedAtOnce.ms)}, ${a.reopenedAtOnce.longTasks} tasks over 50 ms`);
      console.log(`  reopened, "model ready" after ${fmt(a.preloadMs)}; Analyze then: ${fmt(a.reopenedReady.ms)}, ${a.reopenedReady.longTasks} tasks over 50 ms`);
    }
    if (a.engine) console.log(`  Text engine "Automatic" chose ${a.engine.engine}: "${a.engine.line}"`);
    const frame = 1000 / 60;
    const screen = (r) => (r?.screenMs == null ? 'n/a' : `${fmt(r.screenMs)} on screen, text channel ${fmt(r.textMs ?? NaN)} in the worker, ratio ${(r.screenMs / ((r.textMs ?? 0) + frame)).toFixed(2)} to worker + 1 frame (target at most 1.2)`);
    console.log(`  Analyze to the answer on screen (the page's own measure): second analysis ${screen(a.secondAnalysis)}`);
    if (a.steady?.length) {
      const tenth = a.steady.at(-1);
      console.log(`  reopened: 1st analysis after "ready" ${screen(a.reopenedReady)}`);
      console.log(`  reopened: 10th analysis               ${screen(tenth)}`);
      if (a.reopenedReady?.screenMs && tenth?.screenMs) console.log(`  1st/10th: ${(a.reopenedReady.screenMs / tenth.screenMs).toFixed(2)}`);
    }
    console.log(`  page JS before the first analysis: ${(a.pageJsGzipBytes / 1024).toFixed(1)} kB gzipped (${a.pageJsFiles.join(', ')})`);
    console.log(`  ML runtime JS (worker + onnxruntime glue): ${(a.runtimeJsGzipBytes / 1024).toFixed(1)} kB gzipped`);
    console.log(`  wasm transferred up to the first result: ${(a.wasmBytes / 1e6).toFixed(1)} MB (${a.wasmFiles.join(', ')})`);
  }
  startUpTargets(results);
  if (results.batch) {
    const b = results.batch;
    const rate = (ms) => (b.rows * 1000) / ms;
    console.log(`\nBatch, ${b.rows} texts of ${b.tokens} tokens (int8, isolated; median of ${b.appMs.n} runs each, interleaved):`);
    console.log(`  the worker's own rate (classify-batch, 32 texts a request): ${rate(b.workerMs.median).toFixed(1)} rows/s (${fmt(b.workerMs.median)})`);
    console.log(`  the app's Batch view, Start to done:               ${rate(b.appMs.median).toFixed(1)} rows/s (${fmt(b.appMs.median)})`);
    console.log(`  ratio app/worker: ${(b.workerMs.median / b.appMs.median).toFixed(3)} (target at least 0.90)`);
    console.log(`  main-thread tasks over 50 ms during a run: at most ${b.longTasks} (longest ${fmt(b.longestTaskMs)})`);
  }
  if (results.litert) {
    const l = results.litert;
    const s = l.stack;
    console.log(`\nLiteRT.js (issue 18), the linear layers alone: ${s.layers} layers x (Q, K, V, O ${s.hidden}->${s.hidden}, FFN ${s.hidden}->${s.ffn}->${s.hidden}), ${s.rows} rows, int8 weights, hybrid FULLY_CONNECTED (median of ${l.runs} runs after ${LITERT_WARMUP_RUNS}):`);
    for (const r of l.rows) {
      // Compared with onnxruntime-web's whole model on as many threads (2 isolated, 1 not).
      const ref = results.engines.find((e) => e.key === r.compareWith)?.cases['1x64'];
      const ratio = ref ? `; onnxruntime-web's whole model on as many threads: ${fmt(ref.median)} (${(r.median / ref.median).toFixed(2)}x)` : '';
      console.log(`  ${r.name.padEnd(34)} ${fmt(r.median)} (${fmt(r.min)}-${fmt(r.max)}); runtime start ${fmt(r.startMs)}, model compiled in ${fmt(r.compileMs)}${ratio}`);
    }
  }

}

// ---------------------------------------------------------------------------
// LiteRT.js (issue 18): the probe page of tests/e2e/litert-engine.spec.ts times a stack of int8
// linear layers of the real model's shapes, written by the app's TFLite writer
// ---------------------------------------------------------------------------

const LITERT_WARMUP_RUNS = 5;

async function liteRtMetrics(browser) {
  const stack = { rows: 64, hidden: SHAPE.hidden, ffn: SHAPE.ffn, layers: SHAPE.layers };
  const runs = 30;
  const probe = await serveProbe();
  const context = await browser.newContext();
  const rows = [];
  try {
    for (const [name, page, numThreads, compareWith] of [
      ['threaded build, 2 threads (isolated)', 'iso', THREADS, 'chromium-int8-isolated'],
      ['threaded build, 1 thread (isolated)', 'iso', 1, 'chromium-int8-plain'],
      ['plain build (not isolated)', 'plain', undefined, 'chromium-int8-plain'],
    ]) {
      const tab = await context.newPage();
      await tab.goto(`${probe.origin}/${page}/index.html`);
      await tab.waitForFunction(() => typeof window.probeTiming === 'function');
      const r = await tab.evaluate(([st, n, t]) => window.probeTiming(st, n, t), [stack, runs + LITERT_WARMUP_RUNS, numThreads]);
      await tab.close();
      if (r.error) throw new Error(`LiteRT.js probe: ${r.error}`);
      if (!r.build) {
        console.log('LiteRT.js: this Chromium has no relaxed SIMD, so the app would use onnxruntime-web; skipped');
        return undefined;
      }
      rows.push({ name, page, compareWith, build: r.build, startMs: r.startMs, compileMs: r.compileMs, ...stats(r.times.slice(LITERT_WARMUP_RUNS)) });
    }
  } finally {
    await context.close();
    await probe.close();
  }
  return { stack, runs, rows };
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function main() {
  const o = options(process.argv.slice(2));
  if (o.print) {
    report(JSON.parse(fs.readFileSync(o.print, 'utf8')));
    return;
  }
  const started = Date.now();
  console.log(`Moodlens text-channel benchmark, ${new Date().toISOString()}, ${o.rounds} rounds`);
  const model = ensureBenchModel({ log: (m) => console.log(`  ${m}`) });
  console.log(`model: ${path.relative(ROOT, model.dir)} (${model.generated ? 'generated' : 'cached'})`);
  if (o.build) {
    console.log('building the app (vite build)...');
    const b = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('vite build failed');
  }

  env.allowRemoteModels = false;
  env.localModelPath = `${MODELS_DIR}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(BENCH_MODEL_ID);
  const inputs = Array.from({ length: o.rounds + 1 }, (_, r) => roundInputs(tokenizer, r - 1));

  const servers = await startServers({ dist: DIST, models: MODELS_DIR, driver: path.join(HERE, 'driver.js') });
  const browser = await launchChromium('npm run bench');

  const torch = torchAvailable();
  const all = [
    nodeEngine('int8'),
    nodeEngine('fp32'),
    ...(torch ? [torchEngine(torch)] : []),
    browserEngine(servers, { dtype: 'int8', isolated: true }),
    browserEngine(servers, { dtype: 'int8', isolated: false }),
    browserEngine(servers, { dtype: 'fp32', isolated: true }),
    browserEngine(servers, { dtype: 'int8', isolated: true, engine: 'litert' }),
    browserEngine(servers, { dtype: 'int8', isolated: false, engine: 'litert' }),
  ];
  const engines = o.only ? all.filter((e) => o.only.has(e.key)) : all;
  if (!torch) console.log('PyTorch: skipped (no python3-torch; bench/README.md says how to add it)');
  else if (!systemBlas().includes('openblas')) {
    console.log(`PyTorch: the system BLAS is ${systemBlas()}, not OpenBLAS: its numbers are too slow (see bench/README.md)`);
  }

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: (await import('node:os')).cpus().length,
      node: process.version,
      chromium: browser.version(),
      ...(torch ? { torch, blas: systemBlas() } : {}),
    },
    rounds: o.rounds,
    engines: [],
    loads: {},
  };
  const samples = new Map(engines.map((e) => [e.key, Object.fromEntries(CASES.map((c) => [c.name, []]))]));
  try {
    for (const e of engines) {
      const ms = await e.load();
      console.log(`loaded ${e.name}: ${fmt(ms)}${e.browser ? ` (cold, to first result; batched requests: ${e.batched})` : ''}`);
      for (const c of CASES) await e.run(inputs[0][c.name]); // warm-up, untimed
    }
    for (let r = 0; r < o.rounds; r++) {
      const order = engines.map((_, i) => engines[(i + r) % engines.length]);
      for (const c of CASES) {
        for (const e of order) {
          samples.get(e.key)[c.name].push(await e.run(inputs[r + 1][c.name]));
          await sleep(SETTLE_MS);
        }
      }
      process.stdout.write(`\rround ${r + 1}/${o.rounds}`);
    }
    process.stdout.write('\n');

    for (const e of engines) {
      results.engines.push({
        key: e.key,
        name: e.name,
        dtype: e.dtype,
        ...(e.note ? { note: e.note } : {}),
        ...(e.browser ? { batchedRequests: e.batched } : {}),
        cases: Object.fromEntries(CASES.map((c) => [c.name, stats(samples.get(e.key)[c.name])])),
      });
    }

    const browsers = engines.filter((e) => e.browser);
    const loads = Object.fromEntries(browsers.map((e) => [e.key, { cold: [], warm: [] }]));
    for (let i = 0; i < o.loads; i++) {
      for (const e of browsers) {
        loads[e.key].cold.push(await e.coldLoad());
        const ms = await e.warmLoad();
        loads[e.key].warm.push(ms);
        // The marks and phases of the load nearest the median are the ones printed with it.
        (loads[e.key].samples ??= []).push({ ms, marks: e.lastMarks, phases: e.lastPhases });
      }
      process.stdout.write(`\rloads ${i + 1}/${o.loads}`);
    }
    if (o.loads) process.stdout.write('\n');
    if (o.loads) {
      for (const [key, l] of Object.entries(loads)) {
        const warm = stats(l.warm);
        const typical = [...l.samples].sort((a, b) => Math.abs(a.ms - warm.median) - Math.abs(b.ms - warm.median))[0];
        results.loads[key] = { cold: stats(l.cold), warm, warmMarks: typical?.marks, warmPhases: typical?.phases, warmPhasesOf: typical?.ms };
      }
    }

    if (!o.only || o.only.has('app')) results.app = await appMetrics(browser, servers);
    if (!o.only || o.only.has('batch')) results.batch = await batchMetrics(browser, servers, tokenizer, Math.max(3, Math.min(o.rounds, 5)));
    if (!o.only || o.only.has('litert')) results.litert = await liteRtMetrics(browser);
  } finally {
    // Every engine, run or not: the ones left out by --only started their processes too.
    await Promise.all(all.map((e) => e.close()));
    await browser.close();
    await servers.close();
  }

  report(results);

  const out = o.out ?? path.join(ROOT, 'bench', 'results', `${results.date.slice(0, 19).replace(/:/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(ROOT, out)} (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
