// Issue 17, the History timeline in Chromium: entries imported with dates of their own (some
// close to midnight, in a time zone that is not UTC) are counted per local day, week and month
// as the list would date them; the list's filters apply; a row lists its entries and opens one.
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../../src/features/history/records';
import { expect, historyItems, test } from './support';

const ZONE = 'America/New_York';
test.use({ timezoneId: ZONE });

const scores = (top: Emotion) => normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? 6 : 1])) as Record<Emotion, number>);
/** Times in UTC; in New York several fall on the day before. */
const ENTRIES: Array<[string, Emotion]> = [
  ['2026-11-02T03:30:00Z', 'joy'],
  ['2026-11-02T05:30:00Z', 'sadness'],
  ['2026-11-02T22:00:00Z', 'joy'],
  ['2026-11-03T04:59:00Z', 'anger'],
  ['2026-11-09T12:00:00Z', 'joy'],
  ['2026-11-30T23:30:00Z', 'fear'],
  ['2026-12-01T04:00:00Z', 'joy'],
  ['2026-12-01T06:00:00Z', 'joy'],
];
const records = ENTRIES.map(([at, top], i) => ({
  schemaVersion: 2,
  id: `timeline-${i}`,
  createdAt: Date.parse(at),
  textPart: { text: `Entry ${i} (${top})`, scores: scores(top), modelId: 'moodlens/tiny-emotion', device: 'wasm', dtype: 'q8', inferenceMs: 5, chunks: 1, tokens: 4 },
  visionPart: null,
  facePart: null,
  thumbnail: null,
  weights: { text: 1 },
}));
const localDay = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

/** Entries per local day, as the list dates them. */
function perDay(keep: (top: Emotion) => boolean = () => true): Record<string, number> {
  const out: Record<string, number> = {};
  ENTRIES.forEach(([at, top]) => {
    if (keep(top)) out[localDay(Date.parse(at))] = (out[localDay(Date.parse(at))] ?? 0) + 1;
  });
  return out;
}

test('the timeline counts the entries per local day, week and month, with the list filters, and opens an entry', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'History', exact: true }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await (await chooser).setFiles({ name: 'history.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: '', records })) });
  await expect(historyItems(page)).toHaveCount(ENTRIES.length);

  await page.getByRole('button', { name: 'Timeline', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Timeline', exact: true })).toHaveAttribute('aria-pressed', 'true');
  const rows = page.getByTestId('timeline').locator('tr[data-bucket]');
  const shown = async () => Object.fromEntries(await rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-bucket')!, Number(el.getAttribute('data-count'))] as const)));
  const days = perDay();
  expect(Object.keys(days)).toContain('2026-11-01'); // 03:30 UTC on the 2nd is the 1st in New York
  await expect(rows).toHaveCount(Object.keys(days).length);
  expect(await shown()).toEqual(days);

  // Weeks from Monday and months, in the same local calendar.
  await page.getByLabel('Group by').selectOption('week');
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-granularity', 'week');
  expect(await shown()).toEqual({ '2026-10-26': 1, '2026-11-02': 3, '2026-11-09': 1, '2026-11-30': 3 });
  await page.getByLabel('Group by').selectOption('month');
  expect(await shown()).toEqual({ '2026-11-01': 7, '2026-12-01': 1 });

  // The list's filter applies to the timeline; a date range narrows it.
  await page.getByLabel('Group by').selectOption('day');
  await page.getByLabel('Filter by emotion').selectOption('joy');
  await expect(rows).toHaveCount(Object.keys(perDay((t) => t === 'joy')).length);
  expect(await shown()).toEqual(perDay((t) => t === 'joy'));
  await page.getByLabel('Filter by emotion').selectOption('any');
  await page.getByLabel('From').fill('2026-11-30');
  expect(await shown()).toEqual({ '2026-11-30': 2, '2026-12-01': 1 });
  await page.getByLabel('From').fill('');

  // A day lists its entries, newest first; one opens as a saved analysis.
  await page.getByRole('button', { name: '2026-11-02', exact: true }).click();
  const listed = page.getByTestId('timeline-entries').locator('li');
  await expect(listed).toHaveCount(3);
  expect(await listed.evaluateAll((els) => els.map((el) => el.getAttribute('data-id')))).toEqual(['timeline-3', 'timeline-2', 'timeline-1']);
  await listed.first().getByRole('button').click();
  await expect(page.getByRole('button', { name: 'Back to history' })).toBeVisible();
  await expect(page.getByText('Entry 3 (anger)')).toBeVisible();
});
