import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/features/text/model-errors';
import { DISK_MODEL_HOST, DISK_MODEL_ID, modelFileUrl } from '../../src/features/text/model-source';
import { createMemoryModelCache } from '../../src/features/text/model-cache';
import { createModelFetch, probeModelFiles, type FetchLike } from '../../src/features/text/model-files';

const HOST = 'http://127.0.0.1:4999';
const source = { host: HOST, modelId: 'owner/model' };
const sizes: Record<string, number> = {
  'config.json': 700,
  'tokenizer.json': 3000,
  'tokenizer_config.json': 300,
  'onnx/model_quantized.onnx': 80_000,
};

/** A fake hub: answers range requests with content-range, records every URL. */
function fakeHub(files: Record<string, number> = sizes) {
  const calls: string[] = [];
  const fetch: FetchLike = async (input, init) => {
    const url = String(input);
    calls.push(`${new Headers(init?.headers).get('range') ?? 'GET'} ${url}`);
    const file = url.split('/resolve/main/')[1] ?? '';
    const size = files[file];
    if (size === undefined) return new Response('nope', { status: 404 });
    if (new Headers(init?.headers).has('range')) {
      return new Response('x', { status: 206, headers: { 'content-range': `bytes 0-0/${size}` } });
    }
    return new Response(new Uint8Array(size), { status: 200, headers: { 'content-length': String(size) } });
  };
  return { fetch, calls };
}

function modelFetch(fetch: FetchLike, cache = createMemoryModelCache(), online = true) {
  return createModelFetch({ fetch, cache, allowedHost: () => HOST, isOnline: () => online, retryDelayMs: 1 });
}

describe('model fetch', () => {
  it('refuses any host but the model host', async () => {
    const { fetch, calls } = fakeHub();
    const f = modelFetch(fetch);
    const err = await f('https://evil.example/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: 'blocked', subject: 'https://evil.example' });
    // A host that merely starts with the same text is another host.
    await expect(f(`${HOST}0/a/b/resolve/main/config.json`)).rejects.toMatchObject({ code: 'blocked' });
    expect(calls).toEqual([]);
  });

  it('answers 404 for the disk source without any request', async () => {
    const { fetch, calls } = fakeHub();
    const res = await modelFetch(fetch)(modelFileUrl({ host: DISK_MODEL_HOST, modelId: DISK_MODEL_ID }, 'config.json'));
    expect(res.status).toBe(404);
    expect(calls).toEqual([]);
  });

  it('maps network failures to offline or host-unreachable', async () => {
    const failing: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(modelFetch(failing, undefined, false)(`${HOST}/a/b/resolve/main/config.json`)).rejects.toMatchObject({ code: 'offline' });
    await expect(modelFetch(failing, undefined, true)(`${HOST}/a/b/resolve/main/config.json`)).rejects.toMatchObject({
      code: 'host-unreachable',
      subject: '127.0.0.1:4999',
    });
  });

  it('tries a request that failed at the network once more, and only once', async () => {
    let calls = 0;
    const flaky: FetchLike = async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return new Response('{}', { status: 200 });
    };
    expect((await modelFetch(flaky)(`${HOST}/a/b/resolve/main/config.json`)).status).toBe(200);
    expect(calls).toBe(2);
    calls = 0;
    const down: FetchLike = async () => {
      calls += 1;
      throw new TypeError('Failed to fetch');
    };
    await expect(modelFetch(down)(`${HOST}/a/b/resolve/main/config.json`)).rejects.toMatchObject({ code: 'host-unreachable' });
    expect(calls).toBe(2);
    // Offline: no retry, and said so.
    calls = 0;
    await expect(modelFetch(down, undefined, false)(`${HOST}/a/b/resolve/main/config.json`)).rejects.toMatchObject({ code: 'offline' });
    expect(calls).toBe(1);
  });

  it('remembers optional files the host lacks, and asks only once', async () => {
    const { fetch, calls } = fakeHub();
    const cache = createMemoryModelCache();
    const f = modelFetch(fetch, cache);
    const url = `${HOST}/owner/model/resolve/main/special_tokens_map.json`;
    expect((await f(url)).status).toBe(404);
    expect((await f(url)).status).toBe(404);
    expect(calls).toHaveLength(1);
    // Required files are never remembered as missing: a fixed mirror must work again.
    const cfg = `${HOST}/other/model/resolve/main/config.json`;
    await f(cfg);
    await f(cfg);
    expect(calls).toHaveLength(3);
  });

  it('still answers the 404 when the disk is too full to remember it', async () => {
    const { fetch, calls } = fakeHub();
    const cache = createMemoryModelCache();
    cache.markMissing = () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    const url = `${HOST}/owner/model/resolve/main/special_tokens_map.json`;
    expect((await modelFetch(fetch, cache)(url)).status).toBe(404);
    expect(calls).toHaveLength(1);
  });
});

describe('probe', () => {
  it('finds sizes and available weights with one-byte range requests', async () => {
    const { fetch, calls } = fakeHub();
    const found = await probeModelFiles(source, createMemoryModelCache(), modelFetch(fetch));
    expect(found.base).toEqual([
      { file: 'config.json', size: 700, cached: false },
      { file: 'tokenizer.json', size: 3000, cached: false },
      { file: 'tokenizer_config.json', size: 300, cached: false },
    ]);
    expect(found.weights).toEqual({ q8: { file: 'onnx/model_quantized.onnx', size: 80_000, cached: false } });
    expect(calls.every((c) => c.startsWith('bytes=0-0 '))).toBe(true);
  });

  it('asks the network nothing when the cache holds a complete model', async () => {
    const { fetch, calls } = fakeHub();
    const cache = createMemoryModelCache();
    for (const [file, size] of Object.entries(sizes)) {
      await cache.put(modelFileUrl(source, file), new Response(new Uint8Array(size)));
    }
    const found = await probeModelFiles(source, cache, modelFetch(fetch, cache));
    expect(calls).toEqual([]);
    expect(found.base.every((f) => f.cached)).toBe(true);
    expect(Object.keys(found.weights)).toEqual(['q8']);
  });

  it('asks the network nothing when told to look in the cache only, even with files missing', async () => {
    const { fetch, calls } = fakeHub();
    const cache = createMemoryModelCache();
    await cache.put(modelFileUrl(source, 'config.json'), new Response(new Uint8Array(10)));
    await expect(probeModelFiles(source, cache, modelFetch(fetch, cache), { cachedOnly: true })).rejects.toMatchObject({ code: 'not-found' });
    expect(calls).toEqual([]);
  });

  it('names the missing model when config.json is not there', async () => {
    const { fetch } = fakeHub({});
    await expect(probeModelFiles(source, createMemoryModelCache(), modelFetch(fetch))).rejects.toMatchObject({
      code: 'not-found',
      subject: 'model "owner/model"',
    });
  });

  it('reports server errors as an unreachable host', async () => {
    const broken: FetchLike = async () => new Response('', { status: 500 });
    await expect(probeModelFiles(source, createMemoryModelCache(), modelFetch(broken))).rejects.toMatchObject({
      code: 'host-unreachable',
    });
  });
});
