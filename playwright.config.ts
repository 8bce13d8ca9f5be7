// End-to-end tests in Chromium against the built app and a fake model hub, both on 127.0.0.1.
// Chromium resolves no host but 127.0.0.1, so nothing a test does can leave the machine. Each
// worker starts its own servers (tests/e2e/support.ts, `servers`), so workers can run at once.
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { findChromium } from './scripts/find-chromium.mjs';

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
  // A fake camera for "Take a photo" and the live camera: the smiling person of the video tests
  // (tests/fixtures/video/one-face.y4m); the page still asks for the permission.
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${join(process.cwd(), 'tests/fixtures/video/one-face.y4m')}`,
  // The fake microphone plays espeak-ng's two sentences (in a loop) for Record.
  `--use-file-for-fake-audio-capture=${join(process.cwd(), 'tests/fixtures/audio/two-sentences.wav')}`,
  ...(process.env.EXTRA_CHROMIUM_ARGS?.split(' ').filter(Boolean) ?? []),
];

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  // Two workers by default, one per core: every test waits on events, not on time, so two
  // files at once pass, and on 2 cores it pays (2026-12-07: 112 tests in 4.8-4.9 min against
  // 6.3 min with one). E2E_WORKERS=N runs N files at once, each worker with its own servers; the
  // tests of one file run in order.
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  reporter: [['list']],
  use: {
    // No trace by default: recording one (DOM snapshots and screencast of every action) made the
    // suite 30-40 % slower on 2 cores (vision and runs specs: 2.0 min without, 2.8-3.3 min with).
    // E2E_TRACE=retain-on-failure npx playwright test … keeps one for each failed test.
    trace: (process.env.E2E_TRACE ?? 'off') as 'off' | 'retain-on-failure' | 'on',
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
});
