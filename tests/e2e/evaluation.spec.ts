// Issue 16 end to end in Chromium: a labelled CSV with a picture per row runs through the real
// text channel (fixture model) and the real face channel; the evaluation's figures are checked
// against the same figures computed here from the exported predictions (accuracy, macro-F1,
// confusion counts, per channel); an unmapped label value is mapped by the user; the weight sweep
// picks the text (the faces read every picture as the same smile); Use these weights is kept in
// Settings; the exported report opens offline, with nothing to load.
import Papa from 'papaparse';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { EMOTIONS, type Emotion } from '../../src/shared/emotions';
import { smilingPerson } from '../support/face-photos.mjs';
import { FIXTURE_ID, expect, test, useModel } from './support';

// Texts the fixture model reads as the emotion named (text-analysis.spec.ts); every picture smiles.
const ROWS: Array<[string, string]> = [
  ['I am so delighted today', 'happy'],
  ['I feel sad and miserable', 'Sad'],
  ['I am furious about this', 'angry'],
  ['That is disgusting', 'disgust'],
  ['I am terrified of the dark', 'fear'],
  ['Wow, I am astonished', 'surprised'],
  ['The meeting is at noon', 'neutral'],
  ['We are so happy and delighted today', 'love'],
  ['Then I felt sad', ''],
];
const CSV = ['id,text,photo,mood', ...ROWS.map(([t, m], i) => `${i + 1},"${t}",smile.jpg,${m}`)].join('\n');
/** The labels as the test reads them: the synonyms used above, and the user's own "love" -> joy. */
const GOLD: Record<string, Emotion> = { happy: 'joy', sad: 'sadness', angry: 'anger', disgust: 'disgust', fear: 'fear', surprised: 'surprise', neutral: 'neutral', love: 'joy' };

/** Accuracy, macro-F1 (labels in gold or predictions) and confusion counts, from scratch. */
function figures(gold: Emotion[], pred: Emotion[]) {
  const confusion = new Map<string, number>();
  gold.forEach((g, i) => confusion.set(`${g}>${pred[i]}`, (confusion.get(`${g}>${pred[i]}`) ?? 0) + 1));
  const labels = EMOTIONS.filter((e) => gold.includes(e) || pred.includes(e));
  const f1s = labels.map((e) => {
    const tp = gold.filter((g, i) => g === e && pred[i] === e).length;
    const p = pred.filter((x) => x === e).length;
    const r = gold.filter((x) => x === e).length;
    const precision = p ? tp / p : 0;
    const recall = r ? tp / r : 0;
    return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  });
  return {
    accuracy: gold.filter((g, i) => g === pred[i]).length / gold.length,
    macroF1: f1s.reduce((a, b) => a + b, 0) / f1s.length,
    confusion,
  };
}

const argmax = (row: Record<string, string>, prefix: string): Emotion | null =>
  row[`${prefix}${EMOTIONS[0]}`] === '' ? null : EMOTIONS.reduce((best, e) => (Number(row[`${prefix}${e}`]) > Number(row[`${prefix}${best}`]) ? e : best));

