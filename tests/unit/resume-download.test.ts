// A model download that stops part-way resumes where it stopped (resume-download.ts, through the
// model fetch): against a fake host that honours Range and If-Range as HTTP says, counting the
// bytes it sends.
import { describe, expect, it } from 'vitest';
import { createModelFetch } from '../../src/features/text/model-files';
import { createMemoryModelCache } from '../../src/features/text/model-cache';
import { ModelError } from '../../src/features/text/model-errors';

const HOST = 'http://127.0.0.1:1';
const URL_ = `${HOST}/m/x/resolve/main/onnx/model_quantized.onnx`;
const SIZE = 1000;
const fileOf = (version: number) => Uint8Array.from({ length: SIZE }, (_, i) => (i * 7 + version) % 256);

interface Sent {
  range: string | null;
  ifRange: string | null;
  status: number;
  bytes: number;
}

/**
 * A host with one file. `cutAfter`: the next response's body fails after that many bytes (as a
 * dropped connection does); an aborted signal fails it too, as fetch does.
 */
function fakeHost(opts: { ranges?: boolean; validator?: 'etag' | 'last-modified' | 'none' } = {}) {
  const state = { version: 1, cutAfter: null as number | null, offline: false, badRange: false };
  const sent: Sent[] = [];
  const validatorHeaders = (): Record<string, string> =>
    opts.validator === 'none' ? {} : opts.validator === 'last-modified' ? { 'last-modified': `Tue, 0${state.version} Dec 2026 10:00:00 GMT` } : { etag: `"v${state.version}"` };
  const fetch = async (_url: string | URL, init?: RequestInit): Promise<Response> => {
    if (state.offline) throw new TypeError('Failed to fetch');
    const headers = new Headers(init?.headers);
    const file = fileOf(state.version);
    const range = /^bytes=(\d+)-$/u.exec(headers.get('range') ?? '');
    const ifRange = headers.get('if-range');
    const current = Object.values(validatorHeaders())[0];
    const honour = range && opts.ranges !== false && (ifRange === null || ifRange === current);
    const start = honour ? Number(range[1]) + (state.badRange ? 1 : 0) : 0;
    const body = file.subarray(start);
    const cutAfter = state.cutAfter;
    state.cutAfter = null;
    const entry: Sent = { range: headers.get('range'), ifRange, status: honour ? 206 : 200, bytes: 0 };
    sent.push(entry);
    const signal = init?.signal;
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        // As fetch does: the body fails at once, whatever is queued.
        signal?.addEventListener('abort', () => controller.error(new DOMException('The user aborted a request.', 'AbortError')));
      },
      pull(controller) {
        if (cutAfter !== null && at >= cutAfter) return controller.error(new TypeError('network error'));
        if (at >= body.length) return controller.close();
        const chunk = body.slice(at, Math.min(at + 100, body.length, cutAfter ?? Infinity));
        at += chunk.length;
        entry.bytes += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return new Response(stream, {
      status: entry.status,
      headers: {
        'content-length': String(body.length),
        ...validatorHeaders(),
        ...(honour ? { 'content-range': `bytes ${start}-${SIZE - 1}/${SIZE}` } : {}),
      },
    });
  };
  return { fetch, state, sent };
}

function setup(opts: Parameters<typeof fakeHost>[0] = {}) {
  const host = fakeHost(opts);
  const cache = createMemoryModelCache();
  const modelFetch = createModelFetch({ fetch: host.fetch, cache, allowedHost: () => HOST, isOnline: () => !host.state.offline, retryDelayMs: 0 });
  return { ...host, cache, modelFetch };
}

/** Reads a response to the end: its bytes, or the error it failed with. */
async function read(response: Response): Promise<Uint8Array | Error> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    return err as Error;
  }
}

