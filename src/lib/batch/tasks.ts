// The batch worker's two tasks: read a file into the batches database piece by piece (Papa Parse
// for CSV and TSV), and write a job's export out of it (export.ts). Each posts progress and one
// final reply. The worker (worker/batch-worker.ts) runs them; Node tests run them in-process on
// fake-indexeddb.
import { guessColumns } from '../domain/batch';
import { SummaryBuilder } from '../domain/batch-results';
import { exportJob } from './export';
import { formatOf, parseTable, type BatchFormat } from './parse';
import type { BatchWorkerRequest, BatchWorkerResponse, ExportRequest, ReadRequest, RowProblem, SummaryRequest } from './protocol';
import { BatchDb, type BatchJob } from './store';

/** Rows the preview shows, and rows the columns are guessed from. */
const PREVIEW_ROWS = 10;
const SAMPLE_ROWS = 200;
/** Problems kept per job (the count is exact, the list is for reading). */
const KEPT_PROBLEMS = 50;

type Post = (message: BatchWorkerResponse, transfer?: Transferable[]) => void;

/** Where a task's database and file come from (the worker's defaults; Node tests pass their own). */
export interface TaskEnv {
  readonly openDb: () => Promise<BatchDb>;
  /** What Papa Parse reads: the File itself in a browser; its text in Node (no FileReader). */
  readonly inputOf: (file: File) => Blob | string | Promise<string>;
}

const BROWSER: TaskEnv = { openDb: () => BatchDb.open(), inputOf: (file) => file };

/** Runs one request to its end, posting progress and exactly one final reply. */
export async function runTask(request: BatchWorkerRequest, post: Post, env: TaskEnv = BROWSER): Promise<void> {
  try {
    if (request.type === 'read') await read(request, post, env);
    else if (request.type === 'export') await exportTask(request, post, env);
    else await summaryTask(request, post, env);
  } catch (err) {
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const storage = err instanceof DOMException && err.name !== 'NotReadableError' && err.name !== 'EncodingError';
    post({ type: 'failed', code: storage ? 'storage' : 'unreadable-file', detail });
  }
}

async function read({ job: id, file, maxRows }: ReadRequest, post: Post, env: TaskEnv): Promise<void> {
  const head = await file.slice(0, 4096).text();
  if (file.size === 0 || head.replace(/^\uFEFF/u, '').trim() === '') {
    post({ type: 'failed', code: 'empty-file', detail: `${file.name} is empty.` });
    return;
  }
  const format: BatchFormat = formatOf(file.name, head);
  const db = await env.openDb();
  const now = Date.now();
  let job: BatchJob = {
    id,
    name: file.name,
    format,
    header: [],
    columns: { text: 0, id: null, picture: null },
    state: 'reading',
    reason: null,
    total: 0,
    done: 0,
    problems: [],
    createdAt: now,
    updatedAt: now,
  };
  await db.putJob(job);
  const sample: (readonly string[])[] = [];
  const problems: RowProblem[] = [];
  let previewed = false;
  let truncated = false;
  let stored = 0;
  let header: readonly string[] = [];
  const stop = new AbortController();
  const summary = await parseTable(
    await env.inputOf(file),
    format,
    async (piece) => {
      if (truncated) return;
      let rows = piece.rows;
      if (piece.first + rows.length > maxRows) {
        rows = rows.slice(0, Math.max(0, maxRows - piece.first));
        truncated = true;
        stop.abort();
      }
      await db.addRows(id, piece.first, rows);
      header = piece.header;
      stored = piece.first + rows.length;
      for (const p of piece.problems) if (problems.length < KEPT_PROBLEMS) problems.push(p);
      if (sample.length < SAMPLE_ROWS) sample.push(...rows.slice(0, SAMPLE_ROWS - sample.length));
      if (!previewed && sample.length > 0) {
        previewed = true;
        post({ type: 'preview', format, header: piece.header, rows: sample.slice(0, PREVIEW_ROWS), columns: guessColumns({ header: piece.header, rows: sample }) });
      }
      post({ type: 'progress', rows: stored, bytes: piece.bytesRead });
    },
    { signal: stop.signal },
  ).catch((err: unknown) => {
    if (truncated) return null;
    throw err;
  });
  if (summary) header = summary.header;
  if (stored === 0) {
    await db.deleteJob(id);
    post({ type: 'failed', code: 'empty-file', detail: `${file.name} has no rows to read.` });
    return;
  }
  job = { ...job, header, columns: guessColumns({ header, rows: sample }), state: 'ready', total: stored, problems, updatedAt: Date.now() };
  await db.putJob(job);
  db.close();
  post({ type: 'read', rows: stored, problems, truncated });
}

async function exportTask({ job, format }: ExportRequest, post: Post, env: TaskEnv): Promise<void> {
  const db = await env.openDb();
  try {
    const result = await exportJob(db, job, format, (rows) => post({ type: 'progress', rows, bytes: 0 }));
    post(result ? { type: 'exported', ...result } : { type: 'failed', code: 'no-job', detail: `No batch ${job}.` });
  } finally {
    db.close();
  }
}

/** Rows read from the database per page of the summary. */
const SUMMARY_PAGE = 2000;

async function summaryTask({ job: id }: SummaryRequest, post: Post, env: TaskEnv): Promise<void> {
  const db = await env.openDb();
  try {
    const job = await db.getJob(id);
    if (!job) {
      post({ type: 'failed', code: 'no-job', detail: `No batch ${id}.` });
      return;
    }
    const builder = new SummaryBuilder(job.total);
    for (let from = 0; ; ) {
      const page = await db.readRows(id, from, SUMMARY_PAGE);
      if (page.length === 0) break;
      for (const row of page) builder.add(row.index, row.result);
      from = page[page.length - 1]!.index + 1;
    }
    const summary = builder.build();
    post({ type: 'summary', summary }, [summary.states.buffer, summary.tops.buffer, summary.scores.buffer]);
  } finally {
    db.close();
  }
}
