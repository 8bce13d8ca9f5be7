// History in Chromium with real IndexedDB: analyses survive a reload, open without running a
// model, delete with undo, export and import between browser contexts, two tabs at once, a full
// disk, no IndexedDB at all, and records this version cannot read left untouched.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import {
  FIXTURE_ID,
  analyze,
  analyzeText,
  chatRequests,
  expect,
  historyItems,
  hubRequests,
  pickImage,
  resetHubLog,
  test,
  useModel,
  useVision,
  visionScenario,
} from './support';

const openHistory = (page: Page) => page.getByRole('button', { name: 'History', exact: true }).click();

/** The export file as the app writes it. */
async function exportFile(page: Page): Promise<{ records: Array<Record<string, unknown>> }> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON', exact: true }).click();
  return JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { records: Array<Record<string, unknown>> };
}

test('three analyses survive a reload, open without a model, and delete with undo', async ({ page }) => {
  await visionScenario('sad');
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await useVision(page);
  await analyzeText(page, 'I am furious about this', 'anger');
  await analyzeText(page, 'I am terrified of the dark', 'fear');
  await pickImage(page, 'smile.jpg');
  await analyzeText(page, 'I am so delighted today', 'joy');
  await expect(page.getByTestId('vision-top')).toHaveText('sadness');

  await page.reload();
  await openHistory(page);
  await expect(historyItems(page)).toHaveCount(3);
  await expect(historyItems(page).first()).toContainText('I am so delighted today');
  await expect(historyItems(page).first()).toContainText('Text + picture');
  await expect(historyItems(page).first().locator('img.thumb')).toBeVisible();

  await resetHubLog();
  await visionScenario('ok');
  await historyItems(page).first().getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('consistency')).toHaveAttribute('data-verdict', 'divergent');
  await expect(page.getByTestId('vision-description')).toContainText('Downturned mouth');
  expect(await hubRequests()).toEqual([]);
  expect(await chatRequests()).toHaveLength(0);
  await page.getByRole('button', { name: 'Back to history' }).click();

  await page.getByLabel('Search history').fill('terrified');
  await expect(historyItems(page)).toHaveCount(1);
  await page.getByLabel('Search history').fill('');
  await page.getByLabel('Filter by channels').selectOption('both');
  await expect(historyItems(page)).toHaveCount(1);
  await page.getByLabel('Filter by channels').selectOption('any');

  await historyItems(page).filter({ hasText: 'furious' }).getByRole('button', { name: 'Delete' }).click();
  await expect(historyItems(page)).toHaveCount(2);
  await expect(page.getByRole('button', { name: 'Undo' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(historyItems(page)).toHaveCount(3);
  // The Undo button is gone: focus lands on the restored analysis, not on the page's body.
  await expect(historyItems(page).filter({ hasText: 'furious' }).getByRole('button', { name: 'Open' })).toBeFocused();
  await page.reload();
  await openHistory(page);
  await expect(historyItems(page)).toHaveCount(3);
});

test('export then import into a fresh browser reproduces identical records', async ({ page, browser, requests }) => {
  await visionScenario('ok');
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await useVision(page);
  await analyzeText(page, 'I am furious about this', 'anger');
  await pickImage(page, 'rotated.jpg');
  await analyzeText(page, 'I am so delighted today', 'joy');
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  await openHistory(page);
  const first = await exportFile(page);
  expect(first.records).toHaveLength(2);
  expect(JSON.stringify(first)).not.toContain('gsk_');

  const fresh = await browser.newContext();
  // The second context's requests are held to 127.0.0.1 too.
  fresh.on('request', (r) => requests.push(r.url()));
  const other = await fresh.newPage();
  await other.goto('/');
  await openHistory(other);
  await expect(historyItems(other)).toHaveCount(0);
  const chooser = other.waitForEvent('filechooser');
  await other.getByRole('button', { name: 'Import', exact: true }).click();
  const exported = await exportPath(page);
  await (await chooser).setFiles(exported);
  await expect(other.getByText('Imported 2 analyses; 0 already here, 0 rejected.')).toBeVisible();
  await expect(historyItems(other)).toHaveCount(2);
  // An import that added something can be undone...
  await expect(other.getByRole('button', { name: 'Undo' })).toBeVisible();
  const second = await exportFile(other);
  expect(second.records).toEqual(first.records);

  // Importing again adds nothing; a file that is not an export changes nothing.
  const again = other.waitForEvent('filechooser');
  await other.getByRole('button', { name: 'Import', exact: true }).click();
  await (await again).setFiles(exported);
  await expect(other.getByText('Imported 0 analyses; 2 already here, 0 rejected.')).toBeVisible();
  // ...one that added nothing offers nothing to undo.
  await expect(other.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  const bad = other.waitForEvent('filechooser');
  await other.getByRole('button', { name: 'Import', exact: true }).click();
  await (await bad).setFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await expect(other.getByText('The file is not a Moodlens history export.', { exact: false })).toBeVisible();
  await expect(historyItems(other)).toHaveCount(2);
  await fresh.close();
});

/** Exports from `page` and returns the downloaded file's path. */
async function exportPath(page: Page): Promise<string> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON', exact: true }).click();
  return (await download).path();
}

test('two tabs saving at the same time lose nothing and see each other', async ({ context }) => {
  const a = await context.newPage();
  await a.goto('/');
  await useModel(a, FIXTURE_ID);
  const b = await context.newPage();
  await b.goto('/');
  await a.getByLabel('Text', { exact: true }).fill('I am furious about this');
  await b.getByLabel('Text', { exact: true }).fill('I am so delighted today');
  await Promise.all([
    a.getByRole('button', { name: 'Analyze', exact: true }).click(),
    b.getByRole('button', { name: 'Analyze', exact: true }).click(),
  ]);
  await expect(a.getByTestId('top-emotion')).toHaveText('anger');
  await expect(b.getByTestId('top-emotion')).toHaveText('joy');
  for (const page of [a, b]) {
    await openHistory(page);
    await expect(historyItems(page)).toHaveCount(2);
  }
});

test('a full disk: the result stays on screen and in memory, and the failure is shown', async ({ page }) => {
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.transaction.db.name === 'moodlens-history') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyzeText(page, 'I am furious about this', 'anger');
  await openHistory(page);
  await expect(page.getByText(/could not be saved \(the browser storage for this site is full\)/u)).toBeVisible();
  await expect(historyItems(page)).toHaveCount(1);
  await expect(historyItems(page).first()).toContainText('not saved');
});

test('without IndexedDB the app still works and says history is not kept', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
  });
  await page.goto('/');
  await openHistory(page);
  await expect(page.getByText('history is kept in memory only')).toBeVisible();
});

