// Runs a batch job through the text channel, page by page: read the next rows without a result
// from the store, classify their texts in one request (the worker sorts them by length and
// batches them), store the page's results in one write, report progress, go on. Bad rows never
// stop the run: an empty text, a row the model refuses, each gets a status and a reason. What
// stops it: Pause (after the page in flight), Cancel (at once; the page in flight is lost), the
// model failing on every row of a page twice (the job pauses with the model's sentence), or the
// store refusing a write (storage full: the job pauses, nothing written before is lost).
// Resuming starts from the first row without a result, so nothing finished is done twice.
import { addReading, type AudioReading, type PictureReading, type RowFuse, type RowResult } from './rows';
import type { TextResult } from '../text/protocol';
import { errorMessage } from '../../shared/errors';

/** One row to read: its index in the file, the text and the picture's and recording's file names ('' for none). */
export interface PendingRow {
  readonly index: number;
  readonly text: string;
  readonly picture?: string;
  readonly audio?: string;
}

/** A channel that reads a file a row names (the faces of a picture, the voice of a recording). */
export interface FileReader<R extends PictureReading | AudioReading> {
  /** Never rejects for a file it cannot read (that is a reading without scores); rejects when cancelled. */
  read(name: string, signal: AbortSignal): Promise<R>;
  /** The channels' scores as one answer, by the user's weights. */
  fuse: RowFuse;
}

/** The face channel as the runner uses it: one picture by the name the row gives. */
export type PictureReader = FileReader<PictureReading>;
/** The voice channel as the runner uses it: one recording by the name the row gives. */
export type AudioReader = FileReader<AudioReading>;

/** Where a job's rows and results live (IndexedDB in the app, memory in tests). */
export interface BatchStore {
  /** Up to `limit` rows without a result, in file order. */
  pendingRows(limit: number): Promise<readonly PendingRow[]>;
  /** Stores the results of one page in one write; rejects when storage refuses it. */
  saveResults(results: ReadonlyArray<{ index: number; result: RowResult }>): Promise<void>;
  /** Rows with a result, and rows in all (asked once per run). */
  counts(): Promise<{ done: number; total: number }>;
}

/** The text channel as the runner uses it. */
export interface BatchClassifier {
  classifyMany(texts: readonly string[], signal: AbortSignal): Promise<readonly TextResult[]>;
}

/** How a run ended. */
export type RunEnd =
  | { readonly state: 'done' }
  | { readonly state: 'paused'; readonly reason: string | null }
  | { readonly state: 'cancelled' };

export interface RunHooks {
  /** After every page: rows done and in all. */
  onProgress?: (done: number, total: number) => void;
  /** Asked between pages: true stops the run as paused. */
  shouldPause?: () => boolean;
  readonly signal?: AbortSignal;
}

/** Rows per page: one request to the worker and one write to the store. */
export const PAGE_ROWS = 32;

/** The sentence for a text longer than the model reads at once. */
export function chunkedReason(chunks: number): string {
  return `Read in ${chunks} chunks: the text is longer than the model reads at once, so the chunks' scores were combined by length.`;
}

export const EMPTY_REASON = 'The text is empty.';

/** A row's result from the text channel's answer. */
export function rowResultOf(r: TextResult): RowResult {
  return {
    status: r.chunks > 1 ? 'chunked' : 'ok',
    reason: r.chunks > 1 ? chunkedReason(r.chunks) : '',
    text: r.scores,
    face: null,
    fused: null,
    model: r.modelId,
  };
}

function failedRow(reason: string): RowResult {
  return { status: 'failed', reason, text: null, face: null, fused: null, model: '' };
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'cancelled'));
}


/**
 * Runs the job until it is done, paused or cancelled. Never rejects for a row or a storage
 * problem: those end as a pause with the reason.
 */
