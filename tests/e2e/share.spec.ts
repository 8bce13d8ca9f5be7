// Issue 17, sharing into the app: the manifest declares a share_target, and what another app
// shares (title, text, link) opens in the Text box, ready to analyse; the address loses it.
import { FIXTURE_ID, analyzeText, expect, test, useModel } from './support';

test('the manifest declares a share target, a shared text opens in the app ready to analyse, and the result copies as a summary', async ({ page, request }) => {
  const manifest = (await (await request.get('/manifest.webmanifest')).json()) as { share_target?: { action: string; method: string; params: Record<string, string> } };
  expect(manifest.share_target).toEqual({ action: './', method: 'GET', params: { title: 'share-title', text: 'share-text', url: 'share-url' } });

  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  // As a phone's share sheet opens it: the start URL with the shared parts.
  const shared = new URLSearchParams({ 'share-title': 'A post', 'share-text': 'I am so delighted today', 'share-url': 'https://example.org/p/1' });
  await page.goto(`/?${shared}`);
  await expect(page.getByLabel('Text', { exact: true })).toHaveValue('I am so delighted today\nhttps://example.org/p/1');
  await expect(page.getByTestId('shared-note')).toBeVisible();
  expect(new URL(page.url()).search).toBe('');
  await analyzeText(page, 'I am so delighted today\nhttps://example.org/p/1', 'joy');
  // The result copied as a short text summary.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy summary' }).click();
  await expect(page.getByTestId('summary-copied')).toContainText('Moodlens: joy');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.split('\n')).toEqual([expect.stringMatching(/^Moodlens: joy \(\d+ %\), (high|medium|low) confidence$/u), '"I am so delighted today', 'https://example.org/p/1"', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/u)]);
  // A reload keeps the draft (as any draft) but does not take the share again.
  await page.reload();
  await expect(page.getByTestId('shared-note')).toHaveCount(0);
});
