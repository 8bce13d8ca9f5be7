// FaceClient against a fake worker: replies matched by id, a cancel drops only its read (the worker
// goes on), a crash ends the worker (the next read gets a fresh one), error replies become
// FaceErrors with the worker's code, one sentence each.
import { describe, expect, it } from 'vitest';
import { FaceClient, type FaceWorkerLike } from '../../src/features/faces/face-client';
import { FaceError, describeFaceError, type FaceErrorCode } from '../../src/features/faces/face-errors';
import type { FaceAnswer, FaceRequest, FaceResponse } from '../../src/features/faces/protocol';
import type { CancelMessage, ReadyMessage } from '../../src/shared/worker/protocol';

const JOY = { anger: 0, disgust: 0, fear: 0, joy: 0.9, neutral: 0.1, sadness: 0, surprise: 0 };

function answer(faces: number): FaceAnswer {
  return {
    faces: Array.from({ length: faces }, (_, i) => ({ box: { x1: 0.1 * i, y1: 0.1, x2: 0.1 * i + 0.05, y2: 0.2 }, score: 0.9 - i / 10, scores: JOY })),
    width: 4000,
    height: 3000,
    elapsedMs: 120,
    model: 'blazeface + mini-Xception (human 3.3.6)',
    timings: { decodeMs: 80, detectMs: 30, expressionsMs: 10 },
  };
}

/** A fake worker that records requests and lets the test answer them. */
class FakeWorker implements FaceWorkerLike {
  requests: FaceRequest[] = [];
  cancels: number[] = [];
  terminated = false;
  #listeners = new Map<string, Array<(event: never) => void>>();
  postMessage(message: FaceRequest | CancelMessage) {
    if (this.terminated) throw new Error('posted to a terminated worker');
    if (message.type === 'cancel') this.cancels.push(message.id);
    else this.requests.push(message);
  }
  addEventListener(type: string, listener: (event: never) => void) {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  terminate() {
    this.terminated = true;
  }
  reply(message: FaceResponse | ReadyMessage) {
    for (const l of this.#listeners.get('message') ?? []) l({ data: message } as never);
  }
  crash(type: 'error' | 'messageerror' = 'error', message = '') {
    const event = Object.assign(new Event(type), { message });
    for (const l of this.#listeners.get(type) ?? []) l(event as never);
  }
  get ids() {
    return this.requests.map((r) => r.id);
  }
}

function setup(options: { idleUnloadMs?: number } = {}) {
  const workers: FakeWorker[] = [];
  const client = new FaceClient(
    () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    () => undefined,
    options,
  );
  return { client, workers };
}

const picture = () => new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], { type: 'image/jpeg' });

async function rejection(promise: Promise<unknown>): Promise<FaceError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FaceError);
  return err as FaceError;
}

