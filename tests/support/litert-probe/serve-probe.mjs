// Builds the LiteRT.js probe page (this folder) with Vite and the app's LiteRT plugin into a
// temporary folder, and serves it on 127.0.0.1: under /iso/ cross-origin isolated (threads
// allowed), under /plain/ as most static hosts serve; `files`, a folder, under /iso/files/ and
// /plain/files/ (models for the converter). Used by tests/e2e/litert-engine.spec.ts and
// by the bench (bench/real-shape/run.mjs, LiteRT.js section).
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { litertFactories } from '../../../scripts/lib/litert-plugin.mjs';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * @param {{ files?: string }} [options]
 * @returns {Promise<{ origin: string, close(): Promise<void> }>}
 */
export async function serveProbe({ files } = {}) {
  const outDir = await mkdtemp(path.join(tmpdir(), 'moodlens-litert-probe-'));
  await build({
    configFile: false,
    root: ROOT,
    base: './',
    logLevel: 'warn',
    plugins: [litertFactories()],
    worker: { format: 'es', plugins: () => [litertFactories()] },
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, mode, ...rest] = url.pathname.split('/');
    const fromFiles = files && rest[0] === 'files';
    const root = fromFiles ? path.resolve(files) : outDir;
    const file = path.join(root, (fromFiles ? rest.slice(1) : rest).join('/') || 'index.html');
    stat(file).then(
      (s) => {
        if (!s.isFile() || !file.startsWith(root)) throw new Error('not a file');
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...(mode === 'iso' ? ISOLATION : {}) });
        createReadStream(file).pipe(res);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  return {
    origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async close() {
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
