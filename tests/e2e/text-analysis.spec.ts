// The foundation end to end: a text classified in Chromium by the real transformers.js pipeline
// on the fixture model, served by a local hub mirror; cached in IndexedDB; reused after reload
// without any model request; nothing leaves 127.0.0.1.
import { EMOTIONS } from '../../src/shared/emotions';
import { LITERT_MARGIN } from '../../src/features/text/engine-trial';
import type { Page } from '@playwright/test';
import { APP, FIXTURE_ID, backOnline, HUB, analyze, analyzeText, expect, hubRequests, resetHubLog, test, textScores, useModel, waitForCachedFiles } from './support';

const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];

test.beforeEach(async () => {
  await resetHubLog();
});

/** The engine trial Settings shows (Automatic, issue 18): the engine kept and the two times. */
/** The converted models kept in the model cache: their keys and identities. */
function convertedEntries(page: Page): Promise<Array<{ key: string; identity: string }>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('moodlens-models');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const store = open.result.transaction('files').objectStore('files');
          const keys = store.getAllKeys();
          const values = store.getAll();
          values.onsuccess = () => {
            const entries = keys.result.map((key, i) => ({ key: String(key), value: values.result[i] as { identity?: string } | null }));
            resolve(entries.filter((e) => e.key.includes('#tflite-') && e.value).map((e) => ({ key: e.key, identity: e.value!.identity ?? '' })));
          };
          values.onerror = () => reject(values.error);
        };
      }),
  );
}

/** Rewrites a kept converted model's identity, as if another runtime or converter had made it. */
function setConvertedIdentity(page: Page, key: string, identity: string): Promise<void> {
  return page.evaluate(
    ([k, id]) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('moodlens-models');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('files', 'readwrite');
          const store = tx.objectStore('files');
          const read = store.get(k);
          read.onsuccess = () => store.put({ ...(read.result as object), identity: id }, k);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    [key, identity] as const,
  );
}

async function engineTrial(page: Page) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const trial = page.getByTestId('engine-trial');
  await expect(trial).toContainText('Measured on this device: LiteRT.js');
  const attr = async (name: string) => (await trial.getAttribute(name)) ?? '';
  const found = { chosen: await attr('data-chosen'), litertMs: Number(await attr('data-litert-ms')), onnxruntimeMs: Number(await attr('data-onnxruntime-ms')) };
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  return found;
}

/** One step the model's progress card showed: `phase[:engine]`, its heading and its detail line. */
interface LoadStep {
  step: string;
  heading: string;
  detail: string;
}

/**
 * Starts recording each step the model's progress card shows, as it changes. Returns a function
 * that reads the record.
 */
