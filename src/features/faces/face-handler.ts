// The face worker's logic, free of Worker, canvas and ONNX Runtime so it runs in Node with a fake
// runtime (tests/unit/face-handler.test.ts): requests run one at a time; the models are loaded
// once and warmed up once, and a failed load is forgotten so the next request tries again; a read
// decodes the picture, finds and checks its faces and reads their expressions (face-pipeline.ts),
// looking at its AbortSignal between those steps; every request ends in exactly one reply, its
// answer or `{ type: 'error' }` with a FaceError's code. worker/face-worker.ts wires it to the real
// runtime (onnxruntime-web, ImageDecoder, OffscreenCanvas) and to the shared worker plumbing.
import { CONFIRM_SIZE, DETECTOR_SIZE, EXPRESSION_SIZE, VERIFIER_SIZE } from './faces';
import { FaceError } from './face-errors';
import { readFaces, type FaceImage, type FaceModels } from './face-pipeline';
import type { FaceAnswer, FaceLoadInfo, FaceRequest, FaceResponse } from './protocol';
import { assertNever } from '../../shared/worker/protocol';

/** The models as the runtime loaded them. */
export interface LoadedModels {
  readonly models: FaceModels;
  /** Which models read the faces, e.g. 'blazeface + facemesh + faceboxes + mini-Xception (human 3.3.6)'. */
  readonly name: string;
  /** On the runtime's clock: when every model file had been fetched, and when the sessions were made. */
  readonly fetchedMs: number;
  readonly loadMs: number;
  /** ONNX Runtime's WASM threads. */
  readonly threads: number;
}

/** A picture file decoded into pixels the pipeline can read. */
export interface DecodedPicture {
  /** The pixels (possibly fewer than the picture has: a big JPEG is decoded scaled down). */
  readonly image: FaceImage;
  /** The picture's own size, as displayed (EXIF orientation applied). */
  readonly width: number;
  readonly height: number;
  /** Frees the pixels. */
  close(): void;
}

/** What the handler needs from the outside world. */
export interface FaceRuntime {
  /** Fetches and starts the four models; a failure is best a FaceError `models-unavailable`. */
  loadModels(): Promise<LoadedModels>;
  /** Decodes a picture file (a video frame comes decoded); a failure is best a FaceError `unreadable-picture`. */
  decode(picture: Blob | ImageBitmap): Promise<DecodedPicture>;
  /** Milliseconds, for timings. */
  now(): number;
}

/** Handles one request and posts its reply; `signal` is aborted when the page cancels it. */
export type FaceRequestHandler = (request: FaceRequest, signal?: AbortSignal) => Promise<void>;

interface Ready {
  readonly loaded: LoadedModels;
  readonly info: FaceLoadInfo;
}

/**
 * Creates the face worker's handler; `post` sends a reply to the page. `preload` starts loading
 * the models now, so they are ready by the time a picture comes (a failure is then reported to
 * the request that needs them, which tries again).
 */
export function createFaceHandler(runtime: FaceRuntime, post: (message: FaceResponse) => void): { handle: FaceRequestHandler; preload(): void } {
  /** The loaded models (a value, not a promise: a failed load is not kept). */
  let ready: Ready | null = null;
  let loading: Promise<Ready> | null = null;
  /** One request at a time: the sessions share one WASM instance. */
  let queue: Promise<void> = Promise.resolve();

  function load(): Promise<Ready> {
    if (ready) return Promise.resolve(ready);
    loading ??= loadAndWarm().then(
      (value) => (ready = value),
      (err: unknown) => {
        loading = null;
        throw err;
      },
    );
    return loading;
  }

  async function loadAndWarm(): Promise<Ready> {
    let loaded: LoadedModels;
    try {
      loaded = await runtime.loadModels();
    } catch (err) {
      throw err instanceof FaceError ? err : new FaceError('models-unavailable', describe(err));
    }
    // The first run of fresh wasm compiles what it calls (V8 compiles wasm lazily) and takes 0.3-0.5 s:
    // run each model once now, so that is not charged to the user's first picture. More runs did
    // not make the first answer come sooner (bench/README.md, "Faces").
    const start = runtime.now();
    const { models } = loaded;
    await models.detect(new Float32Array(DETECTOR_SIZE * DETECTOR_SIZE * 3));
    await models.presence(new Float32Array(VERIFIER_SIZE * VERIFIER_SIZE * 3 * 2), 2); // a square and its mirror
    await models.confirm(new Float32Array(CONFIRM_SIZE * CONFIRM_SIZE * 3), 1);
    await models.expressions(new Float32Array(EXPRESSION_SIZE * EXPRESSION_SIZE * 2), 2);
    return { loaded, info: { fetchedMs: loaded.fetchedMs, loadMs: loaded.loadMs, warmupMs: runtime.now() - start, threads: loaded.threads } };
  }

  async function read(picture: Blob | ImageBitmap, signal: AbortSignal): Promise<FaceAnswer> {
    const { loaded } = await load();
    stopIfCancelled(signal);
    const start = runtime.now();
    const decoded = await runtime.decode(picture);
    try {
      const decodedAt = runtime.now();
      stopIfCancelled(signal);
      let detectedAt = decodedAt;
      const { models } = loaded;
      // The pipeline's models, timed and with the cancel checks between its steps.
      const checked: FaceModels = {
        detect: async (input) => {
          const out = await models.detect(input);
          detectedAt = runtime.now();
          stopIfCancelled(signal);
          return out;
        },
        presence: async (batch, count) => {
          const out = await models.presence(batch, count);
          stopIfCancelled(signal);
          return out;
        },
        confirm: async (batch, count) => {
          const out = await models.confirm(batch, count);
          stopIfCancelled(signal);
          return out;
        },
        expressions: (batch, count) => models.expressions(batch, count),
      };
      const { image } = decoded;
      const faces = await readFaces(image, checked);
      const end = runtime.now();
      return {
        faces: faces.map((f) => ({
          box: { x1: f.box.x1 / image.width, y1: f.box.y1 / image.height, x2: f.box.x2 / image.width, y2: f.box.y2 / image.height },
          score: f.score,
          scores: f.scores,
        })),
        width: decoded.width,
        height: decoded.height,
        elapsedMs: end - start,
        model: loaded.name,
        timings: { decodeMs: decodedAt - start, detectMs: detectedAt - decodedAt, expressionsMs: end - detectedAt },
      };
    } finally {
      decoded.close();
    }
  }

  async function run(request: FaceRequest, signal: AbortSignal): Promise<void> {
    try {
      // Cancelled while it waited in the queue: it never runs.
      stopIfCancelled(signal);
      switch (request.type) {
        case 'warm':
          post({ type: 'warmed', id: request.id, load: (await load()).info });
          return;
        case 'read':
          post({ type: 'answer', id: request.id, answer: await read(request.picture, signal) });
          return;
        default:
          assertNever(request);
      }
    } catch (err) {
      post({ type: 'error', id: request.id, error: toFaceError(err).toData() });
    }
  }

  return {
    handle(request, signal = new AbortController().signal) {
      const next = queue.then(() => run(request, signal));
      queue = next;
      return next;
    },
    preload() {
      load().catch(() => undefined);
    },
  };
}

function stopIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new FaceError('cancelled', 'The read was cancelled.');
}

/** Any failure as a FaceError: one that is not already one is a crash. */
function toFaceError(err: unknown): FaceError {
  return err instanceof FaceError ? err : new FaceError('crashed', describe(err));
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
