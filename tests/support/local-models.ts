// transformers.js in the Node tests, reading the repo's fixture models from disk only (never the
// network, never its file cache): `useFixtureModels()` switches it there and returns the undo.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { env } from '@huggingface/transformers';

const MODELS = path.resolve(fileURLToPath(new URL('../fixtures/model', import.meta.url)));

export function useFixtureModels(): () => void {
  const saved = { allowRemoteModels: env.allowRemoteModels, allowLocalModels: env.allowLocalModels, localModelPath: env.localModelPath, useFSCache: env.useFSCache };
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${MODELS}/`;
  env.useFSCache = false;
  return () => Object.assign(env, saved);
}