async function recordLoadSteps(page: Page): Promise<() => Promise<LoadStep[]>> {
  await page.evaluate(() => {
    const seen: LoadStep[] = [];
    (window as unknown as { loadSteps: LoadStep[] }).loadSteps = seen;
    new MutationObserver(() => {
      const card = document.querySelector('[data-testid="model-progress"]');
      if (!card) return;
      const engine = card.getAttribute('data-engine');
      const step = `${card.getAttribute('data-phase')}${engine ? `:${engine}` : ''}`;
      const heading = card.querySelector('h2')?.textContent ?? '';
      // The detail without its seconds counter, which changes every second.
      const detail = (card.querySelector('[data-testid="model-start-step"]')?.textContent ?? '').replace(/ \d+ s$/u, '');
      const last = seen.at(-1);
      if (last?.step !== step || last.heading !== heading || last.detail !== detail) seen.push({ step, heading, detail });
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { loadSteps: LoadStep[] }).loadSteps);
}

test('classifies texts on device, caches the model, and reuses it after a reload', async ({ page, requests }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  // Nothing on this device yet: the page says the first analysis downloads the model.
  await expect(page.getByText(/the first analysis downloads it once \(about 80 MB/u)).toBeVisible();

  const loadSteps = await recordLoadSteps(page);
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');
  // The first load on this device said what it was doing, step by step: the download, the engine
  // trial starting LiteRT.js, then ONNX Runtime, then timing both, then the warm-up.
  const steps = await loadSteps();
  expect(steps.map((s) => s.step)).toEqual(['', 'download', 'trial:litert', 'trial:onnxruntime', 'trial', 'warmup']);
  const trialHeading = 'Measuring which engine is faster on this device (LiteRT.js, then ONNX Runtime)…';
  expect(steps.map((s) => [s.heading, s.detail])).toEqual([
    ['Preparing the model…', ''],
    ['Downloading the model…', ''],
    [trialHeading, 'Starting LiteRT.js: converting the model for it and compiling it…'],
    [trialHeading, 'Starting ONNX Runtime…'],
    [trialHeading, 'Timing both engines on the same paragraph…'],
    ['Warming up the model…', ''],
  ]);
  const scores = await textScores(page);
  expect(Object.keys(scores).sort()).toEqual([...EMOTIONS].sort());
  expect(Object.values(scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  expect(scores.anger).toBeGreaterThan(0.5);
  await expect(page.getByTestId('text-device')).toHaveText('wasm');
  await expect(page.getByTestId('text-dtype')).toHaveText('q8');
  // Automatic, first load: the same paragraph timed on LiteRT.js (Chromium has relaxed SIMD, so
  // the model was converted) and on ONNX Runtime, and the faster one kept by the stated rule.
  const trial = await engineTrial(page);
  expect(trial.litertMs).toBeGreaterThan(0);
  expect(trial.onnxruntimeMs).toBeGreaterThan(0);
  expect(trial.chosen).toBe(trial.litertMs <= trial.onnxruntimeMs * LITERT_MARGIN ? 'litert' : 'onnxruntime');
  await expect(page.getByTestId('text-engine')).toHaveAttribute('data-engine', trial.chosen);

  await analyze(page, 'I am so delighted today');
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');

  const fetched = (await hubRequests()).filter((r) => r.range === null).map((r) => r.path.split('/resolve/main/')[1]);
  for (const file of MODEL_FILES) expect(fetched).toContain(file);
  expect(fetched).not.toContain('onnx/model.onnx');

  await waitForCachedFiles(page, MODEL_FILES.length);
  await resetHubLog();
  await page.reload();
  // The cached model starts loading in the background as the app opens, downloading nothing.
  // Plain words first; precision, engine and the trial's times only when asked for.
  await expect(page.getByTestId('model-ready')).toContainText('Emotion model ready on this device.');
  await expect(page.getByTestId('model-engine')).toBeHidden();
  await page.getByTestId('model-ready').getByText('How it runs').click();
  await expect(page.getByTestId('model-details')).toContainText('Precision q8, on wasm');
  await expect(page.getByTestId('model-details')).toContainText('Measured on this device: LiteRT.js');
  await expect(page.getByTestId('model-engine')).toBeVisible();
  // The model is on this device now: no more talk of downloading 80 MB.
  await expect(page.getByText('The text is read by an emotion model that is on this device')).toBeVisible();
  await expect(page.getByText(/about 80 MB/u)).toHaveCount(0);
  // The trial is kept with the model's files: this load started only the engine it chose.
  await expect(page.getByTestId('model-engine')).toHaveAttribute('data-engine', trial.chosen);
  expect(await engineTrial(page)).toEqual(trial);

  // Measure again: the stored trial is dropped, and the model, loading again from this device,
  // times both engines anew (the files stay: nothing is downloaded).
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const measuredAt = (await page.getByTestId('engine-trial').getAttribute('data-measured-at')) ?? '';
  await page.getByRole('button', { name: 'Measure again' }).click();
  await expect(page.getByTestId('engine-trial')).toBeVisible();
  await expect(page.getByTestId('engine-trial')).not.toHaveAttribute('data-measured-at', measuredAt);
  const again = await engineTrial(page);
  expect(again.chosen).toBe(again.litertMs <= again.onnxruntimeMs * LITERT_MARGIN ? 'litert' : 'onnxruntime');

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('Model host')).toHaveValue(HUB);
  await expect(page.getByLabel('Model id')).toHaveValue(FIXTURE_ID);
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();

  await analyze(page, 'I feel sad and miserable');
  await expect(page.getByTestId('top-emotion')).toHaveText('sadness');
  expect(await hubRequests(), 'model requests after reload').toEqual([]);

  // The same text again, nothing changed: the shown run is reused, not analyzed or saved twice.
  await expect(page.getByTestId('inference-time')).not.toContainText('cache');
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('reused-run')).toBeVisible();
  // A text the worker read before (not the one shown) comes from its results cache.
  await analyzeText(page, 'I am furious about this', 'anger');
  await analyze(page, 'I feel sad and miserable');
  await expect(page.getByTestId('inference-time')).toContainText('from cache');
  await expect(page.getByTestId('top-emotion')).toHaveText('sadness');
  expect(requests.some((u) => u.includes('.wasm'))).toBe(true);
});

test('labels each emotion of the fixture correctly', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  const cases: Array<[string, string]> = [
    ['That is disgusting', 'disgust'],
    ['I am terrified of the dark', 'fear'],
    ['Wow, I am astonished', 'surprise'],
    ['The meeting is at noon', 'neutral'],
  ];
  for (const [text, label] of cases) {
    await analyze(page, text);
    await expect(page.getByTestId('top-emotion')).toHaveText(label);
  }
});

test('reads a text longer than 512 tokens in sentence chunks and says so', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  const joyful = Array.from({ length: 120 }, () => 'We are so happy and delighted today.').join(' ');
  const sad = Array.from({ length: 20 }, () => 'Then I felt sad.').join(' ');
  await analyze(page, `${joyful} ${sad}`);
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  await expect(page.getByTestId('chunk-note')).toContainText('parts');
  const scores = await textScores(page);
  expect(scores.sadness).toBeGreaterThan(0.01);
  // How the text moves: one mark per part, in order, each with its top emotion (issue 17).
  const parts = page.getByTestId('chunk-breakdown').locator('[data-chunk]');
  const note = (await page.getByTestId('chunk-note').textContent()) ?? '';
  await expect(parts).toHaveCount(Number(/in (\d+) parts/u.exec(note)![1]));
  await expect(parts.first()).toHaveAttribute('data-emotion', 'joy');
  await expect(page.getByTestId('chunk-breakdown')).toHaveAttribute('data-kind', 'part');
});

test('a text of several paragraphs shows each sentence with its emotion, its scores on focus', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyze(page, 'I am so delighted today.\n\nI feel sad and miserable.\n\nI am furious about this. That is disgusting.');
  await expect(page.getByTestId('top-emotion')).toBeVisible();
  const breakdown = page.getByTestId('chunk-breakdown');
  await expect(breakdown).toHaveAttribute('data-kind', 'sentence');
  const pieces = breakdown.locator('[data-chunk]');
  await expect(pieces).toHaveCount(4);
  expect(await pieces.evaluateAll((els) => els.map((el) => el.getAttribute('data-emotion')))).toEqual(['joy', 'sadness', 'anger', 'disgust']);
  // Each sentence's scores are those of the sentence analyzed alone.
  await pieces.nth(1).focus();
  await expect(page.getByTestId('chunk-scores')).toHaveAttribute('data-shown', '1');
  const shown = (await page.getByTestId('chunk-scores').textContent())!;
  await analyze(page, 'I feel sad and miserable.');
  await expect(page.getByTestId('top-emotion')).toHaveText('sadness');
  const alone = await textScores(page);
  // The same up to int8 rounding: in one batch with the other sentences, ONNX Runtime quantizes
  // the activations over the whole batch (LiteRT.js per row), so the last digit may differ.
  const inBatch = Number(/sadness ([\d.]+) %/u.exec(shown)![1]) / 100;
  expect(Math.abs(inBatch - alone.sadness!)).toBeLessThanOrEqual(0.011);
  // A single sentence has nothing to break down.
  await expect(page.getByTestId('chunk-breakdown')).toHaveCount(0);
});

