#!/usr/bin/env node
// The face channel in the browser: the app's BUILT face worker in headless Debian Chromium, driven
// through its protocol from a blank page (bench/face/driver.js), on a 12 MP JPEG made at run time
// from the sample picture in @vladmandic/human's package (and the same picture stored sideways with
// an EXIF orientation, as PNG and as WebP) and on the small photos the tests use. Prints the cold
// start, the worker's time per picture (decode / detect / expressions, median and p90) for 1 and 2
// ONNX Runtime threads, and the ratio to the 400 ms target; checks the faces found (3 people: 3,
// smiling person: 1 reading joy, ceiling lamps: 0) and exits 1 when they are wrong. See
// bench/README.md ("Faces").
//
//   node bench/face/run.mjs [--no-build] [--dist dir] [--runs N] [--cold N] [--threads 1,2]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { launchChromium } from '../real-shape/browser.mjs';
import { startServers } from '../real-shape/servers.mjs';
import { manAtTable, noFace, smilingPerson, threePeople } from '../../tests/support/face-photos.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const TARGET_MS = 400;
const WARMUPS = 2;

function options(argv) {
  const o = { build: true, dist: null, runs: 10, cold: 3, threads: [1, 2] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-build') o.build = false;
    else if (a === '--dist') o.dist = path.resolve(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--cold') o.cold = Number(argv[++i]);
    else if (a === '--threads') o.threads = argv[++i].split(',').map(Number);
    else throw new Error(`unknown argument ${a} (see bench/README.md)`);
  }
  // Built here by default, so dist/ (served by the e2e tests) is left alone; --no-build serves dist/.
  o.dist ??= o.build ? path.join(ROOT, 'bench/.cache/face-dist') : path.join(ROOT, 'dist');
  return o;
}

// ---------------------------------------------------------------------------
// Pictures
// ---------------------------------------------------------------------------

const SAMPLES = path.join(ROOT, 'node_modules/@vladmandic/human/assets/samples.jpg');

/**
 * samples.jpg (1280x1158) scaled to cover 4000x3000 (the bottom, legs only, is cut), with a faint
 * deterministic grain so the file is as dense as a camera's (a smooth upscale compresses to half of
 * that, and decoding time follows the bytes).
 */
async function twelveMegapixels() {
  const { data, info } = await sharp(SAMPLES)
    .resize(4000, 3000, { fit: 'cover', position: 'top', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = ((seed >>> 16) % 13) - 6;
    data[i] = Math.max(0, Math.min(255, data[i] + noise));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
}

async function makePictures() {
  const big = await twelveMegapixels();
  const jpeg = await big.clone().jpeg({ quality: 92 }).toBuffer();
  return [
    // name, bytes, type, what must come out (null: nothing checked but the size)
    { name: '12 MP JPEG', bytes: jpeg, type: 'image/jpeg', size: '4000x3000', check: null },
    // The same picture stored sideways (3000x4000) with EXIF orientation 6: the worker must turn it back.
    {
      name: '12 MP JPEG, EXIF 6',
      bytes: await sharp(jpeg).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer(),
      type: 'image/jpeg',
      size: '4000x3000',
      check: 'same faces as 12 MP JPEG',
    },
    { name: '12 MP WebP', bytes: await big.clone().webp({ quality: 90 }).toBuffer(), type: 'image/webp', size: '4000x3000', check: null },
    { name: '12 MP PNG', bytes: await big.clone().png({ compressionLevel: 3 }).toBuffer(), type: 'image/png', size: '4000x3000', check: null },
    { name: 'three people', bytes: await threePeople(), type: 'image/jpeg', check: { faces: 3 } },
    { name: 'smiling person', bytes: await smilingPerson(), type: 'image/jpeg', check: { faces: 1, top: 'joy' } },
    { name: 'man at table', bytes: await manAtTable(), type: 'image/jpeg', check: { faces: 1 } },
    { name: 'ceiling (no face)', bytes: await noFace(), type: 'image/jpeg', check: { faces: 0 } },
  ];
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
}
const median = (v) => quantile(v, 0.5);
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(0)}` : '-');
const kb = (n) => `${(n / 1024).toFixed(0)} kB`;
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

function topEmotion(scores) {
  return Object.entries(scores).sort((a, b) => b[1] - a[1])[0][0];
}

function describeFaces(answer) {
  if (answer.faces.length === 0) return '0';
  return `${answer.faces.length} (${topEmotion(answer.faces[0].scores)} ${answer.faces[0].score.toFixed(2)})`;
}

/** What is wrong with an answer, or null. */
function problem(picture, answer, answers) {
  if (picture.size && `${answer.width}x${answer.height}` !== picture.size) return `size ${answer.width}x${answer.height}, expected ${picture.size}`;
  const c = picture.check;
  if (c === null) return null;
  if (c === 'same faces as 12 MP JPEG') {
    const plain = answers.get('12 MP JPEG');
    if (plain && plain.faces.length !== answer.faces.length) return `${answer.faces.length} faces, the upright file gave ${plain.faces.length}`;
    return null;
  }
  if (answer.faces.length !== c.faces) return `${answer.faces.length} faces, expected ${c.faces}`;
  if (c.top && topEmotion(answer.faces[0].scores) !== c.top) return `top emotion ${topEmotion(answer.faces[0].scores)}, expected ${c.top}`;
  return null;
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

function build(outDir) {
  const t0 = Date.now();
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const b = spawnSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('vite build failed');
  return Date.now() - t0;
}

function builtFiles(dist) {
  const assets = path.join(dist, 'assets');
  if (!fs.existsSync(assets)) throw new Error(`${path.relative(ROOT, dist)} has no build: run \`npm run build\` or drop --no-build`);
  const files = fs.readdirSync(assets);
  const worker = files.find((f) => /^face-worker-.*\.js$/.test(f));
  if (!worker) throw new Error(`${path.relative(ROOT, dist)} has no face worker: rebuild`);
  const models = files.filter((f) => f.endsWith('.onnx')).map((f) => ({ file: f, size: fs.statSync(path.join(assets, f)).size }));
  return { worker: `/assets/${worker}`, models };
}

