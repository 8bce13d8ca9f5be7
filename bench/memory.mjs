// Memory (issue 29): the whole tab's memory, the page and its workers with their wasm heaps (the
// PSS of its renderer process; see measure), in the states
// a user goes through with the real-shape model (int8, on Automatic's engine):
//   at rest               the app open, no model (the text model's worker starts with the page)
//   text ready            one text analyzed (the model downloaded, started, trial done)
//   after 100 analyses    100 more texts, each different: does anything grow?
//   text and faces        a text with a photo read on the device (the face models loaded)
//   unloaded              Settings, Memory: both models unloaded (their workers ended)
//   reopened, text ready  a new page: the model on the engine chosen before, alone
//   during a batch        a 100,000-row batch, measured every 30 s for 3 minutes while it runs
//                         (then paused: the whole file would take about an hour here)
// and prints each against its budget (text ready under 300 MB; no growth over 100 analyses or
// during a batch beyond 10 %; and what unloading gives back). Uses the built site
// (`npx vite build`) and bench/.cache's model.
//
//   node bench/memory.mjs [--quick]   (--quick: at rest, text ready and reopened only, about a minute)
//   SETTLE_MS=20000 node bench/memory.mjs --quick   (wait longer after the first load's move)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchModel, MODELS_DIR } from './real-shape/make-model.mjs';
import { launchChromium, useBenchModel } from './real-shape/browser.mjs';
import { startServers } from './real-shape/servers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const MB = 1024 * 1024;
const QUICK = process.argv.includes('--quick');
const TEXT_READY_BUDGET_MB = 300;
const GROWTH_BUDGET = 0.1;

ensureBenchModel({ log: (m) => console.log(`  ${m}`) });
const servers = await startServers({ dist: path.join(ROOT, 'dist'), models: MODELS_DIR, driver: path.join(HERE, 'real-shape', 'driver.js') });
/** Passed to this Chromium only, and on to its renderers: how rendererPss finds them. */
const MARKER = 'ForceEagerMeasureMemory';
const browser = await launchChromium('node bench/memory.mjs', [`--enable-blink-features=${MARKER}`]);
const context = await browser.newContext();
let page = await context.newPage();

/**
 * The tab's memory: the proportional set size (PSS, shared pages split between the processes
 * that map them) of the renderer process that holds the page and its workers, wasm heaps
 * included, read from /proc (Linux). Renderers of this Chromium are told apart by the flag only
 * this script passes; the page's renderer is the largest of them (a spare one holds a few MB).
 *
 * performance.measureUserAgentSpecificMemory() (used until 2026-12-07) gives the same total with
 * a split by worker, but with a model loaded it stopped answering here: Chromium waits for every
 * worker of the tab, and ONNX Runtime's idle thread-pool workers (blocked in Atomics.wait) never
 * answer; it is still tried for 3 s for the split, which is printed when it comes.
 */
async function measure() {
  await page.waitForTimeout(500);
  const split = await page.evaluate(() =>
    Promise.race([
      performance.measureUserAgentSpecificMemory().then((m) => {
        const by = {};
        for (const part of m.breakdown) {
          const where = part.attribution.length === 0 ? 'shared' : part.attribution.map((a) => (a.scope === 'Window' ? 'page' : (a.url.split('/').pop() ?? a.url).replace(/-[\w-]{8}\.js$/u, ''))).join('+');
          by[where] = (by[where] ?? 0) + part.bytes;
        }
        return by;
      }),
      new Promise((resolve) => setTimeout(() => resolve(null), 3000)),
    ]),
  );
  return { bytes: rendererPss(), by: split ?? {} };
}

/** The largest PSS among this script's Chromium renderers, in bytes. */
function rendererPss() {
  let largest = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/u.test(d))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('--type=renderer') || !cmdline.includes(MARKER)) continue;
      const pss = /^Pss:\s+(\d+) kB/mu.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (pss) largest = Math.max(largest, Number(pss[1]) * 1024);
    } catch {
      // The process ended while it was read.
    }
  }
  if (largest === 0) throw new Error('no renderer of this Chromium found in /proc');
  return largest;
}

const analyzeButton = { waitFor: (...a) => page.getByRole('button', { name: 'Analyze', exact: true }).waitFor(...a), click: () => page.getByRole('button', { name: 'Analyze', exact: true }).click(), getAttribute: (n) => page.getByRole('button', { name: 'Analyze', exact: true }).getAttribute(n) };
async function analyze(text) {
  await page.getByLabel('Text', { exact: true }).fill(text);
  await analyzeButton.click();
  const download = page.getByRole('button', { name: 'Download and analyze' });
  for (let i = 0; ; i++) {
    if (i > 1200) throw new Error('the analysis did not finish in 2 minutes');
    if (await download.isVisible()) await download.click();
    else if ((await analyzeButton.getAttribute('aria-busy')) !== 'true' && (await page.getByTestId('top-emotion').first().isVisible())) break;
    await page.waitForTimeout(50);
  }
}

const rows = [];
const record = async (state) => {
  const m = await measure();
  rows.push({ state, ...m });
  console.log(`  ${state}: ${(m.bytes / MB).toFixed(1)} MB`);
};

