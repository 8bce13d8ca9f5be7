// The face channel in Chromium: the app's face worker reads real photos (cut from the samples in
// @vladmandic/human's package) with the converted models served from our own origin. No key and no
// vision provider: the picture is read on this device and nothing is uploaded.
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { manAtTable, noFace, smilingPerson, threePeople } from '../support/face-photos.mjs';
import { EMOTIONS } from '../../src/shared/emotions';
import { FIXTURE_ID, analyze, chatRequests, expect, historyItems, test, textScores, useModel, useVision, visionScenario } from './support';

async function pickPhoto(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name, mimeType: 'image/jpeg', buffer });
  await expect(page.getByTestId('image-info')).toBeVisible();
}

async function analyzePicture(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('face-count')).toBeVisible();
}

test.describe('faces on this device', () => {
  test('no key: a smiling person reads as joy with one face boxed, and nothing is uploaded', async ({ page }) => {
    await visionScenario('ok');
    await page.goto('/');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByLabel('Picture analysis')).toHaveValue('device');
    await expect(page.getByLabel('Picture analysis').locator('option:checked')).toHaveText('On this device');
    await page.getByRole('button', { name: 'Analysis', exact: true }).click();

    await pickPhoto(page, 'smile.jpg', await smilingPerson());
    await expect(page.getByTestId('image-info')).toContainText('not uploaded');
    await analyzePicture(page);
    await expect(page.getByTestId('face-count')).toHaveAttribute('data-value', '1');
    await expect(page.getByTestId('face-box')).toHaveCount(1);
    await expect(page.getByTestId('face-top')).toHaveText('joy');
    const scores = await textScores(page, 'face-scores');
    expect(Object.keys(scores).sort()).toEqual([...EMOTIONS].sort());
    expect(Object.values(scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(scores.joy).toBeGreaterThan(0.5);
    // The one channel is the answer; the box lies inside the picture.
    await expect(page.getByTestId('fused-top')).toHaveText('joy');
    await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', 'face');
    const box = await page.getByTestId('face-box').evaluate((el) => {
      const b = el.getBoundingClientRect();
      const p = el.parentElement!.getBoundingClientRect();
      return { left: b.left - p.left, top: b.top - p.top, right: p.right - b.right, bottom: p.bottom - b.bottom, w: b.width / p.width };
    });
    expect(Math.min(box.left, box.top, box.right, box.bottom)).toBeGreaterThanOrEqual(-1);
    expect(box.w).toBeGreaterThan(0.2);
    expect(await chatRequests()).toEqual([]);

    // Saved with its faces: the History entry shows the same box again.
    await page.getByRole('button', { name: 'History', exact: true }).click();
    await expect(historyItems(page)).toHaveCount(1);
    await historyItems(page).getByRole('button', { name: 'Open' }).click();
    await expect(page.getByTestId('history-detail').getByTestId('face-box')).toHaveCount(1);
    await expect(page.getByTestId('history-detail').getByTestId('face-top')).toHaveText('joy');
  });

  test('three people are three faces, each reachable by keyboard with its own scores', async ({ page }) => {
    await page.goto('/');
    await pickPhoto(page, 'three.jpg', await threePeople());
    await analyzePicture(page);
    await expect(page.getByTestId('face-count')).toHaveAttribute('data-value', '3');
    await expect(page.getByTestId('face-box')).toHaveCount(3);
    const entries = page.getByTestId('face-entry');
    await expect(entries).toHaveCount(3);
    for (let i = 0; i < 3; i += 1) await expect(entries.nth(i).locator('summary')).toHaveText(new RegExp(`^Face ${i + 1} of 3: [a-z]+ \\d+ %$`, 'u'));
    // Keyboard: Tab reaches the second face; Enter opens its scores; its box is highlighted.
    await entries.nth(0).locator('summary').focus();
    await page.keyboard.press('Tab');
    await expect(entries.nth(1).locator('summary')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(entries.nth(1).getByTestId('face-entry-scores').locator('[data-emotion]')).toHaveCount(7);
    await expect(page.getByTestId('face-box').nth(1)).toHaveClass(/active/u);
  });

  test('a picture without a face says so: the channel is left out, with a count of 0', async ({ page }) => {
    await page.goto('/');
    await pickPhoto(page, 'lamps.jpg', await noFace());
    await analyzePicture(page);
    await expect(page.getByTestId('face-count')).toHaveAttribute('data-value', '0');
    await expect(page.getByTestId('face-count')).toHaveText(/^No face found/u);
    await expect(page.getByTestId('face-box')).toHaveCount(0);
    await expect(page.getByTestId('dashboard')).toHaveCount(0);
  });

  test('text and faces fuse into one answer, with one weight per channel', async ({ page }) => {
    await page.goto('/');
    await useModel(page, FIXTURE_ID);
    await pickPhoto(page, 'smile.jpg', await smilingPerson());
    await analyze(page, 'I am so delighted today');
    await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', 'text+face');
    await expect(page.getByTestId('face-count')).toHaveAttribute('data-value', '1');
    const text = await textScores(page);
    const faces = await textScores(page, 'face-scores');
    let fused = await textScores(page, 'fused-scores');
    for (const e of EMOTIONS) expect(fused[e]).toBeCloseTo(0.5 * text[e]! + 0.5 * faces[e]!, 5);
    await expect(page.getByTestId('explanation')).toContainText('The text reads as joy');
    await expect(page.getByTestId('explanation')).toContainText('the faces as joy');

    await page.getByLabel('Text weight').fill('0.8');
    await expect(page.getByLabel('Faces weight')).toHaveValue('0.2');
    fused = await textScores(page, 'fused-scores');
    for (const e of EMOTIONS) expect(fused[e]).toBeCloseTo(0.8 * text[e]! + 0.2 * faces[e]!, 5);
  });

  test('Both: the faces and the vision model read the same picture, and the answer covers all three channels', async ({ page }) => {
    await visionScenario('ok');
    await page.goto('/');
    await useModel(page, FIXTURE_ID);
    await useVision(page);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByLabel('Picture analysis')).toHaveValue('cloud');
    await page.getByLabel('Picture analysis').selectOption({ label: 'Both' });
    await expect(page.getByTestId('settings-status')).toHaveText('Saved');
    await page.getByRole('button', { name: 'Analysis', exact: true }).click();

    await pickPhoto(page, 'man.jpg', await manAtTable());
    await analyze(page, 'I am so delighted today');
    await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', 'text+face+vision');
    await expect(page.getByTestId('face-count')).toHaveAttribute('data-value', '1');
    await expect(page.getByTestId('vision-scores')).toBeVisible();
    expect(await chatRequests()).toHaveLength(1);
    // Equal weights: a third each (the slider snaps to its 0.05 steps; data-share is exact).
    for (const name of ['Text weight', 'Faces weight', 'Vision model weight']) {
      expect(Number(await page.getByLabel(name).getAttribute('data-share'))).toBeCloseTo(1 / 3, 9);
    }
    const pair = await page.getByTestId('consistency').getAttribute('data-pair');
    expect(pair?.split(' ')).toHaveLength(2);

    // History keeps the face channel; the CSV export has its columns.
    await page.getByRole('button', { name: 'History', exact: true }).click();
    await expect(historyItems(page)).toHaveCount(1);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    const [header, row] = csv.trim().split('\r\n').map((l) => l.split(','));
    const col = (name: string) => row![header!.indexOf(name)];
    expect(header).toContain('face_joy');
    expect(col('face_count')).toBe('1');
    expect(col('channels')).toBe('both');
    expect(Number(col('face_weight'))).toBeCloseTo(1 / 3, 5);

    // The choice persists (the key, kept in memory only, does not).
    await page.reload();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByLabel('Picture analysis')).toHaveValue('both');
  });
});

