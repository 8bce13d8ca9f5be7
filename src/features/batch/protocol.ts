// The typed messages between the page (BatchFileClient) and the batch worker, which reads a file
// into the batches database, writes exports out of it and sums up its results, so neither a
// 100 MB file nor a 100,000-row export is ever parsed or formatted on the page's thread. One
// worker per task, over the shared plumbing (ids, ready, life lock); the page ends it to cancel.
import type { BatchColumns } from './rows';
import type { BatchSummary } from './results';
import type { EvaluationReport } from '../evaluation/evaluation';
import type { LabelValue } from '../evaluation/labels';
import type { BatchFormat } from './parse';

/** Read `file` into the database as job `job` (the job record is written by the worker). */
export interface ReadRequest {
  readonly type: 'read';
  readonly job: string;
  readonly file: File;
  /** Rows a job may hold (a file with more is read up to this and said so). */
  readonly maxRows: number;
}

/** Write job `job` out as CSV or JSONL. */
export interface ExportRequest {
  readonly type: 'export';
  readonly job: string;
  readonly format: 'csv' | 'jsonl';
}

/** Read every row's result of job `job` into a summary (the results table and the counts). */
export interface SummaryRequest {
  readonly type: 'summarize';
  readonly job: string;
}

/** Evaluate job `job` against its label column. */
export interface EvaluateRequest {
  readonly type: 'evaluate';
  readonly job: string;
  /** Bootstrap resamples (1,000 unless a test asks for fewer). */
  readonly resamples?: number;
}

/** A task, as tasks.ts runs it. */
export type BatchTask = ReadRequest | ExportRequest | SummaryRequest | EvaluateRequest;

/** Page -> worker: a task with the id its replies echo. */
export type BatchWorkerRequest = BatchTask & { readonly id: number };

/** What the label column held, and the report (null when no row has both a label and an answer). */
export interface Evaluation {
  readonly report: EvaluationReport | null;
  /** The label column's values, most rows first, with what each counts as. */
  readonly values: readonly LabelValue[];
  /** Rows whose value was past the listed ones. */
  readonly otherValues: number;
  /** The models that read the rows (from their results). */
  readonly models: readonly string[];
  /** Rows by what their label counts as. */
  readonly rows: { readonly labelled: number; readonly empty: number; readonly unmapped: number; readonly ignored: number };
}

/** A row the parser could not read as it should, by index in the file (0 = first row). */
export interface RowProblem {
  readonly row: number;
  readonly reason: string;
}

/** What a task reports (tasks.ts); the worker adds the request's id (BatchWorkerResponse). */
export type BatchTaskReply =
  /** The first rows, as soon as they are read (the preview), with the columns guessed from them. */
  | { readonly type: 'preview'; readonly format: BatchFormat; readonly header: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly columns: BatchColumns }
  /** Reading or exporting goes on: rows so far, and bytes of the file read (reading only). */
  | { readonly type: 'progress'; readonly rows: number; readonly bytes: number }
  /** The file is in the database. */
  | { readonly type: 'read'; readonly rows: number; readonly problems: readonly RowProblem[]; readonly truncated: boolean }
  /** The export, whole. */
  | { readonly type: 'exported'; readonly blob: Blob; readonly rows: number }
  /** The evaluation. */
  | { readonly type: 'evaluated'; readonly evaluation: Evaluation }
  /** The summary (its arrays are transferred, not copied). */
  | { readonly type: 'summary'; readonly summary: BatchSummary }
  /** The task failed; `detail` is for the page to phrase. */
  | { readonly type: 'failed'; readonly code: 'unreadable-file' | 'storage' | 'no-job' | 'empty-file' | 'no-labels'; readonly detail: string };

/** Worker -> page (besides the plumbing's `ready`, shared/worker/protocol.ts). */
export type BatchWorkerResponse = BatchTaskReply & { readonly id: number };