describe('FaceClient', () => {
  it('starts no worker until it is needed, then one worker for every read', async () => {
    const { client, workers } = setup();
    expect(workers).toHaveLength(0);
    const a = client.read(picture());
    const b = client.read(picture());
    expect(workers).toHaveLength(1);
    const w = workers[0]!;
    w.reply({ type: 'ready', id: 0 });
    w.reply({ type: 'answer', id: w.ids[0]!, answer: answer(1) });
    w.reply({ type: 'answer', id: w.ids[1]!, answer: answer(3) });
    await expect(a).resolves.toMatchObject({ faces: [{ score: 0.9 }] });
    expect((await b).faces).toHaveLength(3);
    expect(workers).toHaveLength(1);
    expect(w.terminated).toBe(false);
  });

  it('sends the picture Blob itself and matches replies by id, whatever their order', async () => {
    const { client, workers } = setup();
    const first = picture();
    const second = picture();
    const a = client.read(first);
    const b = client.read(second);
    const w = workers[0]!;
    expect(w.requests).toEqual([
      { type: 'read', id: w.ids[0], picture: first },
      { type: 'read', id: w.ids[1], picture: second },
    ]);
    expect(w.requests[0]!.type === 'read' && w.requests[0]!.picture).toBe(first);
    expect(new Set(w.ids).size).toBe(2);
    w.reply({ type: 'answer', id: w.ids[1]!, answer: answer(2) });
    w.reply({ type: 'answer', id: w.ids[0]!, answer: answer(0) });
    expect((await a).faces).toHaveLength(0);
    expect((await b).faces).toHaveLength(2);
  });

  it('ignores replies for ids it does not know, and a second reply for the same id', async () => {
    const { client, workers } = setup();
    const a = client.read(picture());
    const w = workers[0]!;
    w.reply({ type: 'answer', id: 999, answer: answer(5) });
    w.reply({ type: 'answer', id: w.ids[0]!, answer: answer(1) });
    w.reply({ type: 'error', id: w.ids[0]!, error: { code: 'crashed', detail: 'late' } });
    expect((await a).faces).toHaveLength(1);
  });

  it('warm() resolves once the worker reports its models warmed', async () => {
    const { client, workers } = setup();
    let warmed = false;
    const p = client.warm().then(() => (warmed = true));
    const w = workers[0]!;
    expect(w.requests).toEqual([{ type: 'warm', id: w.ids[0] }]);
    await Promise.resolve();
    expect(warmed).toBe(false);
    w.reply({ type: 'warmed', id: w.ids[0]!, load: { fetchedMs: 80, loadMs: 300, warmupMs: 50, threads: 1 } });
    await p;
    expect(warmed).toBe(true);
    // The same worker then reads.
    void client.read(picture());
    expect(workers).toHaveLength(1);
    expect(w.requests.map((r) => r.type)).toEqual(['warm', 'read']);
  });

  it('a reply of the wrong kind rejects instead of resolving with the wrong value', async () => {
    const { client, workers } = setup();
    const p = client.read(picture());
    const w = workers[0]!;
    w.reply({ type: 'warmed', id: w.ids[0]!, load: { fetchedMs: 1, loadMs: 1, warmupMs: 1, threads: 1 } });
    expect((await rejection(p)).code).toBe('crashed');
  });

  it('cancel: the read rejects as cancelled at once, the worker is told to drop it and reads on', async () => {
    const { client, workers } = setup();
    const controller = new AbortController();
    const cancelled = client.read(picture(), { signal: controller.signal });
    const other = client.read(picture());
    const w = workers[0]!;
    controller.abort();
    const err = await rejection(cancelled);
    expect(err.code).toBe('cancelled');
    expect(err.name).toBe('FaceError');
    expect(w.cancels).toEqual([w.ids[0]]);
    expect(w.terminated).toBe(false);
    // The other read goes on in the same worker.
    w.reply({ type: 'error', id: w.ids[0]!, error: { code: 'cancelled', detail: 'dropped' } });
    w.reply({ type: 'answer', id: w.ids[1]!, answer: answer(1) });
    expect((await other).faces).toHaveLength(1);
    void client.read(picture());
    expect(workers).toHaveLength(1);
  });

  it('a signal already aborted rejects at once and starts no worker', async () => {
    const { client, workers } = setup();
    const err = await rejection(client.read(picture(), { signal: AbortSignal.abort() }));
    expect(err.code).toBe('cancelled');
    expect(workers).toHaveLength(0);
  });

  it('aborting after the answer came changes nothing', async () => {
    const { client, workers } = setup();
    const controller = new AbortController();
    const p = client.read(picture(), { signal: controller.signal });
    const w = workers[0]!;
    w.reply({ type: 'answer', id: w.ids[0]!, answer: answer(2) });
    expect((await p).faces).toHaveLength(2);
    controller.abort();
    expect(w.terminated).toBe(false);
    void client.read(picture());
    expect(workers).toHaveLength(1);
  });

  it('a crash rejects every pending read with crashed, and the next read uses a fresh worker', async () => {
    const { client, workers } = setup();
    const a = client.read(picture());
    const b = client.read(picture());
    const w = workers[0]!;
    w.reply({ type: 'ready', id: 0 });
    w.crash('error', 'RuntimeError: memory access out of bounds');
    const [ea, eb] = await Promise.all([rejection(a), rejection(b)]);
    expect(ea.code).toBe('crashed');
    expect(ea.detail).toBe('RuntimeError: memory access out of bounds');
    expect(eb.code).toBe('crashed');
    expect(w.terminated).toBe(true);
    const c = client.read(picture());
    expect(workers).toHaveLength(2);
    workers[1]!.reply({ type: 'answer', id: workers[1]!.ids[0]!, answer: answer(0) });
    await expect(c).resolves.toMatchObject({ faces: [] });
  });

  it('a messageerror is a crash too', async () => {
    const { client, workers } = setup();
    const a = client.read(picture());
    workers[0]!.crash('messageerror');
    expect((await rejection(a)).code).toBe('crashed');
  });

  it('a worker whose script never ran reports models-unavailable', async () => {
    const { client, workers } = setup();
    const a = client.warm();
    workers[0]!.crash('error');
    const err = await rejection(a);
    expect(err.code).toBe('models-unavailable');
    expect(err.detail).toBe('worker error event');
  });

  it.each<FaceErrorCode>(['models-unavailable', 'unreadable-picture'])('an error reply %s becomes a FaceError with that code; the worker is kept', async (code) => {
    const { client, workers } = setup();
    const p = client.read(picture());
    const w = workers[0]!;
    w.reply({ type: 'error', id: w.ids[0]!, error: { code, detail: 'details from the worker' } });
    const err = await rejection(p);
    expect(err.code).toBe(code);
    expect(err.detail).toBe('details from the worker');
    expect(err.message).toBe(`${code}: details from the worker`);
    expect(w.terminated).toBe(false);
    void client.read(picture());
    expect(workers).toHaveLength(1);
  });

  it('an error reply crashed rejects that read and replaces the worker: its other reads finish there, the next read goes to a new one', async () => {
    const { client, workers } = setup();
    const a = client.read(picture());
    const b = client.read(picture());
    const w = workers[0]!;
    w.reply({ type: 'error', id: w.ids[0]!, error: { code: 'crashed', detail: 'Error: session run failed' } });
    expect(await rejection(a)).toMatchObject({ code: 'crashed', detail: 'Error: session run failed' });
    expect(workers).toHaveLength(2); // its successor starts at once
    const c = client.read(picture());
    expect(workers[1]!.requests).toHaveLength(1);
    w.reply({ type: 'answer', id: w.ids[1]!, answer: answer(2) });
    expect((await b).faces).toHaveLength(2);
    expect(w.terminated).toBe(true); // ended with its last read
    workers[1]!.reply({ type: 'answer', id: workers[1]!.ids[0]!, answer: answer(0) });
    await expect(c).resolves.toMatchObject({ faces: [] });
  });

  it('dispose ends the worker and cancels what is pending', async () => {
    const { client, workers } = setup();
    const a = client.read(picture());
    client.dispose();
    expect(workers[0]!.terminated).toBe(true);
    expect((await rejection(a)).code).toBe('cancelled');
    client.dispose(); // twice is fine
  });

  it('a request that cannot be posted rejects instead of waiting forever', async () => {
    const { client, workers } = setup();
    void client.warm().catch(() => undefined);
    workers[0]!.terminated = true; // the fake then throws on postMessage
    expect((await rejection(client.read(picture()))).code).toBe('crashed');
  });
});