test.describe('camera', () => {
  test.use({ permissions: ['camera'] });

  test('Take a photo asks for the camera only on click, and stops it once the photo is taken', async ({ page }) => {
    await page.addInitScript(() => {
      const w = window as unknown as { __gum: number; __tracks: MediaStreamTrack[] };
      w.__gum = 0;
      w.__tracks = [];
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        w.__gum += 1;
        const stream = await original(constraints);
        w.__tracks.push(...stream.getTracks());
        return stream;
      };
    });
    await page.goto('/');
    expect(await page.evaluate(() => (window as unknown as { __gum: number }).__gum)).toBe(0);
    await page.getByRole('button', { name: 'Take a photo' }).click();
    await expect(page.getByTestId('camera')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Capture' })).toBeFocused();
    expect(await page.evaluate(() => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.map((t) => t.readyState))).toEqual(['live']);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('camera')).toHaveCount(0);
    await expect(page.getByTestId('image-info')).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.map((t) => t.readyState))).toEqual(['ended']);
    // The photo is an ordinary picture: it is read like any other (the fake camera shows one
    // smiling person: tests/fixtures/video/one-face.y4m).
    await analyzePicture(page);
    await expect(page.getByTestId('face-count')).toHaveAttribute('data-value', '1');
  });
});
