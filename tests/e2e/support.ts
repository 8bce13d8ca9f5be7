// Helpers for the browser tests: the fake hub's address and request log, and the steps a user
// takes (open Settings, type a model host and id, analyse a text).
import { expect, test as base, type Page } from '@playwright/test';
import { EMOTIONS } from '../../src/lib/domain/emotions';

export const HUB = `http://127.0.0.1:${process.env.HUB_PORT ?? 4180}`;
export const FIXTURE_ID = 'moodlens/tiny-emotion';

export interface LoggedRequest {
  method: string;
  path: string;
  range: string | null;
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
 * A test with every request of the browser context recorded; after each test, every one of them
 * must have gone to 127.0.0.1 (or be a data:/blob: URL that never leaves the page).
 */
export const test = base.extend<{ requests: string[] }>({
  requests: async ({ context }, use) => {
    const urls: string[] = [];
    context.on('request', (r) => urls.push(r.url()));
    await use(urls);
    const foreign = urls.filter((u) => !/^(data:|blob:|http:\/\/127\.0\.0\.1:\d+\/)/u.test(u));
    expect(foreign, 'requests that left 127.0.0.1').toEqual([]);
  },
});

export { expect };

/** Opens Settings, sets Model host and Model id as a user would, and returns to the analysis. */
export async function useModel(page: Page, modelId: string, host = HUB): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Model host').fill(host);
  await page.getByLabel('Model id').fill(modelId);
  await expect(page.getByTestId('settings-status')).toHaveText('Saved');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
}

/** Types a text, presses Analyze and waits for the result (or an error). */
export async function analyze(page: Page, text: string): Promise<void> {
  await page.getByLabel('Text', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
}

/** The scores of the text channel, as the page shows them. */
export async function textScores(page: Page): Promise<Record<string, number>> {
  const rows = page.getByTestId('text-scores').locator('[data-emotion]');
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
      { timeout: 15_000 },
    )
    .toBe(count);
}
