// The one worker plumbing (shared/worker/bridge.ts on the page, serve.ts in the worker), joined
// in this thread by a pair of fake ports that clone every message as postMessage does: ids, a
// cancel that reaches the worker's AbortSignal, a worker that dies without a word, a message that
// cannot be cloned. The batch file client runs on it too, so its failures are checked here.
import { describe, expect, it } from 'vitest';
import { WorkerBridge, type LockWatcher, type WorkerPort } from '../../src/shared/worker/bridge';
import { serveWorker, type RequestHandler, type WorkerScope } from '../../src/shared/worker/serve';
import type { CancelMessage, Envelope, ReadyMessage } from '../../src/shared/worker/protocol';
import { BatchFileClient, BatchFileError, type BatchWorkerLike } from '../../src/features/batch/file-client';

type Req = { readonly type: 'echo'; readonly id: number; readonly text: string; readonly wait?: boolean } | { readonly type: 'echo'; readonly id: number; readonly payload: unknown };
type Res = { readonly type: 'echoed'; readonly id: number; readonly text: string } | { readonly type: 'failed'; readonly id: number; readonly reason: string } | { readonly type: 'step'; readonly id: number };

/** Locks the test releases by hand, as the browser does when a worker ends. */
function fakeLocks() {
  const held = new Map<string, () => void>();
  const watch: LockWatcher = (name, onReleased) => held.set(name, onReleased);
  const locks = {
    request: (name: string, hold: () => Promise<never>) => {
      void hold();
      return Promise.resolve();
    },
  } as unknown as LockManager;
  return { watch, locks, release: (name: string) => held.get(name)?.() };
}

/** A worker running `handle` through serveWorker, in this thread; messages are cloned both ways. */
function inProcessWorker<R extends Envelope, S extends Envelope>(handle: (post: (m: S) => void) => RequestHandler<R>, locks?: LockManager) {
  const pageListeners: Array<(event: MessageEvent) => void> = [];
  const workerListeners: Array<(event: MessageEvent) => void> = [];
  const port = {
    terminated: false,
    ready: null as ReadyMessage | null,
    postMessage(message: R | CancelMessage) {
      const copy = structuredClone(message); // throws DataCloneError as the browser does
      setTimeout(() => workerListeners.forEach((l) => l({ data: copy } as MessageEvent)));
    },
    addEventListener(type: string, listener: (event: MessageEvent) => void) {
      if (type === 'message') pageListeners.push(listener);
    },
    terminate() {
      port.terminated = true;
    },
  };
  const scope: WorkerScope<R> = {
    addEventListener: (_type, listener) => workerListeners.push(listener as (event: MessageEvent) => void),
    postMessage(message) {
      if (port.terminated) return;
      if ((message as Envelope).type === 'ready') port.ready = message as ReadyMessage;
      const copy = structuredClone(message);
      setTimeout(() => pageListeners.forEach((l) => l({ data: copy } as MessageEvent)));
    },
    navigator: locks ? { locks } : {},
  };
  serveWorker(scope, 'test', handle((m) => scope.postMessage(m)));
  return port as typeof port & WorkerPort<R, S>;
}

class TestError extends Error {
  constructor(
    readonly kind: string,
    detail: string,
  ) {
    super(detail);
  }
}

function bridgeOver(create: () => WorkerPort<Req, Res>, watchLock: LockWatcher = () => undefined) {
  return new WorkerBridge<Req, Res, TestError>({
    create,
    error: (kind, detail) => new TestError(kind, detail),
    isFinal: (r) => r.type !== 'step',
    failureOf: (r) => (r.type === 'failed' ? new TestError('failed', r.reason) : null),
    cancel: 'message',
    state: () => undefined,
    watchLock,
  });
}

const echo = (bridge: WorkerBridge<Req, Res, TestError>, text: string, signal?: AbortSignal, onStep?: () => void) =>
  bridge.request<string>((id) => ({ type: 'echo', id, text, wait: text.startsWith('wait') }), {
    settle: (r) => (r.type === 'echoed' ? { value: r.text } : null),
    onReply: () => onStep?.(),
    ...(signal ? { signal } : {}),
  });

