// Entry of the emotion Web Worker: wires the handler to postMessage and the real runtime.
import { createIdbModelCache, withMemoryFallback } from '../model-cache';
import type { WorkerRequest, WorkerResponse } from '../protocol';
import { createWorkerHandler } from '../worker-handler';
import { createTransformersRuntime } from './transformers-runtime';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = createWorkerHandler(createTransformersRuntime(withMemoryFallback(createIdbModelCache())), (message: WorkerResponse) =>
  scope.postMessage(message),
);
scope.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  void handle(event.data);
});

// Hold a Web Lock for the worker's whole life: the browser releases it when the worker ends in any
// way (closed, killed, crashed), which a page cannot otherwise notice; the client waits on it.
const locks = (scope.navigator as WorkerNavigator & { locks?: LockManager }).locks;
if (locks) {
  const lock = `moodlens-emotion-worker-${crypto.randomUUID()}`;
  void locks.request(lock, () => {
    scope.postMessage({ type: 'ready', id: 0, lock } satisfies WorkerResponse);
    return new Promise<never>(() => undefined);
  });
} else {
  scope.postMessage({ type: 'ready', id: 0 } satisfies WorkerResponse);
}
