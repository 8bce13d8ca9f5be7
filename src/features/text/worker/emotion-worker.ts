// Entry of the emotion Web Worker: wires the handler to the shared worker plumbing (ready, life
// lock, cancel) and to the real runtime.
import { serveWorker } from '../../../shared/worker/serve';
import { createIdbModelCache, withMemoryFallback } from '../model-cache';
import type { WorkerRequest, WorkerResponse } from '../protocol';
import { createWorkerHandler } from '../worker-handler';
import { createTransformersRuntime } from './transformers-runtime';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = createWorkerHandler(createTransformersRuntime(withMemoryFallback(createIdbModelCache())), (message: WorkerResponse) =>
  scope.postMessage(message),
);
serveWorker<WorkerRequest>(scope, 'emotion', handle);
