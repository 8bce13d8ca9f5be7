// Faults: the network going away in the middle of the model download, a connection cut
// half-way through a model file, the emotion worker killed in the middle of an analysis, a vision
// server that hangs up or sends broken JSON, the site's storage full (a real quota, set through the
// DevTools protocol) and IndexedDB missing or refusing to open. In each: a clear message, the next
// try works, and nothing already saved is lost.
import type { Page } from '@playwright/test';
import { FIXTURE_ID, backOnline, HUB, HUB_HOST, VISION_HOST, analyze, analyzeText, chatRequests, expect, historyItems, hubRequests, pickImage, resetHubLog, test, useModel, useVision, visionScenario, waitForCachedFiles } from './support';

const FIXTURE_FILES = 4;


/** The history after a reload: what was saved is there. */
async function savedHistory(page: Page): Promise<string[]> {
  await page.reload();
  await page.getByRole('button', { name: 'History', exact: true }).click();
  await expect(page.getByText(/\d+ of \d+ analyses\.|No analyses yet/u).first()).toBeVisible();
  return (await historyItems(page).allTextContents()).map((t) => t.replace(/\s+/gu, ' ').trim());
}

/** One analysis saved before the fault, to check nothing saved is lost. */
async function saveOne(page: Page) {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyzeText(page, 'I am furious about this', 'anger');
  await waitForCachedFiles(page, FIXTURE_FILES);
}

/** The downloads of weights files the hub saw: whole, or resumed (`bytes=N-`); not the one-byte probes. */
async function weightDownloads() {
  return (await hubRequests()).filter((r) => r.method === 'GET' && r.path.endsWith('.onnx') && (r.range === null || /^bytes=\d+-$/u.test(r.range)));
}

test.beforeEach(async () => {
  await resetHubLog();
});

test('offline while a model file downloads: a clear message, then it works once back online', async ({ page, context }) => {
  await saveOne(page);
  await useModel(page, 'moodlens/cut-emotion');
  await resetHubLog();
  await analyze(page, 'What a happy day');
  // Half of the weights have arrived; the network goes, and the connection with it. The bar shows
  // before the weights are asked for: going offline then would cut the smaller files instead, and
  // the retry would be the first, cut, download of the weights (a CI run failed so).
  await expect(page.getByLabel('Model download')).toBeVisible();
  await expect
    .poll(async () => (await hubRequests()).some((r) => r.method === 'GET' && !r.range && r.path.endsWith('.onnx')), { intervals: [50, 100, 200] })
    .toBe(true);
  await context.setOffline(true);
  await expect(page.getByTestId('model-error')).toContainText('You are offline and the model is not on this device yet.');
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeEnabled();

  await backOnline(page);
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  // The one cut off, then only the rest of it: what had arrived was kept (resume-download.ts).
  const weights = await weightDownloads();
  expect(weights.map((r) => r.range)).toEqual([null, expect.stringMatching(/^bytes=[1-9]\d*-$/u)]);
  expect(await savedHistory(page)).toHaveLength(2);
});

test('offline on a first visit while the model downloads: the runtime cannot load, the files are kept, then it works', async ({ page, context }) => {
  await page.goto('/');
  await useModel(page, 'moodlens/slow-emotion');
  await resetHubLog();
  await analyze(page, 'What a happy day');
  await expect(page.getByLabel('Model download')).toBeVisible();
  // Offline once the weights' (slow) download has started, never before, however loaded the
  // machine: the hub logs the request as it arrives. That download in flight completes, but ONNX
  // Runtime's own module (fetched when the first session starts) cannot be, without a service
  // worker that has it.
  await expect
    .poll(async () => (await hubRequests()).some((r) => r.method === 'GET' && !r.range && r.path.endsWith('.onnx')), { intervals: [50, 100, 200] })
    .toBe(true);
  await context.setOffline(true);
  await expect(page.getByTestId('model-error')).toContainText(
    "The app's model runtime could not be downloaded, perhaps because the connection dropped. The model files are kept: connect and press Analyze again.",
  );
  await backOnline(page);
  await resetHubLog();
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  // The model files that had arrived were kept: the retry downloaded no weights again.
  expect((await hubRequests()).filter((r) => r.method === 'GET' && !r.range)).toEqual([]);
});

