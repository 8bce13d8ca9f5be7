#!/usr/bin/env node
// Precision and recall of the face channel's detector on photos from outside this repo (Debian
// packages' sample images, two face libraries' example photos: bench/face/eval-set.json says where
// each comes from, its licence, and how many faces a person sees in it). Runs the app's own
// pipeline (src/features/faces/face-pipeline.ts, through Vite's module runner) with the converted models on
// onnxruntime-node and prints, per photo, every candidate the detector kept with its detection
// score, the verifier's face flags (on the square / on its mirror image) and the confirming
// detector's score (-: not asked; x: turned down), then totals for the tuning part and the
// held-out part, and the pipeline's time per photo.
//
//   node bench/face/precision.mjs [--dir bench/.cache/face-eval] [--before | --single | --mirror] [--quiet]
//
// --before answers with every candidate the detector kept: the pipeline before the verifier (and
// before boxes inside a better face were dropped). --single judges by the flag on the square alone
// (the verifier before the mirror check), --mirror by both flags (before the confirming detector).
// Whichever is asked, the whole pipeline runs; only the count differs.
// The photos are laid out by bench/face/assemble.mjs. Faces are counted, not matched by position:
// a photo with t faces (and o optional ones: profile, tiny, hidden) whose answer has n faces has
// min(n, t) found, max(0, t - n) missed and max(0, n - t - o) false.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';
import { loadFaceModels, sharpImage } from '../../tests/support/face-node.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const dir = args.includes('--dir') ? path.resolve(args[args.indexOf('--dir') + 1]) : path.join(ROOT, 'bench/.cache/face-eval');
const before = flag('--before');
const single = flag('--single');
const mirror = flag('--mirror');

const { photos } = JSON.parse(readFileSync(path.join(ROOT, 'bench/face/eval-set.json'), 'utf8'));
const load = async (file) => (await runnerImport(path.join(ROOT, file), { configFile: false, logLevel: 'error' })).module;
const pipeline = await load('src/features/faces/face-pipeline.ts');
const { MIN_FACE_PRESENCE, suppressContained } = await load('src/features/faces/faces.ts');
const loaded = await loadFaceModels();
/** Time spent in each model, summed over the photos (ms), to say where the time goes under any load. */
const spent = { detect: 0, presence: 0, confirm: 0, expressions: 0 };
const models = Object.fromEntries(
  Object.entries(loaded).map(([name, run]) => [
    name,
    async (...a) => {
      const start = performance.now();
      try {
        return await run(...a);
      } finally {
        spent[name] += performance.now() - start;
      }
    },
  ]),
);

const rows = [];
let elapsed = 0;
for (const photo of photos) {
  const image = await sharpImage(path.join(dir, photo.id));
  let candidates = [];
  const start = performance.now();
  const faces = await pipeline.readFaces(image, models, { onCandidates: (c) => (candidates = c) });
  elapsed += performance.now() - start;
  const n = before
    ? candidates.length
    : single
      ? suppressContained(candidates.filter((c) => c.flags[0] >= MIN_FACE_PRESENCE)).length
      : mirror
        ? suppressContained(candidates.filter((c) => c.presence >= MIN_FACE_PRESENCE)).length
        : faces.length;
  const row = { ...photo, found: Math.min(n, photo.faces), missed: Math.max(0, photo.faces - n), false: Math.max(0, n - photo.faces - photo.optional), answered: n };
  rows.push(row);
  if (!flag('--quiet')) {
    const list = candidates
      .map((c) => `${c.score.toFixed(2)}/${c.flags[0].toFixed(2)}/${c.flags[1].toFixed(2)}/${c.confirmation === null ? '-' : c.confirmation.toFixed(2)}${faces.some((f) => f.box === c.box) ? '' : 'x'}`)
      .join(' ');
    const mark = row.false > 0 ? ' FALSE' : row.missed > 0 ? ' MISS' : '';
    console.log(`${photo.split === 'holdout' ? 'H' : 'T'} ${photo.id.padEnd(44)} faces ${photo.faces}${photo.optional ? `+${photo.optional}?` : '   '} answer ${n}${mark}  ${list}`);
  }
}

function totals(label, list) {
  const sum = (key) => list.reduce((a, r) => a + r[key], 0);
  const noFace = list.filter((r) => r.faces + r.optional === 0);
  const withFaces = list.filter((r) => r.faces > 0);
  const falseOnNoFace = noFace.reduce((a, r) => a + r.false, 0);
  const found = sum('found');
  const falseFaces = sum('false');
  console.log(
    `${label.padEnd(9)} photos ${String(list.length).padStart(3)} (no-face ${noFace.length}, with faces ${withFaces.length}) | real faces ${sum('faces')} found ${found} missed ${sum('missed')} | ` +
      `false faces ${falseFaces} (on no-face photos ${falseOnNoFace}, ${(falseOnNoFace / Math.max(1, noFace.length)).toFixed(3)} per photo; no-face photos with a face ${noFace.filter((r) => r.false > 0).length}) | ` +
      `precision ${(found / Math.max(1, found + falseFaces)).toFixed(3)} recall ${(found / Math.max(1, sum('faces'))).toFixed(3)}`,
  );
}
const mode = before
  ? 'BEFORE (detector only, score >= 0.5)'
  : single
    ? "SINGLE (detector, then the face landmark model's flag on the square)"
    : mirror
      ? "MIRROR (detector, then the face landmark model's flags on the square and on its mirror image)"
      : 'AFTER (detector, both face flags, then the confirming detector, FaceBoxes)';
console.log(`\n${mode}; pipeline ${(elapsed / rows.length).toFixed(1)} ms per photo in Node (decoded pictures, onnxruntime-node)`);
console.log(`  of which, per photo: ${Object.entries(spent).map(([k, v]) => `${k} ${(v / rows.length).toFixed(1)} ms`).join(', ')}`);
totals('tune', rows.filter((r) => r.split === 'tune'));
totals('held-out', rows.filter((r) => r.split === 'holdout'));
totals('all', rows);
