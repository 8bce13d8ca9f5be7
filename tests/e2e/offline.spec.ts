// Offline after one visit: the service worker serves the app shell and the ONNX Runtime wasm, the
// model comes from IndexedDB, the history is there, and a picture says plainly that it needs the
// network, while the faces are still read on the device.
import { join } from 'node:path';
import { smilingPerson } from '../support/face-photos.mjs';
import { FIXTURE_ID, analyze, expect, pickImage, test, useModel, useVision, useVoiceModels, waitForCachedFiles } from './support';

test.use({ serviceWorkers: 'allow' });

test('after one visit the app opens offline, shows history and analyses text with the cached model', async ({ page, context }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await useVision(page);
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');
  await waitForCachedFiles(page, 4);
  // The service worker has precached the shell and the wasm, and controls the page.
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          if (!navigator.serviceWorker.controller) return 'not controlled';
          const names = await caches.keys();
          for (const name of names) {
            const keys = await (await caches.open(name)).keys();
            if (keys.some((r) => r.url.includes('.wasm'))) return 'ready';
          }
          return 'no wasm cached';
        }),
      { timeout: 60_000 },
    )
    .toBe('ready');

  await context.setOffline(true);
  await page.reload();
  // With a vision provider set up, pictures go to it: the banner says that needs the network.
  await expect(page.getByTestId('offline-banner')).toContainText('pictures go to your vision model, which needs the network');
  await page.getByRole('button', { name: 'History', exact: true }).click();
  await expect(page.getByTestId('history-item')).toHaveCount(1);
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await analyze(page, 'I am so delighted today');
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');

  await page.getByLabel('Text', { exact: true }).fill('');
  await pickImage(page, 'smile.jpg');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('vision-error')).toContainText('You are offline');

  // The faces are read on this device: their worker and models came from the service worker.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Picture analysis').selectOption({ label: 'On this device' });
  await expect(page.getByTestId('settings-status')).toHaveText('Saved');
  // Then nothing on screen says pictures need the network: the faces are read here.
  await expect(page.getByTestId('offline-banner')).toHaveText('You are offline. Text analysis, the faces in pictures and your history all work on this device.');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'smile.jpg', mimeType: 'image/jpeg', buffer: await smilingPerson() });
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('face-count')).toHaveAttribute('data-value', '1');
  await expect(page.getByTestId('face-top')).toHaveText('joy');
  await context.setOffline(false);
});

test('the app can be installed: it links a web app manifest with icons', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifest = (await (await request.get(new URL(href!, page.url()).href)).json()) as { name: string; icons: Array<{ sizes: string }>; display: string };
  expect(manifest).toMatchObject({ name: 'Moodlens', display: 'standalone' });
  expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
});

test('after one visit a recording is read offline: the speech detector from the service worker, the speech and tone models from IndexedDB', async ({ page, context }) => {
  await page.goto('/');
  await useVoiceModels(page);
  const recording = join(process.cwd(), 'tests/fixtures/audio/two-sentences.wav');
  await page.getByLabel('Audio', { exact: true }).setInputFiles(recording);
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('voice-count')).toHaveAttribute('data-value', '2');
  // The text model's four files, the speech model's seven (configs, tokenizer, encoder and
  // decoder) and the tone model's three (config, preprocessor config, weights) are in the model cache.
  await waitForCachedFiles(page, 4 + 7 + 3);
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          if (!navigator.serviceWorker.controller) return 'not controlled';
          for (const name of await caches.keys()) {
            const keys = await (await caches.open(name)).keys();
            if (keys.some((r) => r.url.includes('silero_vad')) && keys.some((r) => r.url.includes('voice-worker'))) return 'ready';
          }
          return 'not cached';
        }),
      { timeout: 60_000 },
    )
    .toBe('ready');

  await context.setOffline(true);
  await page.reload();
  await page.getByLabel('Audio', { exact: true }).setInputFiles(recording);
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('voice-count')).toHaveAttribute('data-value', '2');
  await expect(page.getByTestId('voice-error')).toHaveCount(0);
  await expect(page.getByTestId('transcript')).toContainText('I am so happy today');
  await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', 'text+voice');
  await context.setOffline(false);
});
