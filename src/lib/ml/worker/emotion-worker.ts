// Entry of the emotion Web Worker: wires the handler to postMessage and the real runtime.
import { createIdbModelCache } from '../model-cache';
import type { WorkerRequest, WorkerResponse } from '../protocol';
import { createWorkerHandler } from '../worker-handler';
import { createTransformersRuntime } from './transformers-runtime';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = createWorkerHandler(createTransformersRuntime(createIdbModelCache()), (message: WorkerResponse) =>
  scope.postMessage(message),
);
scope.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  void handle(event.data);
});
scope.postMessage({ type: 'ready', id: 0 } satisfies WorkerResponse);
