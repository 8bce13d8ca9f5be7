// Issue 7, accessibility: axe-core (WCAG 2.x A and AA rules) over every view and state (empty,
// download prompt, progress, results, errors, history, a saved analysis, settings; light and dark)
// with no serious or critical violation; and a whole session by keyboard alone (settings, a text
// and picture analysis, an error and its way out, history open/back/delete/undo), checking that
// every control reached shows a visible focus ring and that focus lands somewhere sensible after
// each action.
import type { FileChooser, Locator, Page } from '@playwright/test';
import type { AxeResults, RunOptions } from 'axe-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FIXTURE_ID, HUB, analyze, expect, pickImage, test, useModel, useVision, VISION_BASE, visionScenario } from './support';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * axe-core itself, put into the page once per document and run there. @axe-core/playwright's
 * AxeBuilder injected it again and finished every scan in a new blank page: 1.8 s a scan against
 * 0.2-0.5 s this way, with the same rules and results (the app has no frames to walk).
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe violations on the page as it is now, one line each. */
async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const options: RunOptions = { runOnly: { type: 'tag', values: WCAG } };
  const { violations } = await page.evaluate(
    (o) => (window as unknown as { axe: { run(context: Document, options: RunOptions): Promise<AxeResults> } }).axe.run(document, o),
    options,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} - ${n.failureSummary?.split('\n')[1]?.trim() ?? v.help}`));
}

// One walk through the states; each is scanned in light and in dark (the color scheme is
// switched in place, so the walk, with its downloads, is not repeated).
test('axe finds no serious or critical violation in any view, light and dark', async ({ page }) => {
  test.setTimeout(180_000);
  const seen: Record<string, string[]> = {};
  const scan = async (state: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      seen[`${scheme}: ${state}`] = await axeProblems(page);
    }
  };

  await visionScenario('ok');
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeVisible();
  await scan(`empty`);

  // The download prompt of a large model, then errors of each channel.
  await useModel(page, 'moodlens/large-emotion');
  await analyze(page, 'I am furious about this');
  await expect(page.getByRole('button', { name: 'Download and analyze' })).toBeVisible();
  await scan(`download prompt`);
  await page.getByRole('button', { name: 'Not now' }).click();
  await useModel(page, 'moodlens/no-such-model');
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('model-error')).toBeVisible();
  await page.getByTestId('model-error').locator('summary').click();
  await useVision(page);
  await visionScenario('unauthorized');
  await pickImage(page, 'not-an-image.jpg');
  await expect(page.getByTestId('image-error')).toBeVisible();
  await scan(`model and image errors`);
  await pickImage(page, 'smile.jpg');
  await page.getByLabel('Text', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('vision-error')).toBeVisible();
  await scan(`vision error`);

  // Progress while a slow model downloads, then results of all three channels and the dashboard
  // (Picture analysis: Both, so the faces card is scanned too).
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Picture analysis').selectOption({ label: 'Both' });
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await visionScenario('sad');
  await useModel(page, 'moodlens/slow-emotion');
  await page.getByLabel('Tags', { exact: true }).fill('campaign a, @brand');
  await analyze(page, 'What a wonderful, happy day!');
  await expect(page.getByLabel('Model download')).toBeVisible();
  await scan(`download progress`);
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  await expect(page.getByTestId('vision-top')).toHaveText('sadness');
  await expect(page.getByTestId('face-count')).toBeVisible();
  await scan(`results (text, faces and picture, divergent)`);

  await page.getByRole('button', { name: 'History', exact: true }).click();
  await expect(page.getByTestId('history-item')).toHaveCount(1);
  await scan(`history`);
  await page.getByRole('button', { name: 'Timeline', exact: true }).click();
  await expect(page.getByTestId('timeline').locator('tr[data-bucket]')).toHaveCount(1);
  await scan(`history timeline`);
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await page.getByLabel('Second group').selectOption({ label: 'Everything the list keeps' });
  await expect(page.getByTestId('compare').locator('tr[data-emotion]')).toHaveCount(7);
  await scan(`history compare`);
  await page.getByTestId('history-item').first().getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('button', { name: 'Back to history' })).toBeVisible();
  await scan(`a saved analysis`);
  await page.getByRole('button', { name: 'Analyze again' }).click();
  await expect(page.getByTestId('again-compare').locator('tr[data-emotion]')).toHaveCount(7);
  await scan(`analyzed again`);

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await scan(`settings`);

  // A finished batch: its preview, progress, controls, the Batches list, and its evaluation
  // against a Label column (with a value left to map).
  await page.getByRole('button', { name: 'Batch', exact: true }).click();
  await page.getByLabel('Batch file').setInputFiles({ name: 'posts.csv', mimeType: 'text/csv', buffer: Buffer.from('id,text,label\n1,What a wonderful day,happy\n2,,love\n3,I am furious about this,angry\n') });
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByTestId('batch-status')).toHaveAttribute('data-state', 'done');
  await expect(page.locator('[data-testid="metric-accuracy"][data-channel="text"]')).toHaveCount(1);
  await expect(page.getByTestId('eval-chart')).toHaveCount(2); // text only: confusion and reliability
  await scan(`batch`);

  // How a text moves: each sentence marked with its emotion (issue 17).
  // Analyze again left the entry's text in the inputs, and no picture (it reads the text only).
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Remove picture' })).toHaveCount(0);
  await analyze(page, 'I am so delighted today. I feel sad and miserable. I am furious about this.');
  await expect(page.getByTestId('chunk-breakdown').locator('[data-chunk]')).toHaveCount(3);
  await page.getByRole('button', { name: 'Explain', exact: true }).click();
  await expect(page.getByTestId('word-weights').locator('[data-word]')).toHaveCount(15);
  await scan(`sentence breakdown and word weights`);

  // A recording: the voice models' download question, then the voice card (timeline, transcript,
  // segments, one opened).
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Speech model').fill('moodlens/tiny-whisper');
  await page.getByLabel('Tone model').fill('moodlens/large-tone');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await page.getByLabel('Audio', { exact: true }).setInputFiles('tests/fixtures/audio/two-sentences.wav');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('tone-confirm')).toContainText('90');
  await scan(`voice download prompt`);
  await page.getByRole('button', { name: 'Download the voice models and analyze' }).click();
  await expect(page.getByTestId('transcript')).toHaveAttribute('data-language', 'en');
  await page.getByTestId('voice-segment').nth(1).locator('summary').click();
  await scan(`voice result`);

  const problems = Object.entries(seen).flatMap(([state, list]) => list.map((p) => `${state}: ${p}`));
  expect(Object.keys(seen)).toHaveLength(32);
  expect(problems).toEqual([]);
});


test('the axe check itself reports what it should (an unlabelled image and a nameless button)', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeVisible();
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.src = '/icon.svg';
    const button = document.createElement('button');
    document.querySelector('main')!.append(img, button);
  });
  const problems = await axeProblems(page);
  expect(problems.some((p) => p.startsWith('image-alt (critical)'))).toBe(true);
  expect(problems.some((p) => p.startsWith('button-name (critical)'))).toBe(true);
});

/** Presses Tab (or Shift+Tab) until `target` has focus; every control passed on the way must show a focus ring. */
async function tabTo(page: Page, target: Locator, { back = false, max = 60 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      return {
        what: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`,
        ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none',
      };
    });
    if (focused) expect(focused.ring, `visible focus on ${focused.what}`).toBe(true);
  }
  throw new Error(`could not reach ${target} with the keyboard in ${max} presses`);
}

