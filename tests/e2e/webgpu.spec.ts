// The WebGPU path, in Chromium with a software (SwiftShader) adapter: the model runs on WebGPU
// with fp32 weights, and weights that fail on WebGPU fall back to WASM with a notice.
import { FIXTURE_ID, analyze, expect, test, useModel } from './support';

test('runs the model on WebGPU when the browser has an adapter', async ({ page }) => {
  await page.goto('/');
  expect(await page.evaluate(async () => (await navigator.gpu?.requestAdapter()) != null)).toBe(true);
  await useModel(page, FIXTURE_ID);
  await analyze(page, 'I am so delighted today');
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  await expect(page.getByTestId('text-device')).toHaveText('webgpu');
  await expect(page.getByTestId('text-dtype')).toHaveText('fp32');
});

test('falls back to WASM and says so when WebGPU cannot run the model', async ({ page }) => {
  await page.goto('/');
  await useModel(page, 'moodlens/fp32-broken');
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');
  await expect(page.getByTestId('text-device')).toHaveText('wasm');
  await expect(page.getByTestId('text-dtype')).toHaveText('q8');
  await expect(page.getByRole('status', { name: 'Notices' })).toContainText('WebGPU could not run the model');
  // The rest of the session stays on WASM.
  await analyze(page, 'I am so delighted today');
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  await expect(page.getByTestId('text-device')).toHaveText('wasm');
});

test('runs on WASM when Device is set to WASM', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Run the text model on').selectOption('wasm');
  await expect(page.getByTestId('settings-status')).toHaveText('Saved');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('text-device')).toHaveText('wasm');
  await expect(page.getByTestId('text-dtype')).toHaveText('q8');
});
