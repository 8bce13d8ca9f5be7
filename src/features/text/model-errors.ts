// What can go wrong with the on-device model, as codes that cross the worker boundary, and the
// one sentence the user reads for each: what happened and what to do next.
import { errorDetail } from '../../shared/errors';

/** Failure kinds of the text channel. */
export type ModelErrorCode =
  | 'offline'
  | 'host-unreachable'
  | 'not-found'
  | 'no-weights'
  | 'invalid-model'
  | 'disk-incomplete'
  | 'blocked'
  | 'worker-crashed'
  | 'worker-start-failed'
  | 'inference-failed'
  | 'webgpu-failed'
  | 'runtime-unavailable'
  | 'cancelled'
  /** A request that may only use a loaded model found none loaded (it never starts a load). */
  | 'not-loaded'
  | 'unknown';

/** The plain-data form of a ModelError, as posted between worker and page. */
export interface ModelErrorData {
  readonly code: ModelErrorCode;
  /** Technical detail for the "details" disclosure and logs; never shown as the headline. */
  readonly detail: string;
  /** The file or host concerned, when there is one. */
  readonly subject?: string;
}

/** An error of the text channel with a code the UI can explain. */
export class ModelError extends Error {
  readonly code: ModelErrorCode;
  readonly detail: string;
  readonly subject: string | undefined;

  constructor(code: ModelErrorCode, detail: string, subject?: string) {
    super(`${code}: ${detail}`);
    this.name = 'ModelError';
    this.code = code;
    this.detail = detail;
    this.subject = subject;
  }

  /** Plain data for postMessage. */
  toData(): ModelErrorData {
    return this.subject === undefined
      ? { code: this.code, detail: this.detail }
      : { code: this.code, detail: this.detail, subject: this.subject };
  }

  /** Rebuilds the error on the other side of postMessage. */
  static fromData(data: ModelErrorData): ModelError {
    return new ModelError(data.code, data.detail, data.subject);
  }
}

/** Any thrown value as ModelError: kept if it already is one, else wrapped with `fallback`. */
export function toModelError(err: unknown, fallback: ModelErrorCode = 'unknown'): ModelError {
  if (err instanceof ModelError) return err;
  return new ModelError(fallback, errorDetail(err));
}

/** One sentence for the user: what happened and what they can do. */
export function describeModelError(err: ModelErrorData): string {
  const subject = err.subject ?? '';
  switch (err.code) {
    case 'offline':
      return 'You are offline and the model is not on this device yet. Connect once to download it, or load the model files from disk in Settings.';
    case 'host-unreachable':
      return `Could not reach the model host${subject ? ` ${subject}` : ''}. Check the Model host in Settings, or load the model from disk.`;
    case 'not-found':
      return `The model host has no ${subject || 'such model'}. Check the Model id in Settings.`;
    case 'no-weights':
      return 'The model has no ONNX weights this app can run (onnx/model.onnx or onnx/model_quantized.onnx). Pick a transformers.js-ready export in Settings.';
    case 'invalid-model':
      return `The model files could not be loaded${subject ? ` (${subject} is not a valid model file)` : ''}. Nothing of them was kept on this device; check the Model id in Settings or choose another model.`;
    case 'disk-incomplete':
      return `The files loaded from disk are incomplete: ${subject || 'a required file'} is missing. Load the whole model folder in Settings.`;
    case 'blocked':
      return `The app refused to contact ${subject || 'that address'}: it only loads models from the Model host set in Settings.`;
    case 'worker-crashed':
      return 'The model stopped unexpectedly (often because the device ran out of memory). Press Analyze to start it again.';
    case 'worker-start-failed':
      return 'The model could not start because part of the app did not load. Reload the page (connect first if you are offline).';
    case 'inference-failed':
      return 'The model failed while analyzing this text. Press Analyze to try again; if it keeps failing, set "Run the text model on" to WASM in Settings.';
    case 'webgpu-failed':
      return 'WebGPU could not run the model on this device. Set "Run the text model on" to WASM in Settings and press Analyze again.';
    case 'runtime-unavailable':
      return "The app's model runtime could not be downloaded, perhaps because the connection dropped. The model files are kept: connect and press Analyze again.";
    case 'cancelled':
      return 'The analysis was cancelled. Press Analyze to run it again.';
    case 'not-loaded':
      return 'The model is not loaded yet. Press Analyze to load it, then try again.';
    case 'unknown':
      return 'Something went wrong while running the model. Press Analyze to try again; if it keeps failing, remove the cached model in Settings.';
  }
}
