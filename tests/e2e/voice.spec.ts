// The voice channel in Chromium (issue 30): a recording decoded by the browser, its speech found by
// the real Silero VAD (served from our origin) in the voice worker, what was said read by the
// Whisper-shaped fixture (scripts/make-whisper-fixture.mjs: it hears where the speech is and how
// loud, and says the fixture's sentences) through transformers.js's Whisper code, each segment's
// tone read by the tone fixture (loudness only, the real model's 8 labels), the words read by the
// text model, all fused. The speech is espeak-ng's: a loud happy sentence, a pause, a quiet sad one.
import Papa from 'papaparse';
import type { Page } from '@playwright/test';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/shared/emotions';
import { expect, hubRequests, test, textScores, useVoiceModels, watchMediaTracks } from './support';

const TONE_ID = 'moodlens/tiny-tone';
const SPEECH_ID = 'moodlens/tiny-whisper';
const HAPPY = 'I am so happy today, everything went well.';
const SAD = 'This is terrible news. I feel very sad.';
const audioFile = (name: string) => join(process.cwd(), 'tests/fixtures/audio', name);

/** The segments as the page shows them. */
async function segments(page: Page) {
  const items = page.getByTestId('voice-segment');
  return items.evaluateAll((els) =>
    els.map((el) => ({ start: Number(el.getAttribute('data-start')), end: Number(el.getAttribute('data-end')), tone: el.getAttribute('data-tone'), words: el.getAttribute('data-words') })),
  );
}

