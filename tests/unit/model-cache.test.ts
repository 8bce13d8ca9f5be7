import { describe, expect, it } from 'vitest';
import { createMemoryModelCache, withMemoryFallback, type ModelFileStore } from '../../src/lib/ml/model-cache';

/** A store whose every call fails with `error`, counting the calls. */
function failingStore(error: Error): ModelFileStore & { calls: number } {
  const store = { calls: 0 } as ModelFileStore & { calls: number };
  for (const name of ['match', 'put', 'putBlob', 'meta', 'list', 'clear', 'isMissing', 'markMissing'] as const) {
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
