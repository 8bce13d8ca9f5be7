// Batch end to end in Chromium: a file read by the batch worker into IndexedDB, run
// through the real text channel on the fixture model page by page, exported from the database;
// the export compared with single analysis of the same texts; a run reloaded half-way resumes.
import Papa from 'papaparse';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { EMOTIONS } from '../../src/shared/emotions';
import { noFace, smilingPerson } from '../support/face-photos.mjs';
import { FIXTURE_ID, analyzeText, expect, historyItems, test, textScores, useModel } from './support';

const openBatch = (page: Page) => page.getByRole('button', { name: 'Batch', exact: true }).click();

/** Downloads the export the button makes and returns its text. */
async function exported(page: Page, button: 'Export CSV' | 'Export JSONL'): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
  return { name: download.suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
}

const LONG = Array.from({ length: 1200 }, (_, i) => ['I', 'am', 'so', 'delighted', 'today', 'and'][i % 6]).join(' ');
// A BOM, CRLF, a quoted field with a comma, one with a line break and doubled quotes, an empty
// text, a 3,000-word text, a formula and a negative number among the original cells.
const AWKWARD = [
  'id,author,text,likes',
  '1,"Smith, Jane",I am furious about this,3',
  '2,bob,"She wrote: ""I feel sad and miserable""\nthen left",=SUM(A1)',
  '3,carol,,0',
  `4,dave,"${LONG}",7`,
  '5,eve,I am so delighted today,-2',
].join('\r\n');
const ORIGINAL = Papa.parse<string[]>(AWKWARD, { skipEmptyLines: true }).data;

test('an awkward CSV runs to the end; its export keeps every original cell and scores as single analysis does', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await openBatch(page);
  await page.getByLabel('Batch file').setInputFiles({ name: 'posts.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${AWKWARD}\r\n`, 'utf8') });

  const status = page.getByTestId('batch-status');
  await expect(status).toHaveAttribute('data-state', 'ready');
  // The longest text-like column is picked; the id column by its name.
  await expect(page.getByLabel('Text column')).toHaveValue('2');
  await expect(page.getByLabel('Text column').locator('option:checked')).toHaveText('text');
  await expect(page.getByLabel('Id column').locator('option:checked')).toHaveText('id');
  await expect(page.getByTestId('batch-preview').locator('tbody tr')).toHaveCount(5);
  await expect(page.getByRole('button', { name: 'Start', exact: true })).toBeFocused();

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(status).toHaveAttribute('data-state', 'done');
  const progress = page.getByTestId('batch-progress');
  await expect(progress).toHaveAttribute('data-done', '5');
  await expect(progress).toHaveAttribute('data-total', '5');

  const csv = await exported(page, 'Export CSV');
  expect(csv.name).toBe('posts-moodlens.csv');
  const table = Papa.parse<string[]>(csv.text, { skipEmptyLines: true }).data;
  const header = table[0]!;
  expect(header).toEqual(['id', 'author', 'text', 'likes', 'emotion', ...EMOTIONS.map((e) => `p_${e}`), 'status', 'error', 'model']);
  expect(table).toHaveLength(ORIGINAL.length);
  const rows = table.slice(1).map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]!])));
  // Every original cell as it was, except a formula, which a spreadsheet must not run.
  rows.forEach((row, r) => {
    const original = ORIGINAL[r + 1]!;
    expect([row.id, row.author, row.text, row.likes]).toEqual(original.map((cell) => (cell.startsWith('=') ? `'${cell}` : cell)));
  });
  expect(rows.map((r) => r.status)).toEqual(['ok', 'ok', 'empty', 'chunked', 'ok']);
  expect(rows[2]!.error).toBe('The text is empty.');
  expect(rows[3]!.error).toMatch(/^Read in \d+ chunks/u);
  expect(rows.map((r) => r.emotion)).toEqual(['anger', 'sadness', '', 'joy', 'joy']);

  const jsonl = await exported(page, 'Export JSONL');
  const lines = jsonl.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(5);
  expect(Object.keys(lines[0]!).slice(0, 5)).toEqual(['id', 'author', 'text', 'likes', 'emotion']);
  expect(lines[1]).toMatchObject({ id: '2', text: ORIGINAL[2]![2], likes: '=SUM(A1)', status: 'ok' });
  expect(lines[2]).toMatchObject({ status: 'empty', p_joy: null });

  // The summary and the results table.
  const counts = page.getByTestId('batch-status-counts');
  await expect(counts.locator('[data-status="ok"]')).toHaveAttribute('data-count', '3');
  await expect(counts.locator('[data-status="chunked"]')).toHaveAttribute('data-count', '1');
  await expect(counts.locator('[data-status="empty"]')).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('batch-emotion-counts').locator('[data-emotion="joy"]')).toHaveAttribute('data-count', '2');
  const shown = page.getByTestId('batch-row');
  await expect(shown).toHaveCount(5);
  await page.getByLabel('Filter by top emotion').selectOption('joy');
  await expect(page.getByTestId('batch-shown')).toHaveAttribute('data-count', '2');
  await expect(shown.first()).toHaveAttribute('data-index', '3');
  await page.getByLabel('Filter by top emotion').selectOption('');
  await page.getByLabel('Sort by').selectOption('sadness');
  await expect(shown.first()).toHaveAttribute('data-index', '1');
  await page.getByLabel('Filter by status').selectOption('empty');
  await expect(shown).toHaveCount(1);
  await page.getByLabel('Filter by status').selectOption('');

  // One entry in the Batches list; History is not flooded.
  await expect(page.getByTestId('batch-entry')).toHaveCount(1);
  await expect(page.getByTestId('batch-entry')).toHaveAttribute('data-state', 'done');

  // A row opens as a normal single analysis.
  await page.getByTestId('batch-row').filter({ has: page.getByText('I am furious about this') }).getByRole('button').click();
  await expect(page.getByLabel('Text', { exact: true })).toHaveValue(ORIGINAL[1]![2]!);
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');

  // Single analysis of the same texts, in a fresh worker (no results cache): the same scores.
  await page.reload();
  for (const r of [0, 1, 3, 4]) {
    await analyzeText(page, ORIGINAL[r + 1]![2]!, rows[r]!.emotion!);
    const single = await textScores(page);
    for (const e of EMOTIONS) expect(Number(rows[r]![`p_${e}`]), `row ${r + 1} ${e}`).toBeCloseTo(single[e]!, 5);
  }
  await page.getByRole('button', { name: 'History', exact: true }).click();
  await expect(historyItems(page)).toHaveCount(5);
});

