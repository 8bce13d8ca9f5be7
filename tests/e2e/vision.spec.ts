// The picture channel end to end, against the fake OpenAI-compatible API on 127.0.0.1, set up
// through Settings as a user would: what each scenario shows, what the server received (model,
// JSON mode, a clean JPEG under the limit, the key only in the Authorization header), how many
// requests retries and double clicks make, and where the key is (not) stored.
import sharp from 'sharp';
import { jpegHasExif, readImageSize } from '../../src/shared/image-format';
import { FIXTURE_ID, TEST_KEY, VISION_HOST, analyze, chatRequests, expect, pickImage, test, textScores, useModel, useVision, visionRequests, visionScenario, type VisionRequest } from './support';

const MODEL = 'meta-llama/llama-4-maverick-17b-128e-instruct';

/** The picture a chat request carried, as bytes. */
function sentImage(request: VisionRequest): Uint8Array {
  const body = request.body as { messages: Array<{ content: unknown }> };
  const parts = body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])) as Array<{ type: string; image_url?: { url: string } }>;
  const url = parts.find((p) => p.type === 'image_url')?.image_url?.url ?? '';
  expect(url.startsWith('data:image/jpeg;base64,')).toBe(true);
  return new Uint8Array(Buffer.from(url.slice('data:image/jpeg;base64,'.length), 'base64'));
}

async function analyzePicture(page: import('@playwright/test').Page) {
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
}

/** Plays `scenario`, sets the fake provider up in Settings, picks `file` and presses Analyze. */
async function sendPicture(page: import('@playwright/test').Page, scenario: string, file: string) {
  await visionScenario(scenario);
  await page.goto('/');
  await useVision(page);
  await pickImage(page, file);
  await analyzePicture(page);
}

