// Batch analysis, the page's side, as the views see it: a facade over four parts, each in its own
// file, that share the batch database and one sentence for the user (BatchMessage):
//   BatchJobs       the Batches list; a job the page left running reopens as paused, with Resume
//   OpenJob         the open job: read a file, open, columns, start/pause/resume/cancel (the run), export, delete
//   JobEvaluation   the open job against its Label column: label meanings, the report, Use these weights
//   PictureFolder   the files a Picture column names, and the face reader for the run
//   AudioFolder     the recordings an Audio column names, and the voice reader for the run
// Views read getters and call intent methods; every action ends in a state or one sentence,
// never a rejected promise.
import type { BatchColumns, Progress } from './rows';
import type { BatchSummary } from './results';
import type { BatchFileClient, Preview } from './file-client';
import type { Evaluation, RowProblem } from './protocol';
import type { LabelChoice } from '../evaluation/labels';
import type { FaceClient } from '../faces/face-client';
import type { BatchDb, BatchJob, StoredRow } from './store';
import type { EmotionClient } from '../text/emotion-client';
import type { SettingsState } from '../settings/settings.svelte';
import { BatchMessage } from './batch-message.svelte';
import { BatchJobs, type JobSummary } from './batch-jobs.svelte';
import { OpenJob, type BatchPhase, type ModelLoad, type ReadProgress } from './open-job.svelte';
import { JobEvaluation } from './job-evaluation.svelte';
import { PictureFolder } from './picture-folder.svelte';
import { AudioFolder } from './audio-folder.svelte';
import type { VoiceClient } from '../voice/voice-client';
import type { Recording } from '../voice/decode';

/** How a BatchState reaches the rest of the app. */
export interface BatchDeps {
  readonly openDb: () => Promise<BatchDb>;
  readonly files: Pick<BatchFileClient, 'read' | 'export' | 'summarize' | 'evaluate'>;
  readonly client: Pick<EmotionClient, 'classifyMany'>;
  readonly settings: Pick<SettingsState, 'modelConfig' | 'current' | 'update'>;
  /** The face channel, for a Picture column. */
  readonly faces: Pick<FaceClient, 'read'>;
  /** The voice channel, for an Audio column. */
  readonly voice: Pick<VoiceClient, 'read'>;
  /** Decodes a recording (the browser's decoder; tests pass their own). */
  readonly decodeAudio?: (file: Blob) => Promise<Recording>;
  /** Clock, for the rate (tests pass their own). */
  readonly now?: () => number;
  readonly newId?: () => string;
  /** Bootstrap resamples of an evaluation (1,000; tests may ask for fewer). */
  readonly resamples?: number;
}

export class BatchState {
  readonly #openDb: () => Promise<BatchDb>;
  #db: Promise<BatchDb> | null = null;
  readonly #message = new BatchMessage();
  readonly #jobs: BatchJobs;
  readonly #pictures: PictureFolder;
  readonly #recordings: AudioFolder;
  readonly #evaluation: JobEvaluation;
  readonly #job: OpenJob;

