// The run (pure): channels settle into a new immutable run, the run finishes with its last
// channel, and its record is exactly what it showed; a record read back is the same run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNEL_IDS, type ChannelId } from '../../src/shared/channels';
import { EMOTIONS, normalize, type EmotionScores } from '../../src/shared/emotions';
import { pictureScores } from '../../src/features/faces/faces';
import { sharesOf } from '../../src/shared/fusion';
import { HISTORY_VERSION, type HistoryRecord } from '../../src/features/history/records';
import {
  askedChannels,
  fuseRun,
  hasResult,
  isComplete,
  missingChannels,
  recordOf,
  runOfRecord,
  settleChannel,
  runScores,
  startRun,
  type ChannelOutcome,
  type FaceChannelResult,
  type Run,
  type TextChannelResult,
  type VisionChannelResult,
} from '../../src/features/analysis/run';

const JOY = normalize({ anger: 0, disgust: 0, fear: 0, joy: 0.9, neutral: 0.1, sadness: 0, surprise: 0 });
const SAD = normalize({ anger: 0, disgust: 0, fear: 0, joy: 0.05, neutral: 0.05, sadness: 0.9, surprise: 0 });
const TEXT: TextChannelResult = { scores: JOY, modelId: 'm', device: 'wasm', dtype: 'q8', inferenceMs: 5, chunks: 1, tokens: 4 };
const VISION: VisionChannelResult = { scores: SAD, description: 'A frown.', model: 'v', provider: 'api.example', elapsedMs: 900, requests: 1 };
const SMILES = [
  { box: { x1: 0.1, y1: 0.1, x2: 0.4, y2: 0.5 }, score: 0.95, scores: JOY },
  { box: { x1: 0.6, y1: 0.2, x2: 0.7, y2: 0.3 }, score: 0.6, scores: SAD },
];
const FACE: FaceChannelResult = { scores: pictureScores(SMILES)!, faces: SMILES, model: 'blazeface+emotion', elapsedMs: 40 };
const thumbnail = new Blob(['t'], { type: 'image/jpeg' });
const HALVES = { text: 0.5, face: 0.5, vision: 0.5 };
const NO_FACE = 'No face found in this picture, so the faces channel is left out of the answer.';

function both() {
  return startRun({
    id: 'r1',
    createdAt: 100,
    inputs: { text: 'So happy', pictureId: 'picture-1', thumbnail },
    signature: 's',
    channels: ['text', 'vision'],
  });
}