describe('resuming a model download', () => {
  it('a download cut at 400 bytes keeps them; the next asks for bytes=400- with If-Range and gives the whole file, 1,000 bytes sent in all', async () => {
    const { modelFetch, state, sent, cache } = setup();
    state.cutAfter = 400;
    expect(await read(await modelFetch(URL_))).toBeInstanceOf(TypeError);
    const kept = await cache.getPartial(URL_);
    expect(kept).toMatchObject({ size: SIZE, validator: '"v1"' });
    expect(kept?.bytes.size).toBe(400);

    const again = await modelFetch(URL_);
    expect(again.status).toBe(200);
    expect(again.headers.get('content-length')).toBe(String(SIZE));
    expect(again.headers.get('content-range')).toBeNull();
    expect(await read(again)).toEqual(fileOf(1));
    expect(sent.map((s) => [s.range, s.ifRange, s.status])).toEqual([
      [null, null, 200],
      ['bytes=400-', '"v1"', 206],
    ]);
    expect(sent.reduce((n, s) => n + s.bytes, 0)).toBe(SIZE);
    // Whole now: nothing partial is kept.
    expect(await cache.getPartial(URL_)).toBeUndefined();
  });

  it('a cancelled download (its signal aborted) is kept too, and resumed', async () => {
    const { modelFetch, sent, cache } = setup();
    const controller = new AbortController();
    const response = await modelFetch(URL_, { signal: controller.signal });
    const reader = response.body!.getReader();
    for (let i = 0; i < 3; i += 1) await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toThrow('aborted');
    // What had arrived: the 300 bytes read, and what the streams had queued beyond them.
    const kept = (await cache.getPartial(URL_))?.bytes.size ?? 0;
    expect(kept).toBeGreaterThanOrEqual(300);
    expect(kept).toBeLessThan(SIZE);

    expect(await read(await modelFetch(URL_))).toEqual(fileOf(1));
    expect(sent[1]?.range).toBe(`bytes=${kept}-`);
    // At most the chunk that was on its way when the signal fired is sent twice.
    expect(sent.reduce((n, x) => n + x.bytes, 0)).toBeGreaterThanOrEqual(SIZE);
    expect(sent.reduce((n, x) => n + x.bytes, 0)).toBeLessThanOrEqual(SIZE + 100);
  });

  it('with Last-Modified as the only validator: If-Range carries the date', async () => {
    const { modelFetch, state, sent } = setup({ validator: 'last-modified' });
    state.cutAfter = 500;
    await read(await modelFetch(URL_));
    expect(await read(await modelFetch(URL_))).toEqual(fileOf(1));
    expect(sent[1]).toMatchObject({ range: 'bytes=500-', ifRange: 'Tue, 01 Dec 2026 10:00:00 GMT', status: 206 });
  });

  it('cut again while resuming: the kept part grows, and the third download asks only for what is still missing', async () => {
    const { modelFetch, state, sent, cache } = setup();
    state.cutAfter = 300;
    await read(await modelFetch(URL_));
    state.cutAfter = 200;
    expect(await read(await modelFetch(URL_))).toBeInstanceOf(TypeError);
    expect((await cache.getPartial(URL_))?.bytes.size).toBe(500);
    expect(await read(await modelFetch(URL_))).toEqual(fileOf(1));
    expect(sent.map((s) => s.range)).toEqual([null, 'bytes=300-', 'bytes=500-']);
    expect(sent.reduce((n, s) => n + s.bytes, 0)).toBe(SIZE);
  });

  it('a host without ranges answers 200: the download starts over, whole, and the kept part is dropped', async () => {
    const { modelFetch, state, sent, cache } = setup({ ranges: false });
    state.cutAfter = 400;
    await read(await modelFetch(URL_));
    expect(await read(await modelFetch(URL_))).toEqual(fileOf(1));
    expect(sent.map((s) => [s.range, s.status])).toEqual([
      [null, 200],
      ['bytes=400-', 200],
    ]);
    expect(await cache.getPartial(URL_)).toBeUndefined();
  });

  it('the file changed on the host (another ETag): If-Range gets the new file whole, never old bytes with new ones', async () => {
    const { modelFetch, state, sent } = setup();
    state.cutAfter = 400;
    await read(await modelFetch(URL_));
    state.version = 2;
    expect(await read(await modelFetch(URL_))).toEqual(fileOf(2));
    expect(sent[1]).toMatchObject({ ifRange: '"v1"', status: 200 });
  });

  it('a 206 that does not start where the kept part ends is not used: the part is dropped and the file asked for whole', async () => {
    const { modelFetch, state, sent, cache } = setup();
    state.cutAfter = 400;
    await read(await modelFetch(URL_));
    state.badRange = true;
    expect(await read(await modelFetch(URL_))).toEqual(fileOf(1));
    expect(sent.map((s) => [s.range, s.status])).toEqual([
      [null, 200],
      ['bytes=400-', 206],
      [null, 200],
    ]);
    expect(await cache.getPartial(URL_)).toBeUndefined();
  });

  it('a host that names no version (no ETag, no Last-Modified): nothing is kept, the next download starts over without Range', async () => {
    const { modelFetch, state, sent, cache } = setup({ validator: 'none' });
    state.cutAfter = 400;
    await read(await modelFetch(URL_));
    expect(await cache.getPartial(URL_)).toBeUndefined();
    expect(await read(await modelFetch(URL_))).toEqual(fileOf(1));
    expect(sent.map((s) => s.range)).toEqual([null, null]);
  });

  it('offline when resuming: the error is said as offline, and the kept part stays for later', async () => {
    const { modelFetch, state, cache } = setup();
    state.cutAfter = 400;
    await read(await modelFetch(URL_));
    state.offline = true;
    await expect(modelFetch(URL_)).rejects.toSatisfy((err) => err instanceof ModelError && err.code === 'offline');
    expect((await cache.getPartial(URL_))?.bytes.size).toBe(400);
  });

  it('Remove cached model removes kept parts too', async () => {
    const { modelFetch, state, cache } = setup();
    state.cutAfter = 400;
    await read(await modelFetch(URL_));
    await cache.clear();
    expect(await cache.getPartial(URL_)).toBeUndefined();
  });
});