test('the connection cut half-way through a model file: a clear message, nothing half-stored, then it works', async ({ page }) => {
  await saveOne(page);
  await useModel(page, 'moodlens/cut-emotion');
  await resetHubLog();
  await analyze(page, 'What a happy day');
  await expect(page.getByTestId('model-error')).toContainText(`Could not reach the model host ${HUB_HOST}`);
  // The half file was not cached as if it were whole: the retry asks for the rest of it (the
  // half that had arrived was kept apart), and runs.
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  const weights = await weightDownloads();
  expect(weights.map((r) => r.path)).toEqual([`/moodlens/cut-emotion/resolve/main/onnx/model_quantized.onnx`, `/moodlens/cut-emotion/resolve/main/onnx/model_quantized.onnx`]);
  expect(weights.map((r) => r.range)).toEqual([null, `bytes=${weights[0]!.bytes}-`]);
  expect(await savedHistory(page)).toHaveLength(2);
});

test('the worker killed in the middle of an analysis: the request fails clearly and the next one works', async ({ page }) => {
  // The first load compares both engines; the model then moves to a fresh worker (EmotionClient
  // #renew): the one to stop is that one.
  const moved = { started: 0, closed: 0 };
  page.on('worker', (w) => {
    if (!w.url().includes('emotion-worker')) return;
    moved.started += 1;
    w.on('close', () => (moved.closed += 1));
  });
  await saveOne(page);
  await expect.poll(() => moved).toEqual({ started: 2, closed: 1 });
  const worker = page.workers().find((w) => w.url().includes('emotion-worker'));
  expect(worker, 'the emotion worker').toBeDefined();
  // About 300 chunks of 500 tokens: several seconds of work in batches.
  const long = Array.from({ length: 6000 }, (_, i) => `Sentence number ${i} tells of a happy day.`).join(' ');
  // The worker ends itself right after it says how far it got the first time (between two
  // batches), as a worker the browser stops would: no error event. Done inside the worker, so it
  // cannot come too late however fast or slow the machine is.
  await worker!.evaluate(() => {
    const scope = self as unknown as { postMessage(m: unknown): void; close(): void };
    const post = scope.postMessage.bind(scope);
    scope.postMessage = (message: unknown) => {
      post(message);
      if ((message as { type?: string }).type === 'analyzing') scope.close();
    };
  });
  await analyze(page, long);
  await expect(page.getByTestId('model-error')).toContainText('The model stopped unexpectedly');
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeEnabled();

  await resetHubLog();
  await analyzeText(page, 'What a happy day', 'joy');
  // A new worker, the model from this device's cache: no model file downloaded again.
  expect((await hubRequests()).filter((r) => r.method === 'GET' && !r.range)).toEqual([]);
  expect(await savedHistory(page)).toHaveLength(2);
});

test('a vision server that hangs up or sends broken JSON: clear messages, nothing saved lost', async ({ page }) => {
  await saveOne(page);
  await useVision(page);
  await page.getByLabel('Text', { exact: true }).fill('');
  await pickImage(page, 'smile.jpg');
  const analyzeButton = page.getByRole('button', { name: 'Analyze', exact: true });

  await visionScenario('hang-up');
  await analyzeButton.click();
  await expect(page.getByTestId('vision-error')).toContainText(`Could not reach ${VISION_HOST}`, { timeout: 20_000 });
  // The app tries three times (two retries); Chromium itself may resend a request once when a
  // reused connection closes before any answer, so the server sees three to six.
  expect((await chatRequests()).length).toBeGreaterThanOrEqual(3);
  expect((await chatRequests()).length).toBeLessThanOrEqual(6);

  await visionScenario('invalid-json');
  await analyzeButton.click();
  await expect(page.getByTestId('vision-error')).toContainText('could not be read as emotion scores (The provider sent a response that is not valid JSON.)');
  expect(await chatRequests()).toHaveLength(1);

  await visionScenario('ok');
  await analyzeButton.click();
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  expect(await savedHistory(page)).toHaveLength(2);
});

