// The open job's evaluation against its Label column: which column holds the labels, what each
// label value counts as, the report (computed in the batch worker; a newer request cancels one in
// flight), and adopting the weight sweep's text share in Settings.
import { BatchFileError, type BatchFileClient } from './file-client';
import type { BatchColumns } from './rows';
import type { Evaluation } from './protocol';
import { isLabelChoice, type LabelChoice } from '../evaluation/labels';
import { withShare } from '../../shared/fusion';
import type { SettingsState } from '../settings/settings.svelte';
import type { BatchMessage } from './batch-message.svelte';
import type { OpenJob } from './open-job.svelte';
import { errorMessage } from '../../shared/errors';

/** What the evaluation needs of the open job. */
export type EvaluatedJob = Pick<OpenJob, 'job' | 'phase' | 'running' | 'save' | 'changeColumns'>;

/** How a JobEvaluation reaches the rest of the app. */
export interface EvaluationDeps {
  readonly files: Pick<BatchFileClient, 'evaluate'>;
  readonly settings: Pick<SettingsState, 'current' | 'update'>;
  /** Bootstrap resamples of an evaluation (1,000; tests may ask for fewer). */
  readonly resamples?: number;
  readonly message: BatchMessage;
  /** The open job (a function: the open job is made after its evaluation). */
  readonly openJob: () => EvaluatedJob;
}

/** The open job's evaluation. */
export class JobEvaluation {
  readonly #deps: EvaluationDeps;
  #evaluation = $state.raw<Evaluation | null>(null);
  #evaluating = $state(false);
  #abort: AbortController | null = null;

  constructor(deps: EvaluationDeps) {
    this.#deps = deps;
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

  /** Evaluates the open job against its labels; a newer request cancels one in flight. Never rejects. */
  async refresh(): Promise<void> {
    this.#abort?.abort();
    const job = this.#deps.openJob().job;
    if (!job || job.columns.label === null) {
      this.#evaluation = null;
      this.#evaluating = false;
      return;
    }
    const controller = new AbortController();
    this.#abort = controller;
    this.#evaluating = true;
    try {
      const evaluation = await this.#deps.files.evaluate(job.id, this.#deps.resamples ? { resamples: this.#deps.resamples } : {}, controller.signal);
      if (this.#deps.openJob().job?.id === job.id && !controller.signal.aborted) this.#evaluation = evaluation;
    } catch (err) {
      if (controller.signal.aborted) return;
      this.#deps.message.set(err instanceof BatchFileError ? err.message : `The evaluation failed (${errorMessage(err)}).`);
    } finally {
      if (this.#abort === controller) {
        this.#abort = null;
        this.#evaluating = false;
      }
    }
  }

  /** Drops the evaluation shown, and stops one in flight (another job, or a run, comes). */
  clear(): void {
    this.#abort?.abort();
    this.#evaluation = null;
  }

  /** Chooses the Label column (at any time but a run or a file read); the evaluation is redone. */
  async setLabelColumn(index: number | null): Promise<void> {
    const open = this.#deps.openJob();
    const job = open.job;
    if (!job || open.running || open.phase === 'reading') return;
    if (await open.changeColumns(job, { ...job.columns, label: index } satisfies BatchColumns)) await this.refresh();
  }

  /**
   * What a label value (by its key) counts as: an emotion, 'ignore' (leave its rows out), or null
   * to go back to the automatic reading. The evaluation is redone.
   */
  async setLabel(key: string, choice: LabelChoice | null): Promise<void> {
    const open = this.#deps.openJob();
    const job = open.job;
    if (!job || open.running || (choice !== null && !isLabelChoice(choice))) return;
    const labels = { ...job.labels };
    if (choice === null) delete labels[key];
    else labels[key] = choice;
    await this.#deps.message.act(async () => {
      await open.save({ ...job, labels });
      await this.refresh();
    }, (detail) => `The label's meaning could not be stored (${detail}); try again.`);
  }

  /** Adopts the weight sweep's text share for the text and faces (Settings' channel weights). */
  async useWeights(textShare: number): Promise<boolean> {
    const weights = withShare(this.#deps.settings.current.weights, ['text', 'face'], 'text', textShare);
    const update = await this.#deps.settings.update({ weights });
    return Object.keys(update.refused).length === 0;
  }
}
