// The face worker's handler with a fake runtime (no Worker, no canvas, no ONNX Runtime): the exact
// replies, one request at a time, a load that is made once and retried after a failure, the cancel
// checks between decoding, detection and expressions, and every failure as an error reply with
// its FaceError code.
import { describe, expect, it } from 'vitest';
import { FaceError } from '../../src/features/faces/face-errors';
import { createFaceHandler, type DecodedPicture, type FaceRuntime, type LoadedModels } from '../../src/features/faces/face-handler';
import type { FaceImage, FaceModels } from '../../src/features/faces/face-pipeline';
import type { FaceRequest, FaceResponse } from '../../src/features/faces/protocol';

/** The coarse grid's anchor at cell (4, 4): center (144, 144) in the detector's 256x256 input. */
const FACE_ANCHOR = 512 + (4 * 8 + 4) * 6;
/** The expression model's answer for every face: joy, in FER2013 order. */
const JOY = [0, 0, 0, 0.9, 0, 0, 0.1];
const MODEL = 'fake blazeface + facemesh + faceboxes + mini-Xception';

interface Gate {
  promise: Promise<void>;
  open(): void;
}
function gate(): Gate {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

interface FakeOptions {
  /** Whether the detector finds the one face. */
  face?: boolean;
  /** Thrown by loadModels, once per entry. */
  loadErrors?: unknown[];
  decodeError?: unknown;
  expressionsError?: unknown;
  /** detect waits for this gate. */
  detectGate?: Gate;
  /** Called at the start of these steps (to cancel in the middle of a read). */
  onDecode?: () => void;
  onDetect?: () => void;
}

/** A fake runtime on a fake clock: loading takes 100 ms, decoding 10, detection 30, expressions 20. */
function fakeRuntime(options: FakeOptions = {}) {
  const log: string[] = [];
  let clock = 0;
  const models: FaceModels = {
    async detect(input) {
      log.push(`detect:${input.length}`);
      options.onDetect?.();
      await options.detectGate?.promise;
      clock += 30;
      const logits = new Float32Array(896).fill(-10);
      const regressors = new Float32Array(896 * 16);
      if (options.face) {
        logits[FACE_ANCHOR] = 10;
        // A 64x64 box on the anchor, eyes level.
        regressors.set([0, 0, 64, 64, -12, -8, 12, -8, 0, 4, 0, 16, -30, 0, 30, 0], FACE_ANCHOR * 16);
      }
      return { logits, regressors };
    },
    async presence(_batch, count) {
      log.push(`presence:${count}`);
      return new Float32Array(count).fill(1);
    },
    async confirm(_batch, count) {
      log.push(`confirm:${count}`);
      // FaceBoxes' three grids at 256 px (8x8 with 21 anchors, 4x4 and 2x2 with 1): every anchor says face.
      const anchors = [8 * 8 * 21, 4 * 4, 2 * 2];
      const classes = anchors.map((n) => Float32Array.from({ length: count * n * 2 }, (_, i) => (i % 2 === 1 ? 10 : 0)));
      return { classes, boxes: anchors.map((n) => new Float32Array(count * n * 4)) };
    },
    async expressions(_batch, count) {
      log.push(`expressions:${count}`);
      if (options.expressionsError) throw options.expressionsError;
      clock += 20;
      return Float32Array.from({ length: count * 7 }, (_, i) => JOY[i % 7]!);
    },
  };
  const loadErrors = [...(options.loadErrors ?? [])];
  const image: FaceImage = {
    width: 512,
    height: 256,
    fitted: async (size) => new Uint8Array(size * size * 4),
    region: async (_box, size) => new Uint8Array(size * size * 4),
  };
  const runtime: FaceRuntime = {
    async loadModels(): Promise<LoadedModels> {
      log.push('load');
      if (loadErrors.length > 0) throw loadErrors.shift();
      clock += 100;
      return { models, name: MODEL, fetchedMs: 40, loadMs: clock, threads: 1 };
    },
    async decode(): Promise<DecodedPicture> {
      log.push('decode');
      options.onDecode?.();
      if (options.decodeError) throw options.decodeError;
      clock += 10;
      return { image, width: 1024, height: 512, close: () => log.push('close') };
    },
    now: () => clock,
  };
  return { runtime, log };
}

function setup(options: FakeOptions = {}) {
  const fake = fakeRuntime(options);
  const sent: FaceResponse[] = [];
  const handler = createFaceHandler(fake.runtime, (message) => sent.push(message));
  return { ...fake, sent, handler };
}

const picture = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });
const read = (id: number): FaceRequest => ({ type: 'read', id, picture });

