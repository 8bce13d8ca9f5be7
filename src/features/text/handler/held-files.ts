// Files a model load has already read, held in memory for the rest of that load: on Automatic's
// first load on a device the engine trial starts LiteRT.js on the weights it read, then ONNX
// Runtime, which asked the model cache for the same 82 MB file again (a second IndexedDB read of
// 0.5-1 s). While held, the cache answers that URL from the bytes in hand; the load releases them
// when it ends, so nothing stays in memory because of this.
import type { ModelFileStore } from '../model-cache';

export interface HeldFiles {
  /** The cache as transformers.js should read it: a held URL is answered from memory. */
  readonly store: ModelFileStore;
  /** Holds a file's bytes (already read whole) until `release`. */
  hold(url: string, bytes: Uint8Array<ArrayBuffer>): void;
  /** The bytes held for `url`, if any. */
  held(url: string): Uint8Array<ArrayBuffer> | undefined;
  /** Lets every held file go. */
  release(): void;
}

export function holdFiles(cache: ModelFileStore): HeldFiles {
  const held = new Map<string, Uint8Array<ArrayBuffer>>();
  return {
    store: {
      ...cache,
      async match(url) {
        const bytes = held.get(url);
        if (!bytes) return cache.match(url);
        // A Response copies the bytes it is given, so the held ones stay as they are.
        return new Response(bytes, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) } });
      },
    },
    hold(url, bytes) {
      held.set(url, bytes);
    },
    held: (url) => held.get(url),
    release() {
      held.clear();
    },
  };
}
