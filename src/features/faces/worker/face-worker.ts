// Entry of the face Web Worker: the real runtime of the face handler (../face-handler.ts, which
// queues the requests, loads and warms the models, reads the faces and maps failures to codes),
// wired to the shared worker plumbing. The runtime runs four small ONNX models on onnxruntime-web
// (WASM), all on this device, fetched from our own origin (converted at build time by
// scripts/lib/face-models-plugin.mjs), and decodes pictures with ImageDecoder/createImageBitmap
// into an OffscreenCanvas.
import * as ort from 'onnxruntime-web/wasm';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import { confirmerOutputs, confirmerUrl, detectorUrl, expressionUrl, humanVersion, verifierUrl } from 'virtual:face-models';
import { CONFIRM_SIZE, DETECTOR_SIZE, EXPRESSION_SIZE, VERIFIER_SIZE } from '../faces';
import { FaceError } from '../face-errors';
import { createFaceHandler, type DecodedPicture, type FaceRuntime, type LoadedModels } from '../face-handler';
import type { FaceImage, FaceModels } from '../face-pipeline';
import type { FaceRequest, FaceResponse } from '../protocol';
import { MAX_PIXELS, MAX_SIDE, fitWithin, readImageSize, sniffImageFormat } from '../../../shared/image-format';
import { serveWorker } from '../../../shared/worker/serve';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const MODEL_NAME = `blazeface + facemesh + faceboxes + mini-Xception (human ${humanVersion})`;
/**
 * A JPEG longer than this is decoded straight to about this size (JPEG decoders scale by eighths
 * while decoding, so it lands at or under it): a 12 MP photo then decodes in ~80 ms instead of
 * ~300 ms, and a face that fills 1/30 of the long side still has more than 64 px for the
 * expression model. Other formats are decoded whole (scaling them while decoding was slower).
 */
const DECODE_LONG_SIDE = 2048;
/** Enough of the file for its format and header size (a JPEG's EXIF block can be 64 kB). */
const HEAD_BYTES = 256 * 1024;
/**
 * ONNX Runtime threads. One: both models are tiny (2 threads saved 10-20 ms a picture here), and
 * during an analysis the text worker runs its own threads on the same cores (bench/README.md,
 * "Faces"). `?threads=N` on the worker's URL (benchmarks only) asks for more when cross-origin
 * isolated.
 */
const THREADS = threadCount();

function threadCount(): number {
  const asked = Number(new URL(scope.location.href).searchParams.get('threads') ?? '1');
  return scope.crossOriginIsolated && Number.isFinite(asked) && asked > 1 ? Math.min(4, Math.floor(asked)) : 1;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, scope.location.href).href, mjs: new URL(ortMjsUrl, scope.location.href).href };
ort.env.wasm.numThreads = THREADS;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';

// ---------------------------------------------------------------------------------------------
// Models: fetched from our origin, sessions created (the handler loads them once and warms them up)
// ---------------------------------------------------------------------------------------------

