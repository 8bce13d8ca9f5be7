// A batch's results as the results table and the summary use them: per row, its status, its
// answer's top emotion and scores, in typed arrays (100,000 rows are 3.5 MB, built in the batch
// worker and handed over without copying). Filtering and sorting return row indexes in order.
import { answerOf, type RowResult, type RowStatus } from './rows';
import { EMOTIONS, type Emotion } from '../../shared/emotions';

/** A row's state in the summary: not read yet, or how it ended. */
export type RowState = 'pending' | RowStatus;
/** Code per state, as stored in `BatchSummary.states`. */
export const ROW_STATES: readonly RowState[] = ['pending', 'ok', 'chunked', 'empty', 'partial', 'failed'];

export interface BatchSummary {
  readonly rows: number;
  /** Index into ROW_STATES, per row. */
  readonly states: Uint8Array;
  /** Index into EMOTIONS of the answer's top emotion, -1 for none, per row. */
  readonly tops: Int8Array;
  /** The answer's 7 scores per row (EMOTIONS order), NaN when there is none. */
  readonly scores: Float32Array;
}

/** Builds a summary, one row at a time, in file order. */
export class SummaryBuilder {
  readonly #states: Uint8Array;
  readonly #tops: Int8Array;
  readonly #scores: Float32Array;

  constructor(readonly rows: number) {
    this.#states = new Uint8Array(rows);
    this.#tops = new Int8Array(rows).fill(-1);
    this.#scores = new Float32Array(rows * EMOTIONS.length).fill(Number.NaN);
  }

  add(index: number, r: RowResult | null): void {
    if (index < 0 || index >= this.rows) return;
    this.#states[index] = ROW_STATES.indexOf(r?.status ?? 'pending');
    const answer = answerOf(r);
    if (!answer) return;
    let top = 0;
    EMOTIONS.forEach((e, k) => {
      this.#scores[index * EMOTIONS.length + k] = answer[e];
      if (answer[e] > answer[EMOTIONS[top]!]) top = k;
    });
    this.#tops[index] = top;
  }

  build(): BatchSummary {
    return { rows: this.rows, states: this.#states, tops: this.#tops, scores: this.#scores };
  }
}

/** Rows per state. */
export function stateCounts(s: BatchSummary): Record<RowState, number> {
  const counts = Object.fromEntries(ROW_STATES.map((k) => [k, 0])) as Record<RowState, number>;
  for (let i = 0; i < s.rows; i += 1) counts[ROW_STATES[s.states[i]!]!] += 1;
  return counts;
}

/** Rows per top emotion (rows without an answer are not counted). */
export function topCounts(s: BatchSummary): Record<Emotion, number> {
  const counts = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  for (let i = 0; i < s.rows; i += 1) {
    const t = s.tops[i]!;
    if (t >= 0) counts[EMOTIONS[t]!] += 1;
  }
  return counts;
}

export interface ResultsQuery {
  /** Only rows whose answer's top emotion is this. */
  readonly emotion: Emotion | null;
  readonly state: RowState | null;
  /** File order, or the highest score of an emotion first (rows without scores last). */
  readonly sort: Emotion | null;
}

export const ALL_ROWS: ResultsQuery = { emotion: null, state: null, sort: null };

/** The indexes of the rows the query keeps, in its order (stable: ties keep file order). */
export function queryRows(s: BatchSummary, q: ResultsQuery): Uint32Array {
  const want = q.emotion === null ? null : EMOTIONS.indexOf(q.emotion);
  const state = q.state === null ? null : ROW_STATES.indexOf(q.state);
  const kept = new Uint32Array(s.rows);
  let n = 0;
  for (let i = 0; i < s.rows; i += 1) {
    if (want !== null && s.tops[i] !== want) continue;
    if (state !== null && s.states[i] !== state) continue;
    kept[n] = i;
    n += 1;
  }
  const rows = kept.slice(0, n);
  if (q.sort === null) return rows;
  const k = EMOTIONS.indexOf(q.sort);
  const key = (i: number) => {
    const v = s.scores[i * EMOTIONS.length + k]!;
    return Number.isNaN(v) ? -1 : v;
  };
  return rows.sort((a, b) => key(b) - key(a) || a - b);
}
