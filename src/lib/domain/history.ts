// History records: what one analysis leaves behind (never the API key, never the original
// picture, only a small thumbnail), their schema versions and migration on read, the import
// validator, search and filter, and the JSON/CSV export formats. Pure apart from Blob.
import { EMOTIONS, isEmotion, normalize, type Emotion, type EmotionScores } from './emotions';
import { fuse } from './fusion';

/** Current record schema. Version history: 1 = first release. */
export const HISTORY_VERSION = 1;

/** The text channel's part of a record. */
export interface TextPart {
  readonly text: string;
  readonly scores: EmotionScores;
  readonly modelId: string;
  readonly device: string;
  readonly dtype: string;
  readonly inferenceMs: number;
  readonly chunks: number;
  readonly tokens: number;
}

/** The picture channel's part of a record. */
export interface VisionPart {
  readonly scores: EmotionScores;
  readonly description: string;
  readonly model: string;
  /** Host of the provider (no path, no key). */
  readonly provider: string;
  readonly elapsedMs: number;
}

/** One saved analysis. */
export interface HistoryRecord {
  readonly schemaVersion: typeof HISTORY_VERSION;
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly textPart: TextPart | null;
  readonly visionPart: VisionPart | null;
  /** About 256 px JPEG; null without a picture. */
  readonly thumbnail: Blob | null;
  /** The text weight the analysis was fused with. */
  readonly textWeight: number;
}

const fusedTops = new WeakMap<HistoryRecord, Emotion | null>();

/** Fused top emotion of a record, from its parts and weight (records are immutable: cached). */
export function fusedTopOf(record: HistoryRecord): Emotion | null {
  let top = fusedTops.get(record);
  if (top === undefined) {
    top = fuse({ text: record.textPart?.scores ?? null, vision: record.visionPart?.scores ?? null, textWeight: record.textWeight })?.top ?? null;
    fusedTops.set(record, top);
  }
  return top;
}

/** Which channels a record used. */
export function channelsOf(record: HistoryRecord): 'text' | 'vision' | 'both' {
  return record.textPart && record.visionPart ? 'both' : record.textPart ? 'text' : 'vision';
}

// ---------------------------------------------------------------- validation and migration

function isRecordObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finite(v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number | null {
  // `+ 0` turns -0 into 0, as a JSON round trip would.
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v + 0 : null;
}

function str(v: unknown, max: number): string | null {
  return typeof v === 'string' && v.length <= max ? v : null;
}

/** A stored or imported distribution: seven finite non-negative numbers with positive mass. */
export function readScores(v: unknown): EmotionScores | null {
  if (!isRecordObject(v)) return null;
  const raw = {} as Record<Emotion, number>;
  for (const e of EMOTIONS) {
    const x = finite(v[e], 0, 1);
    if (x === null) return null;
    raw[e] = x;
  }
  if (Object.keys(v).some((k) => !isEmotion(k))) return null;
  const total = EMOTIONS.reduce((n, e) => n + raw[e], 0);
  // Stored distributions already sum to 1: keep them bit for bit; renormalise only hand-made ones.
  if (Math.abs(total - 1) < 1e-6) return raw;
  try {
    return normalize(raw);
  } catch {
    return null;
  }
}

const MAX_TEXT = 1_000_000;

function readTextPart(v: unknown): TextPart | null | undefined {
  if (v === null) return null;
  if (!isRecordObject(v)) return undefined;
  const scores = readScores(v.scores);
  const text = str(v.text, MAX_TEXT);
  if (!scores || text === null) return undefined;
  return {
    text,
    scores,
    modelId: str(v.modelId, 300) ?? '',
    device: str(v.device, 20) ?? '',
    dtype: str(v.dtype, 20) ?? '',
    inferenceMs: finite(v.inferenceMs) ?? 0,
    chunks: finite(v.chunks) ?? 1,
    tokens: finite(v.tokens) ?? 0,
  };
}

function readVisionPart(v: unknown): VisionPart | null | undefined {
  if (v === null) return null;
  if (!isRecordObject(v)) return undefined;
  const scores = readScores(v.scores);
  if (!scores) return undefined;
  return {
    scores,
    description: (str(v.description, 2000) ?? '').slice(0, 600),
    model: str(v.model, 300) ?? '',
    provider: str(v.provider, 300) ?? '',
    elapsedMs: finite(v.elapsedMs) ?? 0,
  };
}

const ID = /^[A-Za-z0-9_-]{8,64}$/u;

/**
 * Reads a stored or imported record of any known version into the current shape, or null when
 * it is not a valid record. `thumbnail` is passed separately: a Blob from IndexedDB, or one made
 * from an exported data URL.
 */
export function migrateRecord(raw: unknown, thumbnail: Blob | null = null): HistoryRecord | null {
  if (!isRecordObject(raw)) return null;
  const version = raw.schemaVersion;
  if (version !== 1) return null; // unknown (e.g. newer) versions are left untouched by the caller
  const id = str(raw.id, 64);
  const createdAt = finite(raw.createdAt, 0, 8.64e15);
  const textPart = readTextPart(raw.textPart);
  const visionPart = readVisionPart(raw.visionPart);
  if (!id || !ID.test(id) || createdAt === null || textPart === undefined || visionPart === undefined) return null;
  if (!textPart && !visionPart) return null;
  const weight = finite(raw.textWeight, 0, 1) ?? 0.5;
  const thumb = thumbnail ?? (raw.thumbnail instanceof Blob ? raw.thumbnail : null);
  return { schemaVersion: HISTORY_VERSION, id, createdAt, textPart, visionPart, thumbnail: thumb, textWeight: weight };
}

// ---------------------------------------------------------------- search and filter

/** What the history list shows. */
export interface HistoryQuery {
  /** Words that must all appear in the text or the picture description (case-insensitive). */
  readonly search: string;
  /** Fused top emotion, or 'any'. */
  readonly emotion: Emotion | 'any';
  /** Channels used, or 'any'. */
  readonly channels: 'text' | 'vision' | 'both' | 'any';
}

export const EMPTY_QUERY: HistoryQuery = { search: '', emotion: 'any', channels: 'any' };

/** Records matching `query`, newest first. */
export function filterRecords(records: readonly HistoryRecord[], query: HistoryQuery): HistoryRecord[] {
  const words = query.search.toLowerCase().split(/\s+/u).filter(Boolean);
  return records
    .filter((r) => {
      if (query.channels !== 'any' && channelsOf(r) !== query.channels) return false;
      if (query.emotion !== 'any' && fusedTopOf(r) !== query.emotion) return false;
      if (words.length === 0) return true;
      const haystack = `${r.textPart?.text ?? ''}\n${r.visionPart?.description ?? ''}`.toLowerCase();
      return words.every((w) => haystack.includes(w));
    })
    .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}

// ---------------------------------------------------------------- export formats

/** Marker and version of the JSON export file. */
export const EXPORT_FORMAT = 'moodlens-history';
export const EXPORT_VERSION = 1;

/** A record as exported: the thumbnail as a data: URL. */
export type ExportedRecord = Omit<HistoryRecord, 'thumbnail'> & { readonly thumbnail: string | null };

/** The export file. */
export interface ExportFile {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: typeof EXPORT_VERSION;
  readonly exportedAt: string;
  readonly records: readonly ExportedRecord[];
}

function csvCell(value: string | number): string {
  const s = String(value);
  // Quote when needed; neutralise spreadsheet formulas (=, +, -, @ at the start of a text cell).
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/u.test(s) ? `'${s}` : s;
  return /[",\n\r]/u.test(safe) ? `"${safe.replace(/"/gu, '""')}"` : safe;
}

/** CSV, one row per analysis, one column per score and channel. */
export function toCsv(records: readonly HistoryRecord[]): string {
  const header = [
    'id',
    'created_at',
    'channels',
    'fused_top',
    'text_weight',
    ...EMOTIONS.map((e) => `text_${e}`),
    ...EMOTIONS.map((e) => `vision_${e}`),
    ...EMOTIONS.map((e) => `fused_${e}`),
    'text',
    'vision_description',
    'text_model',
    'vision_model',
  ];
  const rows = records.map((r) => {
    const fused = fuse({ text: r.textPart?.scores ?? null, vision: r.visionPart?.scores ?? null, textWeight: r.textWeight });
    const cells = (s: EmotionScores | null | undefined) => EMOTIONS.map((e) => (s ? s[e].toFixed(6) : ''));
    return [
      r.id,
      new Date(r.createdAt).toISOString(),
      channelsOf(r),
      fused?.top ?? '',
      r.textWeight,
      ...cells(r.textPart?.scores),
      ...cells(r.visionPart?.scores),
      ...cells(fused?.scores),
      r.textPart?.text ?? '',
      r.visionPart?.description ?? '',
      r.textPart?.modelId ?? '',
      r.visionPart?.model ?? '',
    ]
      .map(csvCell)
      .join(',');
  });
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}

/** Outcome of reading an import file. */
export interface ImportPlan {
  /** Valid records, thumbnails still as data URLs. */
  readonly records: ReadonlyArray<{ record: HistoryRecord; thumbnail: string | null }>;
  readonly rejected: number;
  /** Set when the file as a whole is unusable; then nothing may be imported. */
  readonly error: string | null;
}

const DATA_URL = /^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/=]+$/u;
const MAX_THUMBNAIL_CHARS = 400_000;

/** Validates an export file's JSON text. Never throws. */
export function readExportFile(text: string): ImportPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { records: [], rejected: 0, error: 'The file is not JSON.' };
  }
  if (!isRecordObject(data) || data.format !== EXPORT_FORMAT || !Array.isArray(data.records)) {
    return { records: [], rejected: 0, error: 'The file is not a Moodlens history export.' };
  }
  if (typeof data.version !== 'number' || data.version > EXPORT_VERSION) {
    return { records: [], rejected: 0, error: 'The file comes from a newer version of Moodlens; update the app first.' };
  }
  const records: Array<{ record: HistoryRecord; thumbnail: string | null }> = [];
  let rejected = 0;
  for (const item of data.records as unknown[]) {
    const thumb = isRecordObject(item) ? item.thumbnail : null;
    const thumbnail = typeof thumb === 'string' && thumb.length <= MAX_THUMBNAIL_CHARS && DATA_URL.test(thumb) ? thumb : null;
    const record = isRecordObject(item) ? migrateRecord({ ...item, thumbnail: null }) : null;
    if (record && (thumb === null || thumb === undefined || thumbnail !== null)) records.push({ record, thumbnail });
    else rejected += 1;
  }
  return { records, rejected, error: null };
}
