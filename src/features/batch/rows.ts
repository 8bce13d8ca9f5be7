// Batch analysis, the pure parts: which column holds the text (and the id, the picture and the
// recording file names), what each row ends as, the export's columns and cells, and the progress
// figures.
// No DOM, no runtime: the batch worker parses, the runner analyses, this decides and formats.
import { EMOTIONS, topEmotion, type EmotionScores } from '../../shared/emotions';
import { csvRow } from '../../shared/csv';
import { guessLabelColumn } from '../evaluation/labels';

/** A table as parsed: the header's names and the rows' cells (strings, as in the file). */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The columns a batch reads; indexes into the header, null for none. */
export interface BatchColumns {
  readonly text: number;
  readonly id: number | null;
  readonly picture: number | null;
  /** Recording file names (read by the voice channel); absent in jobs made before it. */
  readonly audio?: number | null;
  /** The user's own labels, for evaluation; it does not change what is read. */
  readonly label: number | null;
}

const PICTURE_FILE = /\.(?:jpe?g|png|webp|gif|heic|avif)$/iu;
const AUDIO_FILE = /\.(?:wav|mp3|m4a|aac|ogg|oga|opus|webm|flac)$/iu;
const NUMBER = /^[-+]?(?:\d[\d,]*)?(?:\.\d+)?(?:e[-+]?\d+)?$/iu;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[-+]\d{2}:?\d{2})?)?$/u;
const URL_ONLY = /^https?:\/\/\S+$/iu;
const ID_NAME = /^(?:id|_id|uuid|guid|key|post_?id|tweet_?id|message_?id|row_?id|index)$/iu;

/** How a column's values look, over the rows sampled. */
interface ColumnShape {
  /** Mean length of the non-empty values that read as words (not numbers, dates, links, files). */
  readonly wordyLength: number;
  /** Share of non-empty values that read as words. */
  readonly wordyShare: number;
  /** Share of non-empty values that name a picture file. */
  readonly pictureShare: number;
  /** Share of non-empty values that name a recording. */
  readonly audioShare: number;
  /** Every non-empty value differs from the others. */
  readonly unique: boolean;
  readonly filled: number;
}

function shapeOf(rows: readonly (readonly string[])[], column: number): ColumnShape {
  const values = rows.map((r) => (r[column] ?? '').trim()).filter((v) => v !== '');
  const wordy = values.filter((v) => !NUMBER.test(v) && !DATE.test(v) && !URL_ONLY.test(v) && !PICTURE_FILE.test(v) && !AUDIO_FILE.test(v) && /\p{L}/u.test(v));
  return {
    wordyLength: wordy.length ? wordy.reduce((n, v) => n + v.length, 0) / wordy.length : 0,
    wordyShare: values.length ? wordy.length / values.length : 0,
    pictureShare: values.length ? values.filter((v) => PICTURE_FILE.test(v)).length / values.length : 0,
    audioShare: values.length ? values.filter((v) => AUDIO_FILE.test(v)).length / values.length : 0,
    unique: new Set(values).size === values.length,
    filled: values.length,
  };
}

/**
 * The columns a batch probably wants, from the header and a sample of rows: the text is the
 * column with the longest values that read as words (at least half of them); the id a column
 * named like one (id, uuid, post_id...) with unique values; the picture a column whose values
 * are mostly picture file names, the audio one whose values are mostly recordings' (call.wav);
 * the label a column named or filled like one (labels.ts). The user can change each.
 */
export function guessColumns(table: Table): BatchColumns {
  const shapes = table.header.map((_, i) => shapeOf(table.rows, i));
  let text = 0;
  let best = -1;
  shapes.forEach((s, i) => {
    const score = s.wordyShare >= 0.5 ? s.wordyLength : -1;
    if (score > best) {
      best = score;
      text = i;
    }
  });
  const id = table.header.findIndex((name, i) => i !== text && ID_NAME.test(name.trim()) && shapes[i]!.unique && shapes[i]!.filled > 0);
  const picture = shapes.findIndex((s, i) => i !== text && s.pictureShare >= 0.5);
  const audio = shapes.findIndex((s, i) => i !== text && s.audioShare >= 0.5);
  const columns = { text, id: id >= 0 ? id : null, picture: picture >= 0 ? picture : null, audio: audio >= 0 ? audio : null };
  return { ...columns, label: guessLabelColumn(table, [columns.text, columns.id, columns.picture, columns.audio]) };
}