async function downloadOf(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
  return { name: download.suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
}

test('a labelled batch: the figures equal those computed from the export; the sweep picks the text; the report opens offline', async ({ page, context }, testInfo) => {
  test.setTimeout(180_000);
  const folder = testInfo.outputPath('photos');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'smile.jpg'), await smilingPerson());
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await page.getByRole('button', { name: 'Batch', exact: true }).click();
  await page.getByLabel('Batch file').setInputFiles({ name: 'labelled.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(page.getByLabel('Label column').locator('option:checked')).toHaveText('mood');
  await page.getByLabel('Picture folder').setInputFiles(folder);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByTestId('batch-status')).toHaveAttribute('data-state', 'done');

  // "love" is not an emotion the synonyms know: it is listed for the user, and its row left out.
  const counts = page.getByTestId('label-counts');
  await expect(counts).toHaveAttribute('data-labelled', '7');
  await expect(counts).toContainText('1 without a label');
  await expect(counts).toContainText('1 with a value not mapped');
  await expect(page.getByTestId('label-values').locator('tr[data-value="love"]')).toHaveAttribute('data-source', 'unmapped');
  await page.getByLabel('Label love counts as').selectOption('joy');
  await expect(counts).toHaveAttribute('data-labelled', '8');
  await expect(page.getByTestId('label-values').locator('tr[data-value="love"]')).toHaveAttribute('data-emotion', 'joy');
  // Values as the file writes them, not capitalized by the table's style.
  await expect(page.getByTestId('label-values').locator('tr[data-value="love"] th')).toHaveCSS('text-transform', 'none');

  // The figures shown, against the same figures computed here from the exported predictions.
  const rows = Papa.parse<Record<string, string>>((await downloadOf(page, 'Export CSV')).text, { header: true, skipEmptyLines: true }).data;
  expect(rows).toHaveLength(ROWS.length);
  const labelled = rows.filter((r) => GOLD[r.mood!.toLowerCase()]);
  expect(labelled).toHaveLength(8);
  const gold = labelled.map((r) => GOLD[r.mood!.toLowerCase()]!);
  for (const [channel, prefix] of [['text', 'p_'], ['face', 'face_p_'], ['fused', 'fused_p_']] as const) {
    const pred = labelled.map((r) => argmax(r, prefix)!);
    const want = figures(gold, pred);
    const value = async (metric: string) => Number(await page.locator(`[data-testid="${metric}"][data-channel="${channel}"]`).getAttribute('data-value'));
    expect(await value('metric-accuracy'), `${channel} accuracy`).toBeCloseTo(want.accuracy, 10);
    expect(await value('metric-macro-f1'), `${channel} macro-F1`).toBeCloseTo(want.macroF1, 10);
    const ece = await value('metric-ece');
    expect(ece).toBeGreaterThanOrEqual(0);
    expect(ece).toBeLessThanOrEqual(1);
    const cells = page.locator(`[data-testid="confusion"][data-channel="${channel}"] [data-gold]`);
    await expect(cells).toHaveCount(49);
    const shown = await cells.evaluateAll((els) => els.map((el) => [`${el.getAttribute('data-gold')}>${el.getAttribute('data-pred')}`, Number(el.getAttribute('data-count'))] as const));
    for (const [key, count] of shown) expect(count, `${channel} ${key}`).toBe(want.confusion.get(key) ?? 0);
  }
  // The text is right on every row, the faces (one smile for all) on the joyful ones only.
  expect(Number(await page.locator('[data-testid="metric-accuracy"][data-channel="text"]').getAttribute('data-value'))).toBe(1);
  expect(Number(await page.locator('[data-testid="metric-accuracy"][data-channel="face"]').getAttribute('data-value'))).toBe(2 / 8);

  // The sweep leans on the text; Use these weights makes it the user's weights, kept after a reload.
  await expect(page.getByTestId('sweep-best')).toHaveAttribute('data-text-share', '1');
  await page.getByRole('button', { name: 'Use these weights' }).click();
  await expect(page.getByTestId('sweep-best')).toContainText('Your weights now: text 1.00, faces 0.00');
  await page.reload();
  await page.getByRole('button', { name: 'Batch', exact: true }).click();
  await page.getByRole('button', { name: 'Open labelled.csv' }).click();
  await expect(page.getByTestId('sweep-best')).toContainText('Your weights now: text 1.00, faces 0.00');
  await expect(counts).toHaveAttribute('data-labelled', '8');

  // The report: one HTML page with the figures inside, opened with the network off.
  const report = await downloadOf(page, 'Export report');
  expect(report.name).toMatch(/^labelled-evaluation-\d{4}-\d{2}-\d{2}\.html$/u);
  const figuresJson = await downloadOf(page, 'Figures as JSON');
  const json = JSON.parse(figuresJson.text) as { created?: string; channels: { channel: string; accuracy: number; confusion: number[][] }[]; best: { textShare: number } };
  expect(json.channels.find((c) => c.channel === 'text')!.accuracy).toBe(1);
  expect(json.best.textShare).toBe(1);
  await context.setOffline(true);
  const offline = await context.newPage();
  const loaded: string[] = [];
  offline.on('request', (r) => loaded.push(r.url()));
  await offline.setContent(report.text);
  await expect(offline.getByRole('heading', { level: 1 })).toHaveText('Moodlens evaluation: labelled.csv');
  await expect(offline.locator('svg')).toHaveCount(7);
  await expect(offline.locator('svg').first()).toBeVisible();
  const embedded = JSON.parse((await offline.locator('#moodlens-figures').textContent())!) as { created?: string };
  // The same figures as the JSON file (made a moment apart).
  delete embedded.created;
  delete json.created;
  expect(embedded).toEqual(json);
  expect(loaded).toEqual([]);
  await offline.close();
});