describe('run', () => {
  it('finishes only when its last channel settles, and never changes a run in place', () => {
    const started = both();
    const textDone = settleChannel(started, 'text', { status: 'done', result: TEXT }, 200);
    expect(started.channels.text).toEqual({ status: 'running' });
    expect(textDone.finishedAt).toBeNull();
    const finished = settleChannel(textDone, 'vision', { status: 'done', result: VISION }, 300);
    expect(finished.finishedAt).toBe(300);
    expect(isComplete(finished)).toBe(true);
    expect(askedChannels(finished)).toEqual(['text', 'vision']);
    expect(fuseRun(finished, HALVES)?.channels).toBe('both');
  });

  it('refuses to settle a channel that was not asked', () => {
    const textOnly = startRun({ id: 'r', createdAt: 1, inputs: { text: 'x', pictureId: null, thumbnail: null }, signature: '', channels: ['text'] });
    expect(() => settleChannel(textOnly, 'vision', { status: 'done', result: VISION }, 2)).toThrow(/not asked/u);
  });

  it('a failed channel is absent from the answer and the record, and says why', () => {
    const run = settleChannel(settleChannel(both(), 'text', { status: 'done', result: TEXT }, 2), 'vision', { status: 'failed', message: 'The key was refused.' }, 3);
    expect(isComplete(run)).toBe(false);
    expect(hasResult(run)).toBe(true);
    expect(missingChannels(run)).toEqual([{ channel: 'vision', status: 'failed', message: 'The key was refused.' }]);
    expect(fuseRun(run, HALVES)).toMatchObject({ channels: 'text', top: 'joy', consistency: null, explanation: 'Only the text gave a result: it reads as joy (90 %).' });
    const record = recordOf(run, HALVES)!;
    expect(record.visionPart).toBeNull();
    expect(record.thumbnail).toBeNull();
    expect(record.textPart).toMatchObject({ text: 'So happy', scores: JOY });
  });

  it('a run with no result has no record and no answer', () => {
    const run = settleChannel(startRun({ id: 'r', createdAt: 1, inputs: { text: 'x', pictureId: null, thumbnail: null }, signature: '', channels: ['text'] }), 'text', { status: 'cancelled', message: 'Cancelled.' }, 2);
    expect(recordOf(run, HALVES)).toBeNull();
    expect(fuseRun(run, HALVES)).toBeNull();
  });

  it('an unfinished run has no record', () => {
    expect(recordOf(settleChannel(both(), 'text', { status: 'done', result: TEXT }, 2), HALVES)).toBeNull();
  });

  /** A run of the text, the faces and the vision model, settled as given. */
  function three(
    face: ChannelOutcome<FaceChannelResult>,
    vision: ChannelOutcome<VisionChannelResult>,
    text: ChannelOutcome<TextChannelResult> = { status: 'done', result: TEXT },
  ): Run {
    let run = startRun({ id: 'r3', createdAt: 100, inputs: { text: 'So happy', pictureId: 'picture-1', thumbnail }, signature: 's', channels: ['text', 'face', 'vision'] });
    run = settleChannel(run, 'text', text, 200);
    run = settleChannel(run, 'face', face, 300);
    return settleChannel(run, 'vision', vision, 400);
  }

  it('keeps all three channels of a run in its answer and its record, with the shares used', () => {
    const run = three({ status: 'done', result: FACE }, { status: 'done', result: VISION });
    expect(isComplete(run)).toBe(true);
    expect(runScores(run)).toEqual({ text: JOY, face: FACE.scores, vision: SAD, voice: null });
    const weights = { text: 0.5, face: 0.3, vision: 0.2 };
    expect(fuseRun(run, weights)).toMatchObject({ channels: 'text+face+vision', present: ['text', 'face', 'vision'] });
    const record = recordOf(run, weights)!;
    expect(record.facePart).toEqual(FACE);
    expect(record.thumbnail).toBe(thumbnail);
    const { voice: _voice, ...presentShares } = sharesOf(weights, ['text', 'face', 'vision']);
    expect(record.weights).toEqual(presentShares);
    // Only the channels of the answer have a share in the record.
    expect(recordOf(three({ status: 'done', result: FACE }, { status: 'failed', message: 'x' }), { text: 1, face: 3, vision: 9 })!.weights).toEqual({ text: 0.25, face: 0.75 });
  });

  it('a picture without a face is an empty face channel: absent from the answer and the record, and said why', () => {
    const run = three({ status: 'empty', message: NO_FACE }, { status: 'done', result: VISION });
    expect(run.finishedAt).toBe(400);
    expect(isComplete(run)).toBe(false);
    expect(hasResult(run)).toBe(true);
    expect(missingChannels(run)).toEqual([{ channel: 'face', status: 'empty', message: NO_FACE }]);
    expect(runScores(run).face).toBeNull();
    const fused = fuseRun(run, HALVES)!;
    expect(fused).toMatchObject({ channels: 'both', present: ['text', 'vision'], weights: { text: 0.5, face: 0, vision: 0.5 } });
    const record = recordOf(run, HALVES)!;
    expect(record.facePart).toBeNull();
    expect(record.weights).toEqual({ text: 0.5, vision: 0.5 });
    // The vision model read the picture: its thumbnail is kept.
    expect(record.thumbnail).toBe(thumbnail);
  });

  it('keeps the thumbnail only when a picture channel gave a result', () => {
    const noPicture = three({ status: 'empty', message: NO_FACE }, { status: 'failed', message: 'The key was refused.' });
    expect(fuseRun(noPicture, HALVES)).toMatchObject({ channels: 'text', explanation: 'Only the text gave a result: it reads as joy (90 %).' });
    expect(missingChannels(noPicture).map((m) => m.status)).toEqual(['empty', 'failed']);
    expect(recordOf(noPicture, HALVES)).toMatchObject({ facePart: null, visionPart: null, thumbnail: null });
    const facesOnly = three({ status: 'done', result: FACE }, { status: 'cancelled', message: 'Cancelled.' });
    expect(recordOf(facesOnly, HALVES)).toMatchObject({ facePart: FACE, visionPart: null, thumbnail });
    // Faces alone, without text: still an analysis, saved with its picture.
    const facesNoText = three({ status: 'done', result: FACE }, { status: 'failed', message: 'x' }, { status: 'cancelled', message: 'Cancelled.' });
    expect(recordOf(facesNoText, HALVES)).toMatchObject({ textPart: null, facePart: FACE, thumbnail, weights: { face: 1 } });
    expect(fuseRun(facesNoText, HALVES)?.explanation).toMatch(/^Only the faces gave a result: they read as /u);
    // An empty face channel alone is no result: nothing to show or save.
    const onlyEmpty = settleChannel(
      startRun({ id: 'r', createdAt: 1, inputs: { text: null, pictureId: 'p', thumbnail }, signature: '', channels: ['face'] }),
      'face',
      { status: 'empty', message: NO_FACE },
      2,
    );
    expect(hasResult(onlyEmpty)).toBe(false);
    expect(recordOf(onlyEmpty, HALVES)).toBeNull();
    expect(fuseRun(onlyEmpty, HALVES)).toBeNull();
  });

  const scores = fc
    .array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 7, maxLength: 7 })
    .map((xs) => normalize(Object.fromEntries(EMOTIONS.map((e, i) => [e, xs[i]!])) as Record<(typeof EMOTIONS)[number], number>) as EmotionScores);

  const fraction = fc.double({ min: 0, max: 1, noNaN: true });
  const face = fc
    .array(fc.record({ x: fc.double({ min: 0, max: 0.5, noNaN: true }), size: fc.double({ min: 0.01, max: 0.5, noNaN: true }), score: fc.double({ min: 0.5, max: 1, noNaN: true }), scores }), { minLength: 1, maxLength: 5 })
    .map((fs): FaceChannelResult => {
      const faces = fs.map((f) => ({ box: { x1: f.x, y1: f.x, x2: f.x + f.size, y2: f.x + f.size }, score: f.score, scores: f.scores }));
      return { scores: pictureScores(faces)!, faces, model: 'blazeface+emotion', elapsedMs: 3 };
    });

  it('a record read back as a run gives the same record (property)', () => {
    const record = fc
      .record({
        text: fc.option(fc.record({ text: fc.string(), scores }), { nil: null }),
        face: fc.option(face, { nil: null }),
        vision: fc.option(scores, { nil: null }),
        weights: fc.record({ text: fraction, face: fraction, vision: fraction, voice: fraction }),
      })
      .filter((r) => r.text !== null || r.face !== null || r.vision !== null);
    fc.assert(
      fc.property(record, ({ text, face, vision, weights }) => {
        const parts = { text: text?.scores ?? null, face: face?.scores ?? null, vision, voice: null };
        const present = CHANNEL_IDS.filter((c) => parts[c] !== null);
        const shares = sharesOf(weights, present);
        const saved: HistoryRecord = {
          schemaVersion: HISTORY_VERSION,
          id: 'id-1',
          createdAt: 5,
          textPart: text && { ...TEXT, text: text.text, scores: text.scores },
          visionPart: vision && { scores: vision, description: 'd', model: 'v', provider: 'p', elapsedMs: 1 },
          facePart: face,
          voicePart: null,
          thumbnail: vision || face ? thumbnail : null,
          weights: Object.fromEntries(present.map((c) => [c, shares[c]])) as Partial<Record<ChannelId, number>>,
          tags: [],
          againOf: null,
        };
        const run = runOfRecord(saved);
        expect(run.channels.face).toEqual(face ? { status: 'done', result: face } : undefined);
        expect(recordOf(run, weights)).toEqual(saved);
        // Fused again with the shares it saved, the record gives the answer it showed.
        const again = recordOf(run, saved.weights)!;
        for (const c of present) expect(again.weights[c]).toBeCloseTo(saved.weights[c]!, 12);
        const label = present.length === 2 && parts.text && parts.vision ? 'both' : present.join('+');
        expect(fuseRun(run, weights)?.channels).toBe(label);
      }),
    );
  });
});
