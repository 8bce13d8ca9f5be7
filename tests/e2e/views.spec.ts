// Batch, History and Settings are chunks of their own, loaded when first shown (the page's JS
// before the first analysis is the Analysis view alone): one that cannot be loaded says so and
// can be tried again, and keyboard focus still lands on the heading an action names.
import { expect, test } from './support';

const BATCH_CHUNK = /\/BatchView-[^/]+\.js$/u;

test('a view whose chunk cannot be loaded says so, and Try again opens it', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeVisible();
  await page.route(BATCH_CHUNK, (route) => route.abort('internetdisconnected'));
  await page.getByRole('button', { name: 'Batch', exact: true }).click();
  await expect(page.getByTestId('view-error')).toContainText('Batch could not be opened');
  await page.unroute(BATCH_CHUNK);
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'Batch', exact: true })).toBeVisible();
  await expect(page.getByTestId('view-error')).toHaveCount(0);
});

test('the chunks are asked for only when a view is wanted', async ({ page }) => {
  const chunks: string[] = [];
  page.on('request', (r) => {
    const m = /\/(BatchView|HistoryView|SettingsView)-[^/]+\.js$/u.exec(r.url());
    if (m) chunks.push(m[1]!);
  });
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeVisible();
  expect(chunks).toEqual([]);
  // Focus on a nav button is enough to fetch its view, so the click finds it there.
  await page.getByRole('button', { name: 'History', exact: true }).focus();
  await expect.poll(() => chunks).toEqual(['HistoryView']);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'History', exact: true })).toBeVisible();
  // A reload on an address of another view loads that view.
  await page.goto('/#settings');
  await expect(page.getByRole('heading', { name: 'Text model', exact: true })).toBeVisible();
  expect(chunks).toContain('SettingsView');
});