test('says clearly when the model does not exist on the host', async ({ page }) => {
  await page.goto('/');
  await useModel(page, 'moodlens/no-such-model');
  await analyze(page, 'I am furious');
  await expect(page.getByRole('alert')).toContainText('The model host has no model "moodlens/no-such-model"');
  await expect(page.getByRole('button', { name: 'Analyze', exact: true })).toBeEnabled();
});

test('says clearly when the model file is not a valid model', async ({ page }) => {
  await page.goto('/');
  await useModel(page, 'moodlens/broken-emotion');
  await analyze(page, 'I am furious');
  await expect(page.getByRole('alert')).toContainText('The model files could not be loaded');
  // The failed load is not kept: pointing at a good model works at once.
  await useModel(page, FIXTURE_ID);
  await analyze(page, 'I am furious');
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');
});

test('says clearly when the model host cannot be reached', async ({ page }) => {
  await page.goto('/');
  // Nothing listens on this port (a test never sends a request off this machine, so the default
  // host huggingface.co is not tried here).
  await useModel(page, FIXTURE_ID, 'http://127.0.0.1:4199');
  await analyze(page, 'I am furious');
  await expect(page.getByRole('alert')).toContainText('Could not reach the model host 127.0.0.1:4199');
});

test('says clearly when offline before the model was cached', async ({ page, context }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await context.setOffline(true);
  await analyze(page, 'I am furious');
  await expect(page.getByRole('alert')).toContainText('You are offline');
  await backOnline(page);
  await analyze(page, 'I am furious');
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');
});