async function main() {
  const o = options(process.argv.slice(2));
  console.log(`Moodlens face channel benchmark, ${new Date().toISOString()}`);
  if (o.build) console.log(`built ${path.relative(ROOT, o.dist)} (vite build) in ${(build(o.dist) / 1000).toFixed(1)} s`);
  const built = builtFiles(o.dist);
  console.log(`models: ${built.models.map((m) => `${m.file} ${kb(m.size)}`).join(', ')}`);

  const pictures = await makePictures();
  const servers = await startServers({ dist: o.dist, models: path.join(ROOT, 'bench/.cache/models'), driver: path.join(HERE, 'driver.js') });
  const browser = await launchChromium('npm run bench:face');
  console.log(`Chromium ${browser.version()}, ${os.cpus().length} CPUs, page cross-origin isolated (COOP/COEP)\n`);

  const problems = [];
  try {
    /** A fresh profile (empty HTTP cache) with the bench page and the pictures loaded. */
    const openPage = async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (err) => console.error(`  [page] ${err.message}`));
      await page.goto(`${servers.isolated}/__bench.html`);
      await page.waitForFunction(() => 'faceBench' in window);
      if (!(await page.evaluate(() => window.faceBench.crossOriginIsolated()))) throw new Error('the bench page is not cross-origin isolated');
      for (const p of pictures) await page.evaluate(([n, b, t]) => window.faceBench.addPicture(n, b, t), [p.name, p.bytes.toString('base64'), p.type]);
      return { context, page };
    };

    for (const threads of o.threads) {
      const url = `${built.worker}?threads=${threads}`;
      const label = `${threads} thread${threads > 1 ? 's' : ''}`;

      // Cold start: a fresh profile each time; the page asks for warm-up and a 12 MP read at once.
      // Then a second worker in the same page (files in the HTTP cache), as after a cancel.
      const colds = [];
      const seconds = [];
      for (let i = 0; i < o.cold; i++) {
        const { context, page } = await openPage();
        colds.push(await page.evaluate(([u, p]) => window.faceBench.start(u, p), [url, '12 MP JPEG']));
        seconds.push(await page.evaluate(([u, p]) => window.faceBench.start(u, p), [url, '12 MP JPEG']));
        await context.close();
      }
      console.log(`Start, ${label} (median of ${o.cold}), ms after the worker was created [threads in use: ${colds[0].load.threads}]:`);
      for (const [name, list] of [['cold (fresh profile)', colds], ['second worker, same page', seconds]]) {
        const c = (f) => ms(median(list.map(f)));
        console.log(`  ${pad(name, 26)} script running ${lpad(c((x) => x.readyMs), 4)}, models fetched ${lpad(c((x) => x.load.fetchedMs), 4)}, ` +
          `sessions created ${lpad(c((x) => x.load.loadMs), 5)}, warmed up ${lpad(c((x) => x.warmedMs), 5)}, first answer (12 MP JPEG) ${lpad(c((x) => x.firstAnswerMs), 5)}`);
      }

      // Per picture: one worker, warmed, each picture WARMUPS times untimed, then o.runs timed rounds.
      const { context, page } = await openPage();
      await page.evaluate(([u, p]) => window.faceBench.start(u, p), [url, 'smiling person']);
      for (let w = 0; w < WARMUPS; w++) for (const p of pictures) await page.evaluate((n) => window.faceBench.read(n), p.name);
      const samples = new Map(pictures.map((p) => [p.name, []]));
      for (let r = 0; r < o.runs; r++) {
        for (const p of pictures) samples.get(p.name).push(await page.evaluate((n) => window.faceBench.read(n), p.name));
      }
      await context.close();

      console.log(`\nPer picture, ${label}: worker time over ${o.runs} runs after ${WARMUPS} warm-ups (median split: decode / detect / expressions), ms`);
      console.log(`  ${pad('picture', 20)}${pad('file', 9)}${pad('size', 11)}${pad('faces (top)', 17)}${lpad('decode', 7)}${lpad('detect', 7)}${lpad('expr', 6)}${lpad('p50', 7)}${lpad('p90', 6)}${lpad('page p50', 10)}${lpad('/ 400 ms', 10)}  check`);
      const answers = new Map();
      for (const p of pictures) {
        const runs = samples.get(p.name);
        const last = runs[runs.length - 1].answer;
        answers.set(p.name, last);
        const worker = runs.map((x) => x.answer.elapsedMs);
        const t = (k) => ms(median(runs.map((x) => x.answer.timings[k])));
        const wrong = problem(p, last, answers) ?? (runs.some((x) => x.answer.faces.length !== last.faces.length) ? 'faces differ between runs' : null);
        if (wrong) problems.push(`${label}, ${p.name}: ${wrong}`);
        console.log(`  ${pad(p.name, 20)}${pad(kb(p.bytes.length), 9)}${pad(`${last.width}x${last.height}`, 11)}${pad(describeFaces(last), 17)}` +
          `${lpad(t('decodeMs'), 7)}${lpad(t('detectMs'), 7)}${lpad(t('expressionsMs'), 6)}${lpad(ms(median(worker)), 7)}${lpad(ms(quantile(worker, 0.9)), 6)}` +
          `${lpad(ms(median(runs.map((x) => x.roundTripMs))), 10)}${lpad((median(worker) / TARGET_MS).toFixed(2), 10)}  ${wrong ? `WRONG: ${wrong}` : 'ok'}`);
      }
      console.log('');
    }
  } finally {
    await browser.close();
    await servers.close();
  }
  console.log('p50/p90: the worker\'s own time (decode + detect + expressions); page p50: the page\'s round trip.');
  if (problems.length > 0) {
    console.error(`\nWrong answers:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('All answers as expected (3 people: 3 faces, smiling person: 1 reading joy, ceiling: 0, man at table: 1, EXIF turned back).');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
