// Issue 7, key safety (first part): nothing in a page URL can set where the picture goes or which
// key is used, and the built site carries no key-shaped string.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './support';

const KEY_SHAPES = /(gsk_[A-Za-z0-9]{16,}|sk-[A-Za-z0-9_-]{20,}|Bearer\s+[A-Za-z0-9._~+/-]{16,})/u;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('the built site holds no key-shaped string', () => {
  const files = filesUnder(join(process.cwd(), 'dist')).filter((f) => !f.endsWith('.wasm') && !f.endsWith('.png'));
  expect(files.length).toBeGreaterThan(5);
  const found = files.flatMap((f) => {
    const match = readFileSync(f, 'utf8').match(KEY_SHAPES);
    return match ? [`${f}: ${match[0]}`] : [];
  });
  expect(found).toEqual([]);
});

test('URL parameters cannot set the vision API, the key or the model host', async ({ page, requests }) => {
  const evil = 'gsk_attackerAttackerAttacker0123';
  const params = new URLSearchParams({
    baseUrl: 'https://evil.example/v1',
    apiBaseUrl: 'https://evil.example/v1',
    apiKey: evil,
    key: evil,
    modelHost: 'https://evil.example',
    host: 'https://evil.example',
  });
  await page.goto(`/?${params}#settings`);
  await expect(page.getByLabel('API base URL')).toHaveValue('https://api.groq.com/openai/v1');
  await expect(page.getByLabel('API key')).toHaveValue('');
  await expect(page.getByLabel('Model host')).toHaveValue('https://huggingface.co');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain(evil);
  expect(stored).not.toContain('evil.example');
  expect(requests.filter((u) => u.startsWith('http') && new URL(u).hostname.includes('evil'))).toEqual([]);
});
