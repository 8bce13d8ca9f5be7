// Where the model comes from and what is kept: asking before a large download, loading the model
// from disk without network, and removing the cached model.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_ID, HUB_HOST, analyze, expect, hubRequests, resetHubLog, test, useModel, waitForCachedFiles } from './support';

const FIXTURE_DIR = join(process.cwd(), 'tests/fixtures/model', FIXTURE_ID);

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