/**
 * What a row ended as:
 * - `ok`: read; `chunked`: read, in several chunks (a text over the model's length);
 * - `empty`: nothing to read (no text, no picture, no recording);
 * - `partial`: one channel read, another failed (an unreadable picture beside a text);
 * - `failed`: nothing could be read. Each but `ok` comes with a reason.
 */
export type RowStatus = 'ok' | 'chunked' | 'empty' | 'partial' | 'failed';

/** The channels a batch can run, as its export names them. */
export type BatchChannel = 'text' | 'face' | 'voice' | 'fused';
/** The channels a row's result has scores of, in the export's order. */
const SCORED = ['text', 'face', 'voice', 'fused'] as const;

/** One row's outcome. */
export interface RowResult {
  readonly status: RowStatus;
  /** Why the row is not `ok` ('' when it is). */
  readonly reason: string;
  readonly text: EmotionScores | null;
  readonly face: EmotionScores | null;
  /** How the row's recording sounded (absent in results stored before the voice channel). */
  readonly voice?: EmotionScores | null;
  /** What was said in it, and in which language ('' and null without a recording). */
  readonly transcript?: string;
  readonly language?: string | null;
  readonly fused: EmotionScores | null;
  /** The model ids that read the row, joined with ' + '. */
  readonly model: string;
}

/** A reading of a row's picture (faces) or recording (voice): its scores, or why there are none. */
export type PictureReading =
  | { readonly scores: EmotionScores; readonly model: string }
  | { readonly scores: null; readonly reason: string; readonly model: string };

/** The voice channel's reading of a row's recording: its tone and what was said, or why there are none. */
export type AudioReading =
  | { readonly scores: EmotionScores; readonly transcript: string; readonly language: string | null; readonly model: string }
  | { readonly scores: null; readonly reason: string; readonly model: string };

/** The fused answer of the channels given (null for fewer than two). */
export type RowFuse = (scores: Partial<Record<'text' | 'face' | 'voice', EmotionScores>>) => EmotionScores | null;

/**
 * A row's result once its picture (`face`) or recording (`voice`) is read too. `row` is what the
 * row had so far (null when it had nothing: no text). Two channels or more read: the fused answer
 * by `fuse`. A failure beside a channel that read makes the row `partial` (a text that was not
 * there is no failure); nothing read: `failed`, with every reason.
 */
export function addReading(row: RowResult | null, channel: 'face' | 'voice', reading: PictureReading | AudioReading, fuse: RowFuse): RowResult {
  const scores = { text: row?.text ?? null, face: row?.face ?? null, voice: row?.voice ?? null, [channel]: reading.scores };
  const model = [row?.model, reading.model].filter((m): m is string => Boolean(m)).join(' + ');
  const failed = row !== null && row.status !== 'ok' && row.status !== 'chunked';
  const reason = [row?.reason ?? '', reading.scores ? '' : reading.reason].filter(Boolean).join(' ');
  const read = (['text', 'face', 'voice'] as const).filter((c) => scores[c] !== null);
  const heard = channel === 'voice' && reading.scores ? { transcript: (reading as Extract<AudioReading, { scores: EmotionScores }>).transcript, language: (reading as Extract<AudioReading, { scores: EmotionScores }>).language } : {};
  const base = { ...(row ?? {}), ...scores, ...heard, model };
  if (read.length === 0) return { ...base, status: 'failed', reason, fused: null };
  const status: RowStatus = failed || !reading.scores ? 'partial' : (row?.status ?? 'ok');
  const present = Object.fromEntries(read.map((c) => [c, scores[c]!]));
  return { ...base, status, reason: status === 'ok' ? '' : reason, fused: read.length > 1 ? fuse(present) : null };
}

/** The export's prefix per channel (the text's scores are plain `p_<emotion>`). */
const PREFIX: Readonly<Record<BatchChannel, string>> = { text: 'p_', face: 'face_p_', voice: 'voice_p_', fused: 'fused_p_' };