test('keeps the typed text across a reload and analyses with Ctrl+Enter from the keyboard', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  const box = page.getByLabel('Text', { exact: true });
  await box.fill('I am terrified of the dark');
  await page.reload();
  await expect(page.getByLabel('Text', { exact: true })).toHaveValue('I am terrified of the dark');
  await page.getByLabel('Text', { exact: true }).focus();
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('top-emotion')).toHaveText('fear');
  await expect(page.getByText('Ctrl+Enter analyzes')).toBeVisible();
});

test('a touch screen without a mouse or keyboard is not offered Ctrl+Enter', async ({ playwright }, testInfo) => {
  // Chromium told its only pointer is coarse and cannot hover, as on a phone.
  const options = testInfo.project.use.launchOptions ?? {};
  const browser = await playwright.chromium.launch({
    ...options,
    args: [...(options.args ?? []), '--blink-settings=primaryPointerType=2,availablePointerTypes=2,primaryHoverType=1,availableHoverTypes=1'],
  });
  try {
    const page = await browser.newPage({ serviceWorkers: 'block' });
    await page.goto(APP);
    expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);
    await expect(page.getByText(/\d+ words?/u)).toBeVisible();
    await expect(page.getByText('Ctrl+Enter analyzes')).toBeHidden();
  } finally {
    await browser.close();
  }
});

test('Explain: the word that carries the emotion is its top word, and another emotion is explained at no cost', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyzeText(page, 'Honestly I am furious about the whole thing today', 'anger');
  await page.getByRole('button', { name: 'Explain', exact: true }).click();
  const weights = page.getByTestId('word-weights');
  await expect(page.getByTestId('explained-emotion')).toHaveText('anger');
  const words = weights.locator('[data-word]');
  await expect(words).toHaveCount(9);
  const read = () => words.evaluateAll((els) => els.map((el) => [el.getAttribute('data-word')!, Number(el.getAttribute('data-weight'))] as const));
  const anger = await read();
  const strongest = [...anger].sort((a, b) => b[1] - a[1])[0]!;
  expect(strongest[0]).toBe('furious');
  expect(strongest[1]).toBeGreaterThan(0.1);
  await expect(page.getByTestId('words-for').locator('li').first()).toHaveAttribute('data-word', 'furious');
  // The value on focus.
  await words.filter({ hasText: 'furious' }).focus();
  await expect(page.getByTestId('word-value')).toContainText('furious');
  // Another emotion, from the same readings.
  await page.getByLabel('Emotion to explain').selectOption('neutral');
  await expect(page.getByTestId('explained-emotion')).toHaveText('neutral');
  const neutral = await read();
  expect(neutral.find(([w]) => w === 'furious')![1]).toBeLessThan(0);
});

