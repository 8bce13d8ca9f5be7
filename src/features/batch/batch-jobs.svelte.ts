// The Batches list: every batch stored on this device, newest first, with its rows done. On
// start-up a job the page left running (a reload, a crash, a closed tab) is stored as paused, and
// the list offers it to go on with.
import type { BatchDb, BatchJob } from './store';
import type { BatchMessage } from './batch-message.svelte';
import { errorMessage } from '../../shared/errors';

/** A job as the Batches list shows it. */
export interface JobSummary {
  readonly job: BatchJob;
  readonly done: number;
}

const INTERRUPTED = (done: number, total: number) =>
  `The page closed while this batch ran; ${done.toLocaleString()} of ${total.toLocaleString()} rows are done and kept. Press Resume to go on from there.`;

/** The stored batches. */
export class BatchJobs {
  readonly #database: () => Promise<BatchDb>;
  readonly #message: BatchMessage;
  readonly #now: () => number;

  #jobs = $state.raw<readonly JobSummary[]>([]);
  #loaded = $state(false);

  constructor(database: () => Promise<BatchDb>, message: BatchMessage, now: () => number) {
    this.#database = database;
    this.#message = message;
    this.#now = now;
  }

  /** Every stored batch, newest first, with rows done. */
  get jobs(): readonly JobSummary[] {
    return this.#jobs;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  /** An unfinished job the page left (paused, not yet resumed), for the start-up offer. */
  get interrupted(): JobSummary | null {
    return this.#jobs.find((s) => s.job.state === 'paused' && s.done < s.job.total) ?? null;
  }

  /**
   * Reads the list. A job the page left running is stored as paused and handed to `reopen`, so
   * the user sees where it stopped and can Resume. Never rejects: a failure is a sentence.
   */
  async load(reopen: (job: BatchJob) => Promise<void>): Promise<void> {
    try {
      const db = await this.#database();
      const jobs = await db.listJobs();
      let stopped: BatchJob | null = null;
      for (const job of jobs) {
        if (job.state !== 'running') continue;
        const { done, total } = await db.counts(job.id);
        const paused: BatchJob = { ...job, state: 'paused', reason: INTERRUPTED(done, total), done, updatedAt: this.#now() };
        await db.putJob(paused);
        stopped ??= paused;
      }
      await this.refresh();
      if (stopped) await reopen(stopped);
    } catch (err) {
      this.#message.set(`Batches cannot be stored in this browser (${errorMessage(err)}).`);
    } finally {
      this.#loaded = true;
    }
  }

  /** Reads the list again (after a job was added, changed or deleted). */
  async refresh(): Promise<void> {
    this.#jobs = (await (await this.#database()).listJobs()).map((job) => ({ job, done: job.done }));
  }
}