const done = async (page: Page) => Number(await page.getByTestId('batch-progress').getAttribute('data-done'));
const STEPS = { intervals: [50, 100, 200] };

/**
 * As soon as the batch has read `rows` rows, presses `act` (or reloads the page), in the page, in
 * the task that shows the count: the next page of rows cannot come first, so the test holds on a
 * loaded machine as on a quick one (a poll from here could see the batch end first).
 */
async function atRows(page: Page, rows: number, act: 'Pause' | 'Cancel' | 'reload'): Promise<void> {
  const pressed = page.evaluate(
    ([rows, act]) =>
      new Promise<void>((resolve) => {
        const progress = document.querySelector('[data-testid=batch-progress]')!;
        const check = () => {
          if (Number(progress.getAttribute('data-done')) < Number(rows)) return false;
          observer.disconnect();
          resolve();
          if (act === 'reload') location.reload();
          else [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === act)!.click();
          return true;
        };
        const observer = new MutationObserver(check);
        if (!check()) observer.observe(progress, { attributes: true, attributeFilter: ['data-done'] });
      }),
    [rows, act] as const,
  );
  if (act !== 'reload') return pressed;
  // The page goes away under the evaluation: its promise may resolve or fail with the old page.
  await Promise.all([page.waitForEvent('load'), pressed.catch(() => undefined)]);
}

