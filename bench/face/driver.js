// Runs in /__bench.html (served by the face benchmark only): starts the app's BUILT face worker and
// speaks its protocol (src/features/faces/protocol.ts) directly, timing each request with the page's
// clock. The controller (bench/face/run.mjs) calls window.faceBench through Playwright.
let worker = null;
let nextId = 1;
let started = 0;
const pending = new Map();
const pictures = new Map();

function onMessage(event) {
  const message = event.data;
  const p = pending.get(message.id);
  if (!p) return;
  pending.delete(message.id);
  if (message.type === 'error') p.reject(new Error(`${message.error.code}: ${message.error.detail}`));
  else p.resolve({ message, at: performance.now() - started });
}

function call(request) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...request, id });
  });
}

window.faceBench = {
  crossOriginIsolated: () => self.crossOriginIsolated,

  /** Keeps a picture (base64) as a Blob, as the page would hold the user's file. */
  addPicture(name, base64, type) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    pictures.set(name, new Blob([bytes], { type }));
    return bytes.length;
  },

  /**
   * Starts a worker and, at once, asks it to warm up and to read `picture`, as a page would on its
   * first picture. Milliseconds from the worker's creation to each event.
   */
  async start(url, picture) {
    if (worker) worker.terminate();
    started = performance.now();
    worker = new Worker(url, { type: 'module' });
    const ready = new Promise((resolve, reject) => {
      worker.addEventListener('message', (e) => (e.data.type === 'ready' ? resolve(performance.now() - started) : onMessage(e)));
      worker.addEventListener('error', (e) => reject(new Error(e.message || 'worker error')));
    });
    const warmed = call({ type: 'warm' });
    const first = call({ type: 'read', picture: pictures.get(picture) });
    const readyMs = await ready;
    const w = await warmed;
    const f = await first;
    return { readyMs, warmedMs: w.at, load: w.message.load, firstAnswerMs: f.at, answer: f.message.answer };
  },

  /** Reads one picture; the answer and the round trip as the page sees it. */
  async read(name) {
    const t0 = performance.now();
    const { message } = await call({ type: 'read', picture: pictures.get(name) });
    return { roundTripMs: performance.now() - t0, answer: message.answer };
  },

  stop() {
    worker?.terminate();
    worker = null;
  },
};
