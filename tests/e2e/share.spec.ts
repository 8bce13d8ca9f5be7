// Issue 17, sharing into the app: the manifest declares a share_target, and what another app
// shares (title, text, link, a picture) opens in the app, ready to analyze; the address loses it.
import { smilingPerson } from '../support/face-photos.mjs';
import { APP, FIXTURE_ID, analyzeText, expect, test, useModel } from './support';

test('the manifest declares a share target, a shared text opens in the app ready to analyze, and the result copies as a summary', async ({ page, request }) => {
  const manifest = (await (await request.get('/manifest.webmanifest')).json()) as { share_target?: { action: string; method: string; params: Record<string, string> } };
  expect(manifest.share_target).toMatchObject({
    action: './share-target',
    method: 'POST',
    enctype: 'multipart/form-data',
    params: { title: 'share-title', text: 'share-text', url: 'share-url', files: [{ name: 'share-image', accept: expect.arrayContaining(['image/jpeg', 'image/png']) }] },
  });

  // A link with the shared parts in its address opens the same way.
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

test.describe('with the service worker', () => {
  test.use({ serviceWorkers: 'allow' });

  test('a post and a screenshot shared from another app (a form posted to the share target) open in the app, and the faces are read', async ({ page, context }) => {
    await page.goto('/');
    await useModel(page, FIXTURE_ID);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 30_000 }).toBe(true);

    // As a phone's share sheet sends it: a form posted to the share target from outside the app.
    const sharer = await context.newPage();
    await sharer.setContent(
      `<form method="post" enctype="multipart/form-data" action="${APP}/share-target">
        <input name="share-title" value="A post"><input name="share-text" value="What a happy day">
        <input type="file" name="share-image"><button>Share</button></form>`,
    );
    await sharer.locator('input[type=file]').setInputFiles({ name: 'Screenshot 2026-12-02.jpg', mimeType: 'image/jpeg', buffer: await smilingPerson() });
    await sharer.getByRole('button', { name: 'Share' }).click();
    await expect(sharer.getByTestId('shared-note')).toHaveAttribute('data-shared', 'both');
    expect(new URL(sharer.url()).search).toBe('');
    await expect(sharer.getByLabel('Text', { exact: true })).toHaveValue('What a happy day');
    await expect(sharer.getByTestId('image-info')).toContainText('not uploaded');
    await sharer.getByRole('button', { name: 'Analyze', exact: true }).click();
    await expect(sharer.getByTestId('top-emotion')).toHaveText('joy');
    await expect(sharer.getByTestId('face-count')).toHaveAttribute('data-value', '1');
    await expect(sharer.getByTestId('face-top')).toHaveText('joy');

    // The share is taken once: the inbox is empty, a reload shows no note.
    expect(await sharer.evaluate(async () => (await (await caches.open('moodlens-share-inbox')).keys()).length)).toBe(0);
    await sharer.reload();
    await expect(sharer.getByLabel('Text', { exact: true })).toHaveValue('What a happy day');
    await expect(sharer.getByTestId('shared-note')).toHaveCount(0);

    // A post larger than the app takes is refused by its size, before its body is held whole.
    const big = await context.newPage();
    await big.setContent(
      `<form method="post" enctype="multipart/form-data" action="${APP}/share-target">
        <input name="share-text" value="A huge one"><input type="file" name="share-image"><button>Share</button></form>`,
    );
    await big.locator('input[type=file]').setInputFiles({ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(30 * 1024 * 1024, 0xff) });
    await big.getByRole('button', { name: 'Share' }).click();
    await expect(big.getByTestId('shared-note')).toHaveAttribute('data-shared', 'too-large');
    await expect(big.getByTestId('shared-note')).toContainText('larger than it takes');
    await expect(big.getByLabel('Text', { exact: true })).toHaveValue('');
  });
});
