// Test servers on 127.0.0.1, started by Playwright (or by hand: `node tests/support/serve.mjs`):
//  - the built app (dist/) as any static host would serve it, with cross-origin isolation
//    headers, real 404s and a request log;
//  - a fake model hub serving tests/fixtures/model in the Hugging Face URL layout
//    (<id>/resolve/main/<file>), with CORS, an ETag and Last-Modified on every file, and Range
//    requests (206 + Content-Range; If-Range honoured: another version gets the whole file, 200).
//    Its log has, per request, the Range and If-Range it carried and the body bytes it was sent.
//    Named scenarios:
//      moodlens/tiny-emotion    the fixture model
//      moodlens/broken-emotion  valid config and tokenizer, ONNX files that are not models
//      moodlens/slow-emotion    the fixture model, sent slowly (to watch the progress bar), ranges too
//      moodlens/fp32-broken     fp32 weights that are not a model, valid q8 weights (WebGPU picks
//                               fp32 and fails; WASM picks q8 and works)
//      moodlens/large-emotion   the fixture model, but range probes report 90 MB weights
//      moodlens/large-tone      the tone fixture, its range probes reporting 90 MB weights too
//      moodlens/cut-emotion     the fixture model, but the first full download of each .onnx file
//                               stops half-way and the connection is dropped (POST /__reset
//                               re-arms it)
//      moodlens/clip-emotion    the fixture model with its logits through a Clip without bounds:
//                               the same answers on ONNX Runtime, an op the ONNX->TFLite
//                               converter refuses (the app falls back from LiteRT.js)
//      anything else            404, as the hub answers for unknown files
//  - a fake OpenAI-compatible vision API (tests/support/fake-openai.mjs) under /openai/v1.
// Control endpoints for tests (called from Node, never by the app): GET /__log, POST /__reset;
// POST /__fault/worker-full-disk makes the app server prepend to the emotion worker's script a line
// that fails every IndexedDB write with QuotaExceededError, /__fault/worker-no-idb one that removes
// IndexedDB, /__fault/worker-idb-refused one whose indexedDB.open throws (a page cannot patch its worker, and Playwright's routing breaks the worker's
// cross-origin fetches under COEP); /__reset clears them.
// for the vision API: GET /__vision/log, POST /__vision/reset, POST /__vision/scenario/<name>.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFakeOpenAI } from './fake-openai.mjs';
import { CONTENT_TYPES } from '../../scripts/lib/content-types.mjs';
import { ModelProto } from '../../scripts/lib/onnx-proto.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DIST = join(root, 'dist');
const MODELS = join(root, 'tests/fixtures/model');
const APP_PORT = Number(process.env.APP_PORT ?? 4173);
const HUB_PORT = Number(process.env.HUB_PORT ?? 4180);
const VISION_PORT = Number(process.env.VISION_PORT ?? 4300);
const HOST = '127.0.0.1';

const TYPES = CONTENT_TYPES;

/** Faults injected into what the app server serves (see the header). */
const faults = new Set();
const FAULT_PATCHES = {
  'worker-full-disk':
    "IDBObjectStore.prototype.put = function put() { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };\n",
  'worker-no-idb': "Object.defineProperty(self, 'indexedDB', { value: undefined, configurable: true });\n",
  'worker-idb-refused':
    "IDBFactory.prototype.open = () => { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); };\n",
};

/** Requests seen by each server, for tests to inspect. */
const log = { app: [], hub: [] };

function control(req, res) {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/__log') {
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify(log));
    return true;
  }
  if (url.pathname === '/__reset' && req.method === 'POST') {
    log.app = [];
    log.hub = [];
    cut.clear();
    faults.clear();
    res.writeHead(204, { 'access-control-allow-origin': '*' });
    res.end();
    return true;
  }
  const fault = url.pathname.match(/^\/__fault\/([a-z-]+)$/);
  if (fault && req.method === 'POST' && fault[1] in FAULT_PATCHES) {
    faults.add(fault[1]);
    res.writeHead(204, { 'access-control-allow-origin': '*' });
    res.end();
    return true;
  }
  return false;
}

async function readSafe(base, rel) {
  const path = normalize(join(base, rel));
  if (!path.startsWith(base)) return null;
  try {
    const info = await stat(path);
    if (!info.isFile()) return null;
    return await readFile(path);
  } catch {
    return null;
  }
}

const appServer = createServer(async (req, res) => {
  if (control(req, res)) return;
  const url = new URL(req.url, `http://${HOST}:${APP_PORT}`);
  log.app.push({ method: req.method, path: url.pathname });
  const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname);
  let body = await readSafe(DIST, rel);
  const patched = body && faults.size > 0 && /^\/?assets\/emotion-worker-[^/]+\.js$/u.test(rel);
  if (patched) body = Buffer.concat([...[...faults].map((f) => Buffer.from(FAULT_PATCHES[f])), body]);
  const headers = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'x-content-type-options': 'nosniff',
  };
  if (!body) {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
    res.end('Not found');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': TYPES[extname(rel)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': patched ? 'no-store' : rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
});

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'range, if-range, content-type',
  'access-control-expose-headers': 'content-length, content-range, etag, last-modified',
  'cross-origin-resource-policy': 'cross-origin',
};

