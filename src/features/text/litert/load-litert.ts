// Starts LiteRT.js (Google's TFLite runtime: XNNPACK in wasm, with relaxed SIMD) inside a module
// worker, from files on our own origin. The second text engine runs on it where the browser
// has relaxed SIMD; ONNX Runtime stays the engine everywhere else.
//
// LiteRT.js expects a classic worker (it runs its loader with importScripts) and works out its
// file locations from document.currentScript. In a module worker neither exists: its threaded
// build then asked for `/undefined` as the script of its helper threads and never finished
// starting, which is the "hang" noted in PITFALLS.md. So the loader script arrives as an ES module
// (scripts/lib/litert-plugin.mjs), and `self.Module` tells the factory where its wasm is and which
// classic script the helper threads must run.
import { loadLiteRt, supportsFeature, type LiteRt } from '@litertjs/core';
import plainScriptUrl from '@litertjs/core/wasm/litert_wasm_internal.js?url';
import plainWasmUrl from '@litertjs/core/wasm/litert_wasm_internal.wasm?url';
import threadedScriptUrl from '@litertjs/core/wasm/litert_wasm_threaded_internal.js?url';
import threadedWasmUrl from '@litertjs/core/wasm/litert_wasm_threaded_internal.wasm?url';

export type LiteRtBuild = 'plain' | 'threaded';

/**
 * The LiteRT.js build for a browser: none without relaxed SIMD (LiteRT.js would fall back to its
 * slower "compat" build, and ONNX Runtime is the better engine there); threads only where the
 * page is cross-origin isolated (they need SharedArrayBuffer) and wasm threads work.
 */
export function chooseLiteRtBuild(features: { relaxedSimd: boolean; threads: boolean; crossOriginIsolated: boolean }): LiteRtBuild | null {
  if (!features.relaxedSimd) return null;
  return features.crossOriginIsolated && features.threads ? 'threaded' : 'plain';
}

/** What this browser can run (see chooseLiteRtBuild). */
export async function liteRtBuildFor(crossOriginIsolated: boolean): Promise<LiteRtBuild | null> {
  const [relaxedSimd, threads] = await Promise.all([supportsFeature('relaxedSimd'), supportsFeature('threads')]);
  return chooseLiteRtBuild({ relaxedSimd, threads, crossOriginIsolated });
}

const FILES: Readonly<Record<LiteRtBuild, { script: string; wasm: string; factory: () => Promise<{ default: unknown }> }>> = {
  plain: { script: plainScriptUrl, wasm: plainWasmUrl, factory: () => import('virtual:litert-factory/plain') },
  threaded: { script: threadedScriptUrl, wasm: threadedWasmUrl, factory: () => import('virtual:litert-factory/threaded') },
};

/** The URL of a build's wasm (hashed by the bundler, so it changes with the binary). */
export function liteRtWasmUrl(build: LiteRtBuild): string {
  return FILES[build].wasm;
}

interface LoaderGlobals {
  ModuleFactory?: unknown;
  Module?: { locateFile(file: string): string; mainScriptUrlOrBlob: string };
  importScripts?: unknown;
}

let started: Promise<LiteRt> | null = null;

/** Starts LiteRT.js once per worker (a worker can hold one build). */
export function startLiteRt(build: LiteRtBuild): Promise<LiteRt> {
  started ??= (async () => {
    const files = FILES[build];
    const scope = self as unknown as LoaderGlobals;
    const absolute = (url: string) => new URL(url, self.location.href).href;
    scope.ModuleFactory = (await files.factory()).default;
    scope.Module = {
      locateFile: (file) => (file.endsWith('.wasm') ? absolute(files.wasm) : absolute(files.script)),
      mainScriptUrlOrBlob: absolute(files.script),
    };
    // LiteRT.js calls importScripts(loader) when it is a function; the factory is already here.
    const importScripts = Object.getOwnPropertyDescriptor(scope, 'importScripts');
    scope.importScripts = () => undefined;
    try {
      // The path only picks a file name, which the stub above never loads.
      return await loadLiteRt(new URL('./', absolute(files.script)).href, { threads: build === 'threaded' });
    } finally {
      if (importScripts) Object.defineProperty(scope, 'importScripts', importScripts);
      else delete scope.importScripts;
    }
  })();
  started.catch(() => (started = null));
  return started;
}
