import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import { disagreements, facesDuring, seriesCsv, seriesJson, seriesRows } from '../../src/features/video/series';
import { trackFaces } from '../../src/features/video/tracker';

const scores = (top: Emotion) => normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? 12 : 1])) as Record<Emotion, number>);
const box = (x: number) => ({ x1: x, y1: 0.3, x2: x + 0.2, y2: 0.5 });
// Two seconds at 2 frames a second: a joyful face, then from 1 s a second, angry one.
const tracks = trackFaces(
  [0, 0.5, 1, 1.5].map((t) => ({ t, faces: [{ box: box(0.1), score: 0.9, scores: scores('joy') }, ...(t >= 1 ? [{ box: box(0.6), score: 0.8, scores: scores('anger') }] : [])] })),
);
const voice = [
  { start: 0, end: 0.9, tone: scores('joy'), words: scores('joy') },
  { start: 1, end: 2, tone: scores('sadness'), words: null },
];

describe('the video series', () => {
  it('has a row per face per frame and per voice segment and channel, in time order', () => {
    const rows = seriesRows(tracks, 2, voice);
    expect(rows.map((r) => [r.t, r.channel, r.track])).toEqual([
      [0, 'face', 1],
      [0, 'tone', null],
      [0, 'words', null],
      [0.5, 'face', 1],
      [1, 'face', 1],
      [1, 'face', 2],
      [1, 'tone', null],
      [1.5, 'face', 1],
      [1.5, 'face', 2],
    ]);
    expect(rows[0]!.end).toBe(0.5);
    const csv = Papa.parse<Record<string, string>>(seriesCsv(rows), { header: true, skipEmptyLines: true });
    expect(csv.meta.fields).toEqual(['t', 'end', 'channel', 'track', ...EMOTIONS.map((e) => `p_${e}`), ...EMOTIONS.map((e) => `raw_p_${e}`)]);
    expect(csv.data).toHaveLength(9);
    expect(csv.data[1]).toMatchObject({ channel: 'tone', track: '', raw_p_joy: '' });
    const json = JSON.parse(seriesJson(rows)) as Array<Record<string, unknown>>;
    expect(json[5]).toMatchObject({ t: 1, channel: 'face', track: 2 });
    expect(EMOTIONS.reduce((n, e) => n + (json[0]![`p_${e}`] as number), 0)).toBeCloseTo(1, 9);
  });

  it('finds where the faces, the voice and the words disagree', () => {
    expect(facesDuring(tracks, 5, 6)).toBeNull();
    const moments = disagreements(tracks, voice);
    // 0-0.9 s: all joy. 1-2 s: a joyful and an angry face (mean: joy or anger), a sad voice.
    expect(moments).toHaveLength(1);
    expect(moments[0]).toMatchObject({ start: 1, end: 2, tone: 'sadness', words: null });
  });
});