describe('describeFaceError', () => {
  it('gives one sentence per code, each saying what to do next', () => {
    const codes: FaceErrorCode[] = ['models-unavailable', 'unreadable-picture', 'crashed', 'cancelled'];
    const sentences = codes.map((code) => describeFaceError(new FaceError(code, 'detail that must not show')));
    expect(new Set(sentences).size).toBe(codes.length);
    for (const s of sentences) {
      expect(s).toMatch(/^[A-Z][^.]*;[^.]*\.$/u);
      expect(s).not.toContain('detail that must not show');
    }
    expect(describeFaceError(new FaceError('unreadable-picture', 'x'))).toBe('This picture could not be decoded on this device; try a JPEG or PNG.');
  });

  it('treats anything that is not a FaceError as a crash', () => {
    expect(describeFaceError(new Error('boom'))).toBe(describeFaceError(new FaceError('crashed', 'boom')));
    expect(describeFaceError('boom')).toBe(describeFaceError(new FaceError('crashed', 'boom')));
  });

  it('says when its models are loaded, and release ends the worker and frees them; the next read starts a new one', async () => {
    const { client, workers } = setup({ idleUnloadMs: 0 });
    let changes = 0;
    client.onLoadedChange(() => (changes += 1));
    expect(client.loaded).toBe(false);
    expect(client.release()).toBe(false);
    const read = client.read(picture());
    expect(client.loaded).toBe(false);
    workers[0]!.reply({ type: 'answer', id: 1, answer: answer(1) });
    await read;
    expect(client.loaded).toBe(true);
    expect(client.release()).toBe(true);
    expect(workers[0]!.terminated).toBe(true);
    expect(client.loaded).toBe(false);
    expect(changes).toBeGreaterThanOrEqual(2);
    const next = client.read(picture());
    expect(workers).toHaveLength(2);
    workers[1]!.reply({ type: 'answer', id: workers[1]!.requests[0]!.id, answer: answer(0) });
    await expect(next).resolves.toMatchObject({ faces: [] });
  });

  it('ends a worker whose models went unused for the idle time, not while a read runs', async () => {
    const { client, workers } = setup({ idleUnloadMs: 30 });
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const first = client.read(picture());
    workers[0]!.reply({ type: 'answer', id: 1, answer: answer(1) });
    await first;
    const second = client.read(picture());
    await wait(60);
    expect(workers[0]!.terminated).toBe(false);
    workers[0]!.reply({ type: 'answer', id: 2, answer: answer(1) });
    await second;
    await wait(60);
    expect(workers[0]!.terminated).toBe(true);
    expect(client.loaded).toBe(false);
  });
});
