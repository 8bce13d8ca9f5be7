// Reads a vision model's reply as untrusted data: finds the JSON in it (bare, fenced or inside
// prose), maps label synonyms to the seven emotions, accepts fractions or percentages, and ends in
// seven normalized probabilities plus a short plain-text description, or in a typed failure.
// It never throws, whatever the reply holds.
import { EMOTIONS, normalize, type Emotion, type EmotionScores } from '../../shared/emotions';
import { emotionOfLabel } from '../../shared/emotion-labels';

/** Why a reply could not be read. */
export type VisionReplyFailure = 'empty' | 'no-json' | 'truncated' | 'no-scores' | 'all-zero';

/** What a readable reply says. */
export interface VisionReading {
  readonly scores: EmotionScores;
  /** The model's description of the visual cues, as plain text (at most 600 characters). */
  readonly description: string;
}

/** The outcome of reading a reply. */
export type ParsedVisionReply =
  | { readonly ok: true; readonly reading: VisionReading }
  | { readonly ok: false; readonly failure: VisionReplyFailure; readonly detail: string };

const MAX_DESCRIPTION = 600;

/**
 * Reads `content` (the assistant message) given the API's `finish_reason`.
 * Never throws; any failure comes back as `{ ok: false }`.
 */
export function parseVisionReply(content: unknown, finishReason?: unknown): ParsedVisionReply {
  try {
    return parse(content, finishReason);
  } catch (err) {
    return { ok: false, failure: 'no-json', detail: `Unreadable reply (${String(err)}).` };
  }
}

/**
 * The answer part of a reply: reasoning in `<think>...</think>` (thinking models put it there) is
 * removed, so JSON-like text inside it is never taken for the answer; null when the reply is
 * nothing but reasoning that never ended.
 */
export function withoutReasoning(content: string): string | null {
  const closed = content.replace(/<(think|thinking|reasoning)>[\s\S]*?<\/\1>/giu, ' ');
  const open = closed.search(/<(think|thinking|reasoning)>/iu);
  if (open === -1) return closed;
  const before = closed.slice(0, open);
  return before.trim() === '' ? null : before;
}

function parse(raw: unknown, finishReason: unknown): ParsedVisionReply {
  if (typeof raw !== 'string' || raw.trim() === '') {
    return {
      ok: false,
      failure: finishReason === 'length' ? 'truncated' : 'empty',
      detail: finishReason === 'length' ? 'The reply was cut off before the answer began.' : 'The model sent an empty reply.',
    };
  }
  const content = withoutReasoning(raw);
  if (content === null || content.trim() === '') {
    return { ok: false, failure: 'truncated', detail: 'The model stopped while still reasoning, before its answer.' };
  }
  const objects = jsonCandidates(content);
  const truncated = finishReason === 'length';
  if (objects.length === 0) {
    return truncated
      ? { ok: false, failure: 'truncated', detail: 'The reply was cut off before it was complete.' }
      : { ok: false, failure: 'no-json', detail: 'The reply held no JSON with scores.' };
  }
  let sawLabels = false;
  for (const obj of objects) {
    const raw = rawScores(obj);
    if (!raw) continue;
    sawLabels = true;
    const total = EMOTIONS.reduce((n, e) => n + raw[e], 0);
    if (!(total > 0)) continue;
    return { ok: true, reading: { scores: normalize(raw), description: descriptionOf(obj) } };
  }
  if (sawLabels) return { ok: false, failure: 'all-zero', detail: 'Every score in the reply was zero or invalid.' };
  return truncated
    ? { ok: false, failure: 'truncated', detail: 'The reply was cut off before it was complete.' }
    : { ok: false, failure: 'no-scores', detail: 'The reply named none of the seven emotions.' };
}

/** JSON objects found in the text: the whole text, fenced blocks, then balanced {...} spans. */
function jsonCandidates(text: string): Record<string, unknown>[] {
  const sources = [text.trim()];
  for (const m of text.matchAll(/```(?:json|JSON)?\s*([\s\S]*?)```/gu)) if (m[1]) sources.push(m[1].trim());
  sources.push(...balancedObjects(text));
  const out: Record<string, unknown>[] = [];
  for (const source of sources) {
    if (!source.startsWith('{') && !source.startsWith('[')) continue;
    try {
      const value: unknown = JSON.parse(source);
      if (isRecord(value)) out.push(value);
      else if (Array.isArray(value)) out.push({ scores: value });
    } catch {
      // Not JSON; try the next candidate.
    }
  }
  return out;
}

/** Top-level {...} spans of `text`, matched by brace depth outside of strings (at most 20). */
function balancedObjects(text: string): string[] {
  const spans: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length && spans.length < 20; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (c === '}' && depth > 0) {
      depth -= 1;
      if (depth === 0 && start >= 0) spans.push(text.slice(start, i + 1));
    }
  }
  return spans;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SCORE_KEYS = ['scores', 'emotions', 'emotion_scores', 'probabilities', 'emotion_probabilities'];

/** Raw non-negative scores per emotion (not yet normalized), or null when no label is named. */
function rawScores(obj: Record<string, unknown>): Record<Emotion, number> | null {
  let container: unknown = obj;
  for (const key of SCORE_KEYS) {
    if (key in obj) {
      container = obj[key];
      break;
    }
  }
  const entries: Array<[string, unknown]> = Array.isArray(container)
    ? container.flatMap((item): Array<[string, unknown]> =>
        isRecord(item) && typeof (item.label ?? item.emotion) === 'string'
          ? [[String(item.label ?? item.emotion), item.score ?? item.probability ?? item.value]]
          : [],
      )
    : isRecord(container)
      ? Object.entries(container)
      : [];

  const values: Array<[Emotion, number, boolean]> = [];
  for (const [label, value] of entries) {
    const emotion = emotionOfLabel(label);
    if (!emotion) continue;
    const parsed = numberOf(value);
    values.push([emotion, parsed.value, parsed.percent]);
  }
  if (values.length === 0) return null;
  // Numbers above 1 mean the model answered in percent: scale those like "72%".
  const scaleAll = values.some(([, v, percent]) => !percent && v > 1);
  const raw = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  for (const [emotion, value, percent] of values) {
    const fraction = percent || scaleAll ? value / 100 : value;
    const clean = Number.isFinite(fraction) && fraction > 0 ? Math.min(fraction, 1) : 0;
    // A label named twice through synonyms ("sad" and "sadness") counts once, at its highest.
    raw[emotion] = Math.max(raw[emotion], clean);
  }
  return raw;
}

function numberOf(value: unknown): { value: number; percent: boolean } {
  if (typeof value === 'number') return { value, percent: false };
  if (typeof value === 'string') {
    const m = value.trim().match(/^(-?\d+(?:\.\d+)?)\s*(%?)$/u);
    if (m?.[1]) return { value: Number(m[1]), percent: m[2] === '%' };
  }
  return { value: Number.NaN, percent: false };
}

const DESCRIPTION_KEYS = ['description', 'visual_cues', 'cues', 'explanation', 'reasoning', 'summary'];

/** The description as plain, single-spaced text without control characters, capped in length. */
function descriptionOf(obj: Record<string, unknown>): string {
  for (const key of DESCRIPTION_KEYS) {
    const value = obj[key];
    const text = typeof value === 'string' ? value : Array.isArray(value) ? value.filter((v) => typeof v === 'string').join('; ') : '';
    const clean = text.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').replace(/\s+/gu, ' ').trim();
    if (clean) return clean.length > MAX_DESCRIPTION ? `${clean.slice(0, MAX_DESCRIPTION - 1)}…` : clean;
  }
  return '';
}
