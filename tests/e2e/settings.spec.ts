// Settings never claim a save that did not happen: a refused value stays in its field as typed,
// marked invalid with a help text saying what is allowed, it is not stored (a reload shows the old
// value), and the status does not say "Saved" until a valid change has been written.
import type { Page } from '@playwright/test';
import { HUB, expect, test } from './support';

const openSettings = (page: Page) => page.getByRole('button', { name: 'Settings', exact: true }).click();

test('a picture size out of range is shown as invalid with the allowed range, and is not saved', async ({ page }) => {
  await page.goto('/');
  await openSettings(page);
  const side = page.getByLabel('Picture size (long side, px)');
  const status = page.getByTestId('settings-status');
  await expect(side).toHaveValue('1024');
  await expect(side).toHaveAttribute('aria-invalid', 'false');

  await side.fill('99999');
  await expect(side).toHaveAttribute('aria-invalid', 'true');
  // The field keeps what was typed: it neither jumps back nor pretends.
  await expect(side).toHaveValue('99999');
  await expect(side).toHaveAccessibleDescription(/Use a whole number from 256 to 2048\..*still using 1024/u);
  await expect(status).toHaveText('Picture size not saved: still 1024.');
  await expect(status).not.toHaveText('Saved');
  await side.blur();
  await expect(status).not.toHaveText('Saved');

  await page.reload();
  await openSettings(page);
  await expect(side).toHaveValue('1024');
  await expect(side).toHaveAttribute('aria-invalid', 'false');
  await expect(status).toHaveText('');

  // A valid size is saved; a refused one after it does not keep the earlier "Saved".
  await side.fill('512');
  await expect(side).toHaveAttribute('aria-invalid', 'false');
  await expect(status).toHaveText('Saved');
  await side.fill('100');
  await expect(side).toHaveAttribute('aria-invalid', 'true');
  await expect(status).toHaveText('Picture size not saved: still 512.');
  await page.reload();
  await openSettings(page);
  await expect(side).toHaveValue('512');
});

test('a model host without a scheme is shown as invalid and not saved; a valid one is saved', async ({ page }) => {
  await page.goto('/');
  await openSettings(page);
  const host = page.getByLabel('Model host');
  const status = page.getByTestId('settings-status');
  await expect(host).toHaveValue('https://huggingface.co');

  await host.fill('example.com');
  await expect(host).toHaveAttribute('aria-invalid', 'true');
  await expect(host).toHaveValue('example.com');
  await expect(host).toHaveAccessibleDescription(/must start with https:\/\/.*For example https:\/\/huggingface\.co\./u);
  await expect(status).toHaveText('Model host not saved: still https://huggingface.co.');
  await expect(status).not.toHaveText('Saved');

  await page.reload();
  await openSettings(page);
  await expect(host).toHaveValue('https://huggingface.co');

  await host.fill(HUB);
  await expect(host).toHaveAttribute('aria-invalid', 'false');
  await expect(status).toHaveText('Saved');
  await page.reload();
  await openSettings(page);
  await expect(host).toHaveValue(HUB);
});

test('a request timeout out of range and an empty base URL are refused; an empty vision model is kept', async ({ page }) => {
  await page.goto('/');
  await openSettings(page);
  const timeout = page.getByLabel('Request timeout (s)');
  const base = page.getByLabel('API base URL');
  const model = page.getByLabel('Vision model');
  const status = page.getByTestId('settings-status');

  await timeout.fill('301');
  await expect(timeout).toHaveAttribute('aria-invalid', 'true');
  await expect(timeout).toHaveAccessibleDescription(/from 5 to 300/u);
  await base.fill('');
  await expect(base).toHaveAttribute('aria-invalid', 'true');
  await expect(base).toHaveAccessibleDescription(/Use https:\/\//u);
  await expect(status).toContainText('Not saved: API base URL, Request timeout.');

  await timeout.fill('45');
  await base.fill('https://api.groq.com/openai/v1/');
  await model.fill('');
  await expect(model).toHaveAttribute('aria-invalid', 'false');
  await expect(status).toHaveText('Saved');
  // What was typed stays as typed, though the trailing slash is not stored.
  await expect(base).toHaveValue('https://api.groq.com/openai/v1/');

  await page.reload();
  await openSettings(page);
  await expect(timeout).toHaveValue('45');
  await expect(base).toHaveValue('https://api.groq.com/openai/v1');
  await expect(model).toHaveValue('');
});

test('a refused setting is said beside its own field and card, never in the Text model card', async ({ page }) => {
  await page.goto('/');
  await openSettings(page);
  const textCard = page.getByRole('region', { name: 'Text model' });
  const side = page.getByLabel('Picture size (long side, px)');
  const timeout = page.getByLabel('Request timeout (s)');
  await side.fill('99999');
  await timeout.fill('301');
  // The page's own status line names both; each field says why, beside it.
  await expect(page.getByTestId('settings-status')).toHaveText('Not saved: Picture size, Request timeout.');
  await expect(side).toHaveAccessibleDescription(/still using 1024/u);
  await expect(timeout).toHaveAccessibleDescription(/still using 60/u);
  // The Text model card has nothing to do with them.
  await expect(textCard).not.toContainText('Picture size');
  await expect(textCard).not.toContainText('Request timeout');
  await expect(textCard.getByTestId('model-settings-status')).toHaveText('');

  // A refusal of the card's own field is said in the card, without the others.
  await page.getByLabel('Model host').fill('example.com');
  await expect(textCard.getByTestId('model-settings-status')).toHaveText('Model host not saved: still https://huggingface.co.');
  await page.getByLabel('Model host').fill(HUB);
  await expect(textCard.getByTestId('model-settings-status')).toHaveText('Saved');
  await expect(textCard).not.toContainText('Picture size');
});