/** A worker that echoes; a text starting with "wait" steps until it is cancelled. */
const echoWorker = (seen: string[]) => (post: (m: Res) => void) => async (request: Req, signal: AbortSignal) => {
  if (!('text' in request)) return post({ type: 'echoed', id: request.id, text: 'payload' });
  seen.push(request.text);
  while (request.wait && !signal.aborted) {
    post({ type: 'step', id: request.id });
    await new Promise((r) => setTimeout(r, 1));
  }
  if (signal.aborted) post({ type: 'failed', id: request.id, reason: 'cancelled' });
  else post({ type: 'echoed', id: request.id, text: request.text.toUpperCase() });
};

describe('the worker plumbing', () => {
  it('answers each request with its own reply, and passes steps before the final reply', async () => {
    const seen: string[] = [];
    const bridge = bridgeOver(() => inProcessWorker(echoWorker(seen)));
    const [a, b] = await Promise.all([echo(bridge, 'one'), echo(bridge, 'two')]);
    expect([a, b]).toEqual(['ONE', 'TWO']);
  });

  it('a cancel reaches the worker as an aborted signal: that request stops, the other goes on in the same worker', async () => {
    const seen: string[] = [];
    const workers: ReturnType<typeof inProcessWorker<Req, Res>>[] = [];
    const bridge = bridgeOver(() => {
      const w = inProcessWorker<Req, Res>(echoWorker(seen));
      workers.push(w);
      return w;
    });
    const controller = new AbortController();
    let steps = 0;
    const waiting = echo(bridge, 'wait for me', controller.signal, () => {
      if (++steps === 3) controller.abort();
    });
    const other = echo(bridge, 'other');
    await expect(waiting).rejects.toMatchObject({ kind: 'cancelled' });
    await expect(other).resolves.toBe('OTHER');
    // The worker saw the cancel and let go of the request (it answered `failed`, which settles nothing now).
    await new Promise((r) => setTimeout(r, 10));
    expect(workers).toHaveLength(1);
    expect(workers[0]!.terminated).toBe(false);
    await expect(echo(bridge, 'after')).resolves.toBe('AFTER');
  });

  it('a worker that dies without an error event fails its requests (its life lock is released)', async () => {
    const { watch, locks, release } = fakeLocks();
    const port = inProcessWorker<Req, Res>(() => () => undefined, locks); // never answers
    const bridge = bridgeOver(() => port, watch);
    const pending = echo(bridge, 'hello');
    await new Promise((r) => setTimeout(r, 5));
    expect(port.ready?.lock).toMatch(/^moodlens-test-worker-/u);
    release(port.ready!.lock!);
    await expect(pending).rejects.toMatchObject({ kind: 'crashed' });
    expect(port.terminated).toBe(true);
  });

  it('a message that cannot be cloned fails only itself, and the worker still answers the next', async () => {
    const bridge = bridgeOver(() => inProcessWorker<Req, Res>(echoWorker([])));
    const bad = bridge.request<string>((id) => ({ type: 'echo', id, payload: () => 1 }), { settle: () => ({ value: '' }) });
    await expect(bad).rejects.toMatchObject({ kind: 'not-sent' });
    await expect(echo(bridge, 'fine')).resolves.toBe('FINE');
  });
});

describe('the batch file client on the plumbing', () => {
  it('a batch worker killed by the browser rejects its task with a BatchFileError sentence, not a hang', async () => {
    const { watch, locks, release } = fakeLocks();
    let port: ReturnType<typeof inProcessWorker> | null = null;
    const client = new BatchFileClient(() => {
      port = inProcessWorker(() => () => undefined, locks);
      return port as unknown as BatchWorkerLike;
    }, watch);
    const task = client.summarize('job-1');
    await new Promise((r) => setTimeout(r, 5));
    release(port!.ready!.lock!);
    const err = await task.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchFileError);
    expect(err).toMatchObject({ code: 'crashed', message: 'The batch reader stopped unexpectedly; try again.' });
  });

  it('a file that cannot be handed to the worker rejects with a BatchFileError, and the worker is ended', async () => {
    let port: { terminated: boolean } | null = null;
    const client = new BatchFileClient(() => {
      const w = inProcessWorker(() => () => undefined);
      port = w;
      return w as unknown as BatchWorkerLike;
    });
    // Not a File: a function cannot be cloned (postMessage throws DataCloneError).
    const notCloneable = (() => 1) as unknown as File;
    const err = await client.read('job-2', notCloneable).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchFileError);
    expect((err as BatchFileError).code).toBe('crashed');
    expect((err as BatchFileError).message).toMatch(/^The batch reader stopped unexpectedly \(DataCloneError: .*\); try again\.$/u);
    expect(port!.terminated).toBe(true);
  });
});
