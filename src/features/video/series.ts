// A video's channels through time, for the timeline and the series export: each face track's
// points, the voice's segments (their tone and their words), and the moments where the channels
// disagree. Pure.
import { EMOTIONS, normalize, topEmotion, type Emotion, type EmotionScores } from '../../shared/emotions';
import { csvRow } from '../../shared/csv';
import type { FaceTrack } from './tracker';

/** A voice segment as the video timeline uses it. */
export interface VoiceSpan {
  readonly start: number;
  readonly end: number;
  readonly tone: EmotionScores;
  readonly words: EmotionScores | null;
}

/** One row of the series: a channel's scores over [t, end). */
export interface SeriesRow {
  readonly t: number;
  readonly end: number;
  readonly channel: 'face' | 'tone' | 'words';
  /** The face track's number ('' for the voice). */
  readonly track: number | null;
  readonly scores: EmotionScores;
  /** A face's scores before smoothing. */
  readonly raw: EmotionScores | null;
}

/** Every step of every channel, in time order (faces at the frame rate, the voice per segment). */
export function seriesRows(tracks: readonly FaceTrack[], fps: number, voice: readonly VoiceSpan[]): SeriesRow[] {
  const rows: SeriesRow[] = [];
  for (const track of tracks) for (const p of track.points) rows.push({ t: p.t, end: round(p.t + 1 / fps), channel: 'face', track: track.id, scores: p.smoothed, raw: p.raw });
  for (const s of voice) {
    rows.push({ t: s.start, end: s.end, channel: 'tone', track: null, scores: s.tone, raw: null });
    if (s.words) rows.push({ t: s.start, end: s.end, channel: 'words', track: null, scores: s.words, raw: null });
  }
  const order = { face: 0, tone: 1, words: 2 };
  return rows.sort((a, b) => a.t - b.t || order[a.channel] - order[b.channel] || (a.track ?? 0) - (b.track ?? 0));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const cells = (s: EmotionScores | null) => EMOTIONS.map((e) => (s ? Number(s[e].toFixed(6)) : ''));

/** The series as CSV: t, end, channel, track, p_* (smoothed for faces), raw_p_* (faces). */
export function seriesCsv(rows: readonly SeriesRow[]): string {
  const header = ['t', 'end', 'channel', 'track', ...EMOTIONS.map((e) => `p_${e}`), ...EMOTIONS.map((e) => `raw_p_${e}`)];
  return `${[header, ...rows.map((r) => [r.t, r.end, r.channel, r.track ?? '', ...cells(r.scores), ...cells(r.raw)])].map((r) => csvRow(r)).join('\r\n')}\r\n`;
}

/** The series as JSON: one object per row. */
export function seriesJson(rows: readonly SeriesRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({ t: r.t, end: r.end, channel: r.channel, track: r.track, ...Object.fromEntries(EMOTIONS.map((e) => [`p_${e}`, r.scores[e]])), ...(r.raw ? { raw: r.raw } : {}) })),
    null,
    1,
  );
}

/** The faces' mean smoothed scores over [from, to) (every track's points in it), or null. */
export function facesDuring(tracks: readonly FaceTrack[], from: number, to: number): EmotionScores | null {
  const sum = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  let n = 0;
  for (const track of tracks)
    for (const p of track.points)
      if (p.t >= from && p.t < to) {
        n += 1;
        for (const e of EMOTIONS) sum[e] += p.smoothed[e];
      }
  return n ? normalize(sum) : null;
}

/** A stretch where the channels name different emotions: each channel's top then. */
export interface Moment {
  readonly start: number;
  readonly end: number;
  readonly faces: Emotion | null;
  readonly tone: Emotion;
  readonly words: Emotion | null;
}

/** The voice segments during which the faces, the tone and the words do not all name the same emotion. */
export function disagreements(tracks: readonly FaceTrack[], voice: readonly VoiceSpan[]): Moment[] {
  return voice.flatMap((s) => {
    const faces = facesDuring(tracks, s.start, s.end);
    const m: Moment = { start: s.start, end: s.end, faces: faces ? topEmotion(faces).emotion : null, tone: topEmotion(s.tone).emotion, words: s.words ? topEmotion(s.words).emotion : null };
    const named = [m.faces, m.tone, m.words].filter((e): e is Emotion => e !== null);
    return new Set(named).size > 1 ? [m] : [];
  });
}
