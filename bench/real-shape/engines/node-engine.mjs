// onnxruntime-node behind transformers.js (the same pipeline code the app runs, on the native
// runtime): what a user gets from a small local server. Speaks JSON lines on stdin/stdout:
//   { id, cmd: 'load', modelsDir, modelId, dtype, threads }  -> { id, ms }
//   { id, cmd: 'run', texts }                                -> { id, ms }
import { createInterface } from 'node:readline';
import { env, pipeline } from '@huggingface/transformers';

env.allowRemoteModels = false;
let classify = null;

async function handle(msg) {
  if (msg.cmd === 'load') {
    env.localModelPath = msg.modelsDir;
    const t0 = performance.now();
    classify = await pipeline('text-classification', msg.modelId, {
      dtype: msg.dtype,
      session_options: { intraOpNumThreads: msg.threads, interOpNumThreads: 1 },
    });
    return { ms: performance.now() - t0 };
  }
  if (msg.cmd === 'run') {
    const t0 = performance.now();
    await classify(msg.texts, { top_k: null });
    return { ms: performance.now() - t0 };
  }
  throw new Error(`unknown command ${msg.cmd}`);
}

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  const msg = JSON.parse(line);
  queue = queue.then(async () => {
    try {
      process.stdout.write(`${JSON.stringify({ id: msg.id, ...(await handle(msg)) })}\n`);
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ id: msg.id, error: String(err?.stack ?? err) })}\n`);
    }
  });
});
lines.on('close', () => queue.then(() => process.exit(0)));
