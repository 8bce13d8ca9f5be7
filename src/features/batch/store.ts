// Batch jobs in their own IndexedDB database (`moodlens-batches`): a `jobs` store (one record per
// batch: file name, format, header, chosen columns, state, counts) and a `rows` store keyed by
// [job, index] holding each row's original cells and, once read, its result. Rows are written as
// the file is read and results page by page, each in one transaction, so a reload or a crash loses
// at most the page in flight, and the page never needs the whole file in memory. An index on
// [job, done, index] gives the next rows without a result in file order (the runner's
// `BatchStore`). Works in the page and in workers (IndexedDB exists in both).
import type { BatchChannel, BatchColumns, RowResult } from './rows';
import type { LabelMap } from '../evaluation/labels';
import type { BatchFormat } from './parse';
import type { RowProblem } from './protocol';
import type { BatchStore, PendingRow } from './runner';

export const BATCH_DB = 'moodlens-batches';
const VERSION = 1;

/** Where a job stands. */
export type JobState = 'reading' | 'ready' | 'running' | 'paused' | 'done' | 'cancelled';

/** One batch, as stored. */
export interface BatchJob {
  readonly id: string;
  /** The file's name (or "Pasted lines"). */
  readonly name: string;
  readonly format: BatchFormat;
  readonly header: readonly string[];
  readonly columns: BatchColumns;
  /** What the user said label values mean (evaluation), by `labelKey`. */
  readonly labels: LabelMap;
  readonly state: JobState;
  /** Why it is paused (storage full, the model failing), or null. */
  readonly reason: string | null;
  /** Rows in the file (known once it is read). */
  readonly total: number;
  /**
   * Rows with a result when the job's state was last stored (the end of a run, or a run found
   * interrupted), so the Batches list needs no count of every job's rows; a running job's live
   * figure is its progress.
   */
  readonly done: number;
  /** Rows the parser could not read as they should (the first few), each still a row. */
  readonly problems: readonly RowProblem[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A job as stored by an older version (before labels), read as this one. */
function current(job: BatchJob): BatchJob {
  return job.labels && job.columns.label !== undefined ? job : { ...job, columns: { ...job.columns, label: job.columns.label ?? null }, labels: job.labels ?? {} };
}

/** The channels a job's rows are read by, as its export names them. */
export function channelsOf(job: Pick<BatchJob, 'columns'>): BatchChannel[] {
  const picture = job.columns.picture !== null;
  const audio = job.columns.audio !== null && job.columns.audio !== undefined;
  return ['text', ...(picture ? (['face'] as const) : []), ...(audio ? (['voice'] as const) : []), ...(picture || audio ? (['fused'] as const) : [])];
}

/** One row as stored. `done` is 0 or 1 (IndexedDB keys cannot be booleans). */
interface RowRecord {
  readonly job: string;
  readonly index: number;
  readonly cells: readonly string[];
  readonly done: 0 | 1;
  readonly result: RowResult | null;
}

/** A row as read back: its cells and its result (null until read). */
export interface StoredRow {
  readonly index: number;
  readonly cells: readonly string[];
  readonly result: RowResult | null;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new DOMException('The transaction was aborted.', 'AbortError'));
  });
}

const jobRows = (job: string) => IDBKeyRange.bound([job, -Infinity], [job, Infinity]);
const jobRowsDone = (job: string, isDone: 0 | 1) => IDBKeyRange.bound([job, isDone, -Infinity], [job, isDone, Infinity]);

/** The batches database. */
export class BatchDb {
  readonly #db: IDBDatabase;

  private constructor(db: IDBDatabase) {
    this.#db = db;
  }

