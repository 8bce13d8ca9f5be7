// The app as the voice and video benches drive it: the models of the real shapes (the text
// model's, whisper-base's, wav2vec2-base's, random weights) made once, set in Settings as a user
// would, and the download questions of a first run answered.
import { BENCH_MODEL_ID, ensureBenchModel } from '../real-shape/make-model.mjs';
import { recordLongTasks } from '../real-shape/browser.mjs';
import { SPEECH_BENCH_ID, ensureSpeechBenchModel } from './make-speech-model.mjs';
import { TONE_BENCH_ID, ensureToneBenchModel } from './make-tone-model.mjs';

/** Makes the three models unless they are in bench/.cache already. */
export function ensureVoiceBenchModels() {
  const log = (m) => console.log(`  ${m}`);
  ensureBenchModel({ log });
  ensureSpeechBenchModel({ log });
  ensureToneBenchModel({ log });
}

/** Opens the app on `page` (its long tasks recorded) with the bench models from `servers.hub`. */
export async function openVoiceBenchApp(page, servers) {
  await recordLongTasks(page);
  await page.goto(`${servers.isolated}/`);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Model host').fill(servers.hub);
  // The bench hub serves `<id>-int8` as the model with only its int8 weights (servers.mjs).
  await page.getByLabel('Model id').fill(`${BENCH_MODEL_ID}-int8`);
  await page.getByLabel('Speech model').fill(`${SPEECH_BENCH_ID}-int8`);
  await page.getByLabel('Tone model').fill(`${TONE_BENCH_ID}-int8`);
  await page.waitForTimeout(500);
  await page.getByRole('button', { name: 'Analysis', exact: true }).click();
}

/**
 * Answers yes to the download questions of a first run (the voice models', then the text
 * model's for the transcript) until `done` shows; throws when `failure` shows. Returns the ms the
 * questions waited, to leave out of the timing.
 */
export async function answerDownloadQuestions(page, done, failure = null) {
  const questions = page.getByRole('button', { name: 'Download the voice models and analyze' }).or(page.getByRole('button', { name: 'Download and analyze' }));
  let asked = 0;
  for (;;) {
    await (failure ? questions.or(done).or(failure) : questions.or(done)).first().waitFor({ timeout: 900_000 });
    if (failure && (await failure.isVisible())) throw new Error(`the voice channel failed: ${await failure.textContent()}`);
    if (!(await questions.first().isVisible())) return asked;
    const before = await page.evaluate(() => performance.now());
    await questions.first().click();
    asked += (await page.evaluate(() => performance.now())) - before;
  }
}
