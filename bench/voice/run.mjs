#!/usr/bin/env node
// The voice channel's speed in the app (issue 30), in Chromium on this machine: a minute of speech
// (espeak-ng's two sentences from tests/fixtures/audio, repeated to 60 s) through the real Silero
// VAD, a speech model of whisper-base's shape and size (make-speech-model.mjs: encoder fp32,
// decoder int8, saying as many tokens as Whisper says for speech) and a tone model of
// wav2vec2-base's (make-tone-model.mjs), both with random weights, WASM, cross-origin isolated;
// then the words of each segment read by the text model (distilroberta's shape, int8). Prints the
// real-time factor (seconds of recording per second of work) of the whole pipeline and of each
// stage, from pressing Analyze to the result on screen, for the first run (downloads and loads
// included) and a second one (models loaded), and the main thread's tasks over 50 ms meanwhile.
//
//   npm run build && node bench/voice/run.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, longTasksBetween } from '../real-shape/browser.mjs';
import { MODELS_DIR } from '../real-shape/make-model.mjs';
import { startServers } from '../real-shape/servers.mjs';
import { TOKENS_PER_WINDOW } from './make-speech-model.mjs';
import { answerDownloadQuestions, ensureVoiceBenchModels, openVoiceBenchApp } from './app.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SECONDS = 60;
const TARGET_RTF = 2; // 60 s of speech in at most 30 s

/** A 16 kHz mono 16-bit WAV of `seconds`, the fixture's speech repeated. */
function minuteOfSpeech(seconds) {
  const source = fs.readFileSync(path.join(ROOT, 'tests/fixtures/audio/two-sentences.wav'));
  const dataAt = source.indexOf('data') + 8;
  const pcm = source.subarray(dataAt);
  const bytes = seconds * 16000 * 2;
  const out = Buffer.alloc(44 + bytes);
  source.copy(out, 0, 0, 44);
  for (let at = 0; at < bytes; at += pcm.length) pcm.copy(out, 44 + at, 0, Math.min(pcm.length, bytes - at));
  out.writeUInt32LE(36 + bytes, 4);
  out.writeUInt32LE(bytes, 40);
  const file = path.join(ROOT, 'bench/.cache', `speech-${seconds}s.wav`);
  fs.writeFileSync(file, out);
  return file;
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

ensureVoiceBenchModels();
const wav = minuteOfSpeech(SECONDS);
const servers = await startServers({ dist: path.join(ROOT, 'dist'), models: MODELS_DIR, driver: path.join(HERE, '../real-shape/driver.js') });
const browser = await launchChromium('node bench/voice/run.mjs');
const context = await browser.newContext();
const page = await context.newPage();
await openVoiceBenchApp(page, servers);

async function run(label) {
  await page.getByLabel('Audio', { exact: true }).setInputFiles(wav);
  const t0 = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  const time = page.getByTestId('voice-time');
  const failure = page.getByTestId('voice-error');
  const asked = await answerDownloadQuestions(page, page.getByTestId('voice-count'), failure);
  // The run is over when Analyze is no longer busy (the last run's result stays on screen until then).
  await page.waitForFunction(() => document.querySelector('.results[aria-busy="true"]') === null, null, { timeout: 600_000, polling: 50 });
  await page.getByTestId('voice-count').or(failure).first().waitFor({ timeout: 600_000 });
  if (await failure.isVisible()) throw new Error(`the voice channel failed: ${await failure.textContent()}`);
  const t1 = await page.evaluate(() => performance.now());
  await page.getByTestId('voice-detail').locator('summary').click();
  const n = (name) => time.getAttribute(name).then(Number);
  const r = {
    label,
    screenMs: t1 - t0 - asked,
    elapsedMs: await n('data-elapsed-ms'),
    duration: await n('data-duration'),
    segmentsMs: await n('data-segments-ms'),
    speechLoadMs: await n('data-speech-load-ms'),
    speechMs: await n('data-speech-ms'),
    encodeMs: await n('data-speech-encode-ms'),
    languageMs: await n('data-speech-language-ms'),
    decodeMs: await n('data-speech-decode-ms'),
    tokens: await n('data-speech-tokens'),
    windows: await n('data-windows'),
    toneLoadMs: await n('data-tone-load-ms'),
    toneMs: await n('data-tone-ms'),
    segments: Number(await page.getByTestId('voice-count').getAttribute('data-value')),
    words: await page.getByTestId('voice-segment').evaluateAll((els) => els.filter((el) => el.getAttribute('data-words')).length),
  };
  const tasks = await longTasksBetween(page, t0, t1);
  r.longTasks = tasks.length;
  r.longestTaskMs = Math.max(0, ...tasks.map((t) => t.duration));
  await page.getByRole('button', { name: 'Remove recording' }).click();
  return r;
}

const first = await run('first (download and load)');
const second = await run('second (model loaded)');
await browser.close();
await servers.close();

console.log(`\nVoice channel, ${SECONDS} s of speech (Silero VAD, whisper-base-shaped speech model (encoder fp32, decoder q8, ${TOKENS_PER_WINDOW} tokens per 30 s window), wav2vec2-base-shaped tone model (q8), WASM, 2 threads; then the text model on the words):`);
const rt = (r, ms) => `${(r.duration / (ms / 1000)).toFixed(1)}x real time`;
for (const r of [first, second]) {
  const rtf = r.duration / (r.screenMs / 1000);
  console.log(`  ${r.label}: ${r.segments} segments (${r.words} with words read) on screen after ${fmt(r.screenMs)} (the questions' wait left out): ${rtf.toFixed(2)}x real time, target at least ${TARGET_RTF}x (60 s in 30 s): ${rtf >= TARGET_RTF ? 'met' : 'NOT MET'}`);
  console.log(`    in the voice worker ${fmt(r.elapsedMs)}: segments (VAD) ${fmt(r.segmentsMs)} (${rt(r, r.segmentsMs)}); speech model load ${fmt(r.speechLoadMs)}, words ${fmt(r.speechMs)} (${rt(r, r.speechMs)}); tone model load ${fmt(r.toneLoadMs)}, tones ${fmt(r.toneMs)} (${rt(r, r.toneMs)})`);
  console.log(`    words: ${r.windows} windows of up to 30 s: encoder ${fmt(r.encodeMs)} (${fmt(r.encodeMs / r.windows)} a window), language ${fmt(r.languageMs)}, decoding ${fmt(r.decodeMs)} for ${r.tokens} tokens (${fmt(r.decodeMs / Math.max(1, r.tokens))} a token)`);
  console.log(`    decoding, the text model on the transcript and the words, and the page: ${fmt(r.screenMs - r.elapsedMs)}`);
  console.log(`    main-thread tasks over 50 ms: ${r.longTasks} (longest ${fmt(r.longestTaskMs)})`);
}