describe('the face handler', () => {
  it('warm: loads the models, runs each once, and answers how long that took; a second warm loads nothing', async () => {
    const { handler, sent, log } = setup();
    await handler.handle({ type: 'warm', id: 1 });
    await handler.handle({ type: 'warm', id: 2 });
    const load = { fetchedMs: 40, loadMs: 100, warmupMs: 50, threads: 1 };
    expect(sent).toEqual([
      { type: 'warmed', id: 1, load },
      { type: 'warmed', id: 2, load },
    ]);
    expect(log).toEqual(['load', `detect:${256 * 256 * 3}`, 'presence:2', 'confirm:1', 'expressions:2']);
  });

  it('read: one face, its box in fractions of the pixels read, the picture size as displayed, and where the time went', async () => {
    const { handler, sent, log } = setup({ face: true });
    await handler.handle({ type: 'warm', id: 1 });
    log.length = 0;
    await handler.handle(read(2));
    expect(sent[1]).toEqual({
      type: 'answer',
      id: 2,
      answer: {
        // The 512x256 image sits in the 256x256 input at scale 0.5 from y = 64: the box (112..176,
        // 112..176) is (224..352, 96..224) in its pixels.
        faces: [{ box: { x1: 224 / 512, y1: 96 / 256, x2: 352 / 512, y2: 224 / 256 }, score: expect.closeTo(1, 4) as number, scores: expect.objectContaining({ joy: expect.closeTo(0.9, 6) as number }) as object }],
        width: 1024,
        height: 512,
        elapsedMs: 60,
        model: MODEL,
        timings: { decodeMs: 10, detectMs: 30, expressionsMs: 20 },
      },
    });
    expect(log).toEqual(['decode', `detect:${256 * 256 * 3}`, 'presence:2', 'confirm:1', 'expressions:1', 'close']);
  });

  it('read without a face: an answer with no faces, and the expression model never runs', async () => {
    const { handler, sent, log } = setup();
    await handler.handle(read(1));
    expect(sent).toEqual([
      { type: 'answer', id: 1, answer: { faces: [], width: 1024, height: 512, elapsedMs: 40, model: MODEL, timings: { decodeMs: 10, detectMs: 30, expressionsMs: 0 } } },
    ]);
    expect(log).not.toContain('expressions:1');
  });

  it('runs one request at a time, and a read cancelled while it waits never runs', async () => {
    const options: FakeOptions = { face: true };
    const { handler, sent, log } = setup(options);
    await handler.handle({ type: 'warm', id: 0 });
    sent.length = 0;
    const detectGate = gate();
    options.detectGate = detectGate;
    const first = handler.handle(read(1));
    const waiting = new AbortController();
    const second = handler.handle(read(2), waiting.signal);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log.filter((l) => l === 'decode')).toHaveLength(1); // the second waits for the first
    waiting.abort();
    detectGate.open();
    await Promise.all([first, second]);
    expect(sent.map((m) => [m.type, m.id])).toEqual([
      ['answer', 1],
      ['error', 2],
    ]);
    expect(sent[1]).toEqual({ type: 'error', id: 2, error: { code: 'cancelled', detail: 'The read was cancelled.' } });
    expect(log.filter((l) => l === 'decode')).toHaveLength(1);
  });

  it('a read cancelled while decoding stops before detection, and frees the pixels', async () => {
    const controller = new AbortController();
    const { handler, sent, log } = setup({ face: true, onDecode: () => controller.abort() });
    await handler.handle(read(1), controller.signal);
    expect(sent).toEqual([{ type: 'error', id: 1, error: { code: 'cancelled', detail: 'The read was cancelled.' } }]);
    expect(log).toEqual(['load', `detect:${256 * 256 * 3}`, 'presence:2', 'confirm:1', 'expressions:2', 'decode', 'close']);
  });

  it('a read cancelled during detection stops before the faces are checked or read, and frees the pixels', async () => {
    const options: FakeOptions = { face: true };
    const { handler, sent, log } = setup(options);
    await handler.handle({ type: 'warm', id: 1 });
    log.length = 0;
    const controller = new AbortController();
    options.onDetect = () => controller.abort();
    await handler.handle(read(2), controller.signal);
    expect(sent[1]).toEqual({ type: 'error', id: 2, error: { code: 'cancelled', detail: 'The read was cancelled.' } });
    expect(log).toEqual(['decode', `detect:${256 * 256 * 3}`, 'close']);
  });

  it('a failed load is an error reply with its code, and the next request loads again', async () => {
    const { handler, sent, log } = setup({ loadErrors: [new FaceError('models-unavailable', '/assets/face-detector.onnx: HTTP 404')] });
    await handler.handle(read(1));
    await handler.handle(read(2));
    expect(sent[0]).toEqual({ type: 'error', id: 1, error: { code: 'models-unavailable', detail: '/assets/face-detector.onnx: HTTP 404' } });
    expect(sent[1]).toMatchObject({ type: 'answer', id: 2 });
    expect(log.filter((l) => l === 'load')).toHaveLength(2);
  });

  it('a load that fails with something else is still models-unavailable', async () => {
    const { handler, sent } = setup({ loadErrors: [new TypeError('no wasm')] });
    await handler.handle({ type: 'warm', id: 7 });
    expect(sent).toEqual([{ type: 'error', id: 7, error: { code: 'models-unavailable', detail: 'TypeError: no wasm' } }]);
  });

  it('a failed preload is reported to the request that needs the models, which tries again', async () => {
    const { handler, sent, log } = setup({ loadErrors: [new FaceError('models-unavailable', 'offline')] });
    handler.preload();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await handler.handle({ type: 'warm', id: 1 });
    expect(sent).toEqual([{ type: 'warmed', id: 1, load: { fetchedMs: 40, loadMs: 100, warmupMs: 50, threads: 1 } }]);
    expect(log.filter((l) => l === 'load')).toHaveLength(2);
  });

  it('a picture that cannot be decoded is unreadable-picture', async () => {
    const { handler, sent } = setup({ decodeError: new FaceError('unreadable-picture', 'webp: EncodingError: bad data') });
    await handler.handle(read(3));
    expect(sent).toEqual([{ type: 'error', id: 3, error: { code: 'unreadable-picture', detail: 'webp: EncodingError: bad data' } }]);
  });

  it('anything else that fails is a crash, with what failed as the detail; the pixels are freed', async () => {
    const options: FakeOptions = { face: true };
    const { handler, sent, log } = setup(options);
    await handler.handle({ type: 'warm', id: 3 });
    sent.length = 0;
    options.expressionsError = new RangeError('out of memory');
    await handler.handle(read(4));
    expect(sent).toEqual([{ type: 'error', id: 4, error: { code: 'crashed', detail: 'RangeError: out of memory' } }]);
    expect(log.at(-1)).toBe('close');
  });
});
