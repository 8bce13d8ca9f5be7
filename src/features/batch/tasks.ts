// The batch worker's two tasks: read a file into the batches database piece by piece (Papa Parse
// for CSV and TSV), and write a job's export out of it (export.ts). Each posts progress and one
// final reply. The worker (worker/batch-worker.ts) runs them; Node tests run them in-process on
// fake-indexeddb.
import { guessColumns, type BatchChannel } from './rows';
import { SummaryBuilder } from './results';
import { exportJob } from './export';
import { formatOf, parseTable, type BatchFormat } from './parse';
import { EMOTIONS } from '../../shared/emotions';
import { evaluate, type EvalChannel } from '../evaluation/evaluation';
import { LabelTally, readLabel } from '../evaluation/labels';
import type { BatchTask, BatchTaskReply, EvaluateRequest, ExportRequest, ReadRequest, RowProblem, SummaryRequest } from './protocol';
import { BatchDb, channelsOf, type BatchJob, type StoredRow } from './store';

/** Rows the preview shows, and rows the columns are guessed from. */
const PREVIEW_ROWS = 10;
const SAMPLE_ROWS = 200;
/** Problems kept per job (the count is exact, the list is for reading). */
const KEPT_PROBLEMS = 50;

type Post = (message: BatchTaskReply, transfer?: Transferable[]) => void;

/** Where a task's database and file come from (the worker's defaults; Node tests pass their own). */
export interface TaskEnv {
  readonly openDb: () => Promise<BatchDb>;
  /** What Papa Parse reads: the File itself in a browser; its text in Node (no FileReader). */
  readonly inputOf: (file: File) => Blob | string | Promise<string>;
}

const BROWSER: TaskEnv = { openDb: () => BatchDb.open(), inputOf: (file) => file };

/** Runs one request to its end, posting progress and exactly one final reply. */
export async function runTask(request: BatchTask, post: Post, env: TaskEnv = BROWSER): Promise<void> {
  try {
    if (request.type === 'read') await read(request, post, env);
    else if (request.type === 'export') await exportTask(request, post, env);
    else if (request.type === 'evaluate') await evaluateTask(request, post, env);
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
    columns: { text: 0, id: null, picture: null, label: null },
    labels: {},
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

/** Rows read from the database per page of the summary and the evaluation. */
const SUMMARY_PAGE = 2000;

/** Opens the database and job `id` (saying so when it is gone), runs `task`, closes. */
async function withJob(env: TaskEnv, id: string, post: Post, task: (db: BatchDb, job: BatchJob) => Promise<void>): Promise<void> {
  const db = await env.openDb();
  try {
    const job = await db.getJob(id);
    if (job) await task(db, job);
    else post({ type: 'failed', code: 'no-job', detail: `No batch ${id}.` });
  } finally {
    db.close();
  }
}

/** Every stored row of job `id` in file order, read a page at a time. */
async function forEachRow(db: BatchDb, id: string, visit: (row: StoredRow) => void): Promise<void> {
  for (let from = 0; ; ) {
    const page = await db.readRows(id, from, SUMMARY_PAGE);
    if (page.length === 0) return;
    page.forEach(visit);
    from = page[page.length - 1]!.index + 1;
  }
}

function summaryTask({ job: id }: SummaryRequest, post: Post, env: TaskEnv): Promise<void> {
  return withJob(env, id, post, async (db, job) => {
    const builder = new SummaryBuilder(job.total);
    await forEachRow(db, id, (row) => builder.add(row.index, row.result));
    const summary = builder.build();
    post({ type: 'summary', summary }, [summary.states.buffer, summary.tops.buffer, summary.scores.buffer]);
  });
}

/**
 * Reads the job's label column and every row's scores per channel, and evaluates them. Rows
 * without a usable label (empty, a value not mapped, a value the user left out) are counted.
 */
function evaluateTask({ job: id, resamples }: EvaluateRequest, post: Post, env: TaskEnv): Promise<void> {
  return withJob(env, id, post, async (db, job) => {
    const column = job.columns.label;
    if (column === null) {
      post({ type: 'failed', code: 'no-labels', detail: 'No Label column is chosen.' });
      return;
    }
    const k = EMOTIONS.length;
    const n = job.total;
    const gold = new Int8Array(n).fill(-1);
    const channels: EvalChannel[] = channelsOf(job);
    const scores = Object.fromEntries(channels.map((c) => [c, new Float32Array(n * k).fill(Number.NaN)])) as Partial<Record<EvalChannel, Float32Array>>;
    const tally = new LabelTally();
    const rows = { labelled: 0, empty: 0, unmapped: 0, ignored: 0 };
    const models = new Set<string>();
    await forEachRow(db, id, (row) => {
      if (row.index >= n) return;
      const cell = row.cells[column];
      tally.add(cell);
      const label = readLabel(cell, job.labels);
      if (label === 'empty' || label === 'unmapped' || label === 'ignored') {
        rows[label] += 1;
        return;
      }
      rows.labelled += 1;
      gold[row.index] = EMOTIONS.indexOf(label);
      const result = row.result;
      if (!result) return;
      if (result.model && models.size < 10) models.add(result.model);
      for (const c of channels) {
        const s = result[c as BatchChannel] ?? null;
        if (s) EMOTIONS.forEach((e, j) => (scores[c]![row.index * k + j] = s[e]));
      }
    });
    const report = rows.labelled > 0 ? evaluate({ gold, scores }, { resamples: resamples ?? 1000 }) : null;
    post({
      type: 'evaluated',
      evaluation: { report: report && report.channels.length > 0 ? report : null, values: tally.values(job.labels), otherValues: tally.others, models: [...models], rows },
    });
  });
}
