// How the handler's failures read as ModelErrors: a download that did not happen (offline, the
// host unreachable, a runtime's own files not fetched), which is not a broken model, and a
// cancelled request.
import { errorDetail } from '../../../shared/errors';
import { ModelError } from '../model-errors';
import type { ModelSource } from '../model-source';

/** How a runtime's own module or wasm that could not be downloaded fails. */
const RUNTIME_NOT_DOWNLOADED = /dynamically imported module|Importing a module script failed|fetching of the wasm failed|failed to asynchronously prepare wasm/iu;
/** How a request the network did not carry fails. */
const NOT_CARRIED = /network ?error|Failed to fetch|ERR_(INTERNET_DISCONNECTED|CONNECTION|CONTENT_LENGTH|NETWORK)/iu;

/** Whether `err` is a download that did not happen (a runtime's files, or any request), not a broken model. */
export function isDownloadFailure(err: unknown): boolean {
  const text = errorDetail(err);
  return RUNTIME_NOT_DOWNLOADED.test(text) || NOT_CARRIED.test(text);
}

/**
 * The ModelError for a load that failed because a download broke off (a model file's body, or
 * ONNX Runtime's own .mjs/.wasm from our origin), or null when the failure is something else.
 */
export function networkFailure(err: unknown, source: ModelSource, online: boolean): ModelError | null {
  const text = errorDetail(err);
  if (RUNTIME_NOT_DOWNLOADED.test(text)) {
    return new ModelError('runtime-unavailable', text);
  }
  if (NOT_CARRIED.test(text)) {
    return online ? new ModelError('host-unreachable', text, new URL(source.host).host) : new ModelError('offline', text);
  }
  return null;
}

export function cancelled(): ModelError {
  return new ModelError('cancelled', 'The request was cancelled.');
}
