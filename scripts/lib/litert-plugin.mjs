// Vite plugin: LiteRT.js's wasm loader scripts as ES modules, for a module worker.
//
// @litertjs/core starts its runtime by running `litert_wasm*_internal.js` with importScripts(),
// which a module worker (ours: Vite bundles workers as ES modules) does not allow. The script is a
// classic script that declares `ModuleFactory`; `virtual:litert-factory/<build>` is that script
// as an ES module whose default export is `ModuleFactory`, so the worker can import it (lazily)
// and hand the factory to LiteRT.js (src/features/text/litert/load-litert.ts). The threaded build's helper threads
// still load the original classic script, by URL.
//
// `virtual:litert-version` exports the installed @litertjs/core's version (a converted model kept
// on the device records it: src/features/text/litert/converted-cache.ts).
//
// Vite bundles workers with `worker.plugins`, not `plugins`: add it to both (vite.config.ts).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const PREFIX = 'virtual:litert-factory/';
const VERSION = 'virtual:litert-version';
const BUILDS = { plain: 'litert_wasm_internal.js', threaded: 'litert_wasm_threaded_internal.js' };

function wasmDir() {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@litertjs/core')), '..', 'wasm');
}

export function litertFactories() {
  return {
    name: 'moodlens-litert-factories',
    resolveId(id) {
      if (id === VERSION) return `\0${VERSION}`;
      return id.startsWith(PREFIX) && id.slice(PREFIX.length) in BUILDS ? `\0${id}` : null;
    },
    async load(id) {
      if (id === `\0${VERSION}`) {
        const manifest = JSON.parse(await readFile(path.join(wasmDir(), '..', 'package.json'), 'utf8'));
        return `export default ${JSON.stringify(manifest.version)};\n`;
      }
      if (!id.startsWith(`\0${PREFIX}`)) return null;
      const file = BUILDS[id.slice(PREFIX.length + 1)];
      const source = await readFile(path.join(wasmDir(), file), 'utf8');
      // The script is run inside a function whose parameters shadow the CommonJS and AMD names it
      // tests with `typeof` (its Node and module-loader branches), so they stay undefined and the
      // bundler sees no `require("node:…")` or `module.exports` to resolve.
      return [
        'const factory = (function (module, exports, define, require) {',
        source,
        'return ModuleFactory;',
        '})();',
        'export default factory;',
        '',
      ].join('\n');
    },
  };
}