test('records this version cannot read are counted and left untouched', async ({ page }) => {
  await page.goto('/');
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('moodlens-history');
        open.onupgradeneeded = () => open.result.createObjectStore('records');
        open.onsuccess = () => {
          const tx = open.result.transaction('records', 'readwrite');
          const store = tx.objectStore('records');
          const scores = { anger: 0, disgust: 0, fear: 0, joy: 1, neutral: 0, sadness: 0, surprise: 0 };
          store.put({ schemaVersion: 1, id: 'seeded-v1-record', createdAt: 1_700_000_000_000, textPart: { text: 'Written by version 1', scores, modelId: 'm', device: 'wasm', dtype: 'q8', inferenceMs: 1, chunks: 1, tokens: 3 }, visionPart: null, thumbnail: null, textWeight: 0.5 }, 'seeded-v1-record');
          store.put({ schemaVersion: 99, id: 'from-the-future', something: 'new' }, 'from-the-future');
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  await page.reload();
  await openHistory(page);
  await expect(historyItems(page)).toHaveCount(1);
  await expect(historyItems(page).first()).toContainText('Written by version 1');
  await expect(page.getByText('1 stored entries could not be read and were left untouched.')).toBeVisible();
  await historyItems(page).first().getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(historyItems(page)).toHaveCount(1);
  // Clear history removes what this version can read, not what a newer version wrote.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Clear history' }).click();
  await expect(historyItems(page)).toHaveCount(0);
  const futureKept = await page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const open = indexedDB.open('moodlens-history');
        open.onsuccess = () => {
          const req = open.result.transaction('records').objectStore('records').get('from-the-future');
          req.onsuccess = () => resolve(req.result !== undefined);
        };
      }),
  );
  expect(futureKept).toBe(true);
});

test('after real use it asks once for persistent storage and shows what history takes', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { persistCalls: number };
    w.persistCalls = 0;
    const original = navigator.storage.persist.bind(navigator.storage);
    navigator.storage.persist = () => {
      w.persistCalls += 1;
      return original();
    };
  });
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  expect(await page.evaluate(() => (window as unknown as { persistCalls: number }).persistCalls)).toBe(0);
  await analyzeText(page, 'I am furious about this', 'anger');
  await analyzeText(page, 'I am so delighted today', 'joy');
  await expect.poll(() => page.evaluate(() => (window as unknown as { persistCalls: number }).persistCalls)).toBe(1);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByTestId('history-size')).toContainText(/History: 2 analyses, about \d+(\.\d)? KB\./u);
  await expect(page.getByTestId('persistence')).toContainText(/Storage is persistent|Export your history/u);
});

test('a save started just before the page closes is not lost', async ({ context }) => {
  const page = await context.newPage();
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyze(page, 'I am terrified of the dark');
  await expect(page.getByTestId('top-emotion')).toHaveText('fear');
  await page.close({ runBeforeUnload: true });
  const again = await context.newPage();
  await again.goto('/');
  await openHistory(again);
  await expect(historyItems(again)).toHaveCount(1);
  await expect(historyItems(again).first()).toContainText('terrified');
});

test('on a phone, every history checkbox is a target of at least 24 px', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyzeText(page, 'I am so delighted today', 'joy');
  await analyzeText(page, 'I am furious about this', 'anger');
  await openHistory(page);
  const boxes = historyItems(page).getByRole('checkbox');
  await expect(boxes).toHaveCount(2);
  for (const box of await boxes.all()) {
    const size = await box.boundingBox();
    expect(size!.width).toBeGreaterThanOrEqual(24);
    expect(size!.height).toBeGreaterThanOrEqual(24);
  }
  // No horizontal scrolling on the phone.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
