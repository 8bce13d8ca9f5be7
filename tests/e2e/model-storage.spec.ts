// Where the model comes from and what is kept: asking before a large download, resuming a
// cancelled one, loading the model from disk without network (only the weights it runs), what
// the storage figures count, and removing the cached model.
import { cpSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { formatBytes } from '../../src/shared/format';
import { FIXTURE_ID, HUB, HUB_HOST, analyze, expect, hubRequests, resetHubLog, test, useModel, waitForCachedFiles } from './support';

const FIXTURE_DIR = join(process.cwd(), 'tests/fixtures/model', FIXTURE_ID);

/** The keys of the model cache (IndexedDB) that start with `prefix`, without it, sorted. */
async function modelCacheKeys(page: Page, prefix: string): Promise<string[]> {
  return page.evaluate(
    (start) =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('moodlens-models');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          if (!open.result.objectStoreNames.contains('files')) return resolve([]);
          const req = open.result.transaction('files').objectStore('files').getAllKeys();
          req.onsuccess = () => resolve(req.result.map(String).filter((k) => k.startsWith(start)).map((k) => k.slice(start.length)).sort());
          req.onerror = () => reject(req.error);
        };
      }),
    prefix,
  );
}

/** The URLs of the files in the model cache. */
const cachedFileUrls = (page: Page) => modelCacheKeys(page, 'meta:');
/** The URLs of the partial downloads kept in the model cache. */
const partialDownloads = (page: Page) => modelCacheKeys(page, 'partial:');

/** The size of the bytes the model cache holds for `url`. */
async function cachedFileSize(page: Page, url: string): Promise<number | null> {
  return page.evaluate(
    (key) =>
      new Promise<number | null>((resolve, reject) => {
        const open = indexedDB.open('moodlens-models');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('files').objectStore('files').get(key);
          req.onsuccess = () => resolve((req.result as Blob | undefined)?.size ?? null);
          req.onerror = () => reject(req.error);
        };
      }),
    `file:${url}`,
  );
}

test.beforeEach(async () => {
  await resetHubLog();
});

test('asks before a large download, and downloads only when the user agrees', async ({ page }) => {
  await page.goto('/');
  await useModel(page, 'moodlens/large-emotion');
  await analyze(page, 'I am so delighted today');
  const dialog = page.getByRole('region', { name: 'Download the emotion model?' });
  await expect(dialog).toContainText('q8, 90 MB');
  await expect(dialog).toContainText(HUB_HOST);
  const weightsFetched = async () =>
    (await hubRequests()).filter((r) => r.path.endsWith('.onnx') && r.range === null).length;
  expect(await weightsFetched()).toBe(0);

  await dialog.getByRole('button', { name: 'Not now' }).click();
  await expect(dialog).toBeHidden();
  expect(await weightsFetched()).toBe(0);

  await analyze(page, 'I am so delighted today');
  await page.getByRole('button', { name: 'Download and analyze' }).click();
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  expect(await weightsFetched()).toBe(1);
});

test('a cancelled download resumes where it stopped: the next request asks for the rest (Range, If-Range), about one file in all', async ({ page }) => {
  const weights = '/moodlens/slow-emotion/resolve/main/onnx/model_quantized.onnx';
  const size = statSync(join(FIXTURE_DIR, 'onnx/model_quantized.onnx')).size;
  /** The weights' downloads (not the one-byte probes), in order. */
  const downloads = async () => (await hubRequests()).filter((r) => r.method === 'GET' && r.path === weights && (r.range === null || /^bytes=\d+-$/u.test(r.range)));
  await page.goto('/');
  await useModel(page, 'moodlens/slow-emotion');
  await analyze(page, 'What a happy day');
  // Cancel once about a third of the (slowly sent) weights has gone out.
  await expect.poll(async () => (await downloads())[0]?.bytes ?? 0, { intervals: [50] }).toBeGreaterThan(size / 3);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByTestId('run-cancelled')).toBeVisible();
  // What had arrived is kept (of the weights, and of any other file on its way), apart from the
  // model's files: nothing half-stored as a model file.
  await expect.poll(() => partialDownloads(page)).toContain(`${HUB}${weights}`);
  expect(await cachedFileSize(page, `${HUB}${weights}`)).toBeNull();

  await analyze(page, 'What a happy day');
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  const [first, second, ...more] = await downloads();
  expect(more).toEqual([]);
  expect(first?.range).toBeNull();
  expect(first!.bytes).toBeLessThan(size);
  // The second asked only for the rest, for the same version of the file.
  const from = Number(/^bytes=(\d+)-$/u.exec(second?.range ?? '')?.[1]);
  expect(from).toBeGreaterThan(size / 3);
  expect(second?.ifRange).toMatch(/^"[0-9a-f]{16}"$/u);
  expect(second!.bytes).toBe(size - from);
  // About the file's size in all (a restart would be 1.3 times it or more); at most what was in
  // flight when Cancel came is sent twice.
  expect(first!.bytes + second!.bytes).toBeGreaterThanOrEqual(size);
  expect(first!.bytes + second!.bytes).toBeLessThan(size * 1.12);
  // Whole and cached now: the part is gone, and the model file stored is the file.
  await waitForCachedFiles(page, 4);
  expect(await partialDownloads(page)).toEqual([]);
  expect(await cachedFileSize(page, `${HUB}${weights}`)).toBe(size);
});

