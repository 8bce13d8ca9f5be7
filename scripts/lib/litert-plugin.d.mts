import type { Plugin } from 'vite';
/** LiteRT.js's wasm loader scripts as ES modules: `virtual:litert-factory/plain` and `/threaded`. */
export function litertFactories(): Plugin;
