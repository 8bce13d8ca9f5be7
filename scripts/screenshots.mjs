// Screenshots of every view (desktop, 390 px phone, dark, phone dark) into $SHOTS (/tmp/shots),
// and, per view, the page's width against the screen's with any element that sticks out
// sideways. Against the built app and the test servers:
//   npx vite build && APP_PORT=6173 HUB_PORT=6180 VISION_PORT=6300 node tests/support/serve.mjs &
//   node scripts/screenshots.mjs
import { chromium } from '@playwright/test';
const APP = 'http://127.0.0.1:6173';
const VISION = 'http://127.0.0.1:6300';
const out = process.env.SHOTS ?? '/tmp/shots';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });
const csv = 'id,text,label\n' + ['What a wonderful day,happy', 'I am furious about this,angry', 'I feel sad and miserable,sad', 'That is disgusting,meh', 'I am so delighted today,happy', 'I am scared of the dark,fear'].map((l, i) => `${i + 1},${l}`).join('\n') + '\n';
const report = [];
async function overflow(page, name) {
  const found = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const bad = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= w + 1) continue;
      // inside a scroll container that clips it: fine
      let p = el.parentElement, clipped = false;
      while (p && p !== document.body) { const s = getComputedStyle(p); if (/(auto|scroll|hidden)/.test(s.overflowX) && p.getBoundingClientRect().right <= w + 1) { clipped = true; break; } p = p.parentElement; }
      if (!clipped) bad.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} right=${Math.round(r.right)}`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, width: w, bad: bad.slice(0, 8) };
  });
  report.push(`${name}: scrollWidth ${found.scrollWidth} / ${found.width}${found.bad.length ? ' OVER: ' + found.bad.join(' | ') : ''}`);
}
async function shot(page, name) { await page.waitForTimeout(600); await overflow(page, name); await page.screenshot({ path: `${out}/${name}.png`, fullPage: true }); }
const nav = (page, n) => page.getByRole('button', { name: n, exact: true }).click();
for (const [mode, opts] of [['desktop', { viewport: { width: 1280, height: 900 } }], ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, hasTouch: true, isMobile: true }], ['dark', { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' }], ['phone-dark', { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, colorScheme: 'dark' }]]) {
  await fetch(`${VISION}/__vision/scenario/sad`, { method: 'POST' });
  const ctx = await browser.newContext({ ...opts, serviceWorkers: 'block' });
  const page = await ctx.newPage();
  await page.goto(APP + '/');
  await shot(page, `${mode}-1-analysis-empty`);
  await nav(page, 'Settings');
  await page.getByLabel('Model host').fill('http://127.0.0.1:6180');
  await page.getByLabel('Model id').fill('moodlens/tiny-emotion');
  await page.getByLabel('Model id').press('Tab');
  await page.getByLabel('Provider', { exact: true }).selectOption('custom');
  await page.getByLabel('API base URL').fill(`${VISION}/openai/v1`);
  await page.getByLabel('Vision model').fill('meta-llama/llama-4-maverick-17b-128e-instruct');
  await page.getByLabel('API key').fill('gsk_moodlens_TEST_key_0123456789abcdef');
  await page.getByLabel('Picture analysis').selectOption({ label: 'Both' });
  await page.getByLabel('Speech model').fill('moodlens/tiny-whisper');
  await page.getByLabel('Tone model').fill('moodlens/tiny-tone');
  await page.waitForTimeout(500);
  await nav(page, 'Analysis');
  await page.getByLabel('Text', { exact: true }).fill('What a wonderful, happy day! But then I felt sad and miserable about the news.');
  await page.getByLabel('Tags', { exact: true }).fill('campaign a');
  await page.getByLabel('Image', { exact: true }).setInputFiles('tests/fixtures/images/smile.jpg');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await page.getByTestId('top-emotion').first().waitFor({ timeout: 60000 });
  await page.getByTestId('vision-top').waitFor({ timeout: 30000 }).catch(() => {});
  await page.getByTestId('face-count').waitFor({ timeout: 30000 }).catch(() => {});
  await shot(page, `${mode}-2-analysis-result`);
  const explain = page.getByRole('button', { name: 'Explain', exact: true });
  if (await explain.count()) { await explain.click(); await page.getByTestId('word-weights').waitFor({ timeout: 20000 }).catch(() => {}); await shot(page, `${mode}-3-explain`); }
  await page.getByRole('button', { name: 'Remove picture' }).click().catch(() => {});
  await page.getByLabel('Text', { exact: true }).fill('I am furious about this');
  await page.getByLabel('Tags', { exact: true }).fill('campaign b');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await page.waitForTimeout(1500);
  await nav(page, 'History');
  await shot(page, `${mode}-4-history`);
  await nav(page, 'Timeline');
  await shot(page, `${mode}-5-timeline`);
  await nav(page, 'Compare');
  await page.getByLabel('Second group').selectOption({ label: 'Everything the list keeps' }).catch(() => {});
  await shot(page, `${mode}-6-compare`);
  await page.getByTestId('history-item').last().getByRole('button', { name: 'Open' }).click();
  await shot(page, `${mode}-7-saved`);
  await page.getByRole('button', { name: 'Analyze again' }).click();
  await page.getByTestId('again-compare').waitFor({ timeout: 20000 }).catch(() => {});
  await shot(page, `${mode}-8-again`);
  await nav(page, 'Analysis');
  await page.getByLabel('Text', { exact: true }).fill('');
  await page.getByLabel('Audio', { exact: true }).setInputFiles('tests/fixtures/audio/two-sentences.wav');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await page.getByTestId('transcript').waitFor({ timeout: 60000 }).catch(() => {});
  await page.getByTestId('voice-segment').nth(1).locator('summary').click().catch(() => {});
  await shot(page, `${mode}-8b-voice`);
  await page.getByRole('button', { name: 'Remove recording' }).click().catch(() => {});
  await nav(page, 'Batch');
  await shot(page, `${mode}-9-batch-empty`);
  await page.getByLabel('Batch file').setInputFiles({ name: 'posts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.locator('[data-testid="batch-status"][data-state="done"]').waitFor({ timeout: 60000 });
  await page.getByLabel('Label column').selectOption({ label: 'label' }).catch(() => {});
  await page.waitForTimeout(1500);
  await shot(page, `${mode}-10-batch-done`);
  await nav(page, 'Settings');
  await shot(page, `${mode}-11-settings`);
  await ctx.close();
}
await browser.close();
console.log(report.join('\n'));
