// Issue 13 end to end, against the fake provider's reasoning scenarios: with the Vision model left
// empty, the first request names a model that takes pictures (not the text or audio model listed
// first); reasoning models answer with the real scores (never a decoy inside their reasoning) in at
// most 3 requests; what a model refuses is learned for the next picture; a retired model is
// replaced in one click; the key is only ever in the Authorization header.
import type { Page } from '@playwright/test';
import { TEST_KEY, chatRequests, expect, pickImage, test, useVision, visionRequests, visionScenario, type VisionRequest } from './support';

const IMAGE_MODELS = ['qwen/qwen3.6-27b', 'qwen/qwen3.8-27b', 'meta-llama/llama-4-maverick-17b-128e-instruct', 'meta-llama/llama-4-scout-17b-16e-instruct', 'qwen/qwen2.5-vl-7b-instruct'];

const modelOf = (r: VisionRequest | undefined) => (r?.body as { model?: string } | undefined)?.model;

async function analyzePicture(page: Page, file = 'smile.jpg') {
  await pickImage(page, file);
  await page.getByLabel('Text', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
}

/** The key is in the Authorization header of every request, and nowhere else. */
async function keyOnlyInAuthorization() {
  for (const r of await visionRequests()) {
    if (r.method === 'OPTIONS') continue;
    expect(r.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(JSON.stringify({ ...r, headers: { ...r.headers, authorization: '' } })).not.toContain(TEST_KEY);
  }
}

test('model left empty: a model that takes pictures is picked, and a reasoning model answers in one request', async ({ page }) => {
  await visionScenario('reasoning');
  await page.goto('/');
  await useVision(page, { model: '' });
  await analyzePicture(page);
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  const chats = await chatRequests();
  expect(chats.length).toBeLessThanOrEqual(3);
  expect(IMAGE_MODELS).toContain(modelOf(chats[0]));
  expect(chats[0]?.body).toMatchObject({ reasoning_effort: 'none' });
  await expect(page.getByTestId('vision-model')).toHaveText(modelOf(chats.at(-1))!);
  await expect(page.getByTestId('vision-tokens')).toBeVisible();
  // The model list was read once, with the key.
  const lists = (await visionRequests()).filter((r) => r.method === 'GET' && r.path.endsWith('/models'));
  expect(lists).toHaveLength(1);
  await keyOnlyInAuthorization();
});

test('a thinking model that puts a JSON-like decoy in its <think> block: the real answer is read', async ({ page }) => {
  await visionScenario('reasoning-raw');
  await page.goto('/');
  await useVision(page, { model: 'qwen/qwen3.6-27b' });
  await analyzePicture(page);
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  await expect(page.getByTestId('vision-scores').locator('[data-emotion="anger"]')).not.toHaveAttribute('data-score', /^0\.[5-9]|^1/u);
  expect((await chatRequests()).length).toBeLessThanOrEqual(3);
  await keyOnlyInAuthorization();
});

test('a model that refuses reasoning options: one retry without them, and the next picture goes right at once', async ({ page }) => {
  await visionScenario('no-reasoning-params');
  await page.goto('/');
  await useVision(page, { model: 'plain-vision-model' });
  await analyzePicture(page);
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  await expect(page.getByTestId('vision-requests')).toHaveText('2');
  const first = await chatRequests();
  expect(first).toHaveLength(2);
  expect(first[1]?.body).not.toHaveProperty('reasoning_effort');
  await visionScenario('no-reasoning-params');
  await analyzePicture(page, 'photo.webp');
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  await expect.poll(async () => (await chatRequests()).length).toBe(1);
  await expect(page.getByTestId('vision-requests')).toHaveCount(0);
  await keyOnlyInAuthorization();
});

test('a retired model: the message names it, and one click on the offered model analyses the picture and saves it', async ({ page }) => {
  await visionScenario('decommissioned');
  await page.goto('/');
  await useVision(page, { model: 'meta-llama/llama-4-maverick-17b-128e-instruct' });
  await analyzePicture(page);
  await expect(page.getByTestId('vision-error')).toContainText('meta-llama/llama-4-maverick-17b-128e-instruct');
  await expect(page.getByTestId('vision-error')).toContainText('retired or unknown');
  const offer = page.getByRole('button', { name: /^Use / });
  await expect(offer).toBeVisible();
  const name = (await offer.textContent())!.trim();
  const replacement = name.slice('Use '.length);
  expect(IMAGE_MODELS).toContain(replacement);
  expect(replacement).not.toContain('maverick');
  await offer.click();
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  const chats = await chatRequests();
  expect(modelOf(chats.at(-1))).toBe(replacement);
  await expect(page.getByTestId('vision-model')).toHaveText(replacement);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('Vision model')).toHaveValue(replacement);
  await keyOnlyInAuthorization();
});

test('the model picker shows the models that take pictures first and marks the others', async ({ page }) => {
  await visionScenario('reasoning');
  await page.goto('/');
  await useVision(page, { model: '' });
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Load the model list' }).click();
  const options = page.getByLabel(/Available models/u).locator('option:not([disabled])');
  await expect(options).toHaveCount(8);
  const marks = await options.evaluateAll((els) => els.map((e) => [e.getAttribute('value'), e.getAttribute('data-images')]));
  const firstOther = marks.findIndex(([, images]) => images !== 'true');
  expect(marks.slice(0, firstOther).every(([, images]) => images === 'true')).toBe(true);
  expect(marks.slice(firstOther).map(([id]) => id)).toEqual(expect.arrayContaining(['llama-3.3-70b-versatile', 'whisper-large-v3']));
  await expect(options.filter({ hasText: 'whisper-large-v3' })).toContainText('no picture input');
  // This provider lists Llama 4 Scout, so it is one click away.
  await expect(page.getByRole('button', { name: 'Use Llama 4 Scout' })).toBeVisible();
});