test('Text engine "LiteRT.js" and "ONNX Runtime only" read the same text to the same scores', async ({ page }) => {
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Text engine on WASM').selectOption('litert');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  const text = 'I am so delighted today, what a surprise';
  await analyze(page, text);
  // A chosen engine is not measured against the other.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('Text engine on WASM')).toHaveValue('litert');
  await expect(page.getByTestId('engine-trial')).toHaveCount(0);
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await expect(page.getByTestId('text-engine')).toHaveText('LiteRT.js');
  await expect(page.getByTestId('text-engine')).toHaveAttribute('data-engine', 'litert');
  const fromLiteRt = await textScores(page);

  // The converted model is kept beside the ONNX file (litert/converted-cache.ts): a reload
  // compiles it without converting, and reads the same scores.
  await expect.poll(() => convertedEntries(page)).toHaveLength(1);
  const [kept] = await convertedEntries(page);
  expect(kept!.key).toMatch(/onnx\/model_quantized\.onnx#tflite-64$/u);
  expect(kept!.identity).toMatch(/^converter \d+; LiteRT\.js \d+\.\d+\.\d+ .*; weights \d+ bytes stored \d+$/u);
  await page.reload();
  await analyze(page, text);
  await expect(page.getByTestId('text-engine')).toHaveAttribute('data-engine', 'litert');
  expect(await textScores(page)).toEqual(fromLiteRt);
  // One made for another runtime (or converter, or weights) is never served: the model is
  // converted again, reads the same, and the copy is replaced.
  await setConvertedIdentity(page, kept!.key, 'converter 0; LiteRT.js 0.0.1 (/old.wasm), worker /old.js; weights 1 bytes stored 1');
  await page.reload();
  await analyze(page, text);
  expect(await textScores(page)).toEqual(fromLiteRt);
  await expect.poll(async () => (await convertedEntries(page))[0]?.identity).toBe(kept!.identity);

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Text engine on WASM').selectOption('onnxruntime');
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await analyze(page, text);
  await expect(page.getByTestId('text-engine')).toHaveText('ONNX Runtime');
  await expect(page.getByTestId('text-engine')).toHaveAttribute('data-engine', 'onnxruntime');
  const fromOrt = await textScores(page);
  for (const emotion of EMOTIONS) expect(fromLiteRt[emotion], emotion).toBeCloseTo(fromOrt[emotion] ?? -1, 4);

  // The choice is kept: after a reload the model starts again on ONNX Runtime.
  await page.reload();
  await expect(page.getByTestId('model-engine')).toContainText('ONNX Runtime');
});

test('a model the converter cannot take runs on ONNX Runtime, and the user is told why', async ({ page }) => {
  await page.goto('/');
  // The fixture model with a bound-less Clip on its logits: onnxruntime runs it, the converter refuses Clip.
  await useModel(page, 'moodlens/clip-emotion');
  await analyze(page, 'I am furious about this');
  await expect(page.getByTestId('top-emotion')).toHaveText('anger');
  await expect(page.getByTestId('text-engine')).toHaveText('ONNX Runtime');
  await expect(page.getByRole('status', { name: 'Notices' })).toContainText('LiteRT.js was not used: it could not run this model (the ONNX op Clip');
  await expect(page.getByRole('status', { name: 'Notices' })).toContainText('The model runs on ONNX Runtime.');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByTestId('engine-trial')).toContainText('LiteRT.js was not used here: it could not run this model (the ONNX op Clip');
  await expect(page.getByTestId('engine-trial')).toContainText('The model runs on ONNX Runtime.');
  await expect(page.getByTestId('engine-trial')).toHaveAttribute('data-chosen', 'onnxruntime');

  // Known now: the next load goes straight to ONNX Runtime, without trying LiteRT.js again.
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await waitForCachedFiles(page, MODEL_FILES.length);
  await page.reload();
  await expect(page.getByTestId('model-engine')).toContainText('ONNX Runtime');
  await expect(page.getByTestId('model-ready')).toContainText('LiteRT.js was not used here');
  await expect(page.getByRole('status', { name: 'Notices' })).toHaveCount(0);
});

test('after a first load that compared both engines, the model moves to a fresh worker, read from the cache; Settings lists it, and Unload frees it until the next analysis', async ({ page }) => {
  // The slower engine's runtime memory cannot be freed inside its worker (bench/memory.mjs: 491
  // MB against 240 MB with one engine), so the worker that ran the trial ends after the answer.
  const emotionWorkers = { started: 0, closed: 0 };
  page.on('worker', (worker) => {
    if (!/\/emotion-worker-[^/]+\.js$/u.test(worker.url())) return;
    emotionWorkers.started += 1;
    worker.on('close', () => (emotionWorkers.closed += 1));
  });
  await page.goto('/');
  await useModel(page, FIXTURE_ID);
  await analyzeText(page, 'I am so delighted today', 'joy');
  await resetHubLog();
  await expect.poll(() => emotionWorkers).toEqual({ started: 2, closed: 1 });
  // The next text is read in the new worker, on the engine chosen, with no model request.
  await analyzeText(page, 'I am furious about this', 'anger');
  expect(emotionWorkers).toEqual({ started: 2, closed: 1 });

  // Settings, Memory: what is loaded now, each with Unload.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByTestId('loaded-text')).toContainText(FIXTURE_ID);
  await expect(page.getByTestId('loaded-faces')).toHaveCount(0);
  await page.getByRole('button', { name: 'Unload the emotion model' }).click();
  await expect(page.getByTestId('loaded-message')).toHaveText('The emotion model is unloaded. The next analysis loads it again from this device.');
  await expect(page.getByTestId('loaded-none')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Memory' })).toBeFocused();
  // Its worker ended (that is what frees a wasm heap); a fresh one waits.
  await expect.poll(() => emotionWorkers).toEqual({ started: 3, closed: 2 });

  // The next analysis loads it from this device, says so with the time it took, and a text read
  // in the first worker still comes from the results cache (handed from worker to worker).
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
  await analyze(page, 'I am so delighted today');
  await expect(page.getByTestId('top-emotion')).toHaveText('joy');
  await expect(page.getByTestId('inference-time')).toContainText('from cache');
  await expect(page.getByRole('status', { name: 'Notices' })).toContainText(/The emotion model had been unloaded in Settings to free memory; loading it again from this device took \d+\.\d s\./u);
  expect(await hubRequests()).toEqual([]);
});