test('Pause and Resume; a run reloaded half-way resumes where it stopped; Cancel keeps what is done; delete', async ({ page }) => {
  const MOODS = ['I am so delighted today', 'I am furious about this', 'I feel sad and miserable'];
  const lines = Array.from({ length: 1200 }, (_, i) => `Post ${i + 1}: ${MOODS[i % 3]}, said person ${i % 97} about thing ${i % 89}`);
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await openBatch(page);
  await page.getByLabel('Batch file').setInputFiles({ name: 'posts.txt', mimeType: 'text/plain', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  const status = page.getByTestId('batch-status');
  await expect(status).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-total', '1200');

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(status).toHaveAttribute('data-state', 'running');
  await atRows(page, 64, 'Pause');
  await expect(status).toHaveAttribute('data-state', 'paused');
  const paused = await done(page);
  expect(paused).toBeLessThan(1200);
  // Paused means paused: nothing moves.
  await page.waitForTimeout(300);
  expect(await done(page)).toBe(paused);

  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(status).toHaveAttribute('data-state', 'running');
  await atRows(page, paused + 64, 'reload');

  // The job was left running: it opens paused, with what was done kept.
  await expect(status).toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('batch-message')).toContainText('The page closed while this batch ran');
  const kept = await done(page);
  expect(kept).toBeGreaterThanOrEqual(paused + 64);
  expect(kept).toBeLessThan(1200);
  // Elsewhere in the app the unfinished batch is offered.
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await page.getByRole('button', { name: 'Go on with it' }).click();
  await expect(page.locator('#batch-heading')).toBeFocused();

  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-done', '1200');
  const jsonl = (await exported(page, 'Export JSONL')).text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(jsonl.map((r) => r.text)).toEqual(lines);
  expect(jsonl.every((r) => r.status === 'ok')).toBe(true);
  expect(jsonl.slice(0, 3).map((r) => r.emotion)).toEqual(['joy', 'anger', 'sadness']);

  // Cancel: what is done stays and exports; the rest is left unread.
  await page.getByRole('button', { name: 'Another file' }).click();
  await page.getByLabel('Or paste lines').fill(lines.slice(0, 300).join('\n'));
  await page.getByRole('button', { name: 'Read these lines' }).click();
  await expect(status).toHaveAttribute('data-state', 'ready');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await atRows(page, 32, 'Cancel');
  await expect(status).toHaveAttribute('data-state', 'cancelled');
  const cancelledAt = await done(page);
  await expect(page.getByTestId('batch-message')).toContainText(`Cancelled: ${cancelledAt} of 300 rows were read`);
  const partial = (await exported(page, 'Export CSV')).text;
  const partialRows = Papa.parse<string[]>(partial, { skipEmptyLines: true, header: true }).data as unknown as Array<Record<string, string>>;
  expect(partialRows).toHaveLength(300);
  expect(partialRows.filter((r) => r.status === 'ok')).toHaveLength(cancelledAt);
  expect(partialRows.filter((r) => r.status === 'pending')).toHaveLength(300 - cancelledAt);

  // Two batches, one entry each; delete one with all its rows.
  const entries = page.getByTestId('batch-entry');
  await expect(entries).toHaveCount(2);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete Pasted lines.txt' }).click();
  await expect(entries).toHaveCount(1);
  await expect(entries).toHaveAttribute('data-state', 'done');
  await expect(status).toHaveCount(0);
});

test('a batch runs on to done while a single analysis is started and cancelled beside it', async ({ page }) => {
  const MOODS = ['I am so delighted today', 'I am furious about this', 'I feel sad and miserable'];
  const lines = Array.from({ length: 600 }, (_, i) => `Post ${i + 1}: ${MOODS[i % 3]}, said person ${i % 97} about thing ${i % 89}`);
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await openBatch(page);
  await page.getByLabel('Batch file').setInputFiles({ name: 'beside.txt', mimeType: 'text/plain', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  const status = page.getByTestId('batch-status');
  await expect(status).toHaveAttribute('data-state', 'ready');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(() => done(page), STEPS).toBeGreaterThanOrEqual(32);

  // A long text (many chunks, so many batches in the worker) analyzed and cancelled while the batch runs.
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await page.getByLabel('Text', { exact: true }).fill(LONG);
  // Analyze, then Cancel before the worker can answer: both clicks in one task of the page, with
  // only microtasks between them (Svelte draws Cancel in one), so no worker reply (a message
  // event, a task of its own) can come first, however loaded the machine is.
  await page.evaluate(async () => {
    document.querySelector<HTMLButtonElement>('button.primary[type=submit]')!.click();
    let cancel: HTMLButtonElement | null = null;
    for (let i = 0; i < 1000 && !cancel; i++) {
      await Promise.resolve();
      cancel = document.querySelector<HTMLButtonElement>('[data-testid=cancel-run]');
    }
    if (!cancel) throw new Error('Cancel did not appear within the task');
    cancel.click();
  });
  await expect(page.getByTestId('run-cancelled')).toBeVisible();

  await openBatch(page);
  await expect(status).not.toHaveAttribute('data-state', 'paused');
  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-done', '600');
  const jsonl = (await exported(page, 'Export JSONL')).text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(jsonl.every((r) => r.status === 'ok')).toBe(true);

  // The model was not stopped by the cancel: the next analysis answers without loading it again.
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await analyzeText(page, 'I am so delighted today', 'joy');
});

test('a Picture column: pictures from the picked folder are read for faces on the device and fused with the text', async ({ page }, testInfo) => {
  const folder = testInfo.outputPath('photos');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'smile.jpg'), await smilingPerson());
  await writeFile(join(folder, 'lamps.jpg'), await noFace());
  const csv = ['id,text,photo', '1,I am so delighted today,smile.jpg', '2,I feel sad and miserable,lamps.jpg', '3,I am furious about this,gone.jpg', '4,,SMILE.JPG'].join('\n');
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await openBatch(page);
  await page.getByLabel('Batch file').setInputFiles({ name: 'photos.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByLabel('Picture column').locator('option:checked')).toHaveText('photo');
  await page.getByLabel('Picture folder').setInputFiles(folder);
  await expect(page.locator('#batch-picture-help')).toContainText('2 files in photos');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByTestId('batch-status')).toHaveAttribute('data-state', 'done');

  const rows = Papa.parse<Record<string, string>>((await exported(page, 'Export CSV')).text, { header: true, skipEmptyLines: true }).data;
  expect(rows.map((r) => r.status)).toEqual(['ok', 'partial', 'partial', 'ok']);
  expect(rows[0]!.model).toMatch(/^moodlens\/tiny-emotion.* \+ blazeface/u);
  // Equal weights (the default): the fused score is the mean of the two channels'.
  for (const e of EMOTIONS) expect(Number(rows[0]![`fused_p_${e}`])).toBeCloseTo((Number(rows[0]![`p_${e}`]) + Number(rows[0]![`face_p_${e}`])) / 2, 4);
  expect(rows[0]!.emotion).toBe('joy');
  expect(rows[1]).toMatchObject({ error: 'No face found in lamps.jpg.', emotion: 'sadness', face_p_joy: '' });
  expect(rows[2]).toMatchObject({ error: 'gone.jpg is not in the picture folder.', emotion: 'anger' });
  // A picture alone (no text) is the answer; the name matched without regard to case.
  expect(rows[3]).toMatchObject({ p_joy: '', fused_p_joy: '', emotion: 'joy' });
  expect(Number(rows[3]!.face_p_joy)).toBeCloseTo(Number(rows[0]!.face_p_joy), 6);
});

test('the results: the chart, its caption and table, and the rows table keep apart (desktop and phone, light and dark)', async ({ page }) => {
  const MOODS = ['I am so delighted today', 'I am furious about this', 'I feel sad and miserable', 'That is disgusting'];
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await openBatch(page);
  await page.getByLabel('Batch file').setInputFiles({ name: 'moods.txt', mimeType: 'text/plain', buffer: Buffer.from(`${MOODS.join('\n')}\n`) });
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByTestId('batch-status')).toHaveAttribute('data-state', 'done');
  const results = page.getByTestId('batch-results');
  const counts = page.getByTestId('batch-emotion-counts');
  const box = async (locator: ReturnType<Page['locator']>) => (await locator.boundingBox())!;
  for (const [width, height] of [[1280, 900], [390, 844]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme });
      const where = `${width} px, ${colorScheme}`;
      const chart = await box(results.getByTestId('chart'));
      const caption = await box(counts.locator('caption'));
      const head = await box(counts.locator('thead'));
      expect(chart.y + chart.height, `chart above its caption (${where})`).toBeLessThanOrEqual(caption.y);
      expect(caption.y + caption.height, `caption above the table header (${where})`).toBeLessThanOrEqual(head.y);
      // The rows table: its header row above the first row, both as wide.
      const headRow = await box(page.getByTestId('batch-rows').locator('thead tr'));
      const firstRow = await box(page.getByTestId('batch-row').first());
      expect(headRow.y + headRow.height, `rows table header above its first row (${where})`).toBeLessThanOrEqual(firstRow.y + 0.5);
      expect(firstRow.width, `rows as wide as their header (${where})`).toBeCloseTo(headRow.width, 0);
    }
  }
});
