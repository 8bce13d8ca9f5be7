// The face channel: reads the faces of the picture on this device (the face worker), and answers a
// run with an outcome. Faces found: their scores mixed by area and certainty. No face: an `empty`
// outcome with a sentence (a normal answer; the channel is then absent from the run). Like the
// other channels it keeps no result of its own.
import { pictureScores } from './faces';
import type { ChannelOutcome, FaceChannelResult } from '../analysis/run';
import { FaceError, describeFaceError } from './face-errors';
import type { FaceAnswer } from './protocol';
import { summarizeTrack, trackFaces, videoFaceScores, type FrameFaces } from '../video/tracker';
import { sampleVideo } from '../video/frames';
import { VideoError, describeVideoError } from '../video/video-errors';

/** What the channel needs of the face worker's client (a fake in unit tests). */
export interface FaceReader {
  read(picture: Blob | ImageBitmap, options?: { signal?: AbortSignal }): Promise<FaceAnswer>;
  warm(): Promise<void>;
}

/** How a video's frames come (the browser's decoder in the app; a fake in unit tests). */
export type FrameSampler = typeof sampleVideo;

/** Where the face channel is. */
export type FacePhase = 'idle' | 'reading' | 'done' | 'error';

type FaceOutcome = ChannelOutcome<FaceChannelResult>;

/** The sentence for a picture without a face; it starts as the tests expect ("No face found"). */
export const NO_FACE_MESSAGE = 'No face found in this picture, so the faces channel is left out of the answer.';
/** The same for a video. */
export const NO_FACE_IN_VIDEO = 'No face found in this video, so the faces channel is left out of the answer.';

const CANCELLED: FaceOutcome = { status: 'cancelled', message: 'Reading the faces was cancelled.' };

/** The face channel's state. */
export class FaceChannelState {
  readonly #reader: FaceReader;
  readonly #sample: FrameSampler;
  #controller: AbortController | null = null;

  #phase = $state<FacePhase>('idle');
  #error = $state<string | null>(null);
  /** A video's frames read so far, and the time left at the pace so far. */
  #frames = $state.raw<{ readonly done: number; readonly total: number; readonly secondsLeft: number | null } | null>(null);

  constructor(reader: FaceReader, sample: FrameSampler = sampleVideo) {
    this.#reader = reader;
    this.#sample = sample;
  }

  /** While a video is read: its frames read so far, of how many, and the time left. */
  get frames(): { readonly done: number; readonly total: number; readonly secondsLeft: number | null } | null {
    return this.#frames;
  }

  get phase(): FacePhase {
    return this.#phase;
  }
  get busy(): boolean {
    return this.#phase === 'reading';
  }
  /** The last failure as one sentence, or null. */
  get error(): string | null {
    return this.#error;
  }

  /** Loads the worker and its models in the background, so the first picture is read sooner. */
  warm(): void {
    this.#reader.warm().catch(() => {
      // A failed warm-up is reported by the first read, with its sentence.
    });
  }

  /** Reads the faces of `picture`. Never rejects: a failure, a cancel or no face is the outcome. */
  async analyze(picture: Blob): Promise<FaceOutcome> {
    if (this.busy) return { status: 'failed', message: 'The faces of a picture are still being read.' };
    const controller = new AbortController();
    this.#controller = controller;
    this.#phase = 'reading';
    this.#error = null;
    try {
      const answer = await this.#reader.read(picture, { signal: controller.signal });
      const scores = pictureScores(answer.faces);
      this.#phase = 'done';
      if (!scores) return { status: 'empty', message: NO_FACE_MESSAGE };
      const result: FaceChannelResult = { scores, faces: answer.faces, model: answer.model, elapsedMs: answer.elapsedMs };
      return { status: 'done', result };
    } catch (err) {
      const error = err instanceof FaceError ? err : new FaceError('crashed', err instanceof Error ? err.message : String(err));
      if (error.code === 'cancelled' || controller.signal.aborted) {
        this.#phase = 'idle';
        return CANCELLED;
      }
      const message = describeFaceError(error);
      this.#phase = 'error';
      this.#error = message;
      return { status: 'failed', message };
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /**
   * Reads the faces of a video: `fps` frames a second, each read by the face worker, joined into
   * tracks (tracker.ts). Never rejects: a failure, a cancel or no face is the outcome.
   */
  async analyzeVideo(video: Blob, fps: number): Promise<FaceOutcome> {
    if (this.busy) return { status: 'failed', message: 'The faces of a picture are still being read.' };
    const controller = new AbortController();
    this.#controller = controller;
    this.#phase = 'reading';
    this.#error = null;
    const started = performance.now();
    try {
      const frames: FrameFaces[] = [];
      let model = '';
      let workerMs = 0;
      const info = await this.#sample(
        video,
        fps,
        async (t, frame, index, count) => {
          const answer = await this.#reader.read(frame, { signal: controller.signal });
          model = answer.model;
          workerMs += answer.elapsedMs;
          frames.push({ t, faces: answer.faces });
          const elapsed = (performance.now() - started) / 1000;
          this.#frames = { done: index + 1, total: count, secondsLeft: index > 0 ? (elapsed / (index + 1)) * (count - index - 1) : null };
        },
        controller.signal,
      );
      const tracks = trackFaces(frames);
      const scores = videoFaceScores(tracks);
      this.#phase = 'done';
      if (!scores) return { status: 'empty', message: NO_FACE_IN_VIDEO };
      const result: FaceChannelResult = {
        scores,
        faces: tracks.map((track) => {
          const best = track.points.reduce((a, b) => (b.score > a.score ? b : a));
          return { box: best.box, score: best.score, scores: summarizeTrack(track).scores };
        }),
        model,
        elapsedMs: performance.now() - started,
        video: { duration: info.duration, fps, frames: frames.length, tracks, frameMs: frames.length ? workerMs / frames.length : 0 },
      };
      return { status: 'done', result };
    } catch (err) {
      if (controller.signal.aborted || (err instanceof VideoError && err.code === 'cancelled') || (err instanceof FaceError && err.code === 'cancelled')) {
        this.#phase = 'idle';
        return CANCELLED;
      }
      const message = err instanceof VideoError ? describeVideoError(err) : describeFaceError(err instanceof FaceError ? err : new FaceError('crashed', String(err)));
      this.#phase = 'error';
      this.#error = message;
      return { status: 'failed', message };
    } finally {
      this.#frames = null;
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** One frame of the live camera, read as it comes (not a run: no phase, no outcome). */
  readFrame(frame: ImageBitmap, signal: AbortSignal): Promise<FaceAnswer> {
    return this.#reader.read(frame, { signal });
  }

  /** Stops the reading under way (the worker is stopped; the next picture starts a fresh one). */
  cancel(): void {
    this.#controller?.abort();
  }

  /** Not part of the next run: no status, no error left from an earlier one. */
  reset(): void {
    if (this.busy) return;
    this.#phase = 'idle';
    this.#error = null;
  }
}
