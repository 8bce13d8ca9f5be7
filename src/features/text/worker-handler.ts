// The emotion worker's logic, free of Worker and transformers.js so it can be tested in Node with
// a fake runtime: requests run one at a time; a model is loaded once per config and reused; a
// failed load is forgotten so the next request retries; WebGPU failures fall back to WASM; long
// texts are chunked and the chunks combined by token count. Many texts (or the chunks of a long
// one) run in batches of similar length, and a text seen before with the same model is answered
// from a small cache. Every request ends in exactly one final message: its result or
// `{ type: 'error' }`.
//
// This module is the request queue and what each request does; the jobs are in handler/: the
// load plan, the model load with its fallbacks, the model held (model-session.ts), the batched
// classify with its cache, and explain.
import { assertNever } from '../../shared/worker/protocol';
import { toModelError } from './model-errors';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { cancelled } from './handler/failures';
import { planLoad } from './handler/load-plan';
import { ModelSession } from './handler/model-session';
import type { WorkerRuntime } from './handler/runtime';

export type { RuntimeModel, WorkerRuntime } from './handler/runtime';

/** Creates the message handler; `post` sends a response to the page. */
export function createWorkerHandler(runtime: WorkerRuntime, post: (message: WorkerResponse) => void) {
  let queue: Promise<void> = Promise.resolve();
  /** A model load started and failed during the current request (the page should replace this worker). */
  let loadFailed = false;
  const session = new ModelSession({ runtime, post }, () => {
    loadFailed = true;
  });

  async function handle(request: WorkerRequest, signal: AbortSignal): Promise<void> {
    try {
      // Cancelled while it waited in the queue: it never runs.
      if (signal.aborted) throw cancelled();
      if ('seed' in request && request.seed) session.offer(request.config, request.seed);
      switch (request.type) {
        case 'probe':
          post({ type: 'probed', id: request.id, plan: await planLoad(runtime, request.config, request.cachedOnly) });
          return;
        case 'classify': {
          const [result] = await session.classify(request.id, request.config, [request.text], signal);
          post({ type: 'classified', id: request.id, result: result! });
          return;
        }
        case 'classify-batch':
          post({ type: 'classified-batch', id: request.id, results: await session.classify(request.id, request.config, request.texts, signal, request.ifLoaded) });
          return;
        case 'explain':
          post({ type: 'explained', id: request.id, explanation: await session.explain(request.id, request.config, request.text, signal) });
          return;
        case 'unload':
          await session.unload();
          post({ type: 'unloaded', id: request.id });
          return;
        default:
          assertNever(request);
      }
    } catch (err) {
      post({ type: 'error', id: request.id, error: toModelError(err).toData(), ...(loadFailed ? { recycle: true } : {}) });
    } finally {
      loadFailed = false;
    }
  }

  /**
   * Queues a request; requests run one at a time, in arrival order. `signal` is aborted when the
   * page cancels it: a queued request is then answered `cancelled` without running, a running one
   * stops between two batches (the model and the other requests stay). A request that loaded a
   * model is followed by its settling run (ModelSession.settle), after its answer.
   */
  return (request: WorkerRequest, signal: AbortSignal = new AbortController().signal): Promise<void> => {
    const next = queue.then(() => handle(request, signal));
    // After a request that loaded a model: its settling run, before the next request.
    queue = next.then(() => session.settle());
    return next;
  };
}
