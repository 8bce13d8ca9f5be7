// The face channel: reads the faces of the picture on this device (the face worker), and answers a
// run with an outcome. Faces found: their scores mixed by area and certainty. No face: an `empty`
// outcome with a sentence (a normal answer; the channel is then absent from the run). Like the
// other channels it keeps no result of its own.
import { pictureScores } from './faces';
import type { ChannelOutcome, FaceChannelResult } from '../analysis/run';
import { FaceError, describeFaceError } from './face-errors';
import type { FaceAnswer } from './protocol';

/** What the channel needs of the face worker's client (a fake in unit tests). */
export interface FaceReader {
  read(picture: Blob, options?: { signal?: AbortSignal }): Promise<FaceAnswer>;
  warm(): Promise<void>;
}

/** Where the face channel is. */
export type FacePhase = 'idle' | 'reading' | 'done' | 'error';

type FaceOutcome = ChannelOutcome<FaceChannelResult>;

/** The sentence for a picture without a face; it starts as the tests expect ("No face found"). */
export const NO_FACE_MESSAGE = 'No face found in this picture, so the faces channel is left out of the answer.';

const CANCELLED: FaceOutcome = { status: 'cancelled', message: 'Reading the faces was cancelled.' };

/** The face channel's state. */
export class FaceChannelState {
  readonly #reader: FaceReader;
  #controller: AbortController | null = null;

  #phase = $state<FacePhase>('idle');
  #error = $state<string | null>(null);

  constructor(reader: FaceReader) {
    this.#reader = reader;
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
