// The video channel's errors: a code and the sentence the page shows for it.
import { assertNever } from '../../shared/worker/protocol';

export type VideoErrorCode = 'unreadable-video' | 'too-long' | 'cancelled';

export class VideoError extends Error {
  readonly code: VideoErrorCode;
  readonly detail: string;

  constructor(code: VideoErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'VideoError';
    this.code = code;
    this.detail = detail;
  }
}

/** One sentence for the page: what happened and what to do next. */
export function describeVideoError(error: VideoError): string {
  switch (error.code) {
    case 'unreadable-video':
      return `This video could not be played on this device (${error.detail}); try an MP4 (H.264) or WebM file.`;
    case 'too-long':
      return error.detail;
    case 'cancelled':
      return 'Reading the video was cancelled; analyze it again to read it.';
    default:
      return assertNever(error.code);
  }
}
