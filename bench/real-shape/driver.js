// Runs in /__bench.html (served by the benchmark only): starts the app's BUILT emotion worker and
// speaks its protocol (src/features/text/protocol.ts) directly, timing each request with the page's
// clock. The controller calls window.moodlensBench through Playwright.
let worker = null;
let nextId = 1;
const pending = new Map();
/** When each kind of message first arrived in the current run, for the load breakdown. */
let marks = {};
/** The load's own breakdown (LoadedModelInfo.phases) from the current run's `loaded` message. */
let phases = null;
/** The engine the worker loaded the model on (LoadedModelInfo.engine). */
let engine = null;

function mark(name) {
  if (!(name in marks)) marks[name] = performance.now();
}

function onMessage(event) {
  const message = event.data;
  mark(message.type === 'progress' ? `progress:${message.progress.phase}` : message.type);
  if (message.type === 'loaded') {
    phases = message.model.phases ?? null;
    engine = message.model.engine ?? 'onnxruntime';
  }
  const p = pending.get(message.id);
  if (!p) return;
  if (message.type === 'progress' || message.type === 'notice' || message.type === 'loaded' || message.type === 'analyzing') return;
  pending.delete(message.id);
  if (message.type === 'error') p.reject(new Error(`${message.error.code}: ${message.error.detail}`));
  else p.resolve(message);
}

function call(request) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...request, id });
  });
}

window.moodlensBench = {
  /** Starts the worker and waits for its `ready`. Returns ms. */
  async start(workerUrl) {
    marks = {};
    phases = null;
    const t0 = performance.now();
    marks.start = t0;
    worker = new Worker(workerUrl, { type: 'module' });
    await new Promise((resolve, reject) => {
      worker.addEventListener('message', (e) => {
        if (e.data.type !== 'ready') return onMessage(e);
        mark('ready');
        resolve();
      });
      worker.addEventListener('error', (e) => reject(new Error(e.message || 'worker error')));
    });
    return performance.now() - t0;
  },

  /** Whether the worker understands one request for many texts. */
  async hasBatch(config) {
    try {
      await call({ type: 'classify-batch', config, texts: [] });
      return true;
    } catch (err) {
      return !/Unexpected value/.test(String(err));
    }
  },

  /** Classifies `texts`: in one request when `batch`, else one request per text. Returns ms. */
  async run(config, texts, batch) {
    const t0 = performance.now();
    if (batch && texts.length > 1) await call({ type: 'classify-batch', config, texts });
    else for (const text of texts) await call({ type: 'classify', config, text });
    return performance.now() - t0;
  },

  crossOriginIsolated: () => self.crossOriginIsolated,

  /** Milliseconds from the worker's start to the first message of each kind. */
  marks: () => Object.fromEntries(Object.entries(marks).map(([k, t]) => [k, t - marks.start])),

  /** The worker's own account of its last load: files read, session made, warm-up (ms). */
  phases: () => phases,

  /** The engine of the last load: 'litert' or 'onnxruntime'. */
  engine: () => engine,

  /** Files in the app's model cache (IndexedDB `moodlens-models`), to know when writes ended. */
  async cachedFiles() {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('moodlens-models');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      if (!db.objectStoreNames.contains('files')) return [];
      const keys = await new Promise((resolve, reject) => {
        const req = db.transaction('files').objectStore('files').getAllKeys();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      return keys.map(String).filter((k) => k.startsWith('meta:'));
    } finally {
      db.close();
    }
  },
};