  constructor(deps: BatchDeps) {
    this.#openDb = deps.openDb;
    const database = () => this.#database();
    const message = this.#message;
    const now = deps.now ?? (() => Date.now());
    this.#jobs = new BatchJobs(database, message, now);
    this.#pictures = new PictureFolder(deps.faces, deps.settings, message);
    this.#recordings = new AudioFolder(deps.voice, deps.settings, message, deps.decodeAudio);
    this.#evaluation = new JobEvaluation({ files: deps.files, settings: deps.settings, resamples: deps.resamples, message, openJob: () => this.#job });
    this.#job = new OpenJob({
      database,
      files: deps.files,
      client: deps.client,
      settings: deps.settings,
      now,
      newId: deps.newId ?? (() => crypto.randomUUID()),
      message,
      jobs: this.#jobs,
      evaluation: this.#evaluation,
      pictures: this.#pictures,
      recordings: this.#recordings,
    });
  }

  /** The batch database, opened once; a failed open is not kept, so the next call tries again. */
  #database(): Promise<BatchDb> {
    this.#db ??= this.#openDb().catch((err: unknown) => {
      this.#db = null;
      throw err;
    });
    return this.#db;
  }

  /** The latest sentence for the user (why it paused, what failed), or null. */
  get message(): string | null {
    return this.#message.text;
  }

  // ---------------------------------------------------------------- the Batches list (BatchJobs)

  get jobs(): readonly JobSummary[] {
    return this.#jobs.jobs;
  }
  get loaded(): boolean {
    return this.#jobs.loaded;
  }
  /** An unfinished batch to offer on other views (a running one is listed as running, not paused). */
  get interrupted(): JobSummary | null {
    return this.#jobs.interrupted;
  }
  /** Reads the Batches list and opens a job the page left running, as paused. */
  load(): Promise<void> {
    return this.#jobs.load((stopped) => (this.#job.job ? Promise.resolve() : this.#job.open(stopped.id)));
  }

  // ---------------------------------------------------------------- the open job (OpenJob)

  get job(): BatchJob | null {
    return this.#job.job;
  }
  get phase(): BatchPhase {
    return this.#job.phase;
  }
  get preview(): Preview | null {
    return this.#job.preview;
  }
  get reading(): ReadProgress | null {
    return this.#job.reading;
  }
  get progress(): Progress {
    return this.#job.progress;
  }
  get modelLoad(): ModelLoad | null {
    return this.#job.modelLoad;
  }
  get pausing(): boolean {
    return this.#job.pausing;
  }
  get exporting(): 'csv' | 'jsonl' | null {
    return this.#job.exporting;
  }
  get problems(): readonly RowProblem[] {
    return this.#job.problems;
  }
  get truncated(): boolean {
    return this.#job.truncated;
  }
  get summary(): BatchSummary | null {
    return this.#job.summary;
  }
  get revision(): number {
    return this.#job.revision;
  }
  get running(): boolean {
    return this.#job.running;
  }
  readFile(file: File): Promise<void> {
    return this.#job.readFile(file);
  }
  open(id: string): Promise<void> {
    return this.#job.open(id);
  }
  close(): void {
    this.#job.close();
  }
  /**
   * Chooses which column holds the text, the id or the picture (before the job starts), or the
   * labels (at any time but a run: it changes only the evaluation, which is redone).
   */
  setColumn(kind: keyof BatchColumns, index: number | null): Promise<void> {
    return kind === 'label' ? this.#evaluation.setLabelColumn(index) : this.#job.setColumn(kind, index);
  }
  start(): Promise<void> {
    return this.#job.start();
  }
  pause(): void {
    this.#job.pause();
  }
  cancel(): void {
    this.#job.cancel();
  }
  exportAs(format: 'csv' | 'jsonl'): Promise<Blob | null> {
    return this.#job.exportAs(format);
  }
  remove(id: string): Promise<void> {
    return this.#job.remove(id);
  }
  rowsAt(indexes: readonly number[]): Promise<StoredRow[]> {
    return this.#job.rowsAt(indexes);
  }

  // ---------------------------------------------------------------- the evaluation (JobEvaluation)

  get evaluation(): Evaluation | null {
    return this.#evaluation.evaluation;
  }
  get evaluating(): boolean {
    return this.#evaluation.evaluating;
  }
  setLabel(key: string, choice: LabelChoice | null): Promise<void> {
    return this.#evaluation.setLabel(key, choice);
  }
  useWeights(textShare: number): Promise<boolean> {
    return this.#evaluation.useWeights(textShare);
  }

  // ---------------------------------------------------------------- the Picture folder (PictureFolder)

  get pictureFolder(): { readonly name: string; readonly count: number } | null {
    return this.#pictures.summary;
  }
  setPictureFolder(files: readonly File[]): void {
    this.#pictures.pick(files);
  }

  // ---------------------------------------------------------------- the Audio folder (AudioFolder)

  get audioFolder(): { readonly name: string; readonly count: number } | null {
    return this.#recordings.summary;
  }
  setAudioFolder(files: readonly File[]): void {
    this.#recordings.pick(files);
  }
}
