// FaceChannelState driven directly over a fake face reader (the worker's client, faked at its
// boundary): faces found, no face, a failure and a cancel each end in their outcome, and one
// picture is read at a time.
import { describe, expect, it } from 'vitest';
import { EMOTIONS, normalize, type Emotion, type EmotionScores } from '../../src/shared/emotions';
import { pictureScores } from '../../src/features/faces/faces';
import { FaceError, describeFaceError } from '../../src/features/faces/face-errors';
import type { FaceAnswer } from '../../src/features/faces/protocol';
import { FaceChannelState, NO_FACE_MESSAGE, type FaceReader } from '../../src/features/faces/face-channel.svelte';

const dist = (p: Partial<Record<Emotion, number>>): EmotionScores =>
  normalize(Object.fromEntries(EMOTIONS.map((e) => [e, p[e] ?? 0])) as Record<Emotion, number>);

/** A big smiling face and a small sad one. */
const ANSWER: FaceAnswer = {
  faces: [
    { box: { x1: 0.1, y1: 0.1, x2: 0.5, y2: 0.6 }, score: 0.96, scores: dist({ joy: 0.85, neutral: 0.15 }) },
    { box: { x1: 0.7, y1: 0.2, x2: 0.8, y2: 0.35 }, score: 0.62, scores: dist({ sadness: 0.7, neutral: 0.3 }) },
  ],
  width: 800,
  height: 600,
  elapsedMs: 42,
  model: 'blazeface+emotion',
  timings: { decodeMs: 2, detectMs: 15, expressionsMs: 25 },
};

/** A read the test settles by hand; it rejects as cancelled when its signal is aborted. */
interface PendingRead {
  readonly picture: Blob;
  readonly signal: AbortSignal | undefined;
  resolve(answer: FaceAnswer): void;
  reject(error: unknown): void;
}

/** The face worker's client, faked: every read waits until the test settles it. */
class ManualFaceReader implements FaceReader {
  readonly reads: PendingRead[] = [];
  warmCalls = 0;
  warmError: unknown = null;

  read(picture: Blob, options: { signal?: AbortSignal } = {}): Promise<FaceAnswer> {
    return new Promise((resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(new FaceError('cancelled', 'The read was aborted.')));
      this.reads.push({ picture, signal: options.signal, resolve, reject });
    });
  }

  async warm(): Promise<void> {
    this.warmCalls += 1;
    if (this.warmError) throw this.warmError;
  }

  /** The last read asked for. */
  get last(): PendingRead {
    const read = this.reads.at(-1);
    if (!read) throw new Error('No read was asked for.');
    return read;
  }
}

const picture = new Blob(['jpeg bytes'], { type: 'image/jpeg' });

function channel() {
  const reader = new ManualFaceReader();
  return { reader, face: new FaceChannelState(reader) };
}

