#!/usr/bin/env node
// Which main-thread tasks over 50 ms happen in the app during a first and a second analysis of
// the real-shape model, and what runs inside them (from a Chromium trace). A debugging aid for
// the numbers run.mjs prints; needs `npm run build` and the bench model.
//   node bench/real-shape/long-tasks.mjs
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, useBenchModel } from './browser.mjs';
import { MODELS_DIR, ensureBenchModel } from './make-model.mjs';
import { startServers } from './servers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
ensureBenchModel();
const servers = await startServers({ dist: path.resolve(HERE, '../../dist'), models: MODELS_DIR, driver: path.join(HERE, 'driver.js') });
const browser = await launchChromium('node bench/real-shape/long-tasks.mjs');
const page = await browser.newPage();
await page.goto(`${servers.isolated}/`);
await useBenchModel(page, servers.hub);

const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
for (const [n, text] of ['The first analysis loads the model.', 'A second one, with the model loaded.'].entries()) {
  await cdp.send('Profiler.start');
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] });
  await page.getByLabel('Text', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  const download = page.getByRole('button', { name: 'Download and analyze' });
  await download.or(page.getByTestId('top-emotion')).first().waitFor({ timeout: 120_000 });
  if (await download.isVisible()) await download.click();
  await page.waitForFunction(() => document.querySelector('button[aria-busy="true"]') === null, null, { timeout: 120_000 });
  await page.waitForTimeout(500);
  const trace = JSON.parse((await browser.stopTracing()).toString());
  const { profile } = await cdp.send('Profiler.stop');
  // Self time per function on the main thread over the whole analysis (the page is otherwise idle).
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const f = node.callFrame;
    if (['(idle)', '(program)', '(root)'].includes(f.functionName)) return;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 10);
  console.log(`analysis ${n + 1}, main-thread self time: ${top.map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(' | ')}`);
  const events = trace.traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.pid === events.find((x) => x.name === 'TracingStartedInBrowser')?.args?.data?.frames?.[0]?.processId)
    ?? events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  const tasks = onMain.filter((e) => e.name === 'RunTask' && e.dur > 50_000);
  console.log(`analysis ${n + 1}: ${tasks.length} main-thread tasks over 50 ms`);
  for (const t of tasks) {
    const inside = onMain
      .filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.dur > 5_000)
      .map((e) => `${e.name}${e.args?.data?.url ? ` ${e.args.data.url.split('/').pop()}` : ''}${e.args?.data?.functionName ? ` ${e.args.data.functionName}` : ''} ${(e.dur / 1000).toFixed(0)} ms`);
    console.log(`  ${(t.dur / 1000).toFixed(0)} ms: ${[...new Set(inside)].slice(0, 12).join(' | ')}`);
  }
}
await browser.close();
await servers.close();
