// History records: what one analysis leaves behind (never the API key, never the original
// picture, only a small thumbnail), their schema versions and migration on read, the import
// validator, search and filter, and the JSON/CSV export formats. Pure apart from Blob.
import { csvRow } from '../../shared/csv';
import { CHANNEL_IDS, type ChannelId } from '../../shared/channels';
import { EMOTIONS, isEmotion, normalize, type Emotion, type EmotionScores } from '../../shared/emotions';
import type { Box } from '../faces/faces';
import { fuseScores, type FusionResult } from '../../shared/fusion';
import { hasTag, uniqueTags } from './tags';

/**
 * Current record schema. Version history: 1 = first release (text, vision, `textWeight`);
 * 2 = the face channel (`facePart`) and one weight per channel (`weights`). Version 1 records are
 * read as version 2: `textWeight` w becomes text w, vision 1 − w. Fields added since, optional and
 * read with a default (so older versions of the app still read the records): `tags` ([]),
 * `againOf` (null) and `voicePart` (null; the voice channel, issue 30: an additive field, like the
 * two before it, so records made since are still read by the app before it, which drops it).
 */
export const HISTORY_VERSION = 2;

/** The text channel's part of a record. */
export interface TextPart {
  readonly text: string;
  readonly scores: EmotionScores;
  readonly modelId: string;
  readonly device: string;
  readonly dtype: string;
  /** What ran the model: 'litert' or 'onnxruntime' (absent in records made before the second engine). */
  readonly engine?: string;
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

/** One face the face channel read: where (fractions of the picture), how sure, and its scores. */
export interface FaceReading {
  /** Left, top, right, bottom as fractions (0..1) of the picture's width and height. */
  readonly box: Box;
  /** The detector's score, 0..1. */
  readonly score: number;
  readonly scores: EmotionScores;
}

/** The face channel's part of a record. */
export interface FacePart {
  /** The faces' scores weighted by face area times detection score. */
  readonly scores: EmotionScores;
  /** Every face read, most certain first. */
  readonly faces: readonly FaceReading[];
  readonly model: string;
  readonly elapsedMs: number;
}

/** One speech segment the voice channel read: where (seconds), how it sounded, what was said and what the words say. */
export interface VoiceSegmentPart {
  readonly start: number;
  readonly end: number;
  readonly tone: EmotionScores;
  /** Its transcript; '' when no words were recognised (and in records made before speech recognition). */
  readonly text: string;
  /** The text model on its words; null without words, or when they could not be read. */
  readonly words: EmotionScores | null;
}

/** The voice channel's part of a record (never the sound). */
export interface VoicePart {
  /** The recording's tone: its segments' scores weighted by their duration. */
  readonly scores: EmotionScores;
  readonly segments: readonly VoiceSegmentPart[];
  /** Everything said, in order; '' when nothing was recognised. */
  readonly transcript: string;
  /** The language spoken most (Whisper's code), or null when unknown. */
  readonly language: string | null;
  /** The speech-recognition model's id ('' in records made before it). */
  readonly speechModel: string;
  /** The recording's length in seconds. */
  readonly duration: number;
  /** The tone model's id. */
  readonly toneModel: string;
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
  readonly facePart: FacePart | null;
  /** The voice of a recording (issue 30); null without one. */
  readonly voicePart: VoicePart | null;
  /** About 256 px JPEG; null without a picture. */
  readonly thumbnail: Blob | null;
  /** Each channel's share in the fused answer, for the channels the record has. */
  readonly weights: Readonly<Partial<Record<ChannelId, number>>>;
  /** The user's tags (an account, a campaign), cleaned and without repeats; [] for none. */
  readonly tags: readonly string[];
  /** The entry this one analyzed again (Analyze again), or null. */
  readonly againOf: string | null;
}

/** Each channel's scores in a record (null for a channel it does not have). */
export function scoresOf(record: HistoryRecord): Record<ChannelId, EmotionScores | null> {
  return { text: record.textPart?.scores ?? null, face: record.facePart?.scores ?? null, vision: record.visionPart?.scores ?? null, voice: record.voicePart?.scores ?? null };
}

/** Channels a record has, in the app's order. */
export function presentChannels(record: HistoryRecord): ChannelId[] {
  const s = scoresOf(record);
  return CHANNEL_IDS.filter((c) => s[c] !== null);
}

const fusions = new WeakMap<HistoryRecord, FusionResult | null>();

/** The fused answer of a record, from its parts and weights (records are immutable: cached). */
export function fusionOf(record: HistoryRecord): FusionResult | null {
  let f = fusions.get(record);
  if (f === undefined) {
    f = fuseScores(scoresOf(record), record.weights);
    fusions.set(record, f);
  }
  return f;
}

/** Fused top emotion of a record. */
export function fusedTopOf(record: HistoryRecord): Emotion | null {
  return fusionOf(record)?.top ?? null;
}

/**
 * What a record read: a text, a picture (by either picture channel), or both; a recording alone
 * is 'voice' (a recording with a text or a picture counts as those).
 */
export function channelsOf(record: HistoryRecord): 'text' | 'vision' | 'both' | 'voice' {
  const picture = record.visionPart !== null || record.facePart !== null;
  if (!record.textPart && !picture && record.voicePart) return 'voice';
  return record.textPart && picture ? 'both' : record.textPart ? 'text' : 'vision';
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
    ...(v.engine === 'litert' || v.engine === 'onnxruntime' ? { engine: v.engine } : {}),
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

const MAX_FACES_KEPT = 50;

function readBox(v: unknown): Box | null {
  if (!isRecordObject(v)) return null;
  const x1 = finite(v.x1, 0, 1);
  const y1 = finite(v.y1, 0, 1);
  const x2 = finite(v.x2, 0, 1);
  const y2 = finite(v.y2, 0, 1);
  return x1 !== null && y1 !== null && x2 !== null && y2 !== null && x1 <= x2 && y1 <= y2 ? { x1, y1, x2, y2 } : null;
}

function readFacePart(v: unknown): FacePart | null | undefined {
  if (v === null || v === undefined) return null;
  if (!isRecordObject(v) || !Array.isArray(v.faces) || v.faces.length > MAX_FACES_KEPT) return undefined;
  const scores = readScores(v.scores);
  if (!scores) return undefined;
  const faces: FaceReading[] = [];
  for (const f of v.faces as unknown[]) {
    if (!isRecordObject(f)) return undefined;
    const box = readBox(f.box);
    const faceScores = readScores(f.scores);
    const score = finite(f.score, 0, 1);
    if (!box || !faceScores || score === null) return undefined;
    faces.push({ box, score, scores: faceScores });
  }
  if (faces.length === 0) return undefined; // no face is no channel, never an empty part
  return { scores, faces, model: str(v.model, 300) ?? '', elapsedMs: finite(v.elapsedMs) ?? 0 };
}

const MAX_SEGMENTS_KEPT = 2000;
/** A segment is at most 30 s of speech: a few hundred words. */
const MAX_SEGMENT_TEXT = 5000;

function readVoicePart(v: unknown): VoicePart | null | undefined {
  if (v === null || v === undefined) return null;
  if (!isRecordObject(v) || !Array.isArray(v.segments) || v.segments.length === 0 || v.segments.length > MAX_SEGMENTS_KEPT) return undefined;
  const scores = readScores(v.scores);
  const duration = finite(v.duration, 0, 24 * 3600);
  if (!scores || duration === null) return undefined;
  const segments: VoiceSegmentPart[] = [];
  for (const s of v.segments as unknown[]) {
    if (!isRecordObject(s)) return undefined;
    const start = finite(s.start, 0, duration);
    const end = finite(s.end, 0, duration);
    const tone = readScores(s.tone);
    if (start === null || end === null || end < start || !tone) return undefined;
    // Words and their reading came with speech recognition: absent in records made before it.
    const words = s.words === undefined || s.words === null ? null : readScores(s.words);
    if (words === null && s.words !== undefined && s.words !== null) return undefined;
    segments.push({ start, end, tone, text: str(s.text, MAX_SEGMENT_TEXT) ?? '', words });
  }
  const language = v.language === undefined || v.language === null ? null : str(v.language, 20);
  return {
    scores,
    segments,
    transcript: str(v.transcript, MAX_TEXT) ?? '',
    language: language || null,
    speechModel: str(v.speechModel, 300) ?? '',
    duration,
    toneModel: str(v.toneModel, 300) ?? '',
    elapsedMs: finite(v.elapsedMs) ?? 0,
  };
}

/** Stored shares, valid ones only; a record without any gets equal shares. */
function readWeights(v: unknown): Partial<Record<ChannelId, number>> {
  const out: Partial<Record<ChannelId, number>> = {};
  if (!isRecordObject(v)) return out;
  for (const c of CHANNEL_IDS) {
    const w = finite(v[c], 0, 1);
    if (w !== null) out[c] = w;
  }
  return out;
}

const ID = /^[A-Za-z0-9_-]{8,64}$/u;

/** Stored or imported tags: the strings among them, cleaned; anything else is no tags. */
function readTags(v: unknown): string[] {
  return Array.isArray(v) ? uniqueTags(v.filter((t): t is string => typeof t === 'string' && t.length <= 400)) : [];
}

/**
 * Reads a stored or imported record of any known version into the current shape, or null when
 * it is not a valid record. `thumbnail` is passed separately: a Blob from IndexedDB, or one made
 * from an exported data URL.
 */
export function migrateRecord(raw: unknown, thumbnail: Blob | null = null): HistoryRecord | null {
  if (!isRecordObject(raw)) return null;
  const version = raw.schemaVersion;
  if (version !== 1 && version !== 2) return null; // unknown (e.g. newer) versions are left untouched by the caller
  const id = str(raw.id, 64);
  const createdAt = finite(raw.createdAt, 0, 8.64e15);
  const textPart = readTextPart(raw.textPart);
  const visionPart = readVisionPart(raw.visionPart);
  const facePart = version === 1 ? null : readFacePart(raw.facePart);
  const voicePart = version === 1 ? null : readVoicePart(raw.voicePart);
  if (!id || !ID.test(id) || createdAt === null || textPart === undefined || visionPart === undefined || facePart === undefined || voicePart === undefined) return null;
  if (!textPart && !visionPart && !facePart && !voicePart) return null;
  let weights: Partial<Record<ChannelId, number>>;
  if (version === 1) {
    const w = finite(raw.textWeight, 0, 1) ?? 0.5;
    weights = { text: w, vision: 1 - w };
  } else {
    weights = readWeights(raw.weights);
  }
  const thumb = thumbnail ?? (raw.thumbnail instanceof Blob ? raw.thumbnail : null);
  const againOf = typeof raw.againOf === 'string' && ID.test(raw.againOf) ? raw.againOf : null;
  return { schemaVersion: HISTORY_VERSION, id, createdAt, textPart, visionPart, facePart, voicePart, thumbnail: thumb, weights, tags: readTags(raw.tags), againOf };
}

// ---------------------------------------------------------------- search and filter

/** Entries with this tag, entries without any tag, or all. */
export type TagFilter = 'any' | 'untagged' | { readonly tag: string };

/** What the history list shows. */
export interface HistoryQuery {
  /** Words that must all appear in the text, the picture description or the tags (case-insensitive). */
  readonly search: string;
  /** Fused top emotion, or 'any'. */
  readonly emotion: Emotion | 'any';
  /** Channels used, or 'any'. */
  readonly channels: 'text' | 'vision' | 'both' | 'voice' | 'any';
  readonly tag: TagFilter;
}

export const EMPTY_QUERY: HistoryQuery = { search: '', emotion: 'any', channels: 'any', tag: 'any' };

/** True when a record passes the tag filter. */
export function matchesTag(record: HistoryRecord, filter: TagFilter): boolean {
  if (filter === 'any') return true;
  if (filter === 'untagged') return record.tags.length === 0;
  return hasTag(record.tags, filter.tag);
}

/** Records matching `query`, newest first. */
export function filterRecords(records: readonly HistoryRecord[], query: HistoryQuery): HistoryRecord[] {
  const words = query.search.toLowerCase().split(/\s+/u).filter(Boolean);
  return records
    .filter((r) => {
      if (query.channels !== 'any' && channelsOf(r) !== query.channels) return false;
      if (query.emotion !== 'any' && fusedTopOf(r) !== query.emotion) return false;
      if (!matchesTag(r, query.tag)) return false;
      if (words.length === 0) return true;
      const haystack = `${r.textPart?.text ?? ''}\n${r.visionPart?.description ?? ''}\n${r.tags.join('\n')}`.toLowerCase();
      return words.every((w) => haystack.includes(w));
    })
    .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}

// ---------------------------------------------------------------- export formats

/** Marker and version of the JSON export file. */
export const EXPORT_FORMAT = 'moodlens-history';
export const EXPORT_VERSION = 2;

/** A record as exported: the thumbnail as a data: URL. */
export type ExportedRecord = Omit<HistoryRecord, 'thumbnail'> & { readonly thumbnail: string | null };

/** The export file. */
export interface ExportFile {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: typeof EXPORT_VERSION;
  readonly exportedAt: string;
  readonly records: readonly ExportedRecord[];
}

/** CSV, one row per analysis, one column per score and channel. */
export function toCsv(records: readonly HistoryRecord[]): string {
  const header = [
    'id',
    'created_at',
    'channels',
    'fused_top',
    'text_weight',
    'face_weight',
    'vision_weight',
    ...EMOTIONS.map((e) => `text_${e}`),
    ...EMOTIONS.map((e) => `face_${e}`),
    ...EMOTIONS.map((e) => `vision_${e}`),
    ...EMOTIONS.map((e) => `fused_${e}`),
    'face_count',
    'text',
    'vision_description',
    'text_model',
    'face_model',
    'vision_model',
    // Added later, at the end, so that columns read by position stay where they were.
    'tags',
    'again_of',
    'voice_weight',
    ...EMOTIONS.map((e) => `voice_p_${e}`),
    'voice_model',
    'voice_segments',
    'voice_seconds',
    'speech_model',
    'language',
    'transcript',
  ];
  const rows = records.map((r) => {
    const fused = fusionOf(r);
    const cells = (s: EmotionScores | null | undefined) => EMOTIONS.map((e) => (s ? s[e].toFixed(6) : ''));
    const share = (c: ChannelId) => (fused && fused.present.includes(c) ? Number(fused.weights[c].toFixed(6)) : '');
    return csvRow([
      r.id,
      new Date(r.createdAt).toISOString(),
      channelsOf(r),
      fused?.top ?? '',
      share('text'),
      share('face'),
      share('vision'),
      ...cells(r.textPart?.scores),
      ...cells(r.facePart?.scores),
      ...cells(r.visionPart?.scores),
      ...cells(fused?.scores),
      r.facePart ? r.facePart.faces.length : '',
      r.textPart?.text ?? '',
      r.visionPart?.description ?? '',
      r.textPart?.modelId ?? '',
      r.facePart?.model ?? '',
      r.visionPart?.model ?? '',
      r.tags.join('; '),
      r.againOf ?? '',
      share('voice'),
      ...cells(r.voicePart?.scores),
      r.voicePart?.toneModel ?? '',
      r.voicePart ? r.voicePart.segments.length : '',
      r.voicePart ? Number(r.voicePart.duration.toFixed(3)) : '',
      r.voicePart?.speechModel ?? '',
      r.voicePart?.language ?? '',
      r.voicePart?.transcript ?? '',
    ]);
  });
  return `${[csvRow(header), ...rows].join('\r\n')}\r\n`;
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
    return {
      records: [],
      rejected: 0,
      error: "The file is not JSON. Import takes the JSON file that History's Export JSON writes (a CSV of texts goes to Batch).",
    };
  }
  if (!isRecordObject(data) || data.format !== EXPORT_FORMAT || !Array.isArray(data.records)) {
    return { records: [], rejected: 0, error: "The file is not a Moodlens history export. Import takes the JSON file that History's Export JSON writes." };
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
