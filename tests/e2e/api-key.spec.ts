// The API key: memory only by default, stored only after "Remember key on this device", gone
// everywhere after "Forget key"; the page URL can set neither the key nor the base URL.
import { TEST_KEY, VISION_BASE, expect, storedText, test, useVision } from './support';

test('keeps the key in memory only unless asked to remember it, and forgets it everywhere', async ({ page }) => {
  await page.goto('/');
  await useVision(page);
  expect(await storedText(page)).not.toContain(TEST_KEY);
  await page.reload();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('API key')).toHaveValue('');
  expect(await storedText(page)).not.toContain(TEST_KEY);

  await page.getByLabel('API key').fill(TEST_KEY);
  await page.getByLabel('Remember key on this device').check();
  await expect(page.getByText(/The key is stored in this browser's local storage/u)).toBeVisible();
  expect(await storedText(page)).toContain(TEST_KEY);
  await page.reload();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('API key')).toHaveValue(TEST_KEY);
  await expect(page.getByLabel('Remember key on this device')).toBeChecked();

  await page.getByRole('button', { name: 'Forget key' }).click();
  await expect(page.getByLabel('API key')).toHaveValue('');
  await expect(page.getByLabel('Remember key on this device')).not.toBeChecked();
  expect(await storedText(page)).not.toContain(TEST_KEY);
  await page.reload();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('API key')).toHaveValue('');
});

test('ignores a base URL or key in the page URL', async ({ page }) => {
  await page.goto(`/?apiUrl=http://127.0.0.1:9/steal&baseUrl=http://127.0.0.1:9/steal&key=${TEST_KEY}#apiKey=${TEST_KEY}`);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('API base URL')).toHaveValue('https://api.groq.com/openai/v1');
  await expect(page.getByLabel('API key')).toHaveValue('');
  await page.getByLabel('API base URL').fill(VISION_BASE);
  await expect(page.getByLabel('API base URL')).toHaveValue(VISION_BASE);
});