test('loads the model from disk and runs it without any model request', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const files = [
    ...readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).map((f) => join(FIXTURE_DIR, f)),
    join(FIXTURE_DIR, 'onnx/model_quantized.onnx'),
  ];
  await page.getByLabel('Load model from disk').setInputFiles(files);
  await expect(page.getByText(/Loaded \d+ model files from disk/u)).toBeVisible();
  await expect(page.getByLabel('Files loaded from disk')).toBeChecked();
  await expect(page.getByTestId('cached-models')).toContainText('Model loaded from disk');

  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await analyze(page, 'I feel sad and miserable');
  await expect(page.getByTestId('top-emotion')).toHaveText('sadness');
  expect(await hubRequests()).toEqual([]);
});

test('Load a model folder stores only the weights the chosen precision uses, and says which it skipped and why', async ({ page }, testInfo) => {
  // The fixture's folder (config, tokenizer, int8 onnx/model_quantized.onnx and fp32
  // onnx/model.onnx) plus an fp16 export and a README, as a folder from the hub looks.
  const folder = testInfo.outputPath('tiny-emotion');
  cpSync(FIXTURE_DIR, folder, { recursive: true });
  writeFileSync(join(folder, 'onnx/model_fp16.onnx'), new Uint8Array(2_500_000));
  writeFileSync(join(folder, 'README.md'), '# tiny-emotion\n');
  const size = (file: string) => statSync(join(folder, file)).size;
  const kept = ['config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];

  await page.goto('/');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  // WASM (no WebGPU adapter here) runs the int8 weights.
  await page.getByLabel('Load a model folder').setInputFiles(folder);
  await expect(page.getByRole('status').filter({ hasText: 'Loaded' })).toHaveText(
    `Loaded 5 model files from disk; the model now runs from them. Skipped 2 files the chosen precision (q8) does not use: ` +
      `onnx/model_fp16.onnx (2.5 MB), onnx/model.onnx (${formatBytes(size('onnx/model.onnx'))}).`,
  );
  await expect(page.getByLabel('Files loaded from disk')).toBeChecked();
  // What is kept: the five files, and their size only.
  const stored = (await cachedFileUrls(page)).map((u) => u.split('/resolve/main/')[1]);
  expect(stored).toEqual([...kept].sort());
  const bytes = kept.reduce((n, f) => n + size(f), 0);
  await expect(page.getByTestId('cached-models')).toContainText(`Model loaded from disk 5 files, ${formatBytes(bytes)}`);
  await expect(page.getByTestId('cached-model-size')).toHaveText(formatBytes(bytes));

  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await analyze(page, 'I feel sad and miserable');
  await expect(page.getByTestId('top-emotion')).toHaveText('sadness');
  await expect(page.getByTestId('text-dtype')).toHaveText('q8');
  expect(await hubRequests()).toEqual([]);
});

test('refuses an incomplete set of files from disk and says what is missing', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Load model from disk').setInputFiles([join(FIXTURE_DIR, 'config.json')]);
  await expect(page.getByText('These files are missing, so nothing was loaded')).toContainText('tokenizer.json');
  await expect(page.getByLabel('Files loaded from disk')).not.toBeChecked();
});

test('shows the cached model size and removes the cached model', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');
  await waitForCachedFiles(page, 4);

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByTestId('cached-models')).toContainText(`${HUB_HOST}/${FIXTURE_ID}`);
  await expect(page.getByTestId('cached-model-size')).toHaveText(/\d+(\.\d)? KB/u);
  // Two figures, each saying what it counts: the model's files, and the browser's estimate of
  // everything the site stores (which can be larger or smaller).
  await expect(page.getByTestId('model-files-total')).toHaveText(/^Model files kept on this device: \d+(\.\d)? KB$/u);
  await expect(page.getByTestId('site-storage')).toHaveText(
    /^Everything this site stores, as the browser counts it \(models with the copy converted for LiteRT.js, history, batches; the browser may count compressed or pending data differently\): \d+(\.\d)? [KMG]?B of the \d+(\.\d)? [KMGT]B it allows this site\.$/u,
  );
  await page.getByRole('button', { name: 'Remove cached model' }).click();
  await expect(page.getByText('Removed 4 cached model files.')).toBeVisible();
  await expect(page.getByText('No model is stored on this device yet.')).toBeVisible();
  await waitForCachedFiles(page, 0);

  await resetHubLog();
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await analyze(page, 'I am so delighted today');
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  expect((await hubRequests()).some((r) => r.path.endsWith('model_quantized.onnx') && r.range === null)).toBe(true);
});
