// @vitest-environment node
// `npm run dev` must pre-bundle every package the app imports before the page asks for it: a
// package found later (papaparse when the batch worker first starts, chart.js when a chart first
// draws) makes Vite re-bundle and reload the page, and a batch file half read is lost (issue 28).
// Vite's dev server in middleware mode, on a fresh cache, is asked what its first scan found.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

/** Every package `src/` imports for its code (not types, virtual modules or `?url` assets). */
function packagesImported(dir = 'src'): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(ts|svelte)$/u.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
    const source = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    const specifiers = [
      ...Array.from(source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;'"]*?from\s+'([^']+)'/gmu), (m) => (m[1] ? '' : m[2])),
      ...Array.from(source.matchAll(/import\(\s*'([^']+)'\s*\)/gu), (m) => m[1]),
    ];
    for (const specifier of specifiers) {
      if (!specifier || /^[./]/u.test(specifier) || specifier.startsWith('virtual:') || specifier.includes('?')) continue;
      found.add(specifier);
    }
  }
  return found;
}

describe('dependency pre-bundling for the dev server', () => {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'moodlens-vite-deps-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('pre-bundles every package a view or a worker loads, lazily or not, in its first scan', async () => {
    const imported = packagesImported();
    // The ones that reloaded the page before: only workers or a chart load them.
    for (const lazy of ['papaparse', 'chart.js', 'chartjs-chart-matrix', '@litertjs/core', 'flatbuffers', 'onnxruntime-web/wasm']) expect(imported).toContain(lazy);

    const server = await createServer({ configFile: 'vite.config.ts', cacheDir, logLevel: 'silent', server: { middlewareMode: true, ws: false } });
    try {
      const optimizer = server.environments.client.depsOptimizer;
      expect(optimizer).toBeDefined();
      await optimizer!.init();
      await optimizer!.scanProcessing;
      const { optimized, discovered } = optimizer!.metadata;
      const bundled = new Set([...Object.keys(optimized), ...Object.keys(discovered)]);
      expect([...imported].filter((name) => !bundled.has(name)).sort()).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