const ALIASES = new Set(['moodlens/slow-emotion', 'moodlens/large-emotion', 'moodlens/cut-emotion']);
/** Paths whose first full download was already cut (moodlens/cut-emotion). */
const cut = new Set();

/** The model with a Clip (no min, no max: an identity) between its last node and `logits`. */
function withClip(bytes) {
  const model = ModelProto.decode(bytes);
  const last = model.graph.node.find((n) => n.output.includes('logits'));
  last.output = last.output.map((o) => (o === 'logits' ? 'logits_unclipped' : o));
  model.graph.node.push(ModelProto.lookupType('onnx.NodeProto').fromObject({ op_type: 'Clip', input: ['logits_unclipped'], output: ['logits'], name: 'clip_logits' }));
  return Buffer.from(ModelProto.encode(model).finish());
}

async function hubFile(id, file) {
  if (id === 'moodlens/broken-emotion') {
    if (file.endsWith('.onnx')) return Buffer.from('this is not an onnx model\n'.repeat(40));
    return readSafe(MODELS, join('moodlens/tiny-emotion', file));
  }
  if (id === 'moodlens/fp32-broken') {
    if (file === 'onnx/model.onnx') return Buffer.from('not an onnx model\n'.repeat(40));
    return readSafe(MODELS, join('moodlens/tiny-emotion', file));
  }
  if (id === 'moodlens/clip-emotion') {
    const body = await readSafe(MODELS, join('moodlens/tiny-emotion', file));
    return body && file.endsWith('.onnx') ? withClip(body) : body;
  }
  if (ALIASES.has(id)) return readSafe(MODELS, join('moodlens/tiny-emotion', file));
  if (id === 'moodlens/large-tone') return readSafe(MODELS, join('moodlens/tiny-tone', file));
  return readSafe(MODELS, join(id, file));
}

const hubServer = createServer(async (req, res) => {
  if (control(req, res)) return;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-max-age': '600' });
    res.end();
    return;
  }
  const url = new URL(req.url, `http://${HOST}:${HUB_PORT}`);
  const match = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/);
  const entry = { method: req.method, path: url.pathname, range: req.headers.range ?? null, ifRange: req.headers['if-range'] ?? null, bytes: 0 };
  log.hub.push(entry);
  const body = match ? await hubFile(decodeURIComponent(match[1]), decodeURIComponent(match[2])) : null;
  if (!body) {
    res.writeHead(404, { ...CORS, 'content-type': 'text/plain' });
    res.end('Entry not found');
    return;
  }
  const type = TYPES[extname(match[2])] ?? 'application/octet-stream';
  // A version tag from the bytes, and a fixed date: the same file gives the same validators.
  // no-store: with validators the browser would otherwise keep the files in its HTTP cache, and a
  // download after "Remove cached model" would never reach the hub (or its log).
  const validators = {
    etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
    'last-modified': 'Mon, 07 Dec 2026 12:00:00 GMT',
    'cache-control': 'no-store',
  };
  const slow = match[1] === 'moodlens/slow-emotion';
  /** Sends `part`, slowly for the slow scenario, counting the bytes in the log. */
  const send = async (part) => {
    if (req.method === 'HEAD') return res.end();
    // About 1.5 s per file, in 20 steps, so the progress bar can be watched and photographed (and
    // a test can act in the middle of a download) without slowing the suite more than needed.
    const step = slow ? Math.ceil(body.length / 20) : part.length || 1;
    for (let i = 0; i < part.length; i += step) {
      if (res.destroyed) return;
      const chunk = part.subarray(i, i + step);
      res.write(chunk);
      entry.bytes += chunk.length;
      if (slow) await new Promise((r) => setTimeout(r, 75));
    }
    res.end();
  };
  const range = req.headers.range?.match(/^bytes=(\d+)-(\d*)$/);
  // If-Range: the range only for the version it names; another version is sent whole.
  const ifRange = req.headers['if-range'];
  if (range && (ifRange === undefined || ifRange === validators.etag || ifRange === validators['last-modified'])) {
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : body.length - 1, body.length - 1);
    const size = (match[1] === 'moodlens/large-emotion' || match[1] === 'moodlens/large-tone') && match[2].endsWith('.onnx') ? 90_000_000 : body.length;
    res.writeHead(206, {
      ...CORS,
      ...validators,
      'content-type': type,
      'content-length': end - start + 1,
      'content-range': `bytes ${start}-${end}/${size}`,
    });
    await send(body.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { ...CORS, ...validators, 'content-type': type, 'content-length': body.length });
  if (match[1] === 'moodlens/cut-emotion' && match[2].endsWith('.onnx') && req.method === 'GET' && !cut.has(url.pathname)) {
    cut.add(url.pathname);
    res.write(body.subarray(0, body.length >> 1));
    entry.bytes += body.length >> 1;
    setTimeout(() => res.destroy(), 1500);
    return;
  }
  await send(body);
});

appServer.listen(APP_PORT, HOST, () => console.log(`app on http://${HOST}:${APP_PORT}/ (serving ${DIST})`));
hubServer.listen(HUB_PORT, HOST, () => console.log(`model hub on http://${HOST}:${HUB_PORT}/ (serving ${MODELS})`));

const vision = createFakeOpenAI();
vision.server.listen(VISION_PORT, HOST, () => console.log(`vision API on http://${HOST}:${VISION_PORT}/openai/v1`));
