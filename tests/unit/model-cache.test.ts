import { describe, expect, it } from 'vitest';
import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { createIdbModelCache, createMemoryModelCache, withMemoryFallback, type ModelFileStore } from '../../src/features/text/model-cache';

/** A store whose every call fails with `error`, counting the calls. */
function failingStore(error: Error): ModelFileStore & { calls: number } {
  const store = { calls: 0 } as ModelFileStore & { calls: number };
  for (const name of ['match', 'put', 'putBlob', 'meta', 'list', 'clear', 'isMissing', 'markMissing', 'getValue', 'setValue', 'clearValues'] as const) {
    (store as unknown as Record<string, () => Promise<never>>)[name] = async () => {
      store.calls += 1;
      throw error;
    };
  }
  return store;
}

const URL_A = 'http://127.0.0.1:1/a/b/resolve/main/config.json';

describe('withMemoryFallback', () => {
  it('keeps files in memory for the session once IndexedDB cannot be used, and says so', async () => {
    const primary = failingStore(new TypeError("Cannot read properties of undefined (reading 'open')"));
    const cache = withMemoryFallback(primary);
    expect(cache.degraded).toBe(false);
    expect(await cache.match(URL_A)).toBeUndefined();
    expect(cache.degraded).toBe(true);
    await cache.put(URL_A, new Response('{"a":1}', { headers: { 'content-type': 'application/json' } }));
    expect(await (await cache.match(URL_A))!.text()).toBe('{"a":1}');
    expect((await cache.list()).map((m) => [m.url, m.size, m.contentType])).toEqual([[URL_A, 7, 'application/json']]);
    await cache.markMissing(`${URL_A}.missing`);
    expect(await cache.isMissing(`${URL_A}.missing`)).toBe(true);
    expect(primary.calls).toBe(1); // after the first failure, IndexedDB is not tried again
  });

  it('lets a full disk through, without falling back', async () => {
    const cache = withMemoryFallback(failingStore(new DOMException('The quota has been exceeded.', 'QuotaExceededError')));
    await expect(cache.put(URL_A, new Response('x'))).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(cache.degraded).toBe(false);
  });

  it('uses IndexedDB while it works', async () => {
    const primary = createMemoryModelCache();
    const cache = withMemoryFallback(primary, failingStore(new Error('the fallback must not be used')));
    await cache.put(URL_A, new Response('x'));
    expect(await primary.meta(URL_A)).toMatchObject({ url: URL_A, size: 1 });
    expect(cache.degraded).toBe(false);
  });
});

describe('values kept about a model', () => {
  for (const [name, make] of [
    ['IndexedDB', () => createIdbModelCache(createStore(`moodlens-models-test-${Math.random()}`, 'files'))],
    ['memory', () => createMemoryModelCache()],
  ] as const) {
    it(`are stored, copied, and removed with the model's files (${name})`, async () => {
      const cache = make();
      const weights = 'http://127.0.0.1:1/a/b/resolve/main/onnx/model_quantized.onnx';
      const key = `${weights}#engine-trial/threaded/2`;
      const value = { engine: 'litert', litertMs: 40 };
      await cache.setValue(key, value);
      value.litertMs = 1;
      expect(await cache.getValue(key)).toEqual({ engine: 'litert', litertMs: 40 });
      await cache.put(weights, new Response('x'));
      // Not a file: Settings' list of cached files does not show it.
      expect((await cache.list()).map((m) => m.url)).toEqual([weights]);
      await cache.clear('http://127.0.0.1:1/other/');
      expect(await cache.getValue(key)).toBeDefined();
      await cache.clear(weights);
      expect(await cache.getValue(key)).toBeUndefined();
      await cache.setValue(key, value);
      await cache.clear();
      expect(await cache.getValue(key)).toBeUndefined();
      // "Measure again": the values go, the files stay.
      await cache.put(weights, new Response('x'));
      await cache.setValue(key, value);
      await cache.setValue('http://127.0.0.1:1/other/x#engine-trial/plain/1', value);
      expect(await cache.clearValues('http://127.0.0.1:1/a/')).toBe(1);
      expect(await cache.getValue(key)).toBeUndefined();
      expect(await cache.getValue('http://127.0.0.1:1/other/x#engine-trial/plain/1')).toBeDefined();
      expect(await cache.clearValues()).toBe(1);
      expect((await cache.list()).map((m) => m.url)).toEqual([weights]);
    });
  }
});