export async function runBatch(
  store: BatchStore,
  classifier: BatchClassifier,
  hooks: RunHooks = {},
  describe = errorMessage,
  pictures: PictureReader | null = null,
  recordings: AudioReader | null = null,
): Promise<RunEnd> {
  const { signal } = hooks;
  // Counted once: IndexedDB counts by walking the rows, so a count per page would cost a walk
  // of the whole job per 32 rows. Each page then adds the rows it stored.
  const counted = await store.counts();
  const total = counted.total;
  let done = counted.done;
  for (;;) {
    if (signal?.aborted) return { state: 'cancelled' };
    if (hooks.shouldPause?.()) return { state: 'paused', reason: null };
    const rows = await store.pendingRows(PAGE_ROWS);
    if (rows.length === 0) return { state: 'done' };
    let results: Array<{ index: number; result: RowResult }> = [];
    const texts = rows.filter((r) => r.text.trim() !== '');
    const named = (r: PendingRow) => pictures !== null && (r.picture ?? '').trim() !== '';
    const recorded = (r: PendingRow) => recordings !== null && (r.audio ?? '').trim() !== '';
    for (const r of rows) if (r.text.trim() === '' && !named(r) && !recorded(r)) results.push({ index: r.index, result: { ...failedRow(EMPTY_REASON), status: 'empty' } });
    if (texts.length > 0) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        const answers = await classifyPage(texts, classifier, controller.signal, describe);
        if ('pause' in answers) return { state: 'paused', reason: answers.pause };
        results.push(...answers.results);
      } catch (err) {
        if (isAbort(err, signal)) return { state: 'cancelled' };
        throw err;
      } finally {
        signal?.removeEventListener('abort', stop);
      }
    }
    if (pictures && rows.some(named)) {
      const read = await readFiles('face', rows.filter(named), (r) => r.picture!, results, pictures, signal);
      if (read === null) return { state: 'cancelled' };
      results = read;
    }
    if (recordings && rows.some(recorded)) {
      const read = await readFiles('voice', rows.filter(recorded), (r) => r.audio!, results, recordings, signal);
      if (read === null) return { state: 'cancelled' };
      // A row without a text: what was said in its recording is its text, as in the app.
      const said = rows.filter((r) => r.text.trim() === '' && read.some((x) => x.index === r.index && x.result.transcript));
      if (said.length > 0) {
        const answers = await classifyPage(
          said.map((r) => ({ index: r.index, text: read.find((x) => x.index === r.index)!.result.transcript! })),
          classifier,
          signal ?? new AbortController().signal,
          describe,
        ).catch((err: unknown) => (isAbort(err, signal) ? null : Promise.reject(err)));
        if (answers === null) return { state: 'cancelled' };
        if ('pause' in answers) return { state: 'paused', reason: answers.pause };
        results = read.map((x) => {
          const words = answers.results.find((a) => a.index === x.index)?.result;
          return words?.text ? { index: x.index, result: withWords(x.result, words, recordings.fuse) } : x;
        });
      } else results = read;
    }
    if (signal?.aborted) return { state: 'cancelled' };
    try {
      await store.saveResults(results.sort((a, b) => a.index - b.index));
    } catch (err) {
      return { state: 'paused', reason: storageReason(err) };
    }
    done += results.length;
    hooks.onProgress?.(done, total);
  }
}

/**
 * The files of a page for `channel`, one at a time (the face and voice workers read one at a
 * time anyway), each added to its row's result so far. Null when cancelled.
 */
async function readFiles(
  channel: 'face' | 'voice',
  rows: readonly PendingRow[],
  nameOf: (row: PendingRow) => string,
  soFar: ReadonlyArray<{ index: number; result: RowResult }>,
  reader: FileReader<PictureReading | AudioReading>,
  signal: AbortSignal | undefined,
): Promise<Array<{ index: number; result: RowResult }> | null> {
  const byIndex = new Map(soFar.map((r) => [r.index, r.result]));
  const never = new AbortController().signal;
  for (const row of rows) {
    if (signal?.aborted) return null;
    let reading: PictureReading | AudioReading;
    try {
      reading = await reader.read(nameOf(row).trim(), signal ?? never);
    } catch (err) {
      if (isAbort(err, signal)) return null;
      reading = { scores: null, reason: errorMessage(err), model: '' };
    }
    byIndex.set(row.index, addReading(byIndex.get(row.index) ?? null, channel, reading, reader.fuse));
  }
  return [...byIndex].map(([index, result]) => ({ index, result }));
}

/** A row read from its recording alone, with the text model's reading of what was said as its text. */
function withWords(row: RowResult, words: RowResult, fuse: RowFuse): RowResult {
  const present = Object.fromEntries((['text', 'face', 'voice'] as const).flatMap((c) => { const s = c === 'text' ? words.text : row[c]; return s ? [[c, s]] : []; }));
  return { ...row, text: words.text, fused: Object.keys(present).length > 1 ? fuse(present) : null, model: [words.model, row.model].filter(Boolean).join(' + ') };
}

/** The sentence for a write the store refused. */
export function storageReason(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  return name === 'QuotaExceededError'
    ? 'Paused: the browser has no room left to store results. Free some space (for example delete old batches or History entries), then press Resume; nothing already done is lost.'
    : `Paused: the results could not be stored (${errorMessage(err)}). Press Resume to try again; nothing already done is lost.`;
}

/**
 * One page through the model. When the whole request fails, each row is tried alone, so one bad
 * row fails alone; when every row fails alone too, the model itself is the problem: pause.
 */
async function classifyPage(
  rows: readonly PendingRow[],
  classifier: BatchClassifier,
  signal: AbortSignal,
  describe: (err: unknown) => string,
): Promise<{ results: Array<{ index: number; result: RowResult }> } | { pause: string }> {
  try {
    const answers = await classifier.classifyMany(
      rows.map((r) => r.text),
      signal,
    );
    return { results: rows.map((r, i) => ({ index: r.index, result: rowResultOf(answers[i]!) })) };
  } catch (err) {
    if (isAbort(err, signal)) throw err;
    const results: Array<{ index: number; result: RowResult }> = [];
    let failures = 0;
    let last: unknown = err;
    for (const r of rows) {
      try {
        const [answer] = await classifier.classifyMany([r.text], signal);
        results.push({ index: r.index, result: rowResultOf(answer!) });
      } catch (rowErr) {
        if (isAbort(rowErr, signal)) throw rowErr;
        failures += 1;
        last = rowErr;
        results.push({ index: r.index, result: failedRow(describe(rowErr)) });
      }
    }
    if (failures === rows.length && rows.length > 1) return { pause: `Paused: the text model failed on every row of this part. ${describe(last)}` };
    return { results };
  }
}
