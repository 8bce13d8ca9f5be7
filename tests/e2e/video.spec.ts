// The video channel in Chromium (issue 31): a video's frames sampled by the browser's decoder,
// each read by the real face pipeline in its worker, the faces followed through time
// (video/tracker.ts), and its sound through the voice channel (the Whisper and tone fixtures), on
// one timeline. The video (scripts/make-video-fixtures.mjs): one smiling person (0-3 s), a room
// with no one (3-6 s), three people (6-9 s), with the two sentences of the voice tests as sound.
import Papa from 'papaparse';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/shared/emotions';
import { expect, test, useVoiceModels, watchMediaTracks } from './support';

const VIDEO = join(process.cwd(), 'tests/fixtures/video/three-scenes.webm');

test('a video: one face, then none, then three, each followed in its time range, with the voice on the same timeline; the series exports a row per step', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await useVoiceModels(page);
  await page.getByLabel('Video', { exact: true }).setInputFiles(VIDEO);
  await expect(page.getByTestId('video-info')).toContainText('three-scenes.webm');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('video-timeline')).toBeVisible({ timeout: 90_000 });

  const tracks = await page.getByTestId('face-track').evaluateAll((els) =>
    els.map((el) => ({ track: Number(el.getAttribute('data-track')), emotion: el.getAttribute('data-emotion'), from: Number(el.getAttribute('data-from')), to: Number(el.getAttribute('data-to')) })),
  );
  const first = tracks.filter((t) => t.from < 3);
  const middle = tracks.filter((t) => t.from < 6 && t.to > 3.25 && t.from >= 3);
  const last = tracks.filter((t) => t.from >= 6);
  expect(first).toHaveLength(1);
  expect(first[0]!.to).toBeLessThanOrEqual(3.3);
  expect(middle).toHaveLength(0);
  expect(last).toHaveLength(3);
  for (const t of last) expect(t.to).toBeGreaterThan(8.5);
  // The smiling astronaut reads as joy.
  expect(first[0]!.emotion).toBe('joy');
  // The voice is on the same timeline: its segments, and the fused answer has every channel.
  await expect(page.getByTestId('video-timeline').locator('[data-lane="tone"]')).toBeVisible();
  await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', /face/);
  await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', /voice/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export series CSV' }).click()]);
  const rows = Papa.parse<Record<string, string>>(await readFile((await download.path())!, 'utf8'), { header: true, skipEmptyLines: true }).data;
  const faceRows = rows.filter((r) => r.channel === 'face');
  expect(faceRows.length).toBeGreaterThanOrEqual(4 * 3 * 3 - 8);
  expect(rows.some((r) => r.channel === 'tone')).toBe(true);
  for (const r of faceRows.slice(0, 5)) expect(EMOTIONS.reduce((n, e) => n + Number(r[`p_${e}`]), 0)).toBeCloseTo(1, 4);
});

test('the live camera: asked for only on click, finds the face on the fake camera, reports its rate, records a session to History, and stops the camera on Stop camera and when the view is left', async ({ page, context }) => {
  await context.grantPermissions(['camera']);
  const camera = await watchMediaTracks(page);
  await page.goto('/');
  expect(await camera()).toEqual({ all: 0, live: 0 });
  await page.getByRole('button', { name: 'Live camera' }).click();
  await expect(page.getByRole('button', { name: 'Stop camera' })).toBeFocused();
  await expect(page.getByTestId('live-face-count')).toHaveAttribute('data-value', '1', { timeout: 60_000 });
  await expect.poll(async () => Number(await page.getByTestId('live-rate').getAttribute('data-value'))).toBeGreaterThan(0);
  expect((await camera()).live).toBe(1);

  // Pause keeps the camera and stops reading; Record session keeps the series for History.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Resume' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.getByRole('button', { name: 'Record session' }).click();
  await page.waitForTimeout(1500);
  await page.getByRole('button', { name: 'Stop camera' }).click();
  await expect(page.getByTestId('session-saved')).toContainText('saved in History');
  expect(await camera()).toEqual({ all: 1, live: 0 });
  await expect(page.getByRole('button', { name: 'Live camera' })).toBeFocused();
  await page.getByRole('button', { name: 'History', exact: true }).click();
  await expect(page.getByTestId('history-item')).toHaveCount(1);

  // Leaving the view stops it too.
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await page.getByRole('button', { name: 'Live camera' }).click();
  await expect(page.getByTestId('live-face-count')).toHaveAttribute('data-value', '1', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect.poll(camera).toEqual({ all: 2, live: 0 });
});
