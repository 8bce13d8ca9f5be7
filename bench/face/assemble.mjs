#!/usr/bin/env node
// Rebuilds the photo folder of the face precision bench (bench/.cache/face-eval/, git-ignored) from
// bench/face/eval-set.json, which says where each photo comes from:
//   - a Debian package and a path in it: taken from the installed file when the package is
//     installed, else from the package's .deb (apt's cache, or `apt-get download` of that exact
//     version), unpacked with `dpkg-deb -x` under bench/.cache/face-debs/ (nothing is installed);
//     scipy's face.dat is a bz2 of raw 1024x768 RGB and is written as PNG;
//   - a GitHub repository, a commit and a path: read from its snapshot under /work/.mirror
//     (`git --git-dir=... show <commit>:<path>`). A missing snapshot is fetched with the session's
//     `fetch` tool (it is not on the command line); the script says which.
//
//   node bench/face/assemble.mjs [--dir bench/.cache/face-eval] [--mirrors /work/.mirror] [--force]
//
// Photos already in the folder are kept unless --force. Exits 1 if any photo could not be made.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? path.resolve(args[args.indexOf(name) + 1]) : fallback);
const dir = option('--dir', path.join(ROOT, 'bench/.cache/face-eval'));
const mirrors = option('--mirrors', '/work/.mirror');
const debs = path.join(ROOT, 'bench/.cache/face-debs');
const force = args.includes('--force');

/** scipy.datasets.face / scipy.misc.face: 768 rows of 1024 RGB pixels, bz2-compressed. */
const SCIPY_FACE = { width: 1024, height: 768 };

const { photos } = JSON.parse(readFileSync(path.join(ROOT, 'bench/face/eval-set.json'), 'utf8'));
mkdirSync(dir, { recursive: true });

/** dpkg's file name for a version: the epoch's colon is written %3a. */
const debFileVersion = (version) => version.replace(':', '%3a');

/** The folder a package's files were unpacked into, unpacking its .deb first if needed. */
const unpacked = new Map();
function packageRoot(deb, version) {
  const key = `${deb}=${version}`;
  const known = unpacked.get(key);
  if (known) return known;
  const into = path.join(debs, `${deb}_${debFileVersion(version)}`);
  if (!existsSync(path.join(into, '.done'))) {
    const name = `${deb}_${debFileVersion(version)}_`;
    const find = (folder) => (existsSync(folder) ? readdirSync(folder).find((f) => f.startsWith(name) && f.endsWith('.deb')) : undefined);
    let file = find('/var/cache/apt/archives');
    let from = '/var/cache/apt/archives';
    if (!file) {
      mkdirSync(debs, { recursive: true });
      file = find(debs);
      from = debs;
      if (!file) {
        console.log(`apt-get download ${key}`);
        execFileSync('apt-get', ['download', key], { cwd: debs, stdio: ['ignore', 'ignore', 'inherit'] });
        file = find(debs);
      }
    }
    if (!file) throw new Error(`no .deb for ${key}`);
    mkdirSync(into, { recursive: true });
    execFileSync('dpkg-deb', ['-x', path.join(from, file), into]);
    writeFileSync(path.join(into, '.done'), `${from}/${file}\n`);
  }
  unpacked.set(key, into);
  return into;
}

/** Whether the installed package is the version the set names (then its files are used as they are). */
function installed(deb, version) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Status} ${Version}', deb], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) === `install ok installed ${version}`;
  } catch {
    return false;
  }
}

function fromDebian({ deb, version, path: file }) {
  const at = installed(deb, version) && existsSync(file) ? file : path.join(packageRoot(deb, version), file);
  return readFileSync(at);
}

function fromMirror({ repo, commit, path: file }) {
  const base = path.join(mirrors, repo.replace('/', '+'), 'repo');
  const gitDir = existsSync(path.join(base, '.git')) ? path.join(base, '.git') : base;
  if (!existsSync(path.join(gitDir, 'HEAD'))) throw new Error(`no snapshot of ${repo} under ${mirrors}: call the fetch tool with github:${repo}, then run this again`);
  return execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${file}`], { maxBuffer: 64 << 20 });
}

/** The photo's bytes as stored in the folder. */
async function bytesOf(photo) {
  const { source } = photo;
  if ('deb' in source) {
    const raw = fromDebian(source);
    if (!source.path.endsWith('.dat')) return raw;
    const rgb = execFileSync('bzip2', ['-dc'], { input: raw, maxBuffer: 64 << 20 });
    const { width, height } = SCIPY_FACE;
    if (rgb.length !== width * height * 3) throw new Error(`${source.path}: ${rgb.length} bytes, expected ${width}x${height} RGB`);
    return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
  }
  if ('repo' in source) return fromMirror(source);
  throw new Error(`unknown source ${JSON.stringify(source)}`);
}

let made = 0;
let kept = 0;
const failed = [];
for (const photo of photos) {
  const target = path.join(dir, photo.id);
  if (!force && existsSync(target)) {
    kept++;
    continue;
  }
  try {
    const bytes = await bytesOf(photo);
    await sharp(bytes).metadata(); // a photo sharp cannot read would only fail later, in the bench
    writeFileSync(target, bytes);
    made++;
  } catch (err) {
    failed.push(photo.id);
    console.error(`${photo.id}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
console.log(`${dir}: ${made} made, ${kept} already there, ${failed.length} failed (of ${photos.length})`);
if (failed.length > 0) process.exit(1);
