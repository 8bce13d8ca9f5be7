// Helpers for the browser tests: the fake hub's address and request log, and the steps a user
// takes (open Settings, type a model host and id, analyze a text).
import { expect, test as base, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/shared/emotions';

/**
 * Every Playwright worker has servers of its own (the app, the fake hub, the fake vision API),
 * on ports 1000 apart, so the scenarios and request logs the servers keep never mix between
 * tests that run at the same time; each worker's app is also its own origin (IndexedDB, caches).
 * E2E_PORT_OFFSET (a multiple of 10000) moves them all, for two checkouts testing at once.
 */
const WORKER = Number(process.env.TEST_PARALLEL_INDEX ?? 0);
const OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 0) + 1000 * WORKER;
export const APP_PORT = 4173 + OFFSET;
export const HUB_PORT = 4180 + OFFSET;
export const VISION_PORT = 4300 + OFFSET;
export const APP = `http://127.0.0.1:${APP_PORT}`;
export const HUB = `http://127.0.0.1:${HUB_PORT}`;
export const VISION_ORIGIN = `http://127.0.0.1:${VISION_PORT}`;
/** How the app names the hosts in its messages. */
export const HUB_HOST = `127.0.0.1:${HUB_PORT}`;
export const VISION_HOST = `127.0.0.1:${VISION_PORT}`;
export const VISION_BASE = `${VISION_ORIGIN}/openai/v1`;
export const TEST_KEY = 'gsk_moodlens_TEST_key_0123456789abcdef';
export const FIXTURE_ID = 'moodlens/tiny-emotion';

export interface LoggedRequest {
  method: string;
  path: string;
  range: string | null;
  ifRange: string | null;
  /** Body bytes the hub sent (so far, while the request is still being answered). */
  bytes: number;
}

/** Requests the fake hub saw since the last reset. */
export async function hubRequests(): Promise<LoggedRequest[]> {
  const res = await fetch(`${HUB}/__log`);
  return ((await res.json()) as { hub: LoggedRequest[] }).hub;
}

export async function resetHubLog(): Promise<void> {
  await fetch(`${HUB}/__reset`, { method: 'POST' });
}

/**
 * Every test has every request of its browser context recorded; after each test, every one of
 * them must have gone to 127.0.0.1 (or be a data:/blob: URL that never leaves the page).
 */