async function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el ? `${el.tagName.toLowerCase()}:${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim()}` : '';
  });
}

async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
  await tabTo(page, field);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

test('a whole session by keyboard alone, with visible focus that lands where it should', async ({ page }) => {
  test.setTimeout(180_000);
  // Playwright turns file chooser interception on when a listener is added, without waiting for
  // it: added just before a key press, it lost that race (once traces no longer slowed every
  // action down) and the chooser opened unseen. Added here, it is on long before.
  const choosers: FileChooser[] = [];
  page.on('filechooser', (c) => choosers.push(c));
  await visionScenario('unauthorized');
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeVisible();
  const nav = (name: string) => page.getByRole('button', { name, exact: true });

  // Settings: the model source, the vision provider, and one more setting.
  await tabTo(page, nav('Settings'));
  await page.keyboard.press('Enter');
  await expect(nav('Settings')).toHaveAttribute('aria-current', 'page');
  await typeInto(page, page.getByLabel('Model host'), HUB);
  await typeInto(page, page.getByLabel('Model id'), FIXTURE_ID);
  await tabTo(page, page.getByLabel('Provider', { exact: true }));
  await page.keyboard.press('End'); // "Custom", the last preset
  await expect(page.getByLabel('Provider', { exact: true })).toHaveValue('custom');
  await typeInto(page, page.getByLabel('API base URL'), VISION_BASE);
  await typeInto(page, page.getByLabel('Vision model'), 'meta-llama/llama-4-maverick-17b-128e-instruct');
  await typeInto(page, page.getByLabel('API key'), 'gsk_moodlens_TEST_key_0123456789abcdef');
  await typeInto(page, page.getByLabel('Request timeout (s)'), '45');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('settings-status')).toHaveText('Saved');

  // Back to the analysis: type, pick a picture, analyze.
  await tabTo(page, nav('Analysis'), { back: true, max: 80 });
  await page.keyboard.press('Enter');
  await typeInto(page, page.getByLabel('Text', { exact: true }), 'I am furious about this');
  await tabTo(page, page.getByRole('button', { name: 'Choose a picture' }));
  await page.keyboard.press('Enter');
  await expect.poll(() => choosers.length, { intervals: [50, 100, 200] }).toBe(1);
  await choosers[0]!.setFiles('tests/fixtures/images/smile.jpg');
  await expect(page.getByTestId('image-info')).toBeVisible();
  await tabTo(page, page.getByRole('button', { name: 'Analyze', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');
  // The picture failed (the provider refused the key): the error says so, and its action leads
  // to the vision settings, with focus on their heading.
  await expect(page.getByTestId('vision-error')).toContainText('did not accept the API key');
  expect(await focusedName(page)).toBe('button:Analyze');
  await tabTo(page, page.getByRole('button', { name: 'Change the vision provider' }));
  await page.keyboard.press('Enter');
  await expect(page.locator('#vision-settings-heading')).toBeFocused();

  // The key fixed, the picture again, then the history: open, back, delete, undo.
  await visionScenario('ok');
  await tabTo(page, nav('Analysis'), { back: true, max: 80 });
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByRole('button', { name: 'Analyze', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  await tabTo(page, page.getByRole('button', { name: 'Remove picture' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Choose a picture' })).toBeFocused();

  await tabTo(page, nav('History'), { back: true, max: 80 });
  await page.keyboard.press('Enter');
  const first = page.getByTestId('history-item').first();
  await expect(page.getByTestId('history-item')).toHaveCount(2);
  await tabTo(page, first.getByRole('button', { name: 'Open' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Back to history' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(first.getByRole('button', { name: 'Open' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(first.getByRole('button', { name: 'Delete' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('history-item')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Undo' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('history-item')).toHaveCount(2);
});

test('an error sends keyboard focus to the settings section that fixes it', async ({ page }) => {
  await page.goto('/');
  await useModel(page, 'moodlens/no-such-model');
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('model-error')).toBeVisible();
  await tabTo(page, page.getByRole('button', { name: 'Change the model source' }), { back: true });
  await page.keyboard.press('Enter');
  await expect(page.locator('#model-heading')).toBeFocused();
  await expect(page.locator('#model-heading')).toHaveCSS('outline-style', 'solid');
});