test.describe('the voice of a recording, read on this device', () => {
  test('two sentences with a pause: two segments in order, their words and tones, the transcript, scores that sum to 1, fused with the text, kept in History without the sound', async ({ page }) => {
    await page.goto('/');
    await useVoiceModels(page);
    await page.getByLabel('Text', { exact: true }).fill('I am so happy today');
    await page.getByLabel('Audio', { exact: true }).setInputFiles(audioFile('two-sentences.wav'));
    await expect(page.getByTestId('audio-info')).toContainText('two-sentences.wav');
    await expect(page.getByTestId('audio-info')).toContainText('not uploaded');
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
    const download = page.getByRole('button', { name: 'Download and analyze' });
    await expect(download.or(page.getByTestId('voice-count'))).toBeVisible();
    if (await download.isVisible()) await download.click();

    await expect(page.getByTestId('voice-count')).toHaveAttribute('data-value', '2');
    const found = await segments(page);
    expect(found).toHaveLength(2);
    const [first, second] = found as [(typeof found)[number], (typeof found)[number]];
    expect(first.start).toBeLessThan(first.end);
    expect(first.end).toBeLessThan(second.start);
    expect(second.start).toBeLessThan(second.end);
    // 0.5 s of silence, the first sentence, 1.5 s of silence, the second (the WAV is 9.24 s).
    expect(first.start).toBeGreaterThan(0.2);
    expect(first.end).toBeLessThan(4.2);
    expect(second.start).toBeGreaterThan(4.3);
    expect(second.end).toBeLessThanOrEqual(9.25);
    // The loud sentence sounds joyful, the quiet one sad (the fixture reads loudness).
    expect(first.tone).toBe('joy');
    expect(second.tone).toBe('sadness');
    // What was said in each, read by the text model. The first sentence's words agree with its
    // voice. The second's do not: the fixture text model is a bag of tokens, and "news" falls to
    // the pieces n-ew-s, whose "ew" it counts as disgust; so the words say disgust, the voice
    // sounds sad, and the page says they disagree.
    expect(first.words).toBe('joy');
    expect(second.words).toBe('disgust');
    await expect(page.getByTestId('voice-segment').first()).toHaveAttribute('data-agree', 'true');
    await expect(page.getByTestId('voice-segment').nth(1)).toHaveAttribute('data-agree', 'false');
    await expect(page.getByTestId('voice-segment').nth(1)).toContainText('the words say disgust, the voice sounds sadness');
    await expect(page.getByTestId('voice-count')).toContainText('in 1 of them the words and the voice disagree');
    await expect(page.getByTestId('voice-segment').first()).toContainText(HAPPY);
    await expect(page.getByTestId('voice-segment').nth(1)).toContainText(SAD);
    await expect(page.getByTestId('transcript')).toHaveText(`${HAPPY} ${SAD}`);
    await expect(page.getByTestId('transcript')).toHaveAttribute('data-language', 'en');
    await expect(page.getByTestId('voice-timeline')).toBeVisible();

    await page.getByTestId('voice-detail').locator('summary').click();
    const voice = await textScores(page, 'voice-scores');
    expect(Object.keys(voice).sort()).toEqual([...EMOTIONS].sort());
    expect(Object.values(voice).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', 'text+voice');
    await expect(page.getByTestId('top-emotion')).toHaveText('joy');

    // The voice models came from the model host, like the text model: the tone model's int8
    // weights, the speech model's fp32 encoder and int8 decoder.
    const hub = (await hubRequests()).map((r) => r.path);
    expect(hub.some((p) => p.startsWith(`/${TONE_ID}/resolve/main/onnx/model_quantized.onnx`))).toBe(true);
    expect(hub.some((p) => p.startsWith(`/${TONE_ID}/resolve/main/config.json`))).toBe(true);
    expect(hub.some((p) => p.startsWith(`/${SPEECH_ID}/resolve/main/onnx/encoder_model.onnx`))).toBe(true);
    expect(hub.some((p) => p.startsWith(`/${SPEECH_ID}/resolve/main/onnx/decoder_model_merged_quantized.onnx`))).toBe(true);
    // (transformers.js asks the int8 encoder's size with a one-byte range request; it never downloads it.)
    const downloads = (await hubRequests()).filter((r) => r.range === null).map((r) => r.path);
    expect(downloads.some((p) => p.startsWith(`/${SPEECH_ID}/resolve/main/onnx/encoder_model_quantized.onnx`))).toBe(false);

    // History keeps the segments and the scores, not the sound.
    await page.reload();
    await page.getByRole('button', { name: 'History', exact: true }).click();
    await page.getByTestId('history-item').first().getByRole('button', { name: /open/i }).first().click();
    await expect(page.getByTestId('voice-segment')).toHaveCount(2);
    expect((await segments(page)).map((s) => [s.tone, s.words])).toEqual([
      ['joy', 'joy'],
      ['sadness', 'disgust'],
    ]);
    await expect(page.getByTestId('transcript')).toHaveAttribute('data-language', 'en');
    await expect(page.getByRole('button', { name: /^Play segment/ })).toHaveCount(0);
    const stored = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('moodlens-history');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const names = [...db.objectStoreNames];
      const values = await new Promise<unknown[]>((resolve) => {
        const req = db.transaction(names[0]!).objectStore(names[0]!).getAll();
        req.onsuccess = () => resolve(req.result as unknown[]);
      });
      db.close();
      return JSON.stringify(values.map((v) => (v as { voicePart?: unknown }).voicePart));
    });
    expect(stored).toContain('"segments"');
    expect(stored).toContain(HAPPY);
    expect(stored).not.toMatch(/audio|blob|wav/i);
  });

  test('a compressed stereo file (Ogg/Opus, 48 kHz) is decoded and resampled on the device: the same two segments', async ({ page }) => {
    await page.goto('/');
    await useVoiceModels(page);
    await page.getByLabel('Audio', { exact: true }).setInputFiles(audioFile('two-sentences.ogg'));
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
    await expect(page.getByTestId('voice-count')).toHaveAttribute('data-value', '2');
    const found = await segments(page);
    const [first, second] = found as [(typeof found)[number], (typeof found)[number]];
    // Where the WAV's are (the same speech): resampled from 48 kHz to 16 kHz and mixed to mono.
    expect(first.start).toBeGreaterThan(0.2);
    expect(first.start).toBeLessThan(0.8);
    expect(first.end).toBeGreaterThan(2.8);
    expect(first.end).toBeLessThan(4.2);
    expect(second.start).toBeGreaterThan(4.3);
    expect(second.start).toBeLessThan(5.5);
    // Opus keeps the loudness closely enough: the quiet sentence still sounds sad, the loud one not.
    expect(second.tone).toBe('sadness');
    expect(first.tone).not.toBe('sadness');
    // No text typed: the transcript is the run's text, read by the text channel and fused with the voice.
    await expect(page.getByTestId('transcript')).toHaveText(`${HAPPY} ${SAD}`);
    await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', 'text+voice');
    expect(found.map((s) => s.words)).toEqual(['joy', 'disgust']);

    // Settings lists the voice models as loaded; Unload ends their worker.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByTestId('loaded-voice')).toContainText(TONE_ID);
    await expect(page.getByTestId('loaded-voice')).toContainText(SPEECH_ID);
    await page.getByRole('button', { name: 'Unload the voice models' }).click();
    await expect(page.getByTestId('loaded-voice')).toHaveCount(0);
    await expect(page.getByTestId('loaded-message')).toContainText('The voice models are unloaded');
    // And the next recording loads them again.
    await page.getByRole('button', { name: 'Analysis', exact: true }).click();
    await page.getByLabel('Audio', { exact: true }).setInputFiles(audioFile('two-sentences.wav'));
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
    await expect(page.getByTestId('voice-count')).toHaveAttribute('data-value', '2');
  });

  test('a file the browser cannot decode says so, and a recording without speech leaves the channel out with a sentence', async ({ page }) => {
    await page.goto('/');
    await useVoiceModels(page);
    await page.getByLabel('Audio', { exact: true }).setInputFiles({ name: 'broken.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('not audio at all') });
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
    await expect(page.getByTestId('voice-error')).toContainText('could not be decoded');

    // One second of silence as a 16-bit WAV.
    const samples = 16000;
    const wav = Buffer.alloc(44 + samples * 2);
    wav.write('RIFF', 0);
    wav.writeUInt32LE(36 + samples * 2, 4);
    wav.write('WAVEfmt ', 8);
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20);
    wav.writeUInt16LE(1, 22);
    wav.writeUInt32LE(16000, 24);
    wav.writeUInt32LE(32000, 28);
    wav.writeUInt16LE(2, 32);
    wav.writeUInt16LE(16, 34);
    wav.write('data', 36);
    wav.writeUInt32LE(samples * 2, 40);
    await page.getByLabel('Text', { exact: true }).fill('A quiet day at the office');
    await page.getByLabel('Audio', { exact: true }).setInputFiles({ name: 'silence.wav', mimeType: 'audio/wav', buffer: wav });
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
    await expect(page.getByTestId('voice-count')).toContainText('No speech found');
    await expect(page.getByTestId('voice-count')).toHaveAttribute('data-value', '0');
    await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', 'text');
  });

  test('Record: the microphone is asked for only on click, gives a result, and every track stops at Stop recording', async ({ page, context }) => {
    await context.grantPermissions(['microphone']);
    // Counts the microphone's tracks and how many are still live.
    const mic = await watchMediaTracks(page);
    await page.goto('/');
    await useVoiceModels(page);
    expect(await mic()).toEqual({ all: 0, live: 0 });
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await expect(page.getByTestId('recording-status')).toContainText('Recording');
    expect((await mic()).live).toBe(1);
    // Chromium's fake microphone plays the two-sentence WAV (playwright.config.ts) in a loop: four seconds of it.
    await page.waitForTimeout(4000);
    await page.getByRole('button', { name: 'Stop recording' }).click();
    await expect(page.getByTestId('audio-info')).toContainText('Recording');
    expect(await mic()).toEqual({ all: 1, live: 0 });
    await expect(page.getByRole('button', { name: 'Record', exact: true })).toBeFocused();
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
    // Its speech is found (the recording is WebM/Opus from MediaRecorder, decoded like any file).
    await expect(page.getByTestId('voice-top')).toBeVisible();
    expect(Number(await page.getByTestId('voice-count').getAttribute('data-value'))).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('voice-error')).toHaveCount(0);
    // Its words too: the loud sentence (the first of the fake microphone's loop) was heard.
    await expect(page.getByTestId('transcript')).toContainText(HAPPY);
    await expect(page.getByTestId('dashboard')).toHaveAttribute('data-channels', 'text+voice');
  });

  test('Batch: an Audio column with its Audio folder reads each recording on the device and exports voice_p_*, the transcript and the fused answer', async ({ page }, testInfo) => {
    const folder = testInfo.outputPath('calls');
    await mkdir(folder, { recursive: true });
    await copyFile(audioFile('two-sentences.wav'), join(folder, 'call-1.wav'));
    await copyFile(audioFile('two-sentences.ogg'), join(folder, 'call-2.ogg'));
    const csv = ['id,note,recording', '1,I am so happy today,call-1.wav', '2,,CALL-2.OGG', '3,I am furious about this,gone.wav'].join('\n');
    await page.goto('/');
    await useVoiceModels(page);
    await page.getByRole('button', { name: 'Batch', exact: true }).click();
    await page.getByLabel('Batch file').setInputFiles({ name: 'calls.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect(page.getByLabel('Audio column').locator('option:checked')).toHaveText('recording');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page.getByTestId('batch-message')).toContainText('Pick the Audio folder first');
    await page.getByLabel('Audio folder').setInputFiles(folder);
    await expect(page.locator('#batch-audio-help')).toContainText('2 files in calls');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page.getByTestId('batch-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV', exact: true }).click()]);
    const rows = Papa.parse<Record<string, string>>(await readFile((await download.path())!, 'utf8'), { header: true, skipEmptyLines: true }).data;
    expect(rows.map((r) => r.status)).toEqual(['ok', 'ok', 'partial']);
    for (const r of rows.slice(0, 2)) {
      const voice = EMOTIONS.map((e) => Number(r[`voice_p_${e}`]));
      expect(voice.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(r.transcript).toBe(`${HAPPY} ${SAD}`);
      expect(r.language).toBe('en');
      expect(r.model).toContain(SPEECH_ID);
      // Equal weights (the default): the fused answer is the mean of the text's and the voice's.
      for (const e of EMOTIONS) expect(Number(r[`fused_p_${e}`])).toBeCloseTo((Number(r[`p_${e}`]) + Number(r[`voice_p_${e}`])) / 2, 4);
    }
    // The row without a note: what was said is its text.
    expect(Number(rows[1]!.p_joy)).toBeGreaterThan(0);
    expect(rows[2]).toMatchObject({ error: 'gone.wav is not in the audio folder.', emotion: 'anger', voice_p_joy: '', transcript: '' });
  });
});