await page.goto(`${servers.isolated}/`);
await analyzeButton.waitFor();
if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the page is not cross-origin isolated');
await record('at rest');
await useBenchModel(page, servers.hub);
console.log('  first analysis (download, engine trial)…');
await analyze('The first analysis downloads the model. I hope it is quick!');
// After a first load that compared both engines, the model moves to a fresh worker (the slower
// engine's memory goes with the old one): a second text is read there before measuring.
await page.waitForTimeout(2500);
await analyze('A second text, read once the model has moved to its own worker.');
// The worker that ran the trial ends once idle, after its successor is started.
await page.waitForTimeout(Number(process.env.SETTLE_MS ?? 3000));
await record('text ready');
const words = ['glad', 'furious', 'scared', 'sad', 'surprised', 'calm', 'disgusted'];
for (let i = 0; i < (QUICK ? 0 : 100); i++) await analyze(`Text number ${i} of a hundred: today I feel ${words[i % words.length]} about item ${i * 7}.`);
if (!QUICK) await record('after 100 analyses');
if (!QUICK) await page.getByLabel('Image', { exact: true }).setInputFiles(path.join(ROOT, 'tests/fixtures/images/smile.jpg'));
if (!QUICK) {
  await analyze('A text with a photo: faces read on this device.');
  await page.getByTestId('face-count').waitFor({ timeout: 60_000 }).catch(() => undefined);
  await record('text and faces');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  for (const name of ['Unload the emotion model', 'Unload the face models']) {
    const button = page.getByRole('button', { name });
    if (await button.isVisible()) await button.click();
  }
  await record('unloaded (Settings, Memory)');
}

// Reopened: a new page (a new renderer process: a reload would keep the old page's leftovers in
// the same process) on which the engine chosen on the first load starts alone (no trial).
await page.close();
page = await context.newPage();
await page.goto(`${servers.isolated}/`);
await analyzeButton.waitFor();
await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
await analyze('Reopened: the model starts on the engine measured faster before.');
await record('reopened, text ready');
const during = [];
const BATCH_ROWS = 100_000;
if (!QUICK) await page.getByRole('button', { name: 'Batch', exact: true }).click();
const csv = `id,text\n${Array.from({ length: BATCH_ROWS }, (_, i) => `${i},Row ${i}: I feel ${words[i % words.length]} about item ${i}.`).join('\n')}\n`;
if (!QUICK) await page.getByLabel('Batch file').setInputFiles({ name: 'rows.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
if (!QUICK) await page.getByRole('button', { name: 'Start', exact: true }).click();
for (let i = 1; i <= (QUICK ? 0 : 6); i++) {
  await page.waitForTimeout(30_000);
  const m = await measure();
  const status = (await page.getByTestId('batch-status').textContent())?.replace(/\s+/g, ' ').trim();
  during.push(m.bytes);
  rows.push({ state: `batch, ${i * 30} s`, ...m });
  console.log(`  during the batch, ${i * 30} s: ${(m.bytes / MB).toFixed(1)} MB (${status})`);
}
if (!QUICK) await page.getByRole('button', { name: 'Pause', exact: true }).click().catch(() => undefined);
await browser.close();
await servers.close?.();

const at = (state) => rows.find((r) => r.state === state);
const verdict = (ok) => (ok ? 'met' : 'OVER');
console.log(`\nMemory of the tab (PSS of its renderer process; the split by measureUserAgentSpecificMemory where it answered in 3 s, else n/a; ${new Date().toISOString()}):`);
const places = [...new Set(rows.flatMap((r) => Object.keys(r.by)))];
console.log(`| state | total MB | ${places.join(' | ')} |`);
console.log(`|---|---|${places.map(() => '---').join('|')}|`);
for (const r of rows) {
  const split = Object.keys(r.by).length > 0;
  console.log(`| ${r.state} | ${(r.bytes / MB).toFixed(1)} | ${places.map((p) => (split ? ((r.by[p] ?? 0) / MB).toFixed(1) : 'n/a')).join(' | ')} |`);
}
const ready = at('text ready').bytes;
const growth = (state) => at(state).bytes / ready - 1;
console.log(`text ready (first load, with the engine trial): ${(ready / MB).toFixed(1)} MB, budget ${TEXT_READY_BUDGET_MB} MB: ${verdict(ready <= TEXT_READY_BUDGET_MB * MB)}`);
const reopened = at('reopened, text ready').bytes;
console.log(`text ready (reopened in a new page, one engine): ${(reopened / MB).toFixed(1)} MB, budget ${TEXT_READY_BUDGET_MB} MB: ${verdict(reopened <= TEXT_READY_BUDGET_MB * MB)}`);
if (QUICK) process.exit(0);
console.log(`after 100 analyses: ${(growth('after 100 analyses') * 100).toFixed(1)} % against text ready, budget ${GROWTH_BUDGET * 100} %: ${verdict(growth('after 100 analyses') <= GROWTH_BUDGET)}`);
const batchGrowth = Math.max(...during) / during[0] - 1;
console.log(`during a ${BATCH_ROWS.toLocaleString('en-US')}-row batch (3 minutes): ${(Math.min(...during) / MB).toFixed(1)}-${(Math.max(...during) / MB).toFixed(1)} MB, the most ${(batchGrowth * 100).toFixed(1)} % over its first measure, budget ${GROWTH_BUDGET * 100} %: ${verdict(batchGrowth <= GROWTH_BUDGET)}`);
const loadedAll = at('text and faces').bytes;
const unloaded = at('unloaded (Settings, Memory)').bytes;
const rest = at('at rest').bytes;
const given = (loadedAll - unloaded) / (loadedAll - rest);
console.log(`unloaded (Settings, Memory): ${(unloaded / MB).toFixed(1)} MB, ${((loadedAll - unloaded) / MB).toFixed(1)} MB given back of the ${((loadedAll - rest) / MB).toFixed(1)} MB that text and faces added to the page at rest (${(given * 100).toFixed(0)} %; the rest is the page's own: 100 results, history, charts)`);
process.exit(0);
