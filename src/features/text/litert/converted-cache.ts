// The TFLite models converted from a model's ONNX file, kept on the device beside that file, so a
// later load compiles the kept model instead of reading the ONNX file and converting it again
// (about 0.3 s of conversion per input length with the real model, and the ONNX file not read at
// all when every length needed is kept).
//
// A kept model is served only to the same weights converted by the same converter for the same
// runtime: its entry records an identity made of the weights' cached file (size and when it was
// stored: a new download or import changes it), CONVERTER_VERSION, and the runtime's identity
// (the caller's: the LiteRT.js version and the hashed URLs of its wasm and of the worker that
// holds the converter). Anything else is a miss, and the model is converted and kept anew. The
// entry lives under the weights' URL, so removing the model's files removes it too. Writing is
// best effort: a cache that cannot be written only means the next load converts again.
import type { ModelFileStore } from '../model-cache';
import type { ConvertedIo } from '../tflite/onnx-to-tflite';

/** Bump whenever the converter's output for the same graph changes (the worker's hashed URL is in the identity too). */
export const CONVERTER_VERSION = 1;

/** One input length's converted model. */
export interface ConvertedShape {
  readonly tflite: Uint8Array<ArrayBuffer>;
  readonly inputs: readonly ConvertedIo[];
}

/** Converted models of one weights file. */
export interface ConvertedStore {
  /** The kept model for `length`, or undefined (none, another identity, or unreadable). */
  get(length: number): Promise<ConvertedShape | undefined>;
  /** Keeps the model for `length`; never rejects. */
  put(length: number, shape: ConvertedShape): Promise<void>;
}

/** What is kept for one length: one value (a single write, so never half-written). */
interface KeptEntry {
  readonly identity: string;
  readonly inputs: readonly ConvertedIo[];
  readonly tflite: Blob;
}

/**
 * The key the converted model for `length` is kept under: the weights' own URL, so removing the
 * model's files removes it too. It is a value of the model cache, not a file: Settings lists the
 * files the host serves, and the browser's own figure counts this copy.
 */
export function convertedKey(weightsUrl: string, length: number): string {
  return `${weightsUrl}#tflite-${length}`;
}

export function convertedStore(cache: ModelFileStore, weightsUrl: string, runtime: string): ConvertedStore {
  const identity = async (): Promise<string | null> => {
    const weights = await cache.meta(weightsUrl);
    return weights ? `converter ${CONVERTER_VERSION}; ${runtime}; weights ${weights.size} bytes stored ${weights.storedAt}` : null;
  };
  return {
    async get(length) {
      try {
        const [expected, kept] = await Promise.all([identity(), cache.getValue(convertedKey(weightsUrl, length)) as Promise<KeptEntry | undefined>]);
        if (!expected || kept?.identity !== expected || !(kept.tflite instanceof Blob)) return undefined;
        return { tflite: new Uint8Array(await kept.tflite.arrayBuffer()), inputs: kept.inputs };
      } catch {
        return undefined;
      }
    },
    async put(length, shape) {
      // A copy now: the caller may hand the bytes on (to the runtime) as soon as this returns.
      const tflite = new Blob([shape.tflite]);
      try {
        const expected = await identity();
        if (!expected) return;
        const entry: KeptEntry = { identity: expected, inputs: shape.inputs, tflite };
        await cache.setValue(convertedKey(weightsUrl, length), entry);
      } catch {
        // Best effort: the next load converts again.
      }
    },
  };
}
