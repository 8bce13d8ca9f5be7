// Page weight (issue 29): the JS a visitor's browser loads before the first analysis, the entry
// chunk of dist/index.html and every chunk it imports statically, gzipped, against the 100 kB
// budget; then the chunks loaded later (a view when it is opened, the chart on the first result,
// the workers). Reads the built site: `npx vite build` first.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = path.resolve(process.argv[2] ?? 'dist');
const BUDGET_KB = 100;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
const gz = (rel) => gzipSync(readFileSync(path.join(DIST, rel))).length;

const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
const entry = /<script[^>]+type="module"[^>]+src="\.\/([^"]+)"/u.exec(html)?.[1];
if (!entry) throw new Error('no module script in dist/index.html: build first (npx vite build)');

/** The chunks `file` imports statically (import ... from "./x.js"; export ... from), transitively. */
function staticGraph(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(path.join(DIST, file), 'utf8');
  for (const m of code.matchAll(/(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*{}\s,]+from\s*)?["'](\.\/[^"']+\.js)["']/gu)) {
    staticGraph(path.posix.join(path.posix.dirname(file), m[1]), seen);
  }
  return seen;
}

const initial = [...staticGraph(entry)];
const initialBytes = initial.reduce((n, f) => n + gz(f), 0);
console.log(`Page JS before the first analysis: ${kb(initialBytes)} gzipped, budget ${BUDGET_KB} kB: ${initialBytes <= BUDGET_KB * 1024 ? 'met' : 'OVER'}`);
for (const f of initial) console.log(`  ${kb(gz(f)).padStart(9)}  ${f}`);
const later = readdirSync(path.join(DIST, 'assets'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => `assets/${f}`)
  .filter((f) => !initial.includes(f))
  .map((f) => [f, gz(f)])
  .sort((a, b) => b[1] - a[1]);
console.log('Loaded later (a view when opened, the chart, the workers and runtimes):');
for (const [f, bytes] of later) console.log(`  ${kb(bytes).padStart(9)}  ${f}`);
