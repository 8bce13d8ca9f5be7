// What the benchmark scripts share in the browser: Chromium launched so it can reach only
// 127.0.0.1, and the app pointed at the bench model through Settings, as a user would.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { ensureChromium } from '../../scripts/find-chromium.mjs';
import { BENCH_MODEL_ID } from './make-model.mjs';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'];

/** Headless Chromium; `command` is what to run again if Chromium had to be installed first. */
export async function launchChromium(command, extraArgs = []) {
  return chromium.launch({ executablePath: await ensureChromium(command), args: [...ARGS, ...extraArgs] });
}

/**
 * A new browser profile on disk, as a user's browser has: its HTTP cache and V8's code cache
 * last from one page to the next. A `browser.newContext()` is an incognito profile, which keeps
 * no code cache, so every page compiles ONNX Runtime's 14 MB wasm again (0.7-0.9 s here) and
 * runs the first inferences unoptimised: not what a returning user sees.
 */
export async function launchProfile(command) {
  const dir = await mkdtemp(join(tmpdir(), 'moodlens-bench-profile-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: await ensureChromium(command), args: ARGS });
  return {
    context,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Opens Settings, sets Model host and Model id to the bench hub's int8 model, returns to Analysis. */
export async function useBenchModel(page, hub) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Model host').fill(hub);
  await page.getByLabel('Model id').fill(`${BENCH_MODEL_ID}-int8`);
  await page.getByTestId('settings-status').getByText('Saved').waitFor();
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
}

/** Keeps every main-thread task over 50 ms of `page` in window.__longTasks, from its first script on. */
export function recordLongTasks(page) {
  return page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The long tasks recordLongTasks kept that started between `from` and `to` (performance.now() times; `to` omitted: until now). */
export function longTasksBetween(page, from, to = Infinity) {
  return page.evaluate(([a, b]) => window.__longTasks.filter((t) => t.start >= a && t.start <= b), [from, to]);
}
