// The open batch job: reading a file into it (in the batch worker), opening a stored one, its
// columns, running it through the text channel page by page (runBatch, in this thread: each page
// is one worker request and one IndexedDB write, short tasks), pausing, resuming, cancelling,
// exporting, deleting, and the rows the results table shows. The job and its finished rows are in
// IndexedDB as they finish, so a reload loses at most the page in flight. Every action ends in a
// state or one sentence, never a rejected promise.
import { RATE_WINDOW_MS, progressOf, type BatchColumns, type Progress, type ProgressSample } from './rows';
import type { BatchSummary } from './results';
import { describeModelError, toModelError } from '../text/model-errors';
import { BatchFileError, type BatchFileClient, type Preview } from './file-client';
import type { RowProblem } from './protocol';
import { runBatch, type BatchClassifier, type RunEnd } from './runner';
import type { BatchDb, BatchJob, JobState, StoredRow } from './store';
import type { EmotionClient } from '../text/emotion-client';
import type { LoadProgress } from '../text/protocol';
import type { SettingsState } from '../settings/settings.svelte';
import type { BatchMessage } from './batch-message.svelte';
import type { BatchJobs } from './batch-jobs.svelte';
import type { JobEvaluation } from './job-evaluation.svelte';
import type { PictureFolder } from './picture-folder.svelte';
import type { AudioFolder } from './audio-folder.svelte';
import { errorMessage } from '../../shared/errors';

/**
 * What the open job is doing, beyond its stored state. 'incomplete': a job stored as 'reading'
 * that this page is not reading (the page closed while its file was read): it can only be
 * cancelled or deleted, as a read cut short keeps nothing.
 */
export type BatchPhase = 'idle' | 'reading' | 'incomplete' | JobState;

const INCOMPLETE =
  'The page closed while this file was read, so only part of it is stored. Cancel or Delete it, then choose the file again.';

/** The file being read. */
export interface ReadProgress {
  readonly rows: number;
  readonly bytes: number;
  readonly size: number;
}

/** The model loading before the first page (a first run downloads it). */
export interface ModelLoad {
  readonly loaded: number;
  readonly total: number;
}

/** How an OpenJob reaches the rest of the app and the other parts of the batch state. */
export interface OpenJobDeps {
  readonly database: () => Promise<BatchDb>;
  readonly files: Pick<BatchFileClient, 'read' | 'export' | 'summarize'>;
  readonly client: Pick<EmotionClient, 'classifyMany'>;
  readonly settings: Pick<SettingsState, 'modelConfig'>;
  /** Clock, for the rate. */
  readonly now: () => number;
  readonly newId: () => string;
  readonly message: BatchMessage;
  /** The Batches list, read again after a job changes. */
  readonly jobs: Pick<BatchJobs, 'refresh'>;
  /** Redone after a run and on opening a job. */
  readonly evaluation: Pick<JobEvaluation, 'clear' | 'refresh'>;
  /** The faces of a Picture column's pictures. */
  readonly pictures: Pick<PictureFolder, 'summary' | 'reader' | 'pickFirst'>;
  /** The voice of an Audio column's recordings. */
  readonly recordings: Pick<AudioFolder, 'summary' | 'reader' | 'pickFirst'>;
}

const STOPPED_BY_OTHER =
  'The batch was interrupted (the text model was stopped for another analysis); nothing done is lost. Press Resume to go on.';

/** The job that is open, and its run. */
export class OpenJob {
  readonly #deps: OpenJobDeps;

  #job = $state.raw<BatchJob | null>(null);
  #phase = $state<BatchPhase>('idle');
  #preview = $state.raw<Preview | null>(null);
  #reading = $state.raw<ReadProgress | null>(null);
  #done = $state(0);
  #total = $state(0);
  #samples = $state.raw<readonly ProgressSample[]>([]);
  #clock = $state(0);
  #model = $state.raw<ModelLoad | null>(null);
  #pausing = $state(false);
  #exporting = $state<'csv' | 'jsonl' | null>(null);
  #problems = $state.raw<readonly RowProblem[]>([]);
  #truncated = $state(false);
  #summary = $state.raw<BatchSummary | null>(null);
  /** Bumped whenever stored results change, so views re-read the rows they show. */
  #revision = $state(0);

  #readAbort: AbortController | null = null;
  #runAbort: AbortController | null = null;
  #pauseRequested = false;