/** A model file from our own origin (the service worker has it after one visit). */
async function fetchModel(url: string): Promise<Uint8Array> {
  const target = new URL(url, scope.location.href);
  if (target.origin !== scope.location.origin) throw new FaceError('models-unavailable', `${target.href} is not on this site`);
  let response: Response;
  try {
    response = await fetch(target, { credentials: 'same-origin' });
  } catch (err) {
    throw new FaceError('models-unavailable', `${target.pathname} could not be fetched (${describe(err)})`);
  }
  // A host that answers a missing file with its index page would hand us HTML.
  if (!response.ok || (response.headers.get('content-type') ?? '').startsWith('text/html')) {
    throw new FaceError('models-unavailable', `${target.pathname}: HTTP ${response.status} ${response.headers.get('content-type') ?? ''}`.trim());
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function loadModels(): Promise<LoadedModels> {
  const [detectorBytes, verifierBytes, confirmerBytes, expressionBytes] = await Promise.all([
    fetchModel(detectorUrl),
    fetchModel(verifierUrl),
    fetchModel(confirmerUrl),
    fetchModel(expressionUrl),
  ]);
  const fetchedMs = performance.now();
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  let detector: ort.InferenceSession;
  let verifier: ort.InferenceSession;
  let confirmer: ort.InferenceSession;
  let expression: ort.InferenceSession;
  try {
    // One after the other: the sessions live in the same WASM instance.
    detector = await ort.InferenceSession.create(detectorBytes, options);
    verifier = await ort.InferenceSession.create(verifierBytes, options);
    confirmer = await ort.InferenceSession.create(confirmerBytes, options);
    expression = await ort.InferenceSession.create(expressionBytes, options);
  } catch (err) {
    throw new FaceError('models-unavailable', `ONNX Runtime could not start the face models (${describe(err)})`);
  }
  return { models: sessionModels(detector, verifier, confirmer, expression), name: MODEL_NAME, fetchedMs, loadMs: performance.now(), threads: THREADS };
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The pipeline's FaceModels on the four sessions. */
function sessionModels(detector: ort.InferenceSession, verifier: ort.InferenceSession, confirmer: ort.InferenceSession, expression: ort.InferenceSession): FaceModels {
  const floats = (out: ort.InferenceSession.ReturnType, name: string) => {
    const tensor = out[name];
    if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`the model has no float output ${name}`);
    return tensor.data;
  };
  return {
    async detect(input) {
      const out = await detector.run({ [detector.inputNames[0]!]: new ort.Tensor('float32', input, [1, DETECTOR_SIZE, DETECTOR_SIZE, 3]) });
      // Identity/Identity_2: the 512 anchors of the 16x16 grid; Identity_1/Identity_3: the 384 of 8x8.
      return {
        logits: concat(floats(out, 'Identity'), floats(out, 'Identity_1')),
        regressors: concat(floats(out, 'Identity_2'), floats(out, 'Identity_3')),
      };
    },
    async presence(batch, count) {
      const out = await verifier.run({ [verifier.inputNames[0]!]: new ort.Tensor('float32', batch, [count, VERIFIER_SIZE, VERIFIER_SIZE, 3]) });
      // Identity_1: the face flag (Identity: contours, Identity_2: the 468 landmarks, unused here).
      return floats(out, 'Identity_1');
    },
    async confirm(batch, count) {
      const out = await confirmer.run({ [confirmer.inputNames[0]!]: new ort.Tensor('float32', batch, [count, CONFIRM_SIZE, CONFIRM_SIZE, 3]) });
      return { classes: confirmerOutputs.classes.map((name) => floats(out, name)), boxes: confirmerOutputs.boxes.map((name) => floats(out, name)) };
    },
    async expressions(batch, count) {
      const out = await expression.run({
        [expression.inputNames[0]!]: new ort.Tensor('float32', batch, [count, EXPRESSION_SIZE, EXPRESSION_SIZE, 1]),
      });
      return floats(out, expression.outputNames[0]!);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pictures: decoded with EXIF orientation applied, pixels through an OffscreenCanvas
// ---------------------------------------------------------------------------------------------

interface Decoded {
  /** The pixels the pipeline reads (possibly smaller than the picture). */
  readonly bitmap: ImageBitmap;
  /** The picture's own size, as displayed. */
  readonly width: number;
  readonly height: number;
}

/** A picture file (or a video frame, already pixels) as the handler's DecodedPicture: the pipeline reads the bitmap through a canvas. */
async function decodePicture(picture: Blob | ImageBitmap): Promise<DecodedPicture> {
  const { bitmap, width, height } = picture instanceof ImageBitmap ? { bitmap: picture, width: picture.width, height: picture.height } : await decode(picture);
  return { image: canvasImage(bitmap), width, height, close: () => bitmap.close() };
}

async function decode(picture: Blob): Promise<Decoded> {
  const head = new Uint8Array(await picture.slice(0, HEAD_BYTES).arrayBuffer());
  const format = sniffImageFormat(head);
  const size = format ? readImageSize(head, format) : null;
  if (size && (size.width * size.height > MAX_PIXELS || Math.max(size.width, size.height) > MAX_SIDE)) {
    throw new FaceError('unreadable-picture', `the picture is ${size.width}x${size.height} pixels, more than this app decodes`);
  }
  if (format === 'jpeg' && size && Math.max(size.width, size.height) > DECODE_LONG_SIDE) {
    const scaled = await decodeScaledJpeg(picture, size);
    if (scaled) return scaled;
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(picture, { imageOrientation: 'from-image' });
  } catch (err) {
    throw new FaceError('unreadable-picture', `${format ?? 'unknown format'}: ${describe(err)}`);
  }
  return { bitmap, width: bitmap.width, height: bitmap.height };
}

/**
 * A large JPEG decoded straight to about DECODE_LONG_SIDE by WebCodecs' ImageDecoder (libjpeg's
 * scaled decoding); null when that is not possible here, so the caller decodes it whole.
 */
async function decodeScaledJpeg(picture: Blob, size: { width: number; height: number }): Promise<Decoded | null> {
  if (typeof ImageDecoder !== 'function') return null;
  // desiredWidth/Height are in the file's own (unrotated) pixels; the frame carries the rotation.
  const target = fitWithin(size.width, size.height, DECODE_LONG_SIDE);
  let decoder: ImageDecoder | null = null;
  let bitmap: ImageBitmap;
  try {
    // The whole file at once: ImageDecoder decodes a buffer ~40 % faster than the same bytes streamed.
    const data = await picture.arrayBuffer();
    decoder = new ImageDecoder({ data, type: 'image/jpeg', desiredWidth: target.width, desiredHeight: target.height });
    const { image } = await decoder.decode();
    try {
      bitmap = await createImageBitmap(image); // applies the frame's EXIF rotation
    } finally {
      image.close();
    }
  } catch {
    return null;
  } finally {
    decoder?.close();
  }
  const turned = size.width !== size.height && (bitmap.width > bitmap.height) !== (size.width > size.height);
  return { bitmap, width: turned ? size.height : size.width, height: turned ? size.width : size.height };
}

/** The pipeline's FaceImage on a bitmap: one reusable square canvas per size. */
function canvasImage(bitmap: ImageBitmap): FaceImage {
  const contexts = new Map<number, OffscreenCanvasRenderingContext2D>();
  const blank = (size: number) => {
    let g = contexts.get(size);
    if (!g) {
      const context = new OffscreenCanvas(size, size).getContext('2d', { alpha: false, willReadFrequently: true });
      if (!context) throw new Error('no 2D canvas in this worker');
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = 'high';
      context.fillStyle = '#000';
      contexts.set(size, context);
      g = context;
    }
    g.fillRect(0, 0, size, size);
    return g;
  };
  return {
    width: bitmap.width,
    height: bitmap.height,
    async fitted(size, fit) {
      const g = blank(size);
      g.drawImage(bitmap, fit.padX, fit.padY, bitmap.width * fit.scale, bitmap.height * fit.scale);
      return g.getImageData(0, 0, size, size).data;
    },
    async region(box, size) {
      const g = blank(size);
      const w = box.x2 - box.x1;
      const h = box.y2 - box.y1;
      if (w > 0 && h > 0) g.drawImage(bitmap, box.x1, box.y1, w, h, 0, 0, size, size);
      return g.getImageData(0, 0, size, size).data;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The handler on this runtime, served
// ---------------------------------------------------------------------------------------------

const runtime: FaceRuntime = { loadModels, decode: decodePicture, now: () => performance.now() };
const handler = createFaceHandler(runtime, (message: FaceResponse) => scope.postMessage(message));
serveWorker<FaceRequest>(scope, 'face', handler.handle);
handler.preload();
