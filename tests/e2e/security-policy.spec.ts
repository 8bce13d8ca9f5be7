// The built page carries a Content Security Policy (vite.config.ts): injected inline script does
// not run. That no flow of the app breaks the policy is checked after every test (support.ts).
import { expect, test } from './support';

test('the page has a Content Security Policy that blocks injected inline script', async ({ page, cspViolations }) => {
  const console: string[] = [];
  page.on('console', (m) => console.push(m.text()));
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeVisible();
  // Chromium warns in the console about any source it cannot parse (it once did for http://[::1]:*).
  expect(console.filter((m) => m.includes('Content Security Policy'))).toEqual([]);
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(policy).toContain("object-src 'none'");
  await expect(page.locator('meta[name="referrer"]')).toHaveAttribute('content', 'no-referrer');

  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true;';
    document.body.append(script);
    const img = document.createElement('img');
    img.src = 'http://127.0.0.1:9/tracker.png';
    document.body.append(img);
  });
  await expect.poll(() => cspViolations.length).toBe(2);
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  expect(cspViolations.join('\n')).toMatch(/script-src(-elem)? blocked inline/);
  expect(cspViolations.join('\n')).toMatch(/img-src blocked http:\/\/127\.0\.0\.1:9\/tracker\.png/);
  cspViolations.length = 0; // provoked on purpose
});
