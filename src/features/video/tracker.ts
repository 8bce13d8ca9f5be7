// Faces followed through a video: the faces found in each sampled frame are joined into tracks,
// one per person, that keep their number while others enter or leave. Each frame's faces are
// matched to the tracks still alive by how much their boxes overlap (intersection over union),
// or, for a face that moved quickly, by how near its centre is to the track's last box; the best
// pairs first. A track not seen for `maxGapSeconds` ends; a face that matches none starts a new
// track. Each track's emotion is smoothed over time (an exponential moving average whose weight
// follows the time between frames), the raw scores kept beside it. Pure.
import { EMOTIONS, normalize, topEmotion, type Emotion, type EmotionScores } from '../../shared/emotions';
import type { Box } from '../faces/faces';

/** The faces the face channel read in one frame. */
export interface FrameFaces {
  /** Seconds from the start of the video. */
  readonly t: number;
  readonly faces: ReadonlyArray<{ readonly box: Box; readonly score: number; readonly scores: EmotionScores }>;
}

/** One sighting of a tracked face. */
export interface TrackPoint {
  readonly t: number;
  readonly box: Box;
  /** The detector's certainty. */
  readonly score: number;
  /** The expression model's scores for this frame, as read. */
  readonly raw: EmotionScores;
  /** Smoothed over the track's earlier frames. */
  readonly smoothed: EmotionScores;
}

/** One person's face through the video. */
export interface FaceTrack {
  /** 1, 2, 3... in the order the faces first appear. */
  readonly id: number;
  readonly points: readonly TrackPoint[];
  /** First and last sighting, in seconds. */
  readonly from: number;
  readonly to: number;
}

export interface TrackOptions {
  /** Boxes overlapping at least this much (intersection over union) are the same face. */
  readonly minIou: number;
  /** Or a centre this near (in widths of the track's last box). */
  readonly maxCentreShift: number;
  /** A track not seen for longer ends (the person left). */
  readonly maxGapSeconds: number;
  /** The smoothing's time constant: a frame this long after the last weighs 1 - 1/e. */
  readonly smoothingSeconds: number;
  /** Tracks seen in fewer frames are dropped (a detector's flicker), unless the video has fewer. */
  readonly minFrames: number;
}

export const DEFAULT_TRACK_OPTIONS: TrackOptions = { minIou: 0.3, maxCentreShift: 0.5, maxGapSeconds: 1.0, smoothingSeconds: 0.6, minFrames: 2 };

export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/** How well a face continues a track: its overlap, or (for a quick move) a smaller score from how near its centre is; 0 for none. */
function affinity(track: Box, face: Box, options: TrackOptions): number {
  const overlap = iou(track, face);
  if (overlap >= options.minIou) return overlap;
  const width = track.x2 - track.x1;
  const dx = (face.x1 + face.x2) / 2 - (track.x1 + track.x2) / 2;
  const dy = (face.y1 + face.y2) / 2 - (track.y1 + track.y2) / 2;
  const shift = Math.hypot(dx, dy) / (width || 1);
  return shift <= options.maxCentreShift ? options.minIou * (1 - shift / options.maxCentreShift) * 0.99 : 0;
}

function smooth(previous: EmotionScores, raw: EmotionScores, dt: number, seconds: number): EmotionScores {
  const a = seconds > 0 ? 1 - Math.exp(-Math.max(0, dt) / seconds) : 1;
  return normalize(Object.fromEntries(EMOTIONS.map((e) => [e, (1 - a) * previous[e] + a * raw[e]])) as Record<Emotion, number>);
}

/** The tracks of `frames` (in time order). */
export function trackFaces(frames: readonly FrameFaces[], options: TrackOptions = DEFAULT_TRACK_OPTIONS): FaceTrack[] {
  const all: Array<{ id: number; points: TrackPoint[] }> = [];
  let alive: Array<{ id: number; points: TrackPoint[] }> = [];
  for (const frame of frames) {
    alive = alive.filter((track) => frame.t - track.points.at(-1)!.t <= options.maxGapSeconds);
    const pairs: Array<{ track: number; face: number; score: number }> = [];
    alive.forEach((track, i) =>
      frame.faces.forEach((face, j) => {
        const score = affinity(track.points.at(-1)!.box, face.box, options);
        if (score > 0) pairs.push({ track: i, face: j, score });
      }),
    );
    pairs.sort((a, b) => b.score - a.score);
    const takenTracks = new Set<number>();
    const takenFaces = new Set<number>();
    for (const pair of pairs) {
      if (takenTracks.has(pair.track) || takenFaces.has(pair.face)) continue;
      takenTracks.add(pair.track);
      takenFaces.add(pair.face);
      const track = alive[pair.track]!;
      const face = frame.faces[pair.face]!;
      const last = track.points.at(-1)!;
      track.points.push({ t: frame.t, box: face.box, score: face.score, raw: face.scores, smoothed: smooth(last.smoothed, face.scores, frame.t - last.t, options.smoothingSeconds) });
    }
    frame.faces.forEach((face, j) => {
      if (takenFaces.has(j)) return;
      const track = { id: all.length + 1, points: [{ t: frame.t, box: face.box, score: face.score, raw: face.scores, smoothed: face.scores }] };
      all.push(track);
      alive.push(track);
    });
  }
  const minFrames = Math.min(options.minFrames, frames.length);
  const kept = all.filter((track) => track.points.length >= minFrames);
  // Numbered again after dropping flickers, in the order they appear.
  return kept.map((track, i) => ({ id: i + 1, points: track.points, from: track.points[0]!.t, to: track.points.at(-1)!.t }));
}

/** A track in one line: its emotion most of the time it is on screen, and that share. */
export interface TrackSummary {
  readonly id: number;
  readonly emotion: Emotion;
  /** Share of its time on screen whose smoothed top emotion is `emotion`. */
  readonly share: number;
  /** Its smoothed scores weighted by time. */
  readonly scores: EmotionScores;
}

/** Each point counts for the time until the next one (the last for the median step). */
export function summarizeTrack(track: FaceTrack): TrackSummary {
  const points = track.points;
  const steps = points.slice(1).map((p, i) => p.t - points[i]!.t);
  const typical = steps.length ? [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)]! : 1;
  const weights = points.map((_, i) => steps[i] ?? typical);
  const time = new Map<Emotion, number>();
  const sum = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  points.forEach((p, i) => {
    const w = weights[i]!;
    const top = topEmotion(p.smoothed).emotion;
    time.set(top, (time.get(top) ?? 0) + w);
    for (const e of EMOTIONS) sum[e] += w * p.smoothed[e];
  });
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  let emotion: Emotion = EMOTIONS[0];
  for (const [e, t] of time) if (t > (time.get(emotion) ?? 0)) emotion = e;
  return { id: track.id, emotion, share: (time.get(emotion) ?? 0) / total, scores: normalize(sum) };
}

/** The faces of a whole video as one reading: each track's scores weighted by its frames; null without a track. */
export function videoFaceScores(tracks: readonly FaceTrack[]): EmotionScores | null {
  if (tracks.length === 0) return null;
  const sum = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  for (const track of tracks) {
    const s = summarizeTrack(track).scores;
    for (const e of EMOTIONS) sum[e] += track.points.length * s[e];
  }
  return normalize(sum);
}
