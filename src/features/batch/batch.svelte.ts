// Batch analysis, the page's side: the Batches list, the job that is open, reading its file (in the
// batch worker), running it through the text channel page by page (runBatch, in this thread: each
// page is one worker request and one IndexedDB write, short tasks), pausing, resuming, cancelling,
// exporting. Views read getters and call intent methods; every action ends in a state or one
// sentence, never a rejected promise. The job and its finished rows are in IndexedDB as they
// finish, so a reload loses at most the page in flight; on start-up a job the page left running is
// opened as paused, with Resume.
import { progressOf, type BatchColumns, type Progress, type ProgressSample } from './rows';
import type { BatchSummary } from './results';
import { describeModelError, toModelError } from '../text/model-errors';
import { BatchFileError, type BatchFileClient, type Preview } from './file-client';
import type { Evaluation, RowProblem } from './protocol';
import { isLabelChoice, type LabelChoice } from '../evaluation/labels';
import { runBatch, type BatchClassifier, type PictureReader, type RunEnd } from './runner';
import type { PictureReading } from './rows';
import { pictureScores } from '../faces/faces';
import { fuseScores, withShare } from '../../shared/fusion';
import type { FaceClient } from '../faces/face-client';
import { describeFaceError, FaceError } from '../faces/face-errors';
import type { BatchDb, BatchJob, JobState, StoredRow } from './store';
import type { EmotionClient } from '../text/emotion-client';
import type { LoadProgress } from '../text/protocol';
import type { SettingsState } from '../settings/settings.svelte';
import { errorMessage } from '../../shared/errors';

/** A job as the Batches list shows it. */
export interface JobSummary {
  readonly job: BatchJob;
  readonly done: number;
}

/** What the open job is doing, beyond its stored state. */
export type BatchPhase = 'idle' | 'reading' | JobState;

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

/** How a BatchState reaches the rest of the app. */
export interface BatchDeps {
  readonly openDb: () => Promise<BatchDb>;
  readonly files: Pick<BatchFileClient, 'read' | 'export' | 'summarize' | 'evaluate'>;
  readonly client: Pick<EmotionClient, 'classifyMany'>;
  readonly settings: Pick<SettingsState, 'modelConfig' | 'current' | 'update'>;
  /** The face channel, for a Picture column. */
  readonly faces: Pick<FaceClient, 'read'>;
  /** Clock, for the rate (tests pass their own). */
  readonly now?: () => number;
  readonly newId?: () => string;
  /** Bootstrap resamples of an evaluation (1,000; tests may ask for fewer). */
  readonly resamples?: number;
}

const INTERRUPTED = (done: number, total: number) =>
  `The page closed while this batch ran; ${done} of ${total} rows are done and kept. Press Resume to go on from there.`;
const STOPPED_BY_OTHER =
  'The batch was interrupted (the text model was stopped for another analysis); nothing done is lost. Press Resume to go on.';

export class BatchState {
  readonly #deps: BatchDeps;
  readonly #now: () => number;
  #db: Promise<BatchDb> | null = null;

  #jobs = $state.raw<readonly JobSummary[]>([]);
  #loaded = $state(false);
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
  #message = $state<string | null>(null);
  #exporting = $state<'csv' | 'jsonl' | null>(null);
  #problems = $state.raw<readonly RowProblem[]>([]);
  #truncated = $state(false);
  #summary = $state.raw<BatchSummary | null>(null);
  /** The picked Picture folder: its files by lower-case path within the folder and by name. */
  #folder = $state.raw<{ readonly name: string; readonly files: ReadonlyMap<string, File>; readonly count: number } | null>(null);
  #evaluation = $state.raw<Evaluation | null>(null);
  #evaluating = $state(false);
  #evaluateAbort: AbortController | null = null;
  /** Bumped whenever stored results change, so views re-read the rows they show. */
  #revision = $state(0);

  #readAbort: AbortController | null = null;
  #runAbort: AbortController | null = null;
  #pauseRequested = false;

