// The face channel's one error class, thrown on both sides of the worker: the worker's runtime and
// handler throw it (a model that cannot be fetched, a picture that cannot be decoded), the handler
// sends it as plain data in its `error` reply, and the page's client rebuilds it from that data.
// `describeFaceError` is the one sentence the page shows for each code.
import { assertNever } from '../../shared/worker/protocol';

/** What went wrong, as a code the page turns into one sentence. */
export type FaceErrorCode = 'models-unavailable' | 'unreadable-picture' | 'crashed' | 'cancelled';

/** A FaceError as plain data, for postMessage. */
export interface FaceErrorData {
  readonly code: FaceErrorCode;
  readonly detail: string;
}

/** A face channel failure; `code` decides what the page says (describeFaceError), `detail` is for logs. */
export class FaceError extends Error {
  readonly code: FaceErrorCode;
  readonly detail: string;

  constructor(code: FaceErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'FaceError';
    this.code = code;
    this.detail = detail;
  }

  /** Rebuilds the error the worker sent. */
  static fromData(data: FaceErrorData): FaceError {
    return new FaceError(data.code, data.detail);
  }

  /** The error as the worker sends it. */
  toData(): FaceErrorData {
    return { code: this.code, detail: this.detail };
  }
}

/** One sentence for the page: what happened and what the user can do next. */
export function describeFaceError(error: unknown): string {
  const code: FaceErrorCode = error instanceof FaceError ? error.code : 'crashed';
  switch (code) {
    case 'models-unavailable':
      return 'The face models could not be loaded; reload the page while online, after which they also work offline.';
    case 'unreadable-picture':
      return 'This picture could not be decoded on this device; try a JPEG or PNG.';
    case 'crashed':
      return 'The face reader stopped unexpectedly; try the picture again.';
    case 'cancelled':
      return 'Reading the faces was cancelled; analyze the picture again to read them.';
    default:
      return assertNever(code);
  }
}
