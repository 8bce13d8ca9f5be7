// The batch worker: reads a file into the batches database and writes exports out of it
// (tasks.ts), so the page never holds the file or the export's text and none of this work runs on
// its thread. One task per worker, over the shared plumbing (ready, life lock); the page ends the
// worker to cancel (a transaction cut short is rolled back by IndexedDB).
/// <reference lib="webworker" />
import { serveWorker } from '../../../shared/worker/serve';
import type { BatchWorkerRequest, BatchWorkerResponse } from '../protocol';
import { runTask } from '../tasks';

declare const self: DedicatedWorkerGlobalScope;

serveWorker<BatchWorkerRequest>(self, 'batch', (request) =>
  runTask(request, (reply, transfer: Transferable[] = []) => self.postMessage({ ...reply, id: request.id } satisfies BatchWorkerResponse, transfer)),
);
