// Baseline benchmarks of the text channel in Node on the fixture model (`npm run bench`).
// They measure our own work around the model (tokenising, chunking, combining) and the real
// transformers.js pipeline per dtype; the fixture is tiny, so model time here is mostly overhead.
// Issue 6 adds the real-shape model and browser numbers.
import { env, pipeline, type TextClassificationPipeline } from '@huggingface/transformers';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { chunkText } from '../src/features/text/chunking';

env.allowRemoteModels = false;
env.localModelPath = join(process.cwd(), 'tests/fixtures/model/');
const ID = 'moodlens/tiny-emotion';

const load = (dtype: 'q8' | 'fp32') =>
  pipeline('text-classification', ID, { dtype, session_options: { intraOpNumThreads: 2 } }) as Promise<TextClassificationPipeline>;
const q8 = await load('q8');
const fp32 = await load('fp32');
const count = (t: string) => q8.tokenizer.encode(t, { add_special_tokens: false }).length;

const SHORT = 'I finally got the job and I am so delighted, but a bit scared too!';
const LONG = Array.from({ length: 400 }, (_, i) => (i % 3 ? 'We are so happy and delighted today.' : 'Then it rained and I felt sad.')).join(' ');
const longChunks = chunkText(LONG, count).map((c) => c.text);

describe('one short text (16 tokens)', () => {
  bench('q8 pipeline', async () => {
    await q8(SHORT, { top_k: null });
  });
  bench('fp32 pipeline', async () => {
    await fp32(SHORT, { top_k: null });
  });
});

describe(`long text (${count(LONG)} tokens, ${longChunks.length} chunks)`, () => {
  bench('chunkText with the real tokenizer', () => {
    chunkText(LONG, count);
  });
  bench('classify chunks in one batch (q8)', async () => {
    await q8(longChunks, { top_k: null });
  });
  bench('classify chunks one by one (q8)', async () => {
    for (const c of longChunks) await q8(c, { top_k: null });
  });
});

describe('model load from disk', () => {
  bench('q8', async () => {
    await (await load('q8')).dispose();
  }, { iterations: 5, time: 0 });
  bench('fp32', async () => {
    await (await load('fp32')).dispose();
  }, { iterations: 5, time: 0 });
});
