// One run, one answer (issue 12), in Chromium with the fixture model and the fake vision API:
// Overall, the channel views and the History record come from the same run for text-only,
// picture-only, both, and both-with-one-failed runs; Analyze of an unchanged input is not saved
// twice; Cancel stops a download or an analysis and the page goes back to where it was; Back and
// Forward move between the views; a failed Chart.js load is tried again.
import { statSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { FIXTURE_ID, analyze, analyzeText, expect, historyItems, hubRequests, pickImage, resetHubLog, test, textScores, useModel, useVision, visionScenario } from './support';

const analyzeButton = (page: Page) => page.getByRole('button', { name: 'Analyze', exact: true });
const openHistory = (page: Page) => page.getByRole('button', { name: 'History', exact: true }).click();

/** The history records in IndexedDB, newest first, as plain data. */
async function savedRecords(page: Page): Promise<Array<{ textPart: { text: string; scores: Record<string, number> } | null; visionPart: { scores: Record<string, number> } | null }>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('moodlens-history');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const store = db.objectStoreNames[0]!;
          const req = db.transaction(store).objectStore(store).getAll();
          req.onsuccess = () =>
            resolve(
              (req.result as Array<{ createdAt?: number }>)
                .filter((r) => typeof r === 'object' && r !== null && 'createdAt' in r)
                .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0)) as never,
            );
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

test('a picture-only run after a text-only run: Overall, the views and History are the picture alone', async ({ page }) => {
  await visionScenario('ok');
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await useVision(page);
  await analyzeText(page, 'I am furious, I hate this so much', 'anger');
  await expect(page.getByTestId('fused-top')).toHaveText('anger');

  await page.getByLabel('Text', { exact: true }).fill('');
  await pickImage(page, 'smile.jpg');
  await analyzeButton(page).click();
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  // The old text is not in this answer: no text scores, no fusion with it, no "disagreement".
  await expect(page.getByTestId('fused-top')).toHaveText('joy');
  await expect(page.getByTestId('consistency')).toHaveAttribute('data-verdict', 'single-channel');
  await expect(page.getByTestId('text-scores')).toHaveCount(0);
  await expect(page.getByTestId('top-emotion')).toHaveCount(0);
  await expect(page.getByTestId('explanation')).not.toContainText('disagree');
  // One channel: its scores once (in its own view), no weight slider.
  await expect(page.getByTestId('fused-scores')).toHaveCount(0);
  await expect(page.getByLabel('Text weight')).toHaveCount(0);
  await expect(page.getByTestId('vision-scores')).toHaveCount(1);

  await expect.poll(async () => (await savedRecords(page)).length).toBe(2);
  const [latest] = await savedRecords(page);
  expect(latest!.textPart).toBeNull();
  expect(latest!.visionPart!.scores).toEqual(await textScores(page, 'vision-scores'));
});

test('a failed picture request leaves no earlier picture result in the new answer', async ({ page }) => {
  await visionScenario('sad');
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await useVision(page);
  await pickImage(page, 'smile.jpg');
  await analyzeText(page, 'I am so delighted today', 'joy');
  await expect(page.getByTestId('vision-top')).toHaveText('sadness');
  await expect(page.getByTestId('consistency')).toHaveAttribute('data-verdict', 'divergent');
  await expect(page.getByLabel('Text weight')).toBeVisible();
  await expect(page.getByTestId('fused-scores')).toHaveCount(1);

  await visionScenario('unauthorized');
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');
  await expect(page.getByTestId('vision-error')).toContainText('did not accept the API key');
  // The sad picture of the previous run is not in this one.
  await expect(page.getByTestId('vision-scores')).toHaveCount(0);
  await expect(page.getByTestId('fused-top')).toHaveText('anger');
  await expect(page.getByTestId('consistency')).toHaveAttribute('data-verdict', 'single-channel');
  await expect(page.getByTestId('channel-absent')).toHaveAttribute('data-channel', 'vision');
  await expect(page.getByTestId('channel-absent')).toContainText('failed');
  const text = await textScores(page, 'text-scores');

  await expect.poll(async () => (await savedRecords(page)).length).toBe(2);
  const [latest] = await savedRecords(page);
  expect(latest!.visionPart).toBeNull();
  expect(latest!.textPart!.text).toBe('I am furious about this');
  expect(latest!.textPart!.scores).toEqual(text);

  await openHistory(page);
  await expect(historyItems(page).first()).toContainText('I am furious about this');
  await expect(historyItems(page).first()).not.toContainText('picture');
});

test('Analyze again with nothing changed shows the same result and saves it once', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyzeText(page, 'I am terrified of the dark', 'fear');
  await expect.poll(async () => (await savedRecords(page)).length).toBe(1);
  await analyzeButton(page).click();
  await expect(page.getByTestId('reused-run')).toContainText('not saved twice');
  await analyzeText(page, 'I am terrified of the dark!', 'fear');
  await expect(page.getByTestId('reused-run')).toHaveCount(0);
  await expect.poll(async () => (await savedRecords(page)).length).toBe(2);
  await openHistory(page);
  await expect(historyItems(page)).toHaveCount(2);
});

