// The batch worker: reads a file into the batches database and writes exports out of it
// (tasks.ts), so the page never holds the file or the export's text and none of this work runs on
// its thread. One task per worker; the page ends the worker to cancel (a transaction cut short is
// rolled back by IndexedDB).
/// <reference lib="webworker" />
import type { BatchWorkerRequest, BatchWorkerResponse } from '../protocol';
import { runTask } from '../tasks';

declare const self: DedicatedWorkerGlobalScope;

self.addEventListener('message', (event: MessageEvent<BatchWorkerRequest>) => {
  void runTask(event.data, (message: BatchWorkerResponse, transfer: Transferable[] = []) => self.postMessage(message, transfer));
});
