// The page's side of the batch worker: one worker per task (read a file into the database, write
// an export out of it), over the shared worker plumbing (shared/worker/bridge.ts), ended when the
// task ends or is cancelled. Every failure, a crash or a worker the browser killed included, comes
// back as a BatchFileError with one sentence for the page.
import type { BatchColumns } from './rows';
import type { BatchSummary } from './results';
import type { BatchFormat } from './parse';
import { WorkerBridge, webLockWatcher, type LockWatcher, type WorkerPort } from '../../shared/worker/bridge';
import type { BatchTask, BatchTaskReply, BatchWorkerRequest, BatchWorkerResponse, Evaluation, RowProblem } from './protocol';

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

/** The batch worker as the client sees it (a fake stands in for it in tests). */
export type BatchWorkerLike = WorkerPort<BatchWorkerRequest, BatchWorkerResponse>;

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
      return `The batch reader stopped unexpectedly${detail ? ` (${detail})` : ''}; try again.`;
    case 'cancelled':
      return 'Cancelled.';
  }
}

/** Rows a job may hold. */
export const MAX_ROWS = 1_000_000;

/** Replies that end a task. */
const FINAL: ReadonlySet<BatchTaskReply['type']> = new Set(['read', 'exported', 'evaluated', 'summary', 'failed']);

export class BatchFileClient {
  readonly #create: () => BatchWorkerLike;
  readonly #watchLock: LockWatcher;

  constructor(create: () => BatchWorkerLike = createBatchWorker, watchLock: LockWatcher = webLockWatcher) {
    this.#create = create;
    this.#watchLock = watchLock;
  }

  /** Reads `file` into the database as job `job`; rejects with a BatchFileError. */
  read(job: string, file: File, handlers: ReadHandlers = {}, signal?: AbortSignal): Promise<ReadSummary> {
    return this.#task({ type: 'read', job, file, maxRows: MAX_ROWS }, signal, (reply) => {
      if (reply.type === 'preview') handlers.onPreview?.({ format: reply.format, header: reply.header, rows: reply.rows, columns: reply.columns });
      else if (reply.type === 'progress') handlers.onProgress?.(reply.rows, reply.bytes);
      return reply.type === 'read' ? { value: { rows: reply.rows, problems: reply.problems, truncated: reply.truncated } } : null;
    });
  }

  /** The export of job `job`, as one Blob built in the worker. */
  export(job: string, format: 'csv' | 'jsonl', onProgress?: (rows: number) => void, signal?: AbortSignal): Promise<Blob> {
    return this.#task({ type: 'export', job, format }, signal, (reply) => {
      if (reply.type === 'progress') onProgress?.(reply.rows);
      return reply.type === 'exported' ? { value: reply.blob } : null;
    });
  }

  /** The job's evaluation against its Label column. */
  evaluate(job: string, options: { resamples?: number } = {}, signal?: AbortSignal): Promise<Evaluation> {
    return this.#task({ type: 'evaluate', job, ...(options.resamples ? { resamples: options.resamples } : {}) }, signal, (reply) =>
      reply.type === 'evaluated' ? { value: reply.evaluation } : null,
    );
  }

  /** The job's results as typed arrays, for the results table and the counts. */
  summarize(job: string, signal?: AbortSignal): Promise<BatchSummary> {
    return this.#task({ type: 'summarize', job }, signal, (reply) => (reply.type === 'summary' ? { value: reply.summary } : null));
  }

  /**
   * Runs `task` in a worker of its own, ended when it settles. `reply` sees every reply; it
   * returns the task's value from its final reply (null for any other reply).
   */
  async #task<T>(task: BatchTask, signal: AbortSignal | undefined, reply: (reply: BatchWorkerResponse) => { readonly value: T } | null): Promise<T> {
    const bridge = new WorkerBridge<BatchWorkerRequest, BatchWorkerResponse, BatchFileError>({
      create: this.#create,
      error: (kind, detail) => {
        if (kind === 'cancelled') return new BatchFileError('cancelled', sentence('cancelled', ''));
        // A message that cannot be sent or a crash: the task did not happen; say so plainly.
        return new BatchFileError('crashed', sentence('crashed', kind === 'not-sent' ? detail : ''));
      },
      isFinal: (r) => FINAL.has(r.type),
      failureOf: (r) => (r.type === 'failed' ? new BatchFileError(r.code, sentence(r.code, r.detail)) : null),
      cancel: 'terminate',
      state: () => undefined,
      watchLock: this.#watchLock,
    });
    try {
      return await bridge.request((id) => ({ ...task, id }) as BatchWorkerRequest, {
        settle: reply,
        onReply: (r) => void reply(r),
        ...(signal ? { signal } : {}),
      });
    } finally {
      bridge.dispose(new BatchFileError('cancelled', sentence('cancelled', '')));
    }
  }
}
