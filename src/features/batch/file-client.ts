// The page's side of the batch worker: one worker per task (read a file into the database, write
// an export out of it), ended when the task ends or is cancelled. Failures come back as BatchFileError
// with one sentence for the page.
import type { BatchColumns } from './rows';
import type { BatchSummary } from './results';
import type { BatchFormat } from './parse';
import type { BatchWorkerRequest, BatchWorkerResponse, Evaluation, RowProblem } from './protocol';

/** A read or an export that did not happen; `message` is the sentence the page shows. */
export class BatchFileError extends Error {
  constructor(
    readonly code: 'unreadable-file' | 'storage' | 'no-job' | 'empty-file' | 'no-labels' | 'crashed' | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'BatchFileError';
  }
}

/** The subset of Worker the client uses (a fake stands in for it in tests). */
export interface BatchWorkerLike {
  postMessage(message: BatchWorkerRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<BatchWorkerResponse>) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

export function createBatchWorker(): BatchWorkerLike {
  return new Worker(new URL('./worker/batch-worker.ts', import.meta.url), { type: 'module', name: 'batch' });
}

export interface Preview {
  readonly format: BatchFormat;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly columns: BatchColumns;
}

export interface ReadHandlers {
  onPreview?: (preview: Preview) => void;
  onProgress?: (rows: number, bytes: number) => void;
}

export interface ReadSummary {
  readonly rows: number;
  readonly problems: readonly RowProblem[];
  readonly truncated: boolean;
}

/** The sentence for each failure code. */
function sentence(code: BatchFileError['code'], detail: string): string {
  switch (code) {
    case 'empty-file':
      return `${detail} Pick a CSV, TSV, JSONL or text file with at least one row.`;
    case 'unreadable-file':
      return `The file could not be read (${detail}). Check that it is a CSV, TSV, JSONL or plain text file in UTF-8, then pick it again.`;
    case 'storage':
      return `The browser refused to store the batch (${detail}). Free some space (delete old batches or History entries), then try again.`;
    case 'no-job':
      return 'This batch is no longer stored on this device.';
    case 'no-labels':
      return 'Choose the Label column first: the column that holds your own label for each row.';
    case 'crashed':
      return 'The batch reader stopped unexpectedly; try again.';
    case 'cancelled':
      return 'Cancelled.';
  }
}

/** Rows a job may hold. */
export const MAX_ROWS = 1_000_000;

export class BatchFileClient {
  readonly #create: () => BatchWorkerLike;

  constructor(create: () => BatchWorkerLike = createBatchWorker) {
    this.#create = create;
  }

  /** Reads `file` into the database as job `job`; rejects with a BatchFileError. */
  read(job: string, file: File, handlers: ReadHandlers = {}, signal?: AbortSignal): Promise<ReadSummary> {
    return this.#task({ type: 'read', job, file, maxRows: MAX_ROWS }, signal, (reply, settle) => {
      if (reply.type === 'preview') handlers.onPreview?.({ format: reply.format, header: reply.header, rows: reply.rows, columns: reply.columns });
      else if (reply.type === 'progress') handlers.onProgress?.(reply.rows, reply.bytes);
      else if (reply.type === 'read') settle({ rows: reply.rows, problems: reply.problems, truncated: reply.truncated });
    });
  }

  /** The export of job `job`, as one Blob built in the worker. */
  export(job: string, format: 'csv' | 'jsonl', onProgress?: (rows: number) => void, signal?: AbortSignal): Promise<Blob> {
    return this.#task({ type: 'export', job, format }, signal, (reply, settle) => {
      if (reply.type === 'progress') onProgress?.(reply.rows);
      else if (reply.type === 'exported') settle(reply.blob);
    });
  }

  /** The job's evaluation against its Label column (issue 16). */
  evaluate(job: string, options: { resamples?: number } = {}, signal?: AbortSignal): Promise<Evaluation> {
    return this.#task({ type: 'evaluate', job, ...(options.resamples ? { resamples: options.resamples } : {}) }, signal, (reply, settle) => {
      if (reply.type === 'evaluated') settle(reply.evaluation);
    });
  }

  /** The job's results as typed arrays, for the results table and the counts. */
  summarise(job: string, signal?: AbortSignal): Promise<BatchSummary> {
    return this.#task({ type: 'summarise', job }, signal, (reply, settle) => {
      if (reply.type === 'summary') settle(reply.summary);
    });
  }

  #task<T>(request: BatchWorkerRequest, signal: AbortSignal | undefined, onReply: (reply: BatchWorkerResponse, settle: (value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new BatchFileError('cancelled', sentence('cancelled', '')));
        return;
      }
      const worker = this.#create();
      let ended = false;
      const end = (finish: () => void) => {
        if (ended) return;
        ended = true;
        signal?.removeEventListener('abort', onAbort);
        worker.terminate();
        finish();
      };
      const fail = (code: BatchFileError['code'], detail: string) => end(() => reject(new BatchFileError(code, sentence(code, detail))));
      const onAbort = () => fail('cancelled', '');
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.addEventListener('message', (event) => {
        const reply = event.data;
        if (reply.type === 'failed') fail(reply.code, reply.detail);
        else onReply(reply, (value) => end(() => resolve(value)));
      });
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        fail('crashed', '');
      });
      worker.addEventListener('messageerror', () => fail('crashed', ''));
      worker.postMessage(request);
    });
  }
}