  /** Opens (and on first use creates) the database. */
  static async open(name = BATCH_DB, factory: IDBFactory = indexedDB): Promise<BatchDb> {
    const req = factory.open(name, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('jobs')) db.createObjectStore('jobs', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('rows')) {
        const rows = db.createObjectStore('rows', { keyPath: ['job', 'index'] });
        rows.createIndex('pending', ['job', 'done', 'index']);
      }
    };
    return new BatchDb(await request(req));
  }

  close(): void {
    this.#db.close();
  }

  async putJob(job: BatchJob): Promise<void> {
    const tx = this.#db.transaction('jobs', 'readwrite');
    tx.objectStore('jobs').put(job);
    await done(tx);
  }

  async getJob(id: string): Promise<BatchJob | null> {
    const job = (await request(this.#db.transaction('jobs').objectStore('jobs').get(id))) as BatchJob | undefined;
    return job ? current(job) : null;
  }

  /** Every job, newest first. */
  async listJobs(): Promise<BatchJob[]> {
    const all = (await request(this.#db.transaction('jobs').objectStore('jobs').getAll())) as BatchJob[];
    return all.map(current).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Removes a job and all its rows (one transaction). */
  async deleteJob(id: string): Promise<void> {
    const tx = this.#db.transaction(['jobs', 'rows'], 'readwrite');
    tx.objectStore('jobs').delete(id);
    tx.objectStore('rows').delete(jobRows(id));
    await done(tx);
  }

  /** Stores rows `first`, `first + 1`, ... of a job, without results (one transaction). */
  async addRows(job: string, first: number, rows: readonly (readonly string[])[]): Promise<void> {
    const tx = this.#db.transaction('rows', 'readwrite');
    const store = tx.objectStore('rows');
    rows.forEach((cells, i) => store.put({ job, index: first + i, cells: [...cells], done: 0, result: null } satisfies RowRecord));
    await done(tx);
  }

  /** Rows of a job from `from` on, at most `limit`, in file order, with their results. */
  async readRows(job: string, from: number, limit: number): Promise<StoredRow[]> {
    const range = IDBKeyRange.bound([job, from], [job, Infinity]);
    const rows = (await request(this.#db.transaction('rows').objectStore('rows').getAll(range, limit))) as RowRecord[];
    return rows.map((r) => ({ index: r.index, cells: r.cells, result: r.result }));
  }

  /** Rows of a job by index, in the order asked (missing ones left out); one transaction. */
  async getRows(job: string, indexes: readonly number[]): Promise<StoredRow[]> {
    const store = this.#db.transaction('rows').objectStore('rows');
    const rows = await Promise.all(indexes.map((index) => request(store.get([job, index])) as Promise<RowRecord | undefined>));
    return rows.filter((r): r is RowRecord => r !== undefined).map((r) => ({ index: r.index, cells: r.cells, result: r.result }));
  }

  /** Rows with a result, and rows stored, of a job. */
  async counts(job: string): Promise<{ done: number; total: number }> {
    const tx = this.#db.transaction('rows');
    const store = tx.objectStore('rows');
    const [finished, total] = await Promise.all([request(store.index('pending').count(jobRowsDone(job, 1))), request(store.count(jobRows(job)))]);
    return { done: finished, total };
  }

  /**
   * The runner's view of one job: its next rows without a result (the text taken from the text
   * column, the picture's and the recording's file names from theirs), and a page of results
   * written in one transaction.
   */
  runnerStore(job: string, columns: Pick<BatchColumns, 'text' | 'picture' | 'audio'>): BatchStore {
    const cell = (r: RowRecord, column: number | null | undefined) => (column === null || column === undefined ? '' : (r.cells[column] ?? ''));
    return {
      pendingRows: async (limit): Promise<PendingRow[]> => {
        const index = this.#db.transaction('rows').objectStore('rows').index('pending');
        const rows = (await request(index.getAll(jobRowsDone(job, 0), limit))) as RowRecord[];
        return rows.map((r) => ({ index: r.index, text: cell(r, columns.text), picture: cell(r, columns.picture), audio: cell(r, columns.audio) }));
      },
      saveResults: async (results) => {
        const tx = this.#db.transaction('rows', 'readwrite');
        const store = tx.objectStore('rows');
        for (const { index, result } of results) {
          const key: IDBValidKey = [job, index];
          store.get(key).onsuccess = (event) => {
            const row = (event.target as IDBRequest<RowRecord | undefined>).result;
            if (row) store.put({ ...row, done: 1, result } satisfies RowRecord);
          };
        }
        await done(tx);
      },
      counts: () => this.counts(job),
    };
  }
}