export const test = base.extend<{ requests: string[]; cspViolations: string[] }, { servers: void }>({
  /** This worker's servers (tests/support/serve.mjs), started once per worker and stopped after. */
  servers: [
    // Playwright reads a fixture's dependencies from its first parameter: this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const child = spawn(process.execPath, ['tests/support/serve.mjs'], {
        env: { ...process.env, APP_PORT: String(APP_PORT), HUB_PORT: String(HUB_PORT), VISION_PORT: String(VISION_PORT) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const exited = new Promise<never>((_resolve, reject) => child.once('exit', (code) => reject(new Error(`serve.mjs exited (${code})`))));
      const ready = (async () => {
        for (let i = 0; i < 300; i += 1) {
          const up = await Promise.all([`${APP}/__log`, `${HUB}/__log`, `${VISION_ORIGIN}/__vision/log`].map((u) => fetch(u).then((r) => r.ok, () => false)));
          if (up.every(Boolean)) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('the test servers did not start within 30 s');
      })();
      await Promise.race([ready, exited]);
      exited.catch(() => undefined);
      await use();
      child.kill();
    },
    { scope: 'worker', auto: true },
  ],
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    await use(`${APP}/`);
  },
  // Automatic, like the CSP guard below: every test, whether or not it reads the list, fails when a
  // request of any page or worker of its context went anywhere but 127.0.0.1.
  requests: [
    async ({ context }, use) => {
      const urls: string[] = [];
      context.on('request', (r) => urls.push(r.url()));
      await use(urls);
      const foreign = urls.filter((u) => !/^(data:|blob:|http:\/\/127\.0\.0\.1:\d+\/)/u.test(u));
      expect(foreign, 'requests that left 127.0.0.1').toEqual([]);
    },
    { auto: true },
  ],
  /**
   * Every test, whatever it does (model load, text, picture, history, export...), must end with
   * no Content Security Policy violation on any page; a test that provokes one empties the list.
   */
  cspViolations: [
    async ({ context }, use) => {
      const seen: string[] = [];
      await context.exposeBinding('__moodlensCspViolation', (_source, text: string) => {
        seen.push(text);
      });
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          const report = (window as unknown as { __moodlensCspViolation(text: string): void }).__moodlensCspViolation;
          report(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
        });
      });
      await use(seen);
      expect(seen, 'Content Security Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** One request the fake vision API received. */
export interface VisionRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  query: string;
  body: unknown;
  bodyBytes: number;
}

/** Requests the fake vision API saw since the last reset. */
export async function visionRequests(): Promise<VisionRequest[]> {
  return (await (await fetch(`${VISION_ORIGIN}/__vision/log`)).json()) as VisionRequest[];
}

/** Chat-completion POSTs only (CORS preflights and model lists left out). */
export async function chatRequests(): Promise<VisionRequest[]> {
  return (await visionRequests()).filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions'));
}

/** Empties the log and plays `scenario` from now on. */
export async function visionScenario(scenario: string): Promise<void> {
  await fetch(`${VISION_ORIGIN}/__vision/reset`, { method: 'POST' });
  const res = await fetch(`${VISION_ORIGIN}/__vision/scenario/${scenario}`, { method: 'POST' });
  if (!res.ok) throw new Error(`unknown scenario ${scenario}`);
}

/** Opens Settings and points the vision provider at the fake API, as a user would. */
export async function useVision(page: Page, options: { key?: string; model?: string } = {}): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Provider', { exact: true }).selectOption('custom');
  await page.getByLabel('API base URL').fill(VISION_BASE);
  await page.getByLabel('Vision model').fill(options.model ?? 'meta-llama/llama-4-maverick-17b-128e-instruct');
  if (options.key !== '') await page.getByLabel('API key').fill(options.key ?? TEST_KEY);
  await expect(page.getByTestId('settings-status')).toHaveText('Saved');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
}

/**
 * Brings the network back and waits until the page has noticed (its offline banner is gone), as
 * a user would before pressing Analyze again: right after the switch, Chromium may still fail a
 * request for a moment.
 */
/** A runtime's thread-pool worker (emscripten pthreads of ONNX Runtime or LiteRT.js), by its script. */
export function isRuntimeThread(url: string): boolean {
  return /\/(ort-wasm|litert_wasm)[^/]*$/u.test(url);
}

export async function backOnline(page: Page): Promise<void> {
  await page.context().setOffline(false);
  await expect.poll(() => page.evaluate(() => navigator.onLine), { intervals: [50, 100, 200] }).toBe(true);
  await expect(page.getByTestId('offline-banner')).toHaveCount(0);
  // The page's workers are switched back separately, and a little later: the model download runs
  // in the emotion worker, so wait until a request from each worker gets through (a clean-clone
  // run once failed Analyze here, the worker still offline after the page was not). Not the
  // runtimes' thread-pool workers (ONNX Runtime's and LiteRT.js's pthreads): they never return
  // to their event loop, so nothing evaluated there ever answers (a clean-clone run timed out
  // here once a model had been loaded on two threads), and they fetch nothing.
  await expect
    .poll(async () => {
      const reached = await Promise.all(
        page.workers().filter((w) => !isRuntimeThread(w.url())).map((w) =>
          w
            .evaluate(async (url) => {
              try {
                return (await fetch(url, { cache: 'no-store' })).ok;
              } catch {
                return false;
              }
            }, `${HUB}/__log`)
            // A worker that ended meanwhile has nothing left to wait for.
            .catch(() => true),
        ),
      );
      return reached.every(Boolean);
    }, { intervals: [50, 100, 200] })
    .toBe(true);
}