test('Cancel stops a model download: nothing half-written is kept, and the next analysis works', async ({ page }) => {
  await page.goto('/');
  await useModel(page, 'moodlens/slow-emotion');
  await analyze(page, 'What a happy day');
  await expect(page.getByLabel('Model download')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByTestId('run-cancelled')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toHaveCount(0);
  await expect(analyzeButton(page)).toBeFocused();
  await expect(page.getByTestId('model-error')).toHaveCount(0);

  // Every file in the cache is whole: the size stored equals the file's.
  const fixture = 'tests/fixtures/model/moodlens/tiny-emotion/';
  const cached = await page.evaluate(
    () =>
      new Promise<Array<{ url: string; size: number }>>((resolve, reject) => {
        const open = indexedDB.open('moodlens-models');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('files')) return resolve([]);
          const store = db.transaction('files').objectStore('files');
          const keys = store.getAllKeys();
          keys.onsuccess = () => {
            const files = (keys.result as string[]).filter((k) => k.startsWith('file:'));
            Promise.all(
              files.map(
                (k) =>
                  new Promise<{ url: string; size: number }>((res) => {
                    const get = db.transaction('files').objectStore('files').get(k);
                    get.onsuccess = () => res({ url: k.slice('file:'.length), size: (get.result as Blob).size });
                  }),
              ),
            ).then(resolve, reject);
          };
        };
      }),
  );
  for (const file of cached) {
    const name = file.url.split('/resolve/main/')[1]!;
    expect(file.size, name).toBe(statSync(fixture + name).size);
  }

  await analyzeButton(page).click();
  await expect(page.getByTestId('top-emotion')).toHaveText('joy', { timeout: 60_000 });
});

test('Cancel stops a long analysis mid-run (the worker stops between two batches and keeps its model) and the page shows what it showed before', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyzeText(page, 'I am so delighted today', 'joy');
  const long = Array.from({ length: 6000 }, (_, i) => `Sentence number ${i} tells of a gloomy day.`).join(' ');
  await analyze(page, long);
  await expect(page.getByTestId('analysis-progress')).toBeVisible();
  await expect(page.getByTestId('previous-results')).toBeVisible();
  // By keyboard: Cancel sits just before Analyze, which keeps focus while the run works.
  await expect(analyzeButton(page)).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-cancelled')).toBeVisible();
  await expect(analyzeButton(page)).toBeFocused();
  await expect(page.getByTestId('analysis-progress')).toHaveCount(0);
  // The previous run is shown again as it was, and is the only one saved.
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  await expect(page.getByTestId('previous-results')).toHaveCount(0);
  expect(await savedRecords(page)).toHaveLength(1);

  await resetHubLog();
  await analyzeText(page, 'I am furious about this', 'anger');
  // The model stayed loaded in the same worker: nothing downloaded again.
  expect((await hubRequests()).filter((r) => r.method === 'GET' && !r.range)).toEqual([]);
});

test('views are browser history entries: Back and Forward move between them, Escape closes an entry', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyzeText(page, 'I am so delighted today', 'joy');
  await openHistory(page);
  await expect(page).toHaveURL(/#history$/u);
  await historyItems(page).first().getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('history-detail')).toBeVisible();
  await expect(page).toHaveURL(/#history\/.+/u);

  await page.goBack();
  await expect(page.getByTestId('history-detail')).toHaveCount(0);
  await expect(historyItems(page)).toHaveCount(1);
  await page.goForward();
  await expect(page.getByTestId('history-detail')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('history-detail')).toHaveCount(0);
  await expect(page).toHaveURL(/#history$/u);

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Text model' })).toBeVisible();
  await page.goBack();
  await expect(historyItems(page)).toHaveCount(1);
  await page.goBack();
  // Back through Settings, History and the analysis: still in the app, on the Analysis view.
  await expect(page.getByLabel('Text', { exact: true })).toBeVisible();
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/(#.*)?$/u);
  await page.goForward();
  await expect(historyItems(page)).toHaveCount(1);

  // An entry opened by its address (a reload) goes back to the list, not out of the app.
  await historyItems(page).first().getByRole('button', { name: 'Open' }).click();
  await page.reload();
  await expect(page.getByTestId('history-detail')).toBeVisible();
  await page.getByRole('button', { name: 'Back to history' }).click();
  await expect(historyItems(page)).toHaveCount(1);
});

test('a Chart.js chunk that failed to load is loaded again for the next result', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  let blocked = 0;
  await page.route(/\/assets\/[^/]*chart[^/]*\.js$/iu, (route) => {
    blocked += 1;
    return route.abort();
  });
  await analyzeText(page, 'I am so delighted today', 'joy');
  await expect(page.getByTestId('chart-failed').first()).toBeVisible();
  expect(blocked).toBeGreaterThan(0);
  await page.unroute(/\/assets\/[^/]*chart[^/]*\.js$/iu);
  await analyzeText(page, 'I am furious about this', 'anger');
  await expect(page.getByTestId('chart-failed')).toHaveCount(0);
  await expect(page.locator('[data-testid="chart"] canvas').first()).toHaveAttribute('style', /height/u);
});

test('words are counted in any script, and a text that is probably not English says so', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await page.getByLabel('Text', { exact: true }).fill('今日はとても嬉しいです');
  await expect(page.locator('#text-hint')).not.toContainText(/^1 word/u);
  await expect(page.locator('#text-hint')).toContainText(/^[2-9] words/u);
  await analyze(page, 'Estoy muy feliz porque hoy es mi cumpleaños y la fiesta es en mi casa');
  await expect(page.getByTestId('language-note')).toContainText('English');
  await analyzeText(page, 'I am so delighted today', 'joy');
  await expect(page.getByTestId('language-note')).toHaveCount(0);
});
