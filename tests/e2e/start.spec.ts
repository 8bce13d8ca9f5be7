// The README's first command, `npm start`: the site as users get it. It builds (the suite has just
// built dist/) and serves it with `vite preview`; this runs that server the way the script does
// and checks what a new user needs from it: cross-origin isolation, a real 404 for a missing
// file, and, after one visit, the app from the service worker with the network gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from './support';

const WORKER = Number(process.env.TEST_PARALLEL_INDEX ?? 0);
const PORT = 5180 + Number(process.env.E2E_PORT_OFFSET ?? 0) + 1000 * WORKER + 7;
const ORIGIN = `http://127.0.0.1:${PORT}`;

let server: ChildProcess | null = null;

test.beforeAll(async () => {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  // The script builds, then previews: the same preview command, on this worker's port.
  expect(start).toMatch(/^vite build && vite preview --port 5180 --strictPort$/u);
  // Vite's own script under this Node, not `npx vite`: killing npx left its child serving the port,
  // and the next run found it taken.
  server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--port', String(PORT), '--strictPort'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('vite preview did not start')), 60_000);
    server!.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(String(PORT))) {
        clearTimeout(timer);
        resolve();
      }
    });
    server!.on('exit', (code) => reject(new Error(`vite preview exited with ${code}`)));
  });
});

test.afterAll(() => {
  server?.kill();
});

test.describe('with the service worker', () => {
  test.use({ serviceWorkers: 'allow' });

  test('npm start serves the built app: isolated, a real 404, and after one visit it opens offline', async ({ page, context, request }) => {
    const home = await request.get(`${ORIGIN}/`);
    expect(home.status()).toBe(200);
    expect(home.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(home.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect((await request.get(`${ORIGIN}/no-such-file.onnx`)).status()).toBe(404);

    await page.goto(`${ORIGIN}/`);
    await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeVisible();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The service worker takes the page once it has precached the app.
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 60_000 }).toBe(true);

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Moodlens', level: 1 })).toBeVisible();
    await expect(page.getByTestId('offline-banner')).toBeVisible();
    await context.setOffline(false);
  });
});