/**
 * The export's columns: every original column in its order, then `emotion` (the answer's top
 * label), `p_<emotion>` for the text, `face_p_`, `voice_p_` and `fused_p_` for the channels that
 * ran, then `status`, `error`, `model`, and with the voice `transcript` and `language`.
 */
export function exportHeader(original: readonly string[], channels: readonly BatchChannel[]): string[] {
  const ran = SCORED.filter((c) => channels.includes(c));
  const voice = channels.includes('voice') ? ['transcript', 'language'] : [];
  return [...original, 'emotion', ...ran.flatMap((c) => EMOTIONS.map((e) => `${PREFIX[c]}${e}`)), 'status', 'error', 'model', ...voice];
}

/** A row's answer: the fused scores when fused, else the only channel's (null before it is read). */
export function answerOf(r: RowResult | null): EmotionScores | null {
  return r ? (r.fused ?? r.text ?? r.face ?? r.voice ?? null) : null;
}

/** The added cells of one row, in `exportHeader`'s order after the original columns. */
export function resultCells(r: RowResult | null, channels: readonly BatchChannel[]): Array<string | number> {
  const ran = SCORED.filter((c) => channels.includes(c));
  const answer = answerOf(r);
  const scores = (s: EmotionScores | null | undefined) => EMOTIONS.map((e) => (s ? Number(s[e].toFixed(6)) : ''));
  return [
    answer ? topEmotion(answer).emotion : '',
    ...ran.flatMap((c) => scores(r ? r[c] : null)),
    r?.status ?? 'pending',
    r?.reason ?? '',
    r?.model ?? '',
    ...(channels.includes('voice') ? [r?.transcript ?? '', r?.language ?? ''] : []),
  ];
}

/**
 * One CSV line: the original cells as they were (quoted where needed) and the results. Every
 * cell a spreadsheet would run as a formula is neutralised (shared/csv.ts, as in the History export).
 */
export function csvLine(original: readonly string[], width: number, r: RowResult | null, channels: readonly BatchChannel[]): string {
  const cells = [...Array.from({ length: width }, (_, i) => original[i] ?? ''), ...resultCells(r, channels)];
  return csvRow(cells);
}

/** The CSV text of a header line (neutralised like every other cell). */
export function csvHeaderLine(header: readonly string[]): string {
  return csvRow(header);
}

/** One JSONL line: the original columns by name, in order, then the results. */
export function jsonlLine(
  originalHeader: readonly string[],
  original: readonly string[],
  r: RowResult | null,
  channels: readonly BatchChannel[],
): string {
  const header = exportHeader(originalHeader, channels);
  const values: Array<string | number> = [...originalHeader.map((_, i) => original[i] ?? ''), ...resultCells(r, channels)];
  const out: Record<string, string | number | null> = {};
  header.forEach((name, i) => {
    // A repeated name keeps its first value (a file may have two columns of the same name).
    if (!(name in out)) out[name] = values[i] === '' && i >= originalHeader.length ? null : values[i]!;
  });
  return JSON.stringify(out);
}

/** Progress figures for the screen. */
export interface Progress {
  readonly done: number;
  readonly total: number;
  /** Rows per second over the recent window (null until there is one). */
  readonly rowsPerSecond: number | null;
  /** Seconds left at that rate (null when unknown). */
  readonly secondsLeft: number | null;
}

/** A moment of the run: rows done at a time (ms). */
export interface ProgressSample {
  readonly at: number;
  readonly done: number;
}

/** How far back the rate looks: long enough to smooth batches, short enough to follow changes. */
export const RATE_WINDOW_MS = 15_000;

/**
 * Done/total, the rate over the last `RATE_WINDOW_MS` of samples (a pause leaves no samples, so
 * it does not drag the rate down), and the time left at that rate.
 */
export function progressOf(done: number, total: number, samples: readonly ProgressSample[], now: number): Progress {
  const recent = samples.filter((s) => now - s.at <= RATE_WINDOW_MS);
  const first = recent[0];
  const last = recent[recent.length - 1];
  const rate = first && last && last.at > first.at && last.done > first.done ? ((last.done - first.done) * 1000) / (last.at - first.at) : null;
  return { done, total, rowsPerSecond: rate, secondsLeft: rate ? Math.max(0, total - done) / rate : null };
}
