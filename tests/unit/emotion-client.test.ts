import { describe, expect, it } from 'vitest';
import { JOY_RESULT } from './fixtures';
import { ModelError } from '../../src/features/text/model-errors';
import { EmotionClient, type WorkerLike } from '../../src/features/text/emotion-client';
import type { ModelConfig, WorkerRequest, WorkerResponse } from '../../src/features/text/protocol';
import type { CancelMessage, ReadyMessage } from '../../src/shared/worker/protocol';

const config: ModelConfig = { source: { host: 'http://127.0.0.1:1', modelId: 'a/b' }, device: 'wasm' };
const result = JOY_RESULT;

/** A fake worker that records requests and lets the test answer them. */
class FakeWorker implements WorkerLike {
  requests: Array<WorkerRequest | CancelMessage> = [];
  terminated = false;
  #listeners = new Map<string, Array<(event: never) => void>>();
  postMessage(message: WorkerRequest | CancelMessage) {
    this.requests.push(message);
  }
  addEventListener(type: string, listener: (event: never) => void) {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  terminate() {
    this.terminated = true;
  }
  reply(message: WorkerResponse | ReadyMessage) {
    for (const l of this.#listeners.get('message') ?? []) l({ data: message } as never);
  }
  crash(type: 'error' | 'messageerror' = 'error') {
    for (const l of this.#listeners.get(type) ?? []) l(new Event(type) as never);
  }
  /** Ids of the requests this worker was sent. */
  get ids() {
    return this.requests.map((r) => r.id);
  }
}

function setup(options: { cancelGraceMs?: number; renewDelayMs?: number; idleUnloadMs?: number } = {}) {
  const workers: FakeWorker[] = [];
  const create = () => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  };
  const client = Object.keys(options).length === 0 ? new EmotionClient(create) : new EmotionClient(create, () => undefined, options);
  return { client, workers };
}

describe('EmotionClient', () => {
  it('starts no worker until the first request', () => {
    const { workers } = setup();
    expect(workers).toHaveLength(0);
  });

  it('matches replies to requests by id and forwards progress, notices and load info', async () => {
    const { client, workers } = setup();
    const seen: string[] = [];
    const a = client.classify(config, 'one', {
      onProgress: (p) => seen.push(`progress ${p.loaded}/${p.total}`),
      onNotice: (n) => seen.push(`notice ${n}`),
      onLoaded: (m) => seen.push(`loaded ${m.device}`),
    });
    const b = client.classify(config, 'two');
    const w = workers[0]!;
    expect(w.requests.map((r) => r.id)).toEqual([1, 2]);
    w.reply({ type: 'progress', id: 1, progress: { phase: 'download', files: [], loaded: 1, total: 2 } });
    w.reply({ type: 'notice', id: 1, notice: 'hello' });
    w.reply({ type: 'loaded', id: 1, model: { source: config.source, device: 'wasm', dtype: 'q8', loadMs: 1 } });
    w.reply({ type: 'classified', id: 2, result: { ...result, top: 'sadness' } });
    w.reply({ type: 'classified', id: 1, result });
    await expect(a).resolves.toMatchObject({ top: 'joy' });
    await expect(b).resolves.toMatchObject({ top: 'sadness' });
    expect(seen).toEqual(['progress 1/2', 'notice hello', 'loaded wasm']);
    expect(workers).toHaveLength(1);
  });

  it('turns an error reply into a ModelError', async () => {
    const { client, workers } = setup();
    const p = client.probe(config);
    workers[0]!.reply({ type: 'error', id: 1, error: { code: 'not-found', detail: '404', subject: 'model "a/b"' } });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: 'not-found', subject: 'model "a/b"' });
  });

  it('fails pending requests when the lock a worker holds is released, unless the client ended that worker itself', async () => {
    const released = new Map<string, () => void>();
    const workers: FakeWorker[] = [];
    const client = new EmotionClient(
      () => {
        const w = new FakeWorker();
        workers.push(w);
        return w;
      },
      (name, onReleased) => released.set(name, onReleased),
    );
    const a = client.classify(config, 'one');
    workers[0]!.reply({ type: 'ready', id: 0, lock: 'lock-1' });
    released.get('lock-1')!(); // the browser ended the worker silently
    await expect(a).rejects.toMatchObject({ code: 'worker-crashed' });
    expect(workers[0]!.terminated).toBe(true);

    const b = client.classify(config, 'two');
    expect(workers).toHaveLength(2);
    workers[1]!.reply({ type: 'ready', id: 0, lock: 'lock-2' });
    workers[1]!.reply({ type: 'classified', id: 2, result });
    await expect(b).resolves.toMatchObject({ top: 'joy' });
    released.get('lock-1')!(); // a late release of the old worker's lock changes nothing
    const c = client.classify(config, 'three');
    expect(workers).toHaveLength(2);
    workers[1]!.reply({ type: 'classified', id: 3, result });
    await expect(c).resolves.toMatchObject({ top: 'joy' });
  });

  it('rejects every pending request when the worker crashes, and starts a new worker next time', async () => {
    const { client, workers } = setup();
    const a = client.classify(config, 'one');
    const b = client.probe(config);
    workers[0]!.reply({ type: 'ready', id: 0 });
    workers[0]!.crash();
    await expect(a).rejects.toMatchObject({ code: 'worker-crashed' });
    await expect(b).rejects.toMatchObject({ code: 'worker-crashed' });
    expect(workers[0]!.terminated).toBe(true);
    const c = client.classify(config, 'again');
    expect(workers).toHaveLength(2);
    workers[1]!.reply({ type: 'classified', id: workers[1]!.requests[0]!.id, result });
    await expect(c).resolves.toMatchObject({ top: 'joy' });
  });

  it('tells a worker that never started apart from one that crashed', async () => {
    const { client, workers } = setup();
    const a = client.classify(config, 'one');
    workers[0]!.crash();
    await expect(a).rejects.toMatchObject({ code: 'worker-start-failed' });
    const b = client.classify(config, 'two');
    workers[1]!.reply({ type: 'ready', id: 0 });
    workers[1]!.crash();
    await expect(b).rejects.toMatchObject({ code: 'worker-crashed' });
  });

  it('replaces the worker after a model failed to load, since its runtime may be unusable', async () => {
    const { client, workers } = setup();
    const a = client.classify(config, 'one');
    workers[0]!.reply({ type: 'error', id: 1, error: { code: 'invalid-model', detail: 'protobuf parsing failed' } });
    await expect(a).rejects.toMatchObject({ code: 'invalid-model' });
    expect(workers[0]!.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    void client.classify(config, 'two');
    expect(workers[1]!.requests).toHaveLength(1);
  });

  it('retries on WASM in a fresh worker when WebGPU fails, and stays on WASM', async () => {
    const { client, workers } = setup();
    const notices: string[] = [];
    const gpu: ModelConfig = { ...config, device: 'auto' };
    const a = client.classify(gpu, 'one', { onNotice: (n) => notices.push(n) });
    workers[0]!.reply({ type: 'error', id: 1, error: { code: 'webgpu-failed', detail: 'Error: no shader' } });
    await Promise.resolve();
    await Promise.resolve();
    expect(workers).toHaveLength(2);
    const retry = workers[1]!.requests[0]!;
    expect(retry).toMatchObject({ type: 'classify', config: { device: 'wasm' } });
    workers[1]!.reply({ type: 'classified', id: retry.id, result });
    await expect(a).resolves.toMatchObject({ device: 'wasm' });
    expect(notices).toEqual(['WebGPU could not run the model (Error: no shader), so it runs on WASM.']);

    void client.probe(gpu, { onNotice: (n) => notices.push(n) });
    expect(workers[1]!.requests.at(-1)).toMatchObject({ type: 'probe', config: { device: 'wasm' } });
    expect(notices.at(-1)).toContain('WebGPU failed earlier');
  });

  it('gives another device preference a fresh worker, since a worker loads one runtime build', async () => {
    const { client, workers } = setup();
    const a = client.classify(config, 'one');
    workers[0]!.reply({ type: 'classified', id: 1, result });
    await a;
    const b = client.classify({ ...config, device: 'wasm' }, 'same preference, same worker');
    workers[0]!.reply({ type: 'classified', id: 2, result });
    await b;
    expect(workers).toHaveLength(1);

    void client.classify({ ...config, device: 'auto' }, 'two');
    expect(workers[0]!.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(workers[1]!.requests[0]).toMatchObject({ type: 'classify', config: { device: 'auto' } });
  });

  it('keeps the worker after an error that does not touch the runtime', async () => {
    const { client, workers } = setup();
    const a = client.probe(config);
    workers[0]!.reply({ type: 'error', id: 1, error: { code: 'offline', detail: 'offline' } });
    await expect(a).rejects.toMatchObject({ code: 'offline' });
    expect(workers).toHaveLength(1);
  });

  it('replaces the worker when it says a failed load left its runtime unusable, whatever the code', async () => {
    const { client, workers } = setup();
    const a = client.classify(config, 'one');
    workers[0]!.reply({ type: 'error', id: 1, error: { code: 'host-unreachable', detail: 'network error' }, recycle: true });
    await expect(a).rejects.toMatchObject({ code: 'host-unreachable' });
    expect(workers[0]!.terminated).toBe(true);
    expect(workers).toHaveLength(2);
  });

  it('after an error that asks for a new worker while another request is pending, sends the next request to a new worker and ends the old one once its request is done', async () => {
    const { client, workers } = setup();
    const a = client.classify(config, 'one');
    const b = client.classify(config, 'two');
    const old = workers[0]!;
    old.reply({ type: 'error', id: 1, error: { code: 'host-unreachable', detail: 'network error' }, recycle: true });
    await expect(a).rejects.toMatchObject({ code: 'host-unreachable' });

    const c = client.classify(config, 'three');
    expect(workers).toHaveLength(2);
    const fresh = workers[1]!;
    expect(old.ids).toEqual([1, 2]);
    expect(fresh.ids).toEqual([3]);
    expect(old.terminated).toBe(false);

    old.reply({ type: 'classified', id: 3, result: { ...result, top: 'anger' } }); // not its request
    old.reply({ type: 'classified', id: 2, result: { ...result, top: 'sadness' } });
    await expect(b).resolves.toMatchObject({ top: 'sadness' });
    expect(old.terminated).toBe(true);

    fresh.reply({ type: 'classified', id: 3, result });
    await expect(c).resolves.toMatchObject({ top: 'joy' });
    expect(fresh.terminated).toBe(false);
  });

  it('sends a request for another device to a fresh worker while the old one finishes its pending request', async () => {
    const { client, workers } = setup();
    const a = client.classify(config, 'one');
    const b = client.classify({ ...config, device: 'auto' }, 'two');
    expect(workers).toHaveLength(2);
    const [old, fresh] = [workers[0]!, workers[1]!];
    expect(old.ids).toEqual([1]);
    expect(fresh.requests).toMatchObject([{ id: 2, type: 'classify', config: { device: 'auto' } }]);
    expect(old.terminated).toBe(false);

    old.reply({ type: 'classified', id: 1, result });
    await expect(a).resolves.toMatchObject({ top: 'joy' });
    expect(old.terminated).toBe(true);
    fresh.reply({ type: 'classified', id: 2, result: { ...result, top: 'surprise' } });
    await expect(b).resolves.toMatchObject({ top: 'surprise' });
    expect(fresh.terminated).toBe(false);
  });

  it('fails only the crashed worker\'s requests when a retiring worker crashes', async () => {
    const { client, workers } = setup();
    const a = client.classify(config, 'one');
    const b = client.classify({ ...config, device: 'auto' }, 'two');
    workers[0]!.reply({ type: 'ready', id: 0 });
    workers[0]!.crash('messageerror');
    await expect(a).rejects.toMatchObject({ code: 'worker-crashed' });
    expect(workers[0]!.terminated).toBe(true);
    workers[1]!.reply({ type: 'classified', id: 2, result });
    await expect(b).resolves.toMatchObject({ top: 'joy' });
    void client.classify({ ...config, device: 'auto' }, 'three');
    expect(workers).toHaveLength(2);
    expect(workers[1]!.ids).toEqual([2, 3]);
  });

  it('cancels a classify by telling the worker: the request fails as cancelled at once, the worker and its model stay for the next request', async () => {
    const { client, workers } = setup();
    const controller = new AbortController();
    const a = client.classify(config, 'one', {}, { signal: controller.signal });
    workers[0]!.reply({ type: 'loaded', id: 1, model: { source: config.source, device: 'wasm', dtype: 'q8', loadMs: 1 } });
    expect(client.isLoaded(config)).toBe(true);
    controller.abort();
    const err = await a.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: 'cancelled' });
    expect(workers[0]!.requests.at(-1)).toEqual({ type: 'cancel', id: 1 });
    expect(workers[0]!.terminated).toBe(false);
    expect(workers).toHaveLength(1);
    // The worker lets go of it (its answer to the cancel changes nothing on the page).
    workers[0]!.reply({ type: 'error', id: 1, error: { code: 'cancelled', detail: 'The request was cancelled.' } });
    expect(client.isLoaded(config)).toBe(true);

    const b = client.classify(config, 'two');
    expect(workers).toHaveLength(1);
    workers[0]!.reply({ type: 'classified', id: 2, result });
    await expect(b).resolves.toMatchObject({ top: 'joy' });
  });

  it('cancelling one request leaves the other requests of its worker running: a batch beside a cancelled analysis runs on', async () => {
    const { client, workers } = setup();
    const controller = new AbortController();
    const batch = client.classifyMany(config, ['two', 'three']);
    const a = client.classify(config, 'one', {}, { signal: controller.signal });
    controller.abort();
    await expect(a).rejects.toMatchObject({ code: 'cancelled' });
    expect(workers[0]!.terminated).toBe(false);
    workers[0]!.reply({ type: 'classified-batch', id: 1, results: [result, result] });
    await expect(batch).resolves.toHaveLength(2);
    workers[0]!.reply({ type: 'error', id: 2, error: { code: 'cancelled', detail: 'dropped from the queue' } });
    expect(workers).toHaveLength(1);
  });

  it('ends a worker that still runs a cancelled request after the grace period, when nothing else waits on it', async () => {
    const { client, workers } = setup({ cancelGraceMs: 5 });
    const controller = new AbortController();
    const a = client.classify(config, 'one', {}, { signal: controller.signal });
    controller.abort();
    await expect(a).rejects.toMatchObject({ code: 'cancelled' });
    expect(workers[0]!.terminated).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(workers[0]!.terminated).toBe(true);
    const b = client.classify(config, 'two');
    expect(workers).toHaveLength(2);
    workers[1]!.reply({ type: 'classified', id: 2, result });
    await expect(b).resolves.toMatchObject({ top: 'joy' });
  });

  it('keeps a worker past the grace period while another request still waits on it', async () => {
    const { client, workers } = setup({ cancelGraceMs: 5 });
    const controller = new AbortController();
    const a = client.classify(config, 'one', {}, { signal: controller.signal });
    const batch = client.classifyMany(config, ['two']);
    controller.abort();
    await expect(a).rejects.toMatchObject({ code: 'cancelled' });
    await new Promise((r) => setTimeout(r, 20));
    expect(workers[0]!.terminated).toBe(false);
    workers[0]!.reply({ type: 'classified-batch', id: 2, results: [result] });
    await expect(batch).resolves.toHaveLength(1);
  });

  it('rejects a request whose signal is already aborted without sending anything', async () => {
    const { client, workers } = setup();
    client.warm();
    const signal = AbortSignal.abort();
    await expect(client.classify(config, 'one', {}, { signal })).rejects.toMatchObject({ code: 'cancelled' });
    await expect(client.classifyMany(config, ['one'], {}, { signal })).rejects.toMatchObject({ code: 'cancelled' });
    await expect(client.probe(config, {}, { cachedOnly: true, signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(workers).toHaveLength(1);
    expect(workers[0]!.requests).toEqual([]);
    expect(workers[0]!.terminated).toBe(false);
  });

  it('does not retry on WASM when a WebGPU request is cancelled', async () => {
    const { client, workers } = setup();
    const controller = new AbortController();
    const a = client.classify({ ...config, device: 'auto' }, 'one', {}, { signal: controller.signal });
    controller.abort();
    await expect(a).rejects.toMatchObject({ code: 'cancelled' });
    await Promise.resolve();
    expect(workers.flatMap((w) => w.requests).map((r) => r.type)).toEqual(['classify', 'cancel']);
  });

  it('a cancel after the reply changes nothing', async () => {
    const { client, workers } = setup();
    const controller = new AbortController();
    const a = client.probe(config, {}, { signal: controller.signal });
    const plan = { device: 'wasm', dtype: 'q8', available: ['q8'], files: [], downloadBytes: 0 } as const;
    workers[0]!.reply({ type: 'probed', id: 1, plan });
    await expect(a).resolves.toEqual(plan);
    controller.abort();
    expect(workers[0]!.terminated).toBe(false);
    expect(workers).toHaveLength(1);
  });

  it('dispose ends every worker, retiring ones too, and fails their requests', async () => {
    const { client, workers } = setup();
    const a = client.classify(config, 'one');
    const b = client.classify({ ...config, device: 'auto' }, 'two');
    client.dispose();
    await expect(a).rejects.toMatchObject({ code: 'worker-crashed' });
    await expect(b).rejects.toMatchObject({ code: 'worker-crashed' });
    expect(workers.map((w) => w.terminated)).toEqual([true, true]);
  });

  it('sends unload to the current worker only, and to none when there is none', async () => {
    const { client, workers } = setup();
    await client.unload();
    expect(workers).toHaveLength(0);
    const a = client.classify(config, 'one');
    void client.classify({ ...config, device: 'auto' }, 'two');
    const u = client.unload();
    expect(workers[0]!.requests.map((r) => r.type)).toEqual(['classify']);
    expect(workers[1]!.requests.map((r) => r.type)).toEqual(['classify', 'unload']);
    workers[1]!.reply({ type: 'unloaded', id: 3 });
    await expect(u).resolves.toBeUndefined();
    workers[0]!.reply({ type: 'classified', id: 1, result });
    await expect(a).resolves.toMatchObject({ top: 'joy' });
  });

  it('fails a request answered with the reply of another kind', async () => {
    const { client, workers } = setup();
    const a = client.probe(config);
    workers[0]!.reply({ type: 'classified', id: 1, result });
    await expect(a).rejects.toMatchObject({ code: 'unknown' });
  });

  it('ignores replies for unknown ids', async () => {
    const { client, workers } = setup();
    const p = client.classify(config, 'x');
    workers[0]!.reply({ type: 'classified', id: 99, result });
    workers[0]!.reply({ type: 'classified', id: 1, result });
    await expect(p).resolves.toBeDefined();
  });
  it('after a load that started both engines, moves the model to a fresh worker once the answer is in and the worker idle', async () => {
    const { client, workers } = setup({ renewDelayMs: 0 });
    const later = () => new Promise((r) => setTimeout(r, 5));
    const changes: Array<boolean> = [];
    client.onLoadedChange(() => changes.push(client.isLoaded(config)));
    const answer = client.classify(config, 'first text');
    const first = workers[0]!;
    first.reply({ type: 'loaded', id: 1, model: { source: config.source, device: 'wasm', dtype: 'q8', loadMs: 1, bothEnginesStarted: true } });
    first.reply({ type: 'classified', id: 1, result });
    await expect(answer).resolves.toMatchObject({ top: 'joy' });
    // The answer's sentence breakdown asks the loaded model alone: the move waits for it.
    const breakdown = client.classifyMany(config, ['one.', 'two.'], {}, { ifLoaded: true });
    await later();
    expect(workers).toHaveLength(1);
    first.reply({ type: 'classified-batch', id: 2, results: [result, result] });
    await expect(breakdown).resolves.toHaveLength(2);
    await later();
    // A fresh worker loads the model (an empty batch), and the old one has ended.
    expect(workers).toHaveLength(2);
    const second = workers[1]!;
    // It is handed what the old one kept, so a text read before is still answered from the cache.
    expect(second.requests).toMatchObject([{ type: 'classify-batch', texts: [], config, seed: { results: [['first text', result], ['one.', result], ['two.', result]], explanations: [] } }]);
    expect(first.terminated).toBe(true);
    expect(client.isLoaded(config)).toBe(false);
    const id = second.requests[0]!.id;
    second.reply({ type: 'loaded', id, model: { source: config.source, device: 'wasm', dtype: 'q8', loadMs: 1, engine: 'onnxruntime' } });
    second.reply({ type: 'classified-batch', id, results: [] });
    expect(client.isLoaded(config)).toBe(true);
    // Loaded, moved (not loaded), the old worker ended, loaded in the new one.
    expect(changes).toEqual([true, false, false, true]);
    // A load that started one engine stays where it is.
    const next = client.classify(config, 'second text');
    second.reply({ type: 'classified', id: second.requests[1]!.id, result });
    await next;
    await later();
    expect(workers).toHaveLength(2);
  });

  const loadedModel = (loadMs = 1234) => ({ source: config.source, device: 'wasm' as const, dtype: 'q8' as const, loadMs });

  it('release ends the worker that holds the model, and the next request reloads it, handed what was kept, and says what that cost', async () => {
    const { client, workers } = setup({ renewDelayMs: 0, idleUnloadMs: 0 });
    const first = client.classify(config, 'kept text');
    workers[0]!.reply({ type: 'loaded', id: 1, model: loadedModel() });
    workers[0]!.reply({ type: 'classified', id: 1, result: { ...result, cached: true } });
    await first;
    expect(client.loaded).toMatchObject({ loadMs: 1234 });
    expect(client.release()).toBe(true);
    // The worker and its memory are gone; a fresh one waits (started while the page is online).
    expect(workers[0]!.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(client.loaded).toBeNull();
    expect(client.release()).toBe(false);
    const notices: string[] = [];
    const again = client.classify(config, 'new text', { onNotice: (n) => notices.push(n) });
    const request = workers[1]!.requests[0]!;
    // The kept result goes without its "cached" mark: the worker marks what it answers from the cache.
    expect(request).toMatchObject({ type: 'classify', text: 'new text', seed: { results: [['kept text', { ...result }]] } });
    expect((request as unknown as { seed: { results: Array<[string, { cached?: boolean }]> } }).seed.results[0]![1].cached).toBeUndefined();
    workers[1]!.reply({ type: 'loaded', id: request.id, model: loadedModel(2345) });
    workers[1]!.reply({ type: 'classified', id: request.id, result });
    await again;
    expect(notices).toEqual(['The emotion model had been unloaded in Settings to free memory; loading it again from this device took 2.3 s.']);
    // Once per worker: the next request carries no seed, and no second notice comes.
    const third = client.classify(config, 'third', { onNotice: (n) => notices.push(n) });
    expect(workers[1]!.requests[1]).not.toHaveProperty('seed');
    workers[1]!.reply({ type: 'classified', id: workers[1]!.requests[1]!.id, result });
    await third;
    expect(notices).toHaveLength(1);
  });

  it('unloads a model left unused for the idle time, and not while a request runs', async () => {
    const { client, workers } = setup({ renewDelayMs: 0, idleUnloadMs: 30 });
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const first = client.classify(config, 'one');
    workers[0]!.reply({ type: 'loaded', id: 1, model: loadedModel() });
    workers[0]!.reply({ type: 'classified', id: 1, result });
    await first;
    // A long request keeps it: the countdown starts only once nothing is pending.
    const long = client.classifyMany(config, ['a', 'b']);
    await wait(60);
    expect(workers[0]!.terminated).toBe(false);
    workers[0]!.reply({ type: 'classified-batch', id: 2, results: [result, result] });
    await long;
    await wait(60);
    expect(workers[0]!.terminated).toBe(true);
    expect(client.loaded).toBeNull();
    const notices: string[] = [];
    const again = client.classify(config, 'a', { onNotice: (n) => notices.push(n) });
    const request = workers[1]!.requests[0]!;
    expect(request).toMatchObject({ seed: { results: [['one', result], ['a', result], ['b', result]] } });
    workers[1]!.reply({ type: 'loaded', id: request.id, model: loadedModel(900) });
    workers[1]!.reply({ type: 'classified', id: request.id, result });
    await again;
    expect(notices[0]).toMatch(/^The emotion model had been unloaded after 1 s unused to free memory; loading it again from this device took 0\.9 s\.$/u);
  });

  it('forgets what was kept when the model is unloaded (its files were removed)', async () => {
    const { client, workers } = setup({ renewDelayMs: 0, idleUnloadMs: 0 });
    const first = client.classify(config, 'one');
    workers[0]!.reply({ type: 'loaded', id: 1, model: loadedModel() });
    workers[0]!.reply({ type: 'classified', id: 1, result });
    await first;
    const unloaded = client.unload();
    workers[0]!.reply({ type: 'unloaded', id: 2 });
    await unloaded;
    client.release();
    void client.classify(config, 'two');
    expect(workers.at(-1)!.requests.at(-1)).not.toHaveProperty('seed');
  });
});