  constructor(deps: OpenJobDeps) {
    this.#deps = deps;
  }

  /** The open job (null: pick a file). */
  get job(): BatchJob | null {
    return this.#job;
  }
  get phase(): BatchPhase {
    return this.#phase;
  }
  /** The first rows of the open job, and its columns' names. */
  get preview(): Preview | null {
    return this.#preview;
  }
  get reading(): ReadProgress | null {
    return this.#reading;
  }
  /** Done/total, rows per second and time left. */
  get progress(): Progress {
    return progressOf(this.#done, this.#total, this.#samples, this.#clock);
  }
  /** The model loading before the first page, or null. */
  get modelLoad(): ModelLoad | null {
    return this.#model;
  }
  /** Pause was pressed; the page in flight finishes first. */
  get pausing(): boolean {
    return this.#pausing;
  }
  get exporting(): 'csv' | 'jsonl' | null {
    return this.#exporting;
  }
  /** Rows of the open job's file that were read with a problem (each is still a row). */
  get problems(): readonly RowProblem[] {
    return this.#problems;
  }
  /** The file had more rows than a batch holds; the rest was left out. */
  get truncated(): boolean {
    return this.#truncated;
  }
  /** The open job's results as typed arrays (null until read; re-read after each run). */
  get summary(): BatchSummary | null {
    return this.#summary;
  }
  get revision(): number {
    return this.#revision;
  }
  /** True while rows are being read through the model. */
  get running(): boolean {
    return this.#phase === 'running';
  }

  /** Reads `file` into a new job and opens it, ready to start. */
  async readFile(file: File): Promise<void> {
    if (this.#phase === 'reading' || this.running) return;
    const id = this.#deps.newId();
    const controller = new AbortController();
    this.#readAbort = controller;
    this.#job = null;
    this.#deps.evaluation.clear();
    this.#preview = null;
    this.#deps.message.set(null);
    this.#problems = [];
    this.#truncated = false;
    this.#phase = 'reading';
    this.#reading = { rows: 0, bytes: 0, size: file.size };
    try {
      const summary = await this.#deps.files.read(
        id,
        file,
        {
          onPreview: (preview) => (this.#preview = preview),
          onProgress: (rows, bytes) => (this.#reading = { rows, bytes, size: file.size }),
        },
        controller.signal,
      );
      await this.#open(id);
      this.#problems = summary.problems;
      this.#truncated = summary.truncated;
    } catch (err) {
      this.#phase = 'idle';
      this.#preview = null;
      if (err instanceof BatchFileError && err.code === 'cancelled') {
        this.#deps.message.set('Reading the file was cancelled; nothing was kept.');
      } else {
        this.#deps.message.set(err instanceof BatchFileError ? err.message : `The file could not be read (${errorMessage(err)}).`);
      }
      // A job cut short while its file was read is not worth keeping.
      await this.#deps
        .database()
        .then((db) => db.deleteJob(id))
        .catch(() => undefined);
    } finally {
      this.#reading = null;
      this.#readAbort = null;
      await this.#deps.jobs.refresh().catch(() => undefined);
    }
  }

  /** Opens a stored job (its preview, columns, progress). */
  open(id: string): Promise<void> {
    if (this.running || this.#phase === 'reading') return Promise.resolve();
    return this.#deps.message.act(() => this.#open(id), (detail) => `This batch could not be opened (${detail}).`);
  }

  async #open(id: string): Promise<void> {
    const db = await this.#deps.database();
    const job = await db.getJob(id);
    if (!job) {
      this.#deps.message.set('This batch is no longer stored on this device.');
      return;
    }
    const rows = await db.readRows(id, 0, 10);
    const { done, total } = await db.counts(id);
    this.#job = job;
    this.#preview = { format: job.format, header: job.header, rows: rows.map((r) => r.cells), columns: job.columns };
    this.#phase = job.state === 'reading' ? 'incomplete' : job.state;
    this.#done = done;
    this.#total = total;
    this.#samples = [];
    this.#problems = job.problems ?? [];
    this.#truncated = false;
    this.#deps.message.set(job.state === 'reading' ? INCOMPLETE : job.reason);
    this.#summary = null;
    this.#deps.evaluation.clear();
    this.#revision += 1;
    if (done > 0 && job.state !== 'running') await this.#loadSummary(id);
    if (job.state !== 'running') await this.#deps.evaluation.refresh();
  }

  async #loadSummary(id: string): Promise<void> {
    try {
      const summary = await this.#deps.files.summarize(id);
      if (this.#job?.id === id) this.#summary = summary;
    } catch (err) {
      this.#deps.message.set(err instanceof BatchFileError ? err.message : `The results could not be read (${errorMessage(err)}).`);
    }
  }

  /** Back to picking a file (the open job stays in the list). */
  close(): void {
    if (this.running || this.#phase === 'reading') return;
    this.#deps.evaluation.clear();
    this.#job = null;
    this.#preview = null;
    this.#summary = null;
    this.#phase = 'idle';
    this.#deps.message.set(null);
    this.#problems = [];
  }

  /** Chooses which column holds the text, the id or the picture, before the job starts. */
  async setColumn(kind: Exclude<keyof BatchColumns, 'label'>, index: number | null): Promise<void> {
    const job = this.#job;
    if (!job || job.state !== 'ready') return;
    if (kind === 'text' && index === null) return;
    await this.changeColumns(job, { ...job.columns, [kind]: index } as BatchColumns);
  }

  /**
   * Stores `job` with these columns (the preview follows); false, with a sentence, when the
   * store refused and the job keeps its earlier choice.
   */
  async changeColumns(job: BatchJob, columns: BatchColumns): Promise<boolean> {
    let changed = false;
    await this.#deps.message.act(async () => {
      await this.save({ ...job, columns });
      if (this.#preview) this.#preview = { ...this.#preview, columns };
      changed = true;
    }, (detail) => `The column could not be changed (${detail}); the batch keeps its earlier choice.`);
    return changed;
  }

  /** Stores a change to a job, and shows it when it is the open one. */
  async save(job: BatchJob): Promise<void> {
    const saved: BatchJob = { ...job, updatedAt: this.#deps.now() };
    await (await this.#deps.database()).putJob(saved);
    if (this.#job?.id === saved.id) this.#job = saved;
  }

  /**
   * Starts (or resumes) the open job; settles when it is done, paused or cancelled, or with a
   * sentence in `message` when it could not start (never rejects).
   */
  start(): Promise<void> {
    return this.#deps.message.act(
      () => this.#start(),
      (detail) => `The batch could not start (${detail}). Nothing was lost; free some space or reload, then press Start again.`,
    );
  }

  async #start(): Promise<void> {
    const job = this.#job;
    if (!job || this.running || !['ready', 'paused'].includes(job.state)) return;
    if (job.columns.picture !== null && !this.#deps.pictures.summary) {
      this.#deps.message.set(this.#deps.pictures.pickFirst(job.header[job.columns.picture] ?? ''));
      return;
    }
    const audio = job.columns.audio ?? null;
    if (audio !== null && !this.#deps.recordings.summary) {
      this.#deps.message.set(this.#deps.recordings.pickFirst(job.header[audio] ?? ''));
      return;
    }
    const db = await this.#deps.database();
    await this.save({ ...job, state: 'running', reason: null });
    // The list (and the banner that offers an unfinished batch) sees it running.
    await this.#deps.jobs.refresh().catch(() => undefined);
    const controller = new AbortController();
    this.#runAbort = controller;
    this.#pauseRequested = false;
    this.#pausing = false;
    this.#deps.message.set(null);
    this.#samples = [{ at: this.#deps.now(), done: this.#done }];
    this.#clock = this.#deps.now();
    this.#model = null;
    this.#summary = null;
    this.#deps.evaluation.clear();
    this.#phase = 'running';
    const classifier: BatchClassifier = {
      classifyMany: (texts, signal) =>
        this.#deps.client.classifyMany(
          this.#deps.settings.modelConfig,
          texts,
          {
            onProgress: (p: LoadProgress) => (this.#model = { loaded: p.loaded, total: p.total }),
            onLoaded: () => (this.#model = null),
          },
          { signal },
        ),
    };
    let end: RunEnd;
    try {
      end = await runBatch(
        db.runnerStore(job.id, job.columns),
        classifier,
        {
          signal: controller.signal,
          shouldPause: () => this.#pauseRequested,
          onProgress: (done, total) => {
            const at = this.#deps.now();
            this.#done = done;
            this.#total = total;
            this.#clock = at;
            this.#samples = [...this.#samples.filter((s) => at - s.at <= RATE_WINDOW_MS), { at, done }];
            this.#model = null;
            this.#revision += 1;
          },
        },
        (err) => describeModelError(toModelError(err)),
        job.columns.picture === null ? null : this.#deps.pictures.reader(),
        audio === null ? null : this.#deps.recordings.reader((loaded, total) => (this.#model = { loaded, total })),
      );
    } catch (err) {
      end = { state: 'paused', reason: `Paused: ${errorMessage(err)}. Press Resume to try again; nothing done is lost.` };
    }
    if (end.state === 'cancelled' && !controller.signal.aborted) end = { state: 'paused', reason: STOPPED_BY_OTHER };
    this.#runAbort = null;
    this.#pausing = false;
    this.#model = null;
    const current = this.#job?.id === job.id ? this.#job : job;
    const reason = end.state === 'paused' ? end.reason : null;
    const counts = await db.counts(job.id).catch(() => ({ done: this.#done, total: this.#total }));
    await this.save({ ...current, state: end.state, reason, done: counts.done }).catch((err: unknown) => {
      this.#deps.message.set(`The batch's state could not be stored (${errorMessage(err)}).`);
    });
    this.#done = counts.done;
    this.#total = counts.total;
    this.#phase = end.state;
    if (reason) this.#deps.message.set(reason);
    else if (end.state === 'cancelled') this.#deps.message.set(cancelled(counts.done, counts.total));
    this.#revision += 1;
    await this.#deps.jobs.refresh().catch(() => undefined);
    if (counts.done > 0) await this.#loadSummary(job.id);
    await this.#deps.evaluation.refresh();
  }

  /** Stops after the page in flight; Resume goes on from the next row. */
  pause(): void {
    if (!this.running) return;
    this.#pauseRequested = true;
    this.#pausing = true;
  }

  /** Stops reading the file (nothing is kept) or running the job (what is done is kept) now. */
  cancel(): void {
    if (this.#phase === 'reading') {
      this.#readAbort?.abort();
      return;
    }
    if (this.running) {
      this.#runAbort?.abort();
      return;
    }
    const job = this.#job;
    if (job && this.#phase === 'incomplete') {
      void this.remove(job.id).then(() => {
        if (!this.#job) this.#deps.message.set('Reading the file was cancelled; nothing was kept.');
      });
      return;
    }
    // A paused job can be cancelled too: it is then finished as it stands.
    if (job && job.state === 'paused') {
      void this.#deps.message.act(async () => {
        await this.save({ ...job, state: 'cancelled', reason: null });
        this.#phase = 'cancelled';
        this.#deps.message.set(cancelled(this.#done, this.#total));
        await this.#deps.jobs.refresh();
      }, (detail) => `The batch could not be cancelled (${detail}); it stays paused.`);
    }
  }

  /** The open job's export, or null (the reason is in `message`). */
  async exportAs(format: 'csv' | 'jsonl'): Promise<Blob | null> {
    const job = this.#job;
    if (!job || this.#exporting) return null;
    this.#exporting = format;
    try {
      return await this.#deps.files.export(job.id, format);
    } catch (err) {
      this.#deps.message.set(err instanceof BatchFileError ? err.message : `The export failed (${errorMessage(err)}).`);
      return null;
    } finally {
      this.#exporting = null;
    }
  }

  /** Deletes a job and all its rows (not the open one while it runs or is read). */
  async remove(id: string): Promise<void> {
    if (this.#job?.id === id && (this.running || this.#phase === 'reading')) return;
    try {
      await (await this.#deps.database()).deleteJob(id);
      if (this.#job?.id === id) this.close();
      this.#deps.message.set(null);
    } catch (err) {
      this.#deps.message.set(`The batch could not be deleted (${errorMessage(err)}).`);
    }
    await this.#deps.jobs.refresh().catch(() => undefined);
  }

  /** Rows of the open job by index (the results table's visible rows); none, with a sentence in `message`, when they cannot be read. */
  async rowsAt(indexes: readonly number[]): Promise<StoredRow[]> {
    const job = this.#job;
    if (!job || indexes.length === 0) return [];
    try {
      return await (await this.#deps.database()).getRows(job.id, indexes);
    } catch (err) {
      this.#deps.message.set(`The rows could not be read (${errorMessage(err)}); reload the page to try again.`);
      return [];
    }
  }
}

function cancelled(done: number, total: number): string {
  return `Cancelled: ${done.toLocaleString()} of ${total.toLocaleString()} rows were read; they are kept and can be exported.`;
}
