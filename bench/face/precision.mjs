#!/usr/bin/env node
// Precision and recall of the face channel's detector on photos from outside this repo (Debian
// packages' sample images, two face libraries' example photos: bench/face/eval-set.json says where
// each comes from, its licence, and how many faces a person sees in it). Runs the app's own
// pipeline (src/features/faces/face-pipeline.ts, through Vite's module runner) with the converted models on
// onnxruntime-node and prints, per photo, every candidate the detector kept with its detection
// score and the verifier's face presence, then totals for the tuning part and the held-out part.
//
//   node bench/face/precision.mjs [--dir bench/.cache/face-eval] [--before] [--quiet]
//
// --before ignores the verifier (minPresence 0): the pipeline as it was, detector only.
// The photos are laid out by bench/face/eval-set.mjs. Faces are counted, not matched by position:
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

const { photos } = JSON.parse(readFileSync(path.join(ROOT, 'bench/face/eval-set.json'), 'utf8'));
const { module: pipeline } = await runnerImport(path.join(ROOT, 'src/features/faces/face-pipeline.ts'), { configFile: false, logLevel: 'error' });
const models = await loadFaceModels();

const rows = [];
for (const photo of photos) {
  const image = await sharpImage(path.join(dir, photo.id));
  let candidates = [];
  const faces = await pipeline.readFaces(image, models, { ...(before ? { minPresence: 0 } : {}), onCandidates: (c) => (candidates = c) });
  const n = faces.length;
  const row = { ...photo, found: Math.min(n, photo.faces), missed: Math.max(0, photo.faces - n), false: Math.max(0, n - photo.faces - photo.optional), answered: n };
  rows.push(row);
  if (!flag('--quiet')) {
    const list = candidates.map((c) => `${c.score.toFixed(2)}/${c.presence.toFixed(2)}${faces.some((f) => f.box === c.box) ? '' : 'x'}`).join(' ');
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
console.log(`\n${before ? 'BEFORE (detector only, score >= 0.5)' : 'AFTER (detector, then the face landmark model\'s face presence)'}`);
totals('tune', rows.filter((r) => r.split === 'tune'));
totals('held-out', rows.filter((r) => r.split === 'holdout'));
totals('all', rows);