/** Picks a fixture picture in the Image input. */
export async function pickImage(page: Page, name: string): Promise<void> {
  await page.getByLabel('Image', { exact: true }).setInputFiles(join(process.cwd(), 'tests/fixtures/images', name));
}

/** Opens Settings, sets Model host and Model id as a user would, and returns to the analysis. */
export async function useModel(page: Page, modelId: string, host = HUB): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Model host').fill(host);
  await page.getByLabel('Model id').fill(modelId);
  await expect(page.getByTestId('settings-status')).toHaveText('Saved');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
}

/**
 * Counts the media tracks the page gets from getUserMedia (the page cannot be asked otherwise):
 * call before the page loads; the returned function says how many there were and how many are
 * still live.
 */
export async function watchMediaTracks(page: Page): Promise<() => Promise<{ all: number; live: number }>> {
  await page.addInitScript(() => {
    const tracks: MediaStreamTrack[] = [];
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      tracks.push(...stream.getTracks());
      return stream;
    };
    (window as unknown as { __mediaTracks: () => { all: number; live: number } }).__mediaTracks = () => ({ all: tracks.length, live: tracks.filter((t) => t.readyState === 'live').length });
  });
  return () => page.evaluate(() => (window as unknown as { __mediaTracks: () => { all: number; live: number } }).__mediaTracks());
}

/** The fixture text model as useModel sets it, and the voice fixtures as Speech and Tone models. */
export async function useVoiceModels(page: Page, tone = 'moodlens/tiny-tone'): Promise<void> {
  await useModel(page, FIXTURE_ID);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Speech model').fill('moodlens/tiny-whisper');
  await page.getByLabel('Tone model').fill(tone);
  await expect(page.getByTestId('settings-status')).toHaveText('Saved');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
}

/** Types a text, presses Analyze and waits for the result (or an error). */
export async function analyze(page: Page, text: string): Promise<void> {
  await page.getByLabel('Text', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
}

/** Analyses a text and waits until the page shows `top` as its emotion. */
export async function analyzeText(page: Page, text: string, top: string): Promise<void> {
  await analyze(page, text);
  await expect(page.getByTestId('top-emotion')).toHaveText(top);
}

/** The entries of the history list. */
export const historyItems = (page: Page) => page.getByTestId('history-item');

/** The scores of the text channel, as the page shows them. */
export async function textScores(page: Page, testid = 'text-scores'): Promise<Record<string, number>> {
  const rows = page.getByTestId(testid).locator('[data-emotion]');
  await expect(rows).toHaveCount(EMOTIONS.length);
  const entries = await rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-emotion'), Number(el.getAttribute('data-score'))]));
  return Object.fromEntries(entries) as Record<string, number>;
}

/** Waits until the model cache in IndexedDB holds `count` files (writes are not awaited by the pipeline). */
export async function waitForCachedFiles(page: Page, count: number): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(
          () =>
            new Promise<number>((resolve, reject) => {
              const open = indexedDB.open('moodlens-models');
              open.onerror = () => reject(open.error);
              open.onsuccess = () => {
                const db = open.result;
                if (!db.objectStoreNames.contains('files')) return resolve(0);
                const req = db.transaction('files').objectStore('files').getAllKeys();
                req.onsuccess = () => resolve(req.result.filter((k) => String(k).startsWith('meta:')).length);
                req.onerror = () => reject(req.error);
              };
            }),
        ),
      // Short steps: the default (100, 250, 500, then 1000 ms) adds up to a second to each wait.
      { timeout: 15_000, intervals: [50, 100, 200] },
    )
    .toBe(count);
}

/** Everything this origin keeps in localStorage, sessionStorage and IndexedDB, as text. */
export async function storedText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })];
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const req = db.transaction(store).objectStore(store).getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        parts.push(JSON.stringify(values.map((v) => (v instanceof Blob ? `blob:${v.size}` : v))));
      }
      db.close();
    }
    return parts.join('\n');
  });
}
