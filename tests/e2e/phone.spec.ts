// On a 390 px phone: a text with a photo reads as one screenful per channel (each channel's
// chart and table folded under "Scores and details", opened on demand), no view scrolls
// sideways, and a table wider than the screen scrolls in its own box (issue 28).
import { FIXTURE_ID, analyze, expect, pickImage, test, useModel } from './support';

test.use({ viewport: { width: 390, height: 844 } });

test('text and a photo: every channel folds its detail, and no view is wider than the phone', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await page.getByLabel('Tags', { exact: true }).fill('campaign a');
  await pickImage(page, 'smile.jpg');
  await analyze(page, 'What a wonderful, happy day! But then I felt sad and miserable about the news.');
  await expect(page.getByTestId('top-emotion').first()).toBeVisible();
  await expect(page.getByTestId('face-count')).toBeVisible();

  const detail = page.getByTestId('text-detail');
  await expect(detail).not.toHaveAttribute('open');
  await expect(detail.getByTestId('chart')).toBeHidden();
  // Opened on demand, by keyboard.
  await detail.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(detail).toHaveAttribute('open');
  await expect(detail.getByTestId('chart')).toBeVisible();

  const width = () => page.evaluate(() => document.documentElement.scrollWidth);
  expect(await width()).toBeLessThanOrEqual(390);
  for (const view of ['History', 'Batch', 'Settings']) {
    await page.getByRole('button', { name: view, exact: true }).click();
    expect(await width(), view).toBeLessThanOrEqual(390);
  }
  await page.getByRole('button', { name: 'History', exact: true }).click();
  for (const part of ['Timeline', 'Compare']) {
    await page.getByRole('button', { name: part, exact: true }).click();
    expect(await width(), part).toBeLessThanOrEqual(390);
  }
  // The timeline's table is wider than the phone: it scrolls in its box, which says so.
  const wrap = page.getByTestId('timeline').locator('.table-wrap');
  const scroll = await wrap.evaluate((el) => ({ inner: el.scrollWidth, outer: el.clientWidth, overflow: getComputedStyle(el).overflowX }));
  expect(scroll.overflow).toBe('auto');
  expect(scroll.inner).toBeGreaterThan(scroll.outer);
});