test('analyses a picture alone and sends a clean JPEG, the model and JSON mode, with the key only in the header', async ({ page }) => {
  await visionScenario('ok');
  await page.goto('/');
  await useVision(page);
  await pickImage(page, 'smile.jpg');
  await expect(page.getByTestId('image-info')).toContainText('640 × 480 JPEG');
  await analyzePicture(page);

  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  const scores = await textScores(page, 'vision-scores');
  expect(Object.values(scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  expect(scores.joy).toBeCloseTo(0.86, 2);
  await expect(page.getByTestId('vision-description')).toContainText('smiling face');
  await expect(page.getByTestId('vision-model')).toHaveText(MODEL);
  await expect(page.getByTestId('top-emotion')).toHaveCount(0);

  const chats = await chatRequests();
  expect(chats).toHaveLength(1);
  const [chat] = chats;
  const body = chat!.body as Record<string, unknown>;
  expect(body).toMatchObject({ model: MODEL, temperature: 0, response_format: { type: 'json_object' } });
  expect(chat!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  expect(chat!.bodyBytes).toBeLessThan(4_000_000);
  const jpeg = sentImage(chat!);
  expect(jpegHasExif(jpeg)).toBe(false);
  expect(readImageSize(jpeg, 'jpeg')).toEqual({ width: 640, height: 480 });
  for (const r of await visionRequests()) {
    expect(r.path + r.query).not.toContain(TEST_KEY);
    expect(JSON.stringify(r.body ?? '')).not.toContain(TEST_KEY);
  }
});

test('analyses text and picture together, and never sends the text to the provider', async ({ page }) => {
  await visionScenario('sad');
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await useVision(page);
  await pickImage(page, 'photo.webp');
  await analyze(page, 'I am so delighted today');
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  await expect(page.getByTestId('vision-top')).toHaveText('sadness');
  const [chat] = await chatRequests();
  expect(JSON.stringify(chat!.body)).not.toContain('delighted');
});

test('applies EXIF orientation: a rotated photo is sent upright', async ({ page }) => {
  await sendPicture(page, 'ok', 'rotated.jpg');
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  const jpeg = sentImage((await chatRequests())[0]!);
  expect(jpegHasExif(jpeg)).toBe(false);
  expect(readImageSize(jpeg, 'jpeg')).toEqual({ width: 200, height: 400 });
  // Upright, the picture is blue on the left and red on the right.
  const { data, info } = await sharp(Buffer.from(jpeg)).raw().toBuffer({ resolveWithObject: true });
  const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
  const [lr, , lb] = pixel(40, 300);
  const [rr, , rb] = pixel(160, 300);
  expect(lb!).toBeGreaterThan(lr!);
  expect(rr!).toBeGreaterThan(rb!);
});

test('reads a reply with prose, a fenced block, synonyms and percentages', async ({ page }) => {
  await sendPicture(page, 'fenced', 'small.png');
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
});

test('retries once without JSON mode when the provider rejects it', async ({ page }) => {
  await sendPicture(page, 'json-mode-rejected', 'anim.gif');
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  const chats = await chatRequests();
  expect(chats.map((c) => 'response_format' in (c.body as object))).toEqual([true, false]);
});

const failures: Array<[string, RegExp, number]> = [
  ['garbage', /could not be read as emotion scores/u, 1],
  ['truncated', /stopped before finishing/u, 2],
  ['unauthorized', /did not accept the API key/u, 1],
  ['retired', new RegExp(`is retired or unknown at ${VISION_HOST.replaceAll('.', '\\.')}`, 'u'), 1],
  ['too-large', /too large for the provider/u, 1],
  ['always-500', /server error and did not recover/u, 3],
];
// One page for all of them (a fresh page each cost ~3 s): each step plays its scenario anew.
test(`shows what to do for each failing answer (${failures.map(([s]) => s).join(', ')})`, async ({ page }) => {
  const logged: string[] = [];
  page.on('console', (m) => logged.push(m.text()));
  await page.goto('/');
  await useVision(page);
  for (const [scenario, message, requests] of failures) {
    await test.step(`"${scenario}" (${requests} request${requests > 1 ? 's' : ''})`, async () => {
      await visionScenario(scenario);
      await pickImage(page, 'smile.jpg');
      await analyzePicture(page);
      await expect(page.getByTestId('vision-error')).toContainText(message, { timeout: 20_000 });
      expect(await chatRequests()).toHaveLength(requests);
      expect(await page.getByTestId('vision-error').textContent()).not.toContain(TEST_KEY);
    });
  }
  expect(logged.join('\n')).not.toContain(TEST_KEY);
});

test('waits out a 429 with a visible countdown, then succeeds', async ({ page }) => {
  await sendPicture(page, 'rate-limited', 'smile.jpg');
  await expect(page.getByTestId('vision-status')).toContainText(/The provider asked to wait: retrying in [12] s/u);
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  expect(await chatRequests()).toHaveLength(2);
});

test('recovers from one server error with a retry', async ({ page }) => {
  await sendPicture(page, 'server-error', 'smile.jpg');
  // A 500 is not the provider asking to wait (that is a 429 with retry-after): say what happened.
  await expect(page.getByTestId('vision-status')).toContainText('The request failed; trying again in');
  await expect(page.getByTestId('vision-top')).toHaveText('joy', { timeout: 20_000 });
  expect(await chatRequests()).toHaveLength(2);
});

test('Cancel stops a slow request without an error', async ({ page }) => {
  await sendPicture(page, 'slow', 'smile.jpg');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('run-cancelled')).toContainText('Analysis cancelled.');
  await expect(page.getByTestId('vision-error')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeEnabled();
});

test('times out a slow request and says so', async ({ page }) => {
  await visionScenario('slow');
  await page.goto('/');
  await useVision(page);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Request timeout (s)').fill('5');
  await page.getByLabel('Request timeout (s)').blur();
  await expect(page.getByTestId('settings-status')).toHaveText('Saved');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await pickImage(page, 'smile.jpg');
  await analyzePicture(page);
  await expect(page.getByTestId('vision-error')).toContainText('did not answer in time', { timeout: 15_000 });
  expect(await chatRequests()).toHaveLength(1);
});

test('a double click sends one request', async ({ page }) => {
  await visionScenario('ok');
  await page.goto('/');
  await useVision(page);
  await pickImage(page, 'smile.jpg');
  await page.getByRole('button', { name: 'Analyze', exact: true }).dblclick();
  await expect(page.getByTestId('vision-top')).toHaveText('joy');
  expect(await chatRequests()).toHaveLength(1);
});

test('refuses files that are not usable pictures, before sending anything', async ({ page }) => {
  await visionScenario('ok');
  await page.goto('/');
  await useVision(page);
  const cases: Array<[string, RegExp]> = [
    ['not-an-image.jpg', /not a picture the app can read/u],
    ['truncated.jpg', /could not be decoded/u],
    ['huge.png', /too large to open safely \(20000 × 20000 pixels\)/u],
    ['sample.heic', /HEIC pictures can only be read in Safari/u],
  ];
  for (const [file, message] of cases) {
    await pickImage(page, file);
    await expect(page.getByTestId('image-error')).toContainText(message);
  }
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeDisabled();
  expect(await chatRequests()).toHaveLength(0);
});

test('asks for a key when none is set', async ({ page }) => {
  await visionScenario('ok');
  await page.goto('/');
  await useVision(page, { key: '' });
  await pickImage(page, 'smile.jpg');
  await analyzePicture(page);
  await expect(page.getByTestId('vision-error')).toContainText('Add your API key in Settings');
  expect(await chatRequests()).toHaveLength(0);
});

test('lists the provider models and picks one after a retired-model error', async ({ page }) => {
  await visionScenario('retired');
  await page.goto('/');
  await useVision(page, { model: 'meta-llama/llama-4-scout-17b-16e-instruct' });
  await pickImage(page, 'smile.jpg');
  await analyzePicture(page);
  await expect(page.getByTestId('vision-error')).toContainText('retired or unknown');
  await page.getByRole('button', { name: 'Change the vision provider' }).click();
  await page.getByRole('button', { name: 'Load the model list' }).click();
  const list = page.getByLabel(/Available models/u);
  await expect(list.locator('option')).toContainText(['qwen/qwen2.5-vl-7b-instruct']);
  await list.selectOption('qwen/qwen2.5-vl-7b-instruct');
  await expect(page.getByLabel('Vision model')).toHaveValue('qwen/qwen2.5-vl-7b-instruct');
  const lists = (await visionRequests()).filter((r) => r.method === 'GET' && r.path.endsWith('/models'));
  expect(lists[0]?.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
});

/** Dispatches a paste or drop of a fixture picture, as the browser would for a user. */
async function sendFileEvent(page: import('@playwright/test').Page, kind: 'paste' | 'drop', name: string) {
  const bytes = Array.from(await import('node:fs').then((fs) => fs.readFileSync(`tests/fixtures/images/${name}`)));
  // The app must be on the page first: `goto` can return before it has mounted.
  await expect(kind === 'paste' ? page.locator('#text-input') : page.getByLabel('Drop a picture here')).toBeVisible();
  await page.evaluate(
    ({ kind, bytes, name }) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' }));
      const target = kind === 'paste' ? document.getElementById('text-input') : document.querySelector('[aria-label="Drop a picture here"]');
      if (!target) throw new Error(`nothing to ${kind} on`);
      target.dispatchEvent(
        kind === 'paste'
          ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
          : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
      );
    },
    { kind, bytes, name },
  );
}

test('takes a picture pasted from the clipboard or dropped on the input', async ({ page }) => {
  await visionScenario('ok');
  await page.goto('/');
  await sendFileEvent(page, 'paste', 'smile.jpg');
  await expect(page.getByTestId('image-info')).toContainText('640 × 480 JPEG');
  await page.getByRole('button', { name: 'Remove picture' }).click();
  await expect(page.getByTestId('image-info')).toHaveCount(0);
  await sendFileEvent(page, 'drop', 'rotated.jpg');
  await expect(page.getByTestId('image-info')).toContainText('200 × 400 JPEG');
});

test('a provider preset fills the base URL and model', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('Provider', { exact: true })).toHaveValue('groq');
  await expect(page.getByLabel('Vision model')).toHaveValue('qwen/qwen3.6-27b');
  await expect(page.getByLabel('API base URL')).toHaveValue('https://api.groq.com/openai/v1');
  await page.getByLabel('Provider', { exact: true }).selectOption('together');
  await expect(page.getByLabel('API base URL')).toHaveValue('https://api.together.xyz/v1');
  await expect(page.getByLabel('Vision model')).toHaveValue('Qwen/Qwen2.5-VL-72B-Instruct');
  await page.getByLabel('Provider', { exact: true }).selectOption('ollama');
  await expect(page.getByLabel('API base URL')).toHaveValue('http://localhost:11434/v1');
  await page.getByLabel('API base URL').fill('http://example.com/v1');
  await expect(page.getByText('Use https:// (http:// only for a server on this computer')).toBeVisible();
});

test('explains a provider that cannot be reached, after two retries', async ({ page }) => {
  await page.goto('/');
  await useVision(page);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  // Nothing listens on port 9 (discard): every request fails at the network level.
  await page.getByLabel('API base URL').fill('http://127.0.0.1:9/v1');
  await expect(page.getByTestId('settings-status')).toHaveText('Saved');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await pickImage(page, 'smile.jpg');
  await analyzePicture(page);
  await expect(page.getByTestId('vision-error')).toContainText('Could not reach 127.0.0.1:9', { timeout: 20_000 });
  await expect(page.getByTestId('vision-error')).toContainText('block calls from browsers (CORS)');
});
