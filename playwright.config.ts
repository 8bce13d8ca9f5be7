// End-to-end tests in Chromium against the built app and a fake model hub, both on 127.0.0.1.
// Chromium resolves no host but 127.0.0.1, so nothing a test does can leave the machine.
import { defineConfig } from '@playwright/test';
import { findChromium } from './scripts/find-chromium.mjs';

const APP_PORT = Number(process.env.APP_PORT ?? 4173);
const HUB_PORT = Number(process.env.HUB_PORT ?? 4180);
const VISION_PORT = Number(process.env.VISION_PORT ?? 4300);
const executablePath = (await findChromium()) ?? undefined;
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}/`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    // Each test gets a fresh context; precaching 27 MB per test is only worth it where offline
    // behaviour is tested (tests/e2e/offline.spec.ts allows service workers).
    serviceWorkers: 'block',
    launchOptions: { ...(executablePath ? { executablePath } : {}), args },
  },
  projects: [
    // No WebGPU adapter: the path most machines without a usable GPU take.
    { name: 'chromium-wasm', use: { browserName: 'chromium' }, testIgnore: /webgpu\.spec\.ts/ },
    // A software (SwiftShader) WebGPU adapter: the WebGPU path and its fallback.
    {
      name: 'chromium-webgpu',
      testMatch: /webgpu\.spec\.ts/,
      use: {
        browserName: 'chromium',
        launchOptions: { ...(executablePath ? { executablePath } : {}), args: [...args, '--enable-unsafe-webgpu'] },
      },
    },
  ],
  webServer: {
    command: 'node tests/support/serve.mjs',
    url: `http://127.0.0.1:${APP_PORT}/__log`,
    reuseExistingServer: !process.env.CI,
    env: { APP_PORT: String(APP_PORT), HUB_PORT: String(HUB_PORT), VISION_PORT: String(VISION_PORT) },
    stdout: 'ignore',
  },
});
