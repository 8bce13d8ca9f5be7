// What can go wrong with the vision channel, and the one sentence the user reads for each.

/** Failure kinds of a vision request. */
export type VisionErrorCode =
  | 'no-key'
  | 'no-base-url'
  | 'no-model'
  | 'no-image-model'
  | 'unauthorized'
  | 'forbidden'
  | 'model-not-found'
  | 'too-large'
  | 'rate-limited'
  | 'server'
  | 'bad-request'
  | 'network'
  | 'offline'
  | 'timeout'
  | 'cancelled'
  | 'bad-reply'
  | 'truncated'
  | 'image-unsupported'
  | 'image-heic'
  | 'image-too-big'
  | 'image-corrupt'
  | 'image-empty';

/** A failed vision request or picture; `detail` is for the details disclosure, never the key. */
export class VisionError extends Error {
  readonly code: VisionErrorCode;
  readonly detail: string;
  readonly status: number | null;
  /** For rate limits: how long the provider asked to wait, in seconds. */
  readonly retryAfterSec: number | null;
  /** For rate limits: requests left in the provider's window, when its headers said. */
  readonly remainingRequests: number | null;

  constructor(
    code: VisionErrorCode,
    detail: string,
    options: { status?: number | null; retryAfterSec?: number | null; remainingRequests?: number | null } = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = 'VisionError';
    this.code = code;
    this.detail = detail;
    this.status = options.status ?? null;
    this.retryAfterSec = options.retryAfterSec ?? null;
    this.remainingRequests = options.remainingRequests ?? null;
  }
}

/** One sentence: what happened and what the user can do. */
export function describeVisionError(err: VisionError, context: { model: string; host: string }): string {
  switch (err.code) {
    case 'no-key':
      return 'Add your API key in Settings (Vision provider) to analyze pictures.';
    case 'no-base-url':
      return 'Set the API base URL of your vision provider in Settings.';
    case 'no-model':
      return `No vision model is set for ${context.host}. Pick one in Settings: "Load the model list" shows what the provider serves today.`;
    case 'unauthorized':
      return `${context.host} did not accept the API key. Check the key in Settings.`;
    case 'forbidden':
      return `${context.host} refused the request: the key may lack access to ${context.model}. Check your account or pick another model.`;
    case 'model-not-found':
      return `The model "${context.model}" is retired or unknown at ${context.host}. Pick a current model from the list in Settings.`;
    case 'no-image-model':
      return `${context.host} lists no model that takes pictures. Pick a vision model in Settings, or choose another provider.`;
    case 'too-large':
      return 'The picture is too large for the provider. Lower "Picture size" in Settings or use a smaller picture.';
    case 'rate-limited': {
      const left = err.remainingRequests !== null ? ` It reports ${err.remainingRequests} requests left in its current window; pictures also count against a token limit.` : '';
      return err.retryAfterSec !== null
        ? `The provider's rate limit was reached. Try again in ${Math.ceil(err.retryAfterSec)} s.${left}`
        : `The provider's rate limit was reached. Wait a minute and try again.${left}`;
    }
    case 'server':
      return `${context.host} had a server error and did not recover after retries. Try again later.`;
    case 'bad-request':
      return `${context.host} rejected the request: ${err.detail}`;
    case 'network':
      return `Could not reach ${context.host}. Check the API base URL and your connection; some providers block calls from browsers (CORS).`;
    case 'offline':
      return 'You are offline: analyzing a picture needs your vision provider. Text analysis still works on this device.';
    case 'timeout':
      return `${context.host} did not answer in time. Try again, or raise the timeout in Settings.`;
    case 'cancelled':
      return 'Picture analysis cancelled.';
    case 'bad-reply':
      return `The model's answer could not be read as emotion scores (${err.detail}) Try again or pick another model.`;
    case 'truncated':
      return 'The model stopped before finishing its answer. Try again or pick another model.';
    case 'image-unsupported':
      return 'This file is not a picture the app can read. Use a JPEG, PNG, WebP or GIF.';
    case 'image-heic':
      return 'HEIC pictures can only be read in Safari. Convert the picture to JPEG, or use Safari.';
    case 'image-too-big':
      return `The picture is too large to open safely (${err.detail}). Use one under 50 megapixels.`;
    case 'image-corrupt':
      return 'The picture could not be decoded: the file may be damaged or incomplete.';
    case 'image-empty':
      return 'The file is empty.';
  }
}
