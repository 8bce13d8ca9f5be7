import { describe, expect, it } from 'vitest';
import { JOY_RESULT } from './fixtures';
import { ModelError } from '../../src/lib/domain/errors';
import { EmotionClient, type WorkerLike } from '../../src/lib/ml/emotion-client';
import type { ModelConfig, WorkerRequest, WorkerResponse } from '../../src/lib/ml/protocol';

const config: ModelConfig = { source: { host: 'http://127.0.0.1:1', modelId: 'a/b' }, device: 'wasm' };
const result = JOY_RESULT;

/** A fake worker that records requests and lets the test answer them. */
class FakeWorker implements WorkerLike {
  requests: WorkerRequest[] = [];
  terminated = false;
  #listeners = new Map<string, Array<(event: never) => void>>();
  postMessage(message: WorkerRequest) {
    this.requests.push(message);
  }
  addEventListener(type: string, listener: (event: never) => void) {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  terminate() {
    this.terminated = true;
  }
  reply(message: WorkerResponse) {
    for (const l of this.#listeners.get('message') ?? []) l({ data: message } as never);
  }
  crash() {
    for (const l of this.#listeners.get('error') ?? []) l(new Event('error') as never);
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const client = new EmotionClient(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
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

  it('ignores replies for unknown ids', async () => {
    const { client, workers } = setup();
    const p = client.classify(config, 'x');
    workers[0]!.reply({ type: 'classified', id: 99, result });
    workers[0]!.reply({ type: 'classified', id: 1, result });
    await expect(p).resolves.toBeDefined();
  });
});
