import { describe, expect, it } from 'vitest';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import { iou, summarizeTrack, trackFaces, type FrameFaces } from '../../src/features/video/tracker';

const scores = (top: Emotion, weight = 12) => normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? weight : 1])) as Record<Emotion, number>);
const box = (x: number, y = 0.3, size = 0.2) => ({ x1: x, y1: y, x2: x + size, y2: y + size });
const face = (x: number, top: Emotion = 'joy', y?: number) => ({ box: box(x, y), score: 0.9, scores: scores(top) });
/** Frames at 4 per second from `from` to `to` (seconds), each with `faces(t)`. */
function frames(from: number, to: number, faces: (t: number) => FrameFaces['faces']): FrameFaces[] {
  const out: FrameFaces[] = [];
  for (let t = from; t < to - 1e-9; t += 0.25) out.push({ t: Math.round(t * 100) / 100, faces: faces(t) });
  return out;
}

describe('the face tracker', () => {
  it('measures overlap as intersection over union', () => {
    expect(iou(box(0), box(0))).toBe(1);
    expect(iou(box(0), box(0.5))).toBe(0);
    expect(iou(box(0, 0, 0.2), box(0.1, 0, 0.2))).toBeCloseTo(0.02 / 0.06, 9);
  });

  it('one smiling person, then an empty room, then three people: one track, none, three, in their time ranges', () => {
    const video = [
      ...frames(0, 2, (t) => [face(0.4 + t * 0.02)]),
      ...frames(2, 4, () => []),
      ...frames(4, 6, () => [face(0.05, 'surprise'), face(0.4, 'neutral'), face(0.75, 'sadness')]),
    ];
    const tracks = trackFaces(video);
    expect(tracks.map((t) => [t.id, t.from, t.to])).toEqual([
      [1, 0, 1.75],
      [2, 4, 5.75],
      [3, 4, 5.75],
      [4, 4, 5.75],
    ]);
    expect(tracks.map((t) => summarizeTrack(t).emotion)).toEqual(['joy', 'surprise', 'neutral', 'sadness']);
    expect(summarizeTrack(tracks[0]!).share).toBe(1);
  });

  it('keeps each number with its person when another enters, leaves, or the faces swap order in the list', () => {
    const video = frames(0, 3, (t) => {
      const a = face(0.1 + t * 0.05, 'joy');
      const b = face(0.6, 'anger');
      const list = t < 1 ? [a] : t < 2 ? [b, a] : [a];
      return list;
    });
    const tracks = trackFaces(video);
    expect(tracks).toHaveLength(2);
    expect(tracks[0]).toMatchObject({ from: 0, to: 2.75 });
    expect(tracks[0]!.points.every((p) => p.raw.joy > 0.5)).toBe(true);
    expect(tracks[1]).toMatchObject({ from: 1, to: 1.75 });
    expect(tracks[1]!.points.every((p) => p.raw.anger > 0.5)).toBe(true);
  });

  it('follows a quick move by the nearness of the centre; a face gone longer than the gap comes back as a new track', () => {
    const quick = trackFaces([
      { t: 0, faces: [face(0.1)] },
      { t: 0.25, faces: [face(0.18)] }, // IoU 0.11: matched by its centre, 0.4 widths away
      { t: 0.5, faces: [face(0.26)] },
    ]);
    expect(quick).toHaveLength(1);
    const gone = trackFaces([...frames(0, 1, () => [face(0.3)]), ...frames(1, 2.5, () => []), ...frames(2.5, 3.5, () => [face(0.3)])]);
    expect(gone.map((t) => [t.from, t.to])).toEqual([
      [0, 0.75],
      [2.5, 3.25],
    ]);
  });

  it('smooths each track over time and keeps the raw scores; one frame of flicker is not a track', () => {
    const video = frames(0, 2, (t) => [face(0.3, t === 1 ? 'anger' : 'joy'), ...(t === 0.5 ? [face(0.8, 'fear')] : [])]);
    const [track, ...rest] = trackFaces(video);
    expect(rest).toEqual([]);
    const spike = track!.points.find((p) => p.t === 1)!;
    expect(spike.raw.anger).toBeGreaterThan(0.5);
    // The spike moves the smoothed scores towards anger without making it the top.
    expect(spike.smoothed.anger).toBeGreaterThan(track!.points[0]!.smoothed.anger);
    expect(spike.smoothed.joy).toBeGreaterThan(spike.smoothed.anger);
    expect(summarizeTrack(track!).emotion).toBe('joy');
    // A video of one frame keeps its one face.
    expect(trackFaces([{ t: 0, faces: [face(0.3)] }])).toHaveLength(1);
  });
});