  constructor(deps: BatchDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => Date.now());
  }

  /** Every stored batch, newest first, with rows done. */
  get jobs(): readonly JobSummary[] {
    return this.#jobs;
  }
  get loaded(): boolean {
    return this.#loaded;
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
  /** The latest sentence for the user (why it paused, what failed), or null. */
  get message(): string | null {
    return this.#message;
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
  /** The Picture folder picked for this session (not stored: pick it again after a reload). */
  get pictureFolder(): { readonly name: string; readonly count: number } | null {
    return this.#folder && { name: this.#folder.name, count: this.#folder.count };
  }

  /**
   * The files of the folder the user picked with **Picture folder** (an input with
   * `webkitdirectory`, so each file has its path within the folder). A row's picture cell is
   * matched against the path below the folder, then against the file name, ignoring case.
   */
  setPictureFolder(files: readonly File[]): void {
    const map = new Map<string, File>();
    for (const file of files) {
      const path = ((file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name).replace(/\\/gu, '/');
      const below = path.includes('/') ? path.slice(path.indexOf('/') + 1) : path;
      map.set(below.toLowerCase(), file);
      if (!map.has(file.name.toLowerCase())) map.set(file.name.toLowerCase(), file);
    }
    const first = (files[0] as (File & { webkitRelativePath?: string }) | undefined)?.webkitRelativePath ?? '';
    this.#folder = files.length ? { name: first.includes('/') ? first.slice(0, first.indexOf('/')) : 'the picked files', files: map, count: files.length } : null;
    if (this.#folder && this.#message?.startsWith('Pick the Picture folder')) this.#message = null;
  }

  #pictureReader(): PictureReader {
    const folder = this.#folder;
    return {
      read: async (name, signal): Promise<PictureReading> => {
        const key = name.replace(/\\/gu, '/').replace(/^\.?\//u, '').toLowerCase();
        const file = folder?.files.get(key) ?? folder?.files.get(key.slice(key.lastIndexOf('/') + 1));
        if (!file) return { scores: null, reason: `${name} is not in the picture folder.`, model: '' };
        try {
          const answer = await this.#deps.faces.read(file, { signal });
          const scores = pictureScores(answer.faces);
          return scores ? { scores, model: answer.model } : { scores: null, reason: `No face found in ${name}.`, model: answer.model };
        } catch (err) {
          if (err instanceof FaceError && err.code === 'cancelled') throw err;
          return { scores: null, reason: `${name}: ${describeFaceError(err)}`, model: '' };
        }
      },
      fuse: (text, face) => fuseScores({ text, face }, this.#deps.settings.current.weights)?.scores ?? text,
    };
  }

  /**
   * The open job's evaluation against its Label column (null without one, or until computed);
   * recomputed after a run and whenever the label column or a value's mapping changes.
   */
  get evaluation(): Evaluation | null {
    return this.#evaluation;
  }
  get evaluating(): boolean {
    return this.#evaluating;
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

  #database(): Promise<BatchDb> {
    this.#db ??= this.#deps.openDb().catch((err: unknown) => {
      this.#db = null;
      throw err;
    });
    return this.#db;
  }

  /**
   * Reads the Batches list. A job the page left running (a reload, a crash, a closed tab) is
   * stored as paused and opened, so the user sees where it stopped and can Resume.
   */
  async load(): Promise<void> {
    try {
      const db = await this.#database();
      const jobs = await db.listJobs();
      let reopen: BatchJob | null = null;
      for (const job of jobs) {
        if (job.state !== 'running') continue;
        const { done, total } = await db.counts(job.id);
        const paused: BatchJob = { ...job, state: 'paused', reason: INTERRUPTED(done, total), done, updatedAt: this.#now() };
        await db.putJob(paused);
        reopen ??= paused;
      }
      await this.#refreshList();
      if (reopen && !this.#job) await this.open(reopen.id);
    } catch (err) {
      this.#message = `Batches cannot be stored in this browser (${errorMessage(err)}).`;
    } finally {
      this.#loaded = true;
    }
  }

  /** An unfinished job the page left (paused, not yet resumed), for the start-up offer. */
  get interrupted(): JobSummary | null {
    return this.#jobs.find((s) => s.job.state === 'paused' && s.done < s.job.total) ?? null;
  }

  async #refreshList(): Promise<void> {
    this.#jobs = (await (await this.#database()).listJobs()).map((job) => ({ job, done: job.done }));
  }

  /** Reads `file` into a new job and opens it, ready to start. */
  async readFile(file: File): Promise<void> {
    if (this.#phase === 'reading' || this.running) return;
    const id = this.#deps.newId?.() ?? crypto.randomUUID();
    const controller = new AbortController();
    this.#readAbort = controller;
    this.#job = null;
    this.#evaluation = null;
    this.#preview = null;
    this.#message = null;
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
        this.#message = 'Reading the file was cancelled; nothing was kept.';
      } else {
        this.#message = err instanceof BatchFileError ? err.message : `The file could not be read (${errorMessage(err)}).`;
      }
      // A job cut short while its file was read is not worth keeping.
      await this.#database()
        .then((db) => db.deleteJob(id))
        .catch(() => undefined);
    } finally {
      this.#reading = null;
      this.#readAbort = null;
      await this.#refreshList().catch(() => undefined);
    }
  }

  /** Opens a stored job (its preview, columns, progress). */
  open(id: string): Promise<void> {
    if (this.running || this.#phase === 'reading') return Promise.resolve();
    return this.#act(() => this.#open(id), (detail) => `This batch could not be opened (${detail}).`);
  }

  async #open(id: string): Promise<void> {
    const db = await this.#database();
    const job = await db.getJob(id);
    if (!job) {
      this.#message = 'This batch is no longer stored on this device.';
      return;
    }
    const rows = await db.readRows(id, 0, 10);
    const { done, total } = await db.counts(id);
    this.#job = job;
    this.#preview = { format: job.format, header: job.header, rows: rows.map((r) => r.cells), columns: job.columns };
    this.#phase = job.state;
    this.#done = done;
    this.#total = total;
    this.#samples = [];
    this.#problems = job.problems ?? [];
    this.#truncated = false;
    this.#message = job.reason;
    this.#summary = null;
    this.#evaluation = null;
    this.#revision += 1;
    if (done > 0 && job.state !== 'running') await this.#loadSummary(id);
    if (job.state !== 'running') await this.#evaluate();
  }

  /** Evaluates the open job against its labels; a newer request cancels one in flight. */
  async #evaluate(): Promise<void> {
    this.#evaluateAbort?.abort();
    const job = this.#job;
    if (!job || job.columns.label === null) {
      this.#evaluation = null;
      this.#evaluating = false;
      return;
    }
    const controller = new AbortController();
    this.#evaluateAbort = controller;
    this.#evaluating = true;
    try {
      const evaluation = await this.#deps.files.evaluate(job.id, this.#deps.resamples ? { resamples: this.#deps.resamples } : {}, controller.signal);
      if (this.#job?.id === job.id && !controller.signal.aborted) this.#evaluation = evaluation;
    } catch (err) {
      if (controller.signal.aborted) return;
      this.#message = err instanceof BatchFileError ? err.message : `The evaluation failed (${errorMessage(err)}).`;
    } finally {
      if (this.#evaluateAbort === controller) {
        this.#evaluateAbort = null;
        this.#evaluating = false;
      }
    }
  }

  async #loadSummary(id: string): Promise<void> {
    try {
      const summary = await this.#deps.files.summarize(id);
      if (this.#job?.id === id) this.#summary = summary;
    } catch (err) {
      this.#message = err instanceof BatchFileError ? err.message : `The results could not be read (${errorMessage(err)}).`;
    }
  }

  /** Back to picking a file (the open job stays in the list). */
  close(): void {
    if (this.running || this.#phase === 'reading') return;
    this.#evaluateAbort?.abort();
    this.#job = null;
    this.#preview = null;
    this.#summary = null;
    this.#evaluation = null;
    this.#phase = 'idle';
    this.#message = null;
    this.#problems = [];
  }

  /**
   * Chooses which column holds the text, the id or the picture (before the job starts), or the
   * labels (at any time but a run: it changes only the evaluation, which is redone).
   */
  async setColumn(kind: keyof BatchColumns, index: number | null): Promise<void> {
    const job = this.#job;
    if (!job) return;
    if (kind === 'label' ? this.running || this.#phase === 'reading' : job.state !== 'ready') return;
    if (kind === 'text' && index === null) return;
    const columns = { ...job.columns, [kind]: index } as BatchColumns;
    await this.#act(async () => {
      await this.#save({ ...job, columns });
      if (this.#preview) this.#preview = { ...this.#preview, columns };
      if (kind === 'label') await this.#evaluate();
    }, (detail) => `The column could not be changed (${detail}); the batch keeps its earlier choice.`);
  }

  /**
   * What a label value (by its key) counts as: an emotion, 'ignore' (leave its rows out), or null
   * to go back to the automatic reading. The evaluation is redone.
   */
  async setLabel(key: string, choice: LabelChoice | null): Promise<void> {
    const job = this.#job;
    if (!job || this.running || (choice !== null && !isLabelChoice(choice))) return;
    const labels = { ...job.labels };
    if (choice === null) delete labels[key];
    else labels[key] = choice;
    await this.#act(async () => {
      await this.#save({ ...job, labels });
      await this.#evaluate();
    }, (detail) => `The label's meaning could not be stored (${detail}); try again.`);
  }

  /** Adopts the weight sweep's text share for the text and faces (Settings' channel weights). */
  async useWeights(textShare: number): Promise<boolean> {
    const weights = withShare(this.#deps.settings.current.weights, ['text', 'face'], 'text', textShare);
    const update = await this.#deps.settings.update({ weights });
    return Object.keys(update.refused).length === 0;
  }

  /**
   * Starts (or resumes) the open job; settles when it is done, paused or cancelled, or with a
   * sentence in `message` when it could not start (never rejects).
   */
  start(): Promise<void> {
    return this.#act(() => this.#start(), (detail) => `The batch could not start (${detail}). Nothing was lost; free some space or reload, then press Start again.`);
  }

  async #start(): Promise<void> {
    const job = this.#job;
    if (!job || this.running || !['ready', 'paused'].includes(job.state)) return;
    if (job.columns.picture !== null && !this.#folder) {
      this.#message = `Pick the Picture folder first: the column ${job.header[job.columns.picture] ?? ''} names files in it.`;
      return;
    }
    const db = await this.#database();
    await this.#save({ ...job, state: 'running', reason: null });
    const controller = new AbortController();
    this.#runAbort = controller;
    this.#pauseRequested = false;
    this.#pausing = false;
    this.#message = null;
    this.#samples = [{ at: this.#now(), done: this.#done }];
    this.#clock = this.#now();
    this.#model = null;
    this.#summary = null;
    this.#evaluateAbort?.abort();
    this.#evaluation = null;
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
        db.runnerStore(job.id, job.columns.text, job.columns.picture),
        classifier,
        {
          signal: controller.signal,
          shouldPause: () => this.#pauseRequested,
          onProgress: (done, total) => {
            const at = this.#now();
            this.#done = done;
            this.#total = total;
            this.#clock = at;
            this.#samples = [...this.#samples.filter((s) => at - s.at <= 15_000), { at, done }];
            this.#model = null;
            this.#revision += 1;
          },
        },
        (err) => describeModelError(toModelError(err)),
        job.columns.picture === null ? null : this.#pictureReader(),
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
    await this.#save({ ...current, state: end.state, reason, done: counts.done }).catch((err: unknown) => {
      this.#message = `The batch's state could not be stored (${errorMessage(err)}).`;
    });
    this.#done = counts.done;
    this.#total = counts.total;
    this.#phase = end.state;
    if (reason) this.#message = reason;
    else if (end.state === 'cancelled') this.#message = `Cancelled: ${counts.done} of ${counts.total} rows were read; they are kept and can be exported.`;
    this.#revision += 1;
    await this.#refreshList().catch(() => undefined);
    if (counts.done > 0) await this.#loadSummary(job.id);
    await this.#evaluate();
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
    // A paused job can be cancelled too: it is then finished as it stands.
    if (job && job.state === 'paused') {
      void this.#act(async () => {
        await this.#save({ ...job, state: 'cancelled', reason: null });
        this.#phase = 'cancelled';
        this.#message = `Cancelled: ${this.#done} of ${this.#total} rows were read; they are kept and can be exported.`;
        await this.#refreshList();
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
      this.#message = err instanceof BatchFileError ? err.message : `The export failed (${errorMessage(err)}).`;
      return null;
    } finally {
      this.#exporting = null;
    }
  }

  /** Deletes a job and all its rows. */
  async remove(id: string): Promise<void> {
    if (this.#job?.id === id && (this.running || this.#phase === 'reading')) return;
    try {
      await (await this.#database()).deleteJob(id);
      if (this.#job?.id === id) this.close();
      this.#message = null;
    } catch (err) {
      this.#message = `The batch could not be deleted (${errorMessage(err)}).`;
    }
    await this.#refreshList().catch(() => undefined);
  }

  /** Rows of the open job by index (the results table's visible rows); none, with a sentence in `message`, when they cannot be read. */
  async rowsAt(indexes: readonly number[]): Promise<StoredRow[]> {
    const job = this.#job;
    if (!job || indexes.length === 0) return [];
    try {
      return await (await this.#database()).getRows(job.id, indexes);
    } catch (err) {
      this.#message = `The rows could not be read (${errorMessage(err)}); reload the page to try again.`;
      return [];
    }
  }

  /** Runs an action; a failure ends in a sentence in `message`, never in a rejected promise. */
  async #act(task: () => Promise<void>, failure: (detail: string) => string): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.#message = failure(errorMessage(err));
    }
  }

  async #save(job: BatchJob): Promise<void> {
    const saved: BatchJob = { ...job, updatedAt: this.#now() };
    await (await this.#database()).putJob(saved);
    if (this.#job?.id === saved.id) this.#job = saved;
  }
}

