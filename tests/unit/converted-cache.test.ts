// The converted TFLite models kept beside a model's ONNX file (litert/converted-cache.ts): served
// back only to the same weights, converter and runtime; never half-written; removed with the
// model; and a cache that cannot be written costs a conversion, nothing more.
import { describe, expect, it } from 'vitest';
import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { createIdbModelCache, type ModelFileStore } from '../../src/features/text/model-cache';
import { CONVERTER_VERSION, convertedStore, convertedKey, type ConvertedShape } from '../../src/features/text/litert/converted-cache';

const WEIGHTS = 'http://127.0.0.1:1/a/b/resolve/main/onnx/model_quantized.onnx';
const RUNTIME = 'LiteRT.js 2.5.3 (/assets/litert-abc.wasm), worker /assets/emotion-worker-1.js';
const inputs = [
  { name: 'input_ids', shape: [1, 64], type: 'int32' as const },
  { name: 'attention_mask', shape: [1, 64], type: 'int32' as const },
];
const shape = (fill: number): ConvertedShape => ({ tflite: new Uint8Array(1000).fill(fill), inputs });

let stores = 0;
async function withWeights(size = 100): Promise<ModelFileStore> {
  const cache = createIdbModelCache(createStore(`converted-${++stores}`, 'files'));
  await cache.putBlob(WEIGHTS, new Blob([new Uint8Array(size)]));
  return cache;
}

describe('convertedStore', () => {
  it('serves a kept model back, bytes and inputs, for the same weights and runtime', async () => {
    const cache = await withWeights();
    const store = convertedStore(cache, WEIGHTS, RUNTIME);
    expect(await store.get(64)).toBeUndefined();
    await store.put(64, shape(7));
    const kept = await store.get(64);
    expect(kept?.inputs).toEqual(inputs);
    expect([...kept!.tflite]).toEqual([...shape(7).tflite]);
    // Each length is its own model.
    expect(await store.get(128)).toBeUndefined();
    // It is not one of the files the host serves (Settings lists those)...
    expect((await cache.list()).map((f) => f.url)).toEqual([WEIGHTS]);
    // ...but it lives under the weights' URL, so it is removed with the model's files.
    await cache.clear('http://127.0.0.1:1/a/b/');
    expect(await store.get(64)).toBeUndefined();
    expect(await cache.getValue(convertedKey(WEIGHTS, 64))).toBeUndefined();
  });

  it('never serves a model converted from other weights: a new download of the file is a miss', async () => {
    const cache = await withWeights(100);
    await convertedStore(cache, WEIGHTS, RUNTIME).put(64, shape(1));
    await new Promise((r) => setTimeout(r, 5));
    // The same URL stored again (a new version downloaded, or another folder loaded from disk).
    await cache.putBlob(WEIGHTS, new Blob([new Uint8Array(100)]));
    const store = convertedStore(cache, WEIGHTS, RUNTIME);
    expect(await store.get(64)).toBeUndefined();
    await store.put(64, shape(2));
    expect((await store.get(64))?.tflite[0]).toBe(2);
    // Weights no longer on the device: nothing is served, and nothing is kept.
    await cache.clear(WEIGHTS);
    expect(await store.get(64)).toBeUndefined();
    await store.put(64, shape(3));
    expect(await cache.getValue(convertedKey(WEIGHTS, 64))).toBeUndefined();
  });

  it('never serves a model made for another runtime or converter version', async () => {
    const cache = await withWeights();
    await convertedStore(cache, WEIGHTS, RUNTIME).put(64, shape(1));
    expect(await convertedStore(cache, WEIGHTS, RUNTIME.replace('2.5.3', '2.6.0')).get(64)).toBeUndefined();
    expect(await convertedStore(cache, WEIGHTS, RUNTIME.replace('emotion-worker-1', 'emotion-worker-2')).get(64)).toBeUndefined();
    // The converter's version is part of what is recorded with each model.
    const entry = (await cache.getValue(convertedKey(WEIGHTS, 64))) as { identity: string };
    expect(entry.identity).toContain(`converter ${CONVERTER_VERSION};`);
    await cache.setValue(convertedKey(WEIGHTS, 64), { ...entry, identity: entry.identity.replace(`converter ${CONVERTER_VERSION};`, `converter ${CONVERTER_VERSION - 1};`) });
    expect(await convertedStore(cache, WEIGHTS, RUNTIME).get(64)).toBeUndefined();
  });

  it('a write that fails keeps what was there, and never serves the new model under the old entry', async () => {
    const cache = await withWeights();
    await convertedStore(cache, WEIGHTS, RUNTIME).put(64, shape(1));
    const full: ModelFileStore = { ...cache, setValue: async () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')) };
    await expect(convertedStore(full, WEIGHTS, RUNTIME.replace('2.5.3', '2.6.0')).put(64, shape(2))).resolves.toBeUndefined();
    expect((await convertedStore(cache, WEIGHTS, RUNTIME).get(64))?.tflite[0]).toBe(1);
    expect(await convertedStore(cache, WEIGHTS, RUNTIME.replace('2.5.3', '2.6.0')).get(64)).toBeUndefined();
  });

  it('a cache that cannot be read or written: put resolves, get misses (the model is converted each time)', async () => {
    const broken = await withWeights();
    const failing = new Proxy(broken, {
      get: (target, name: keyof ModelFileStore) => (typeof target[name] === 'function' ? async () => Promise.reject(new DOMException('IndexedDB is broken.', 'UnknownError')) : target[name]),
    });
    const store = convertedStore(failing, WEIGHTS, RUNTIME);
    await expect(store.put(64, shape(1))).resolves.toBeUndefined();
    await expect(store.get(64)).resolves.toBeUndefined();
  });
});
