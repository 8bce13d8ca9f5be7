// transformers.js set up for this app, once per worker that loads models with it (the emotion
// worker, the voice worker): models only from the Model host (every other origin refused, see
// model-files.ts), through the app's model cache (IndexedDB `moodlens-models`), never from the
// browser's Cache API or the hub's CDN paths; the runtime's wasm is an app file, not model data.
import { env } from '@huggingface/transformers';
import type { ModelFileStore } from '../model-cache';
import { createModelFetch, type FetchLike } from '../model-files';

/** What a worker's runtime drives of the set-up. */
export interface ModelEnv {
  /** The fetch transformers.js uses (and probes use): the model host only, resumed, retried once. */
  readonly fetch: FetchLike;
  /** Models come from `host` from now on (hub layout: <host>/<id>/resolve/main/<file>). */
  useHost(host: string): void;
  /** The signal of the load under way: a cancelled load stops downloading (whole files stay cached). */
  setLoadSignal(signal: AbortSignal | undefined): void;
}

/**
 * Sets transformers.js's `env` for `cache`. `customCache` is what transformers.js reads and writes
 * files through (the cache itself, or a wrapper that notices failed writes or serves held files).
 */
export function setUpTransformers(cache: ModelFileStore, customCache: Pick<ModelFileStore, 'match' | 'put'> = cache): ModelEnv {
  let allowedHost = '';
  let loadSignal: AbortSignal | undefined;
  const modelFetch = createModelFetch({
    fetch: (input, init) => fetch(input, loadSignal ? { ...init, signal: init?.signal ? AbortSignal.any([init.signal, loadSignal]) : loadSignal } : init),
    cache,
    allowedHost: () => allowedHost,
    isOnline: () => navigator.onLine,
  });
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.useBrowserCache = false;
  // The runtime wasm is an app file (served and, later, precached by us), not model data.
  env.useWasmCache = false;
  env.useCustomCache = true;
  env.customCache = customCache;
  env.fetch = modelFetch;
  return {
    fetch: modelFetch,
    useHost(host) {
      allowedHost = host;
      env.remoteHost = `${host}/`;
      env.remotePathTemplate = '{model}/resolve/{revision}/';
    },
    setLoadSignal(signal) {
      loadSignal = signal;
    },
  };
}