describe('FaceChannelState.analyze', () => {
  it('answers the faces found, their scores mixed by area and certainty', async () => {
    const { reader, face } = channel();
    expect(face.phase).toBe('idle');
    const pending = face.analyze(picture);
    expect(reader.last.picture).toBe(picture);
    expect(face.phase).toBe('reading');
    expect(face.busy).toBe(true);
    reader.last.resolve(ANSWER);
    const outcome = await pending;
    expect(outcome).toEqual({
      status: 'done',
      result: { scores: pictureScores(ANSWER.faces), faces: ANSWER.faces, model: 'blazeface+emotion', elapsedMs: 42 },
    });
    // The big, certain smiling face outweighs the small sad one.
    if (outcome.status === 'done') expect(outcome.result.scores.joy).toBeGreaterThan(outcome.result.scores.sadness);
    expect(face.phase).toBe('done');
    expect(face.busy).toBe(false);
    expect(face.error).toBeNull();
  });

  it('a picture without a face is an empty answer with a sentence, not an error', async () => {
    const { reader, face } = channel();
    const pending = face.analyze(picture);
    reader.last.resolve({ ...ANSWER, faces: [] });
    expect(await pending).toEqual({ status: 'empty', message: NO_FACE_MESSAGE });
    expect(NO_FACE_MESSAGE).toMatch(/^No face found/u);
    expect(face.phase).toBe('done');
    expect(face.error).toBeNull();
  });

  it('a failure is answered with the sentence for its code, and kept as the channel\'s error', async () => {
    for (const code of ['models-unavailable', 'unreadable-picture', 'crashed'] as const) {
      const { reader, face } = channel();
      const error = new FaceError(code, `technical detail of ${code}`);
      const pending = face.analyze(picture);
      reader.last.reject(error);
      const message = describeFaceError(error);
      expect(await pending).toEqual({ status: 'failed', message });
      expect(message).not.toContain('technical detail');
      expect(face.phase).toBe('error');
      expect(face.error).toBe(message);
      expect(face.busy).toBe(false);
    }
  });

  it('an error that is not a FaceError is read as a crash', async () => {
    const { reader, face } = channel();
    const pending = face.analyze(picture);
    reader.last.reject(new TypeError('worker went away'));
    expect(await pending).toEqual({ status: 'failed', message: describeFaceError(new FaceError('crashed', 'worker went away')) });
    expect(face.phase).toBe('error');
  });

  it('Cancel aborts the read under way and answers cancelled, with no error', async () => {
    const { reader, face } = channel();
    const pending = face.analyze(picture);
    const read = reader.last;
    expect(read.signal?.aborted).toBe(false);
    face.cancel();
    expect(read.signal?.aborted).toBe(true);
    expect(await pending).toEqual({ status: 'cancelled', message: 'Reading the faces was cancelled.' });
    expect(face.phase).toBe('idle');
    expect(face.error).toBeNull();
    expect(face.busy).toBe(false);
    // Cancel with nothing under way does nothing; the next picture is read afresh.
    face.cancel();
    const next = face.analyze(picture);
    expect(reader.last.signal?.aborted).toBe(false);
    reader.last.resolve(ANSWER);
    expect((await next).status).toBe('done');
  });

  it('a reader that reports a cancel on its own (the worker was stopped) answers cancelled too', async () => {
    const { reader, face } = channel();
    const pending = face.analyze(picture);
    reader.last.reject(new FaceError('cancelled', 'stopped'));
    expect(await pending).toMatchObject({ status: 'cancelled' });
    expect(face.error).toBeNull();
  });

  it('refuses a second picture while one is being read, without asking the reader', async () => {
    const { reader, face } = channel();
    const first = face.analyze(picture);
    const second = await face.analyze(new Blob(['other']));
    expect(second).toEqual({ status: 'failed', message: 'The faces of a picture are still being read.' });
    expect(reader.reads).toHaveLength(1);
    // The refusal leaves the read under way alone.
    expect(face.busy).toBe(true);
    expect(face.error).toBeNull();
    reader.last.resolve(ANSWER);
    expect((await first).status).toBe('done');
    const third = face.analyze(picture);
    expect(reader.reads).toHaveLength(2);
    reader.last.resolve(ANSWER);
    expect((await third).status).toBe('done');
  });
});

describe('FaceChannelState.reset and warm', () => {
  it('reset clears an earlier error, but not while a picture is being read', async () => {
    const { reader, face } = channel();
    const failed = face.analyze(picture);
    reader.last.reject(new FaceError('models-unavailable', 'HTTP 404'));
    await failed;
    expect(face.error).not.toBeNull();
    face.reset();
    expect(face.phase).toBe('idle');
    expect(face.error).toBeNull();

    const pending = face.analyze(picture);
    face.reset();
    expect(face.phase).toBe('reading');
    reader.last.resolve(ANSWER);
    await pending;
  });

  it('warm loads the models in the background; a failed warm-up is left for the first read to report', async () => {
    const { reader, face } = channel();
    reader.warmError = new FaceError('models-unavailable', 'offline');
    face.warm();
    expect(reader.warmCalls).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(face.error).toBeNull();
    expect(face.phase).toBe('idle');
  });
});
