// The benchmark's HTTP servers, all on 127.0.0.1:
//  - the built app (dist/) twice: once with cross-origin isolation (COOP/COEP, so onnxruntime-web
//    may use threads) and once without (what most static hosts send). Both also serve
//    /__bench.html and /__bench/driver.js, a blank page that drives the app's built worker.
//    Every request is logged with its Sec-Fetch-Dest and the bytes sent. Caching is what a good
//    static host does (ETag, hashed assets immutable), so the browser's caches work as for users.
//  - a model hub serving bench/.cache/models in the Hugging Face layout, streamed, with Range and
//    CORS. `<id>-int8` offers only the int8 weights and `<id>-fp32` only the fp32 ones, so the
//    app's own dtype choice picks the one being measured.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { CONTENT_TYPES } from '../../scripts/lib/content-types.mjs';

const HOST = '127.0.0.1';
const TYPES = CONTENT_TYPES;
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'range, content-type',
  'access-control-expose-headers': 'content-length, content-range, etag',
  'cross-origin-resource-policy': 'cross-origin',
};

const BENCH_PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Moodlens bench</title><script type="module" src="/__bench/driver.js"></script></head><body></body></html>`;

async function fileInfo(base, rel) {
  const path = normalize(join(base, rel));
  if (!path.startsWith(base)) return null;
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch {
    return null;
  }
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(`http://${HOST}:${server.address().port}`));
  });
}

/** Sends a file (or a byte range of it), counting the bytes. */
function sendFile(req, res, file, headers, onSent) {
  const range = req.headers.range?.match(/^bytes=(\d+)-(\d*)$/);
  if (range) {
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : file.size - 1, file.size - 1);
    res.writeHead(206, { ...headers, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${file.size}` });
    onSent(end - start + 1);
    createReadStream(file.path, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': file.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  onSent(file.size);
  createReadStream(file.path).pipe(res);
}

/**
 * Starts the app servers (isolated and not) and the hub.
 * @param {{ dist: string, models: string, driver: string }} paths
 */
export async function startServers({ dist, models, driver }) {
  /** @type {{ server: string, path: string, dest: string, bytes: number }[]} */
  const log = [];

  const appServer = (name, isolated) =>
    createServer(async (req, res) => {
      const url = new URL(req.url, 'http://x');
      const headers = isolated ? { ...ISOLATION } : {};
      const entry = { server: name, path: url.pathname, dest: String(req.headers['sec-fetch-dest'] ?? ''), bytes: 0 };
      log.push(entry);
      if (url.pathname === '/__bench.html') {
        res.writeHead(200, { ...headers, 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
        res.end(BENCH_PAGE);
        return;
      }
      if (url.pathname === '/__bench/driver.js') {
        res.writeHead(200, { ...headers, 'content-type': TYPES['.js'], 'cache-control': 'no-store' });
        res.end(await readFile(driver));
        return;
      }
      const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname);
      const file = await fileInfo(dist, rel);
      if (!file) {
        res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      // As a good static host does: hashed assets cached for good, everything revalidated by ETag.
      const etag = `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
      const caching = {
        etag,
        'cache-control': rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ...headers, ...caching });
        res.end();
        return;
      }
      const type = TYPES[extname(file.path)] ?? 'application/octet-stream';
      sendFile(req, res, file, { ...headers, ...caching, 'content-type': type }, (n) => (entry.bytes = n));
    });

  const hub = createServer(async (req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-max-age': '600' });
      res.end();
      return;
    }
    const url = new URL(req.url, 'http://x');
    const entry = { server: 'hub', path: url.pathname, dest: String(req.headers['sec-fetch-dest'] ?? ''), bytes: 0 };
    log.push(entry);
    const match = url.pathname.match(/^\/(.+?)-(int8|fp32)\/resolve\/main\/(.+)$/);
    const hidden = match?.[2] === 'int8' ? 'onnx/model.onnx' : 'onnx/model_quantized.onnx';
    const file = match && match[3] !== hidden ? await fileInfo(models, join(decodeURIComponent(match[1]), decodeURIComponent(match[3]))) : null;
    if (!file) {
      res.writeHead(404, { ...CORS, 'content-type': 'text/plain' });
      res.end('Entry not found');
      return;
    }
    const type = TYPES[extname(file.path)] ?? 'application/octet-stream';
    sendFile(req, res, file, { ...CORS, 'content-type': type }, (n) => (entry.bytes = n));
  });

  const servers = [appServer('isolated', true), appServer('plain', false), hub];
  const [isolated, plain, hubUrl] = await Promise.all(servers.map((s) => listen(s, 0)));
  return {
    isolated,
    plain,
    hub: hubUrl,
    log,
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))),
  };
}
