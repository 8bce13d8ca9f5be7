// Vite plugin: the face channel's three models, converted to ONNX from @vladmandic/human's npm package
// (a devDependency) when the app is built or served, so no converted model is committed. The face
// worker imports `virtual:face-models` (src/features/faces/worker/virtual-face-models.d.ts):
//   detectorUrl    blazeface (face detector), ONNX
//   verifierUrl    facemesh (face landmarks; its face flag checks each detection), ONNX
//   expressionUrl  the mini-Xception expression model, ONNX
//   humanVersion   the version of the package they came from
// `vite build` emits them as hashed assets (assets/face-detector-<hash>.onnx, ...), which the
// service worker precaches; `vite` serves them from /__face-models/. The conversion is
// deterministic (same bytes, same hash) and takes about 0.1 s per model.
//
// Vite bundles workers with `worker.plugins`, not `plugins`: add it to both (vite.config.ts).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { convertGraphModel } from './tfjs-to-onnx.mjs';

export const FACE_MODELS_MODULE = 'virtual:face-models';
const RESOLVED_ID = `\0${FACE_MODELS_MODULE}`;
const DEV_PREFIX = '/__face-models/';

/** The models: the name the app uses, the graph model's file name in human's models/ folder. */
const MODELS = [
  { key: 'detectorUrl', file: 'face-detector.onnx', source: 'blazeface' },
  { key: 'verifierUrl', file: 'face-landmarks.onnx', source: 'facemesh' },
  { key: 'expressionUrl', file: 'face-expression.onnx', source: 'emotion' },
];

/** human's package folder; its `exports` has no `./package.json`, so go from its entry file. */
function humanDir() {
  const require = createRequire(import.meta.url);
  let entry;
  try {
    entry = require.resolve('@vladmandic/human');
  } catch {
    throw new Error('@vladmandic/human is not installed: run `npm install` (it is a devDependency; the face models come from it).');
  }
  return path.resolve(path.dirname(entry), '..');
}

/**
 * The converter, memoised per plugin instance: a value, not a promise, is kept, so a failure (a
 * missing file) is tried again on the next request.
 */
function createConverter() {
  /** @type {Map<string, Uint8Array>} */
  const done = new Map();
  let version = '';
  return {
    async version() {
      if (!version) version = JSON.parse(await readFile(path.join(humanDir(), 'package.json'), 'utf8')).version;
      return version;
    },
    /** @param {string} source */
    async onnx(source) {
      const cached = done.get(source);
      if (cached) return cached;
      const dir = path.join(humanDir(), 'models');
      const [json, bin] = await Promise.all([readFile(path.join(dir, `${source}.json`), 'utf8'), readFile(path.join(dir, `${source}.bin`))]);
      const bytes = convertGraphModel(JSON.parse(json), bin, { name: source });
      done.set(source, bytes);
      return bytes;
    },
  };
}

/** @returns {import('vite').Plugin} */
export function faceModels() {
  const converter = createConverter();
  /** @type {'build' | 'serve'} */
  let command = 'build';
  let base = '/';
  return {
    name: 'moodlens-face-models',
    configResolved(config) {
      command = config.command;
      base = config.base;
    },
    resolveId(id) {
      return id === FACE_MODELS_MODULE ? RESOLVED_ID : null;
    },
    async load(id) {
      if (id !== RESOLVED_ID) return null;
      const lines = [`export const humanVersion = ${JSON.stringify(await converter.version())};`];
      for (const model of MODELS) {
        if (command === 'serve') {
          const url = `${base.startsWith('/') ? base : '/'}${DEV_PREFIX.slice(1)}${model.file}`;
          lines.push(`export const ${model.key} = ${JSON.stringify(url)};`);
        } else {
          const ref = this.emitFile({ type: 'asset', name: model.file, source: await converter.onnx(model.source) });
          lines.push(`export const ${model.key} = import.meta.ROLLUP_FILE_URL_${ref};`);
        }
      }
      return lines.join('\n');
    },
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const pathname = (req.url ?? '').split('?')[0] ?? '';
        const at = pathname.indexOf(DEV_PREFIX);
        const model = at >= 0 ? MODELS.find((m) => pathname.slice(at + DEV_PREFIX.length) === m.file) : undefined;
        if (!model) return next();
        try {
          const bytes = await converter.onnx(model.source);
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': bytes.length,
            'cache-control': 'no-cache',
            'cross-origin-opener-policy': 'same-origin',
            'cross-origin-embedder-policy': 'require-corp',
            'cross-origin-resource-policy': 'same-origin',
          });
          res.end(req.method === 'HEAD' ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        } catch (err) {
          next(err);
        }
      });
    },
  };
}
