// How moods change over time: History entries grouped by day, week (from Monday) or
// month of the user's own calendar (local time, as the list shows dates), each bucket with its
// number of entries and the mean of one answer's scores (the fused answer or one channel).
import { CHANNEL_IDS, type ChannelId } from '../../shared/channels';
import { EMOTIONS, type Emotion, type EmotionScores } from '../../shared/emotions';
import { fusionOf, scoresOf, type HistoryRecord } from './records';

export type Granularity = 'day' | 'week' | 'month';
export const GRANULARITIES: readonly Granularity[] = ['day', 'week', 'month'];

/** Which answer a timeline follows. */
export type TimelineAnswer = 'fused' | ChannelId;
export const TIMELINE_ANSWERS: readonly TimelineAnswer[] = ['fused', ...CHANNEL_IDS];

export interface TimelineBucket {
  /** The bucket's first day, YYYY-MM-DD in local time. */
  readonly start: string;
  /** Its first moment, in ms since the epoch (local midnight). */
  readonly from: number;
  /** Its first moment after it. */
  readonly to: number;
  /** Entries in it that have the answer followed. */
  readonly count: number;
  /** Mean of those entries' scores (the emotions' shares of the bucket). */
  readonly shares: EmotionScores;
  /** Their ids, newest first. */
  readonly ids: readonly string[];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** YYYY-MM-DD of a local date. */
export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight starting the bucket that holds `at`, and the one after it. */
export function bucketOf(at: number, granularity: Granularity): { from: Date; to: Date } {
  const d = new Date(at);
  const from = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  if (granularity === 'week') from.setDate(from.getDate() - ((from.getDay() + 6) % 7));
  if (granularity === 'month') from.setDate(1);
  const to = new Date(from);
  if (granularity === 'day') to.setDate(to.getDate() + 1);
  else if (granularity === 'week') to.setDate(to.getDate() + 7);
  else to.setMonth(to.getMonth() + 1);
  return { from, to };
}

/** The scores of the answer followed, or null when the record does not have it. */
export function answerScores(record: HistoryRecord, answer: TimelineAnswer): EmotionScores | null {
  return answer === 'fused' ? (fusionOf(record)?.scores ?? null) : scoresOf(record)[answer];
}

/**
 * The buckets that hold entries with the answer, oldest first, between `from` (inclusive) and
 * `to` (exclusive) when given; buckets without entries are left out.
 */
export function timeline(
  records: readonly HistoryRecord[],
  { granularity, answer, from = -Infinity, to = Infinity }: { granularity: Granularity; answer: TimelineAnswer; from?: number; to?: number },
): TimelineBucket[] {
  const buckets = new Map<number, { to: number; count: number; sums: number[]; ids: { id: string; at: number }[] }>();
  for (const r of records) {
    if (r.createdAt < from || r.createdAt >= to) continue;
    const scores = answerScores(r, answer);
    if (!scores) continue;
    const b = bucketOf(r.createdAt, granularity);
    const key = b.from.getTime();
    const bucket = buckets.get(key) ?? { to: b.to.getTime(), count: 0, sums: EMOTIONS.map(() => 0), ids: [] };
    bucket.count += 1;
    EMOTIONS.forEach((e, k) => (bucket.sums[k]! += scores[e]));
    bucket.ids.push({ id: r.id, at: r.createdAt });
    buckets.set(key, bucket);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, b]) => ({
      start: isoDay(new Date(start)),
      from: start,
      to: b.to,
      count: b.count,
      shares: Object.fromEntries(EMOTIONS.map((e, k) => [e, b.sums[k]! / b.count])) as Record<Emotion, number>,
      ids: b.ids.sort((x, y) => y.at - x.at).map((x) => x.id),
    }));
}

/** Local midnight of a YYYY-MM-DD date (from a date input), or null when it is not one. */
export function dayStart(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d.getTime();
}