/**
 * Makes every IndexedDB write fail as a full disk does (QuotaExceededError). Chromium's DevTools
 * quota override was tried first: it is not applied to databases that already hold data, so the
 * failure is injected at the write instead (in the page by an init script, in the worker by the
 * test server, which prepends the same line to the worker's script: tests/support/serve.mjs).
 */
function fullDisk() {
  IDBObjectStore.prototype.put = function put(): IDBRequest {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  };
}

test('the site storage full: results stay on screen, the failure is said, nothing saved is lost', async ({ page, context }) => {
  await saveOne(page);
  await page.addInitScript(fullDisk);
  await page.reload();

  await analyzeText(page, 'What a happy day', 'joy');
  await page.getByRole('button', { name: 'History', exact: true }).click();
  await expect(page.getByText(/could not be saved \(the browser storage for this site is full\)/u)).toBeVisible();
  await expect(historyItems(page)).toHaveCount(2);
  await expect(historyItems(page).first()).toContainText('not saved');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Request timeout (s)').fill('45');
  await page.getByLabel('Request timeout (s)').blur();
  await expect(page.getByTestId('settings-status')).toHaveText('Could not save settings on this device; they apply until you close the page.');

  // Space again (a page without the fault): what was saved before is all there, the model too.
  const fresh = await context.newPage();
  await fresh.goto('/');
  const saved = await savedHistory(fresh);
  expect(saved).toHaveLength(1);
  expect(saved[0]).toContain('I am furious about this');
  await resetHubLog();
  await fresh.getByRole('button', { name: 'Analysis', exact: true }).click();
  await analyzeText(fresh, 'I feel sad and miserable', 'sadness');
  expect((await hubRequests()).filter((r) => r.method === 'GET' && !r.range)).toEqual([]);
});

test('the site storage full before the model was cached: the model still runs, and the user is told', async ({ page }) => {
  // The worker writes the model cache; the test server prepends the same fault to its script.
  expect((await fetch(`${HUB}/__fault/worker-full-disk`, { method: 'POST' })).status).toBe(204);
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyzeText(page, 'I am furious about this', 'anger');
  await expect(page.getByRole('status', { name: 'Notices' })).toContainText(
    "The model could not be kept on this device (the browser's storage for this site is full), so it will be downloaded again next time.",
  );
});

for (const [name, workerFault, init] of [
  ['missing', 'worker-no-idb', () => Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true })],
  [
    'refusing to open',
    'worker-idb-refused',
    () => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    },
  ],
] as const) {
  test(`IndexedDB ${name} (page and worker): text analysis, settings and history still work for the session, and say so`, async ({ page }) => {
    await page.addInitScript(init);
    expect((await fetch(`${HUB}/__fault/${workerFault}`, { method: 'POST' })).status).toBe(204);
    await page.goto('/');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Model host').fill(HUB);
    await page.getByLabel('Model id').fill(FIXTURE_ID);
    await expect(page.getByTestId('settings-status')).toHaveText('Could not save settings on this device; they apply until you close the page.');
    await expect(page.getByText('This browser does not let the app store data here: the model is downloaded again each time the app opens.')).toBeVisible();
    await page.getByRole('button', { name: 'Analysis', exact: true }).click();
    await analyzeText(page, 'I am furious about this', 'anger');
    await expect(page.getByRole('status', { name: 'Notices' })).toContainText(
      'The model could not be kept on this device (this browser does not let the app store data here), so it will be downloaded again next time.',
    );
    await resetHubLog();
    await analyzeText(page, 'What a happy day', 'joy');
    // The model stays loaded for the session: the second analysis downloads nothing.
    expect((await hubRequests()).filter((r) => r.method === 'GET' && !r.range)).toEqual([]);
    await page.getByRole('button', { name: 'History', exact: true }).click();
    await expect(page.getByText('history is kept in memory only')).toBeVisible();
    await expect(historyItems(page)).toHaveCount(2);
  });
}
