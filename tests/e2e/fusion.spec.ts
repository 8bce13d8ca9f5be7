// The fused answer in Chromium: the fixture text model and the fake vision API together give a
// consistent case (joyful text, joyful picture) and a divergent one (joyful text, sad picture);
// the Text weight slider moves the fused answer without running any model again.
import type { Page } from '@playwright/test';
import { FIXTURE_ID, TEST_KEY, analyze, chatRequests, expect, hubRequests, pickImage, resetHubLog, test, textScores, useModel, useVision, visionScenario } from './support';

async function analyzeBoth(page: Page, scenario: 'ok' | 'sad') {
  await visionScenario(scenario);
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await useVision(page);
  await pickImage(page, 'smile.jpg');
  await analyze(page, 'I am so delighted today');
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  await expect(page.getByTestId('vision-top')).toHaveText(scenario === 'ok' ? 'joy' : 'sadness');
}

const confidence = async (page: Page) => Number(await page.getByTestId('confidence').getAttribute('data-value'));
const similarity = async (page: Page) => Number(await page.getByTestId('consistency').getAttribute('data-similarity'));

test('joyful text and a joyful picture: consistent, high confidence', async ({ page }) => {
  await analyzeBoth(page, 'ok');
  await expect(page.getByTestId('fused-top')).toHaveText('joy');
  await expect(page.getByTestId('consistency')).toHaveAttribute('data-verdict', 'consistent');
  expect(await similarity(page)).toBeGreaterThan(0.75);
  expect(await confidence(page)).toBeGreaterThan(0.7);
  await expect(page.getByTestId('explanation')).toContainText('The channels agree; confidence is high');
  const fused = await textScores(page, 'fused-scores');
  expect(Object.values(fused).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
});

test('joyful text and a sad picture: divergent, low confidence, and the weight decides', async ({ page }) => {
  await analyzeBoth(page, 'sad');
  await expect(page.getByTestId('consistency')).toHaveAttribute('data-verdict', 'divergent');
  expect(await similarity(page)).toBeLessThan(0.5);
  expect(await confidence(page)).toBeLessThan(0.4);
  await expect(page.getByTestId('explanation')).toContainText('The channels disagree, which may mean sarcasm or mixed feelings');

  await resetHubLog();
  const slider = page.getByLabel('Text weight');
  await slider.fill('0.2');
  await expect(page.getByTestId('fused-top')).toHaveText('sadness');
  const sadnessAt02 = (await textScores(page, 'fused-scores')).sadness!;
  await slider.fill('0.9');
  await expect(page.getByTestId('fused-top')).toHaveText('joy');
  expect((await textScores(page, 'fused-scores')).sadness!).toBeLessThan(sadnessAt02);
  // The verdict belongs to the channels, not the weight.
  await expect(page.getByTestId('consistency')).toHaveAttribute('data-verdict', 'divergent');
  // No model ran again.
  expect(await chatRequests()).toHaveLength(1);
  expect(await hubRequests()).toEqual([]);

  // The weight persists: wait for the settings write, then reload.
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          new Promise<unknown>((resolve) => {
            const open = indexedDB.open('moodlens-settings');
            open.onsuccess = () => {
              const req = open.result.transaction('kv').objectStore('kv').get('settings');
              req.onsuccess = () => resolve((req.result as { weights?: { text: number } } | undefined)?.weights?.text);
            };
          }),
      ),
    )
    .toBe(0.9);
  await page.reload();
  await expect(page.getByTestId('dashboard')).toHaveCount(0);
  // The key was kept in memory only: enter it again, then analyze both channels.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('API key').fill(TEST_KEY);
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await pickImage(page, 'smile.jpg');
  await analyze(page, 'I am so delighted today');
  await expect(page.getByLabel('Text weight')).toHaveValue('0.9');
});

test('one channel only: the answer is that channel, said once, with its top probability labelled as such', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('fused-top')).toHaveText('anger');
  await expect(page.getByTestId('consistency')).toHaveAttribute('data-verdict', 'single-channel');
  await expect(page.getByTestId('explanation')).toContainText('Only the text was analyzed: it reads as anger');
  // Nothing to fuse: the scores are shown once, in the text's view; no weight to set.
  await expect(page.getByTestId('fused-scores')).toHaveCount(0);
  await expect(page.getByLabel('Text weight')).toHaveCount(0);
  await expect(page.getByText('Top probability')).toBeVisible();
  const text = await textScores(page, 'text-scores');
  const top = Math.max(...Object.values(text));
  expect(await confidence(page)).toBeCloseTo(top, 9);
});
