// The voice channel's one error class, thrown on both sides of the worker (as the face channel's
// is): the worker's runtime and handler throw it, the handler sends it as plain data in its
// `error` reply, and the page's client rebuilds it. `describeVoiceError` is the one sentence the
// page shows for each code.
import { assertNever } from '../../shared/worker/protocol';

/** What went wrong, as a code the page turns into one sentence. */
export type VoiceErrorCode =
  /** The voice-activity model (served by this site) could not be loaded. */
  | 'vad-unavailable'
  /** The speech-recognition model could not be downloaded, read from this device, or used. */
  | 'speech-unavailable'
  /** The tone model could not be downloaded or read from this device. */
  | 'tone-unavailable'
  /** Offline, and a voice model is not on this device yet. */
  | 'offline'
  /** The tone model's labels name none of the seven emotions (the detail names them). */
  | 'tone-labels'
  /** The recording could not be decoded. */
  | 'unreadable-audio'
  /** Longer than the channel reads (the detail has the length). */
  | 'too-long'
  | 'crashed'
  | 'cancelled';

export interface VoiceErrorData {
  readonly code: VoiceErrorCode;
  readonly detail: string;
}

export class VoiceError extends Error {
  readonly code: VoiceErrorCode;
  readonly detail: string;

  constructor(code: VoiceErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'VoiceError';
    this.code = code;
    this.detail = detail;
  }

  static fromData(data: VoiceErrorData): VoiceError {
    return new VoiceError(data.code, data.detail);
  }

  toData(): VoiceErrorData {
    return { code: this.code, detail: this.detail };
  }
}

/** One sentence for the page: what happened and what the user can do next. */
export function describeVoiceError(error: unknown): string {
  const e = error instanceof VoiceError ? error : new VoiceError('crashed', String(error));
  switch (e.code) {
    case 'vad-unavailable':
      return 'The speech detector could not be loaded; reload the page while online, after which it also works offline.';
    case 'speech-unavailable':
      return `The speech model could not be loaded (${e.detail}); check Speech model and Model host in Settings, then try again.`;
    case 'tone-unavailable':
      return `The tone model could not be loaded (${e.detail}); check Tone model and Model host in Settings, then try again.`;
    case 'offline':
      return 'This device is offline and the voice models are not on it yet; analyze the recording again once online.';
    case 'tone-labels':
      return e.detail;
    case 'unreadable-audio':
      return 'This recording could not be decoded on this device; try a WAV, MP3, M4A, Ogg or WebM file.';
    case 'too-long':
      return e.detail;
    case 'crashed':
      return 'The voice reader stopped unexpectedly; try the recording again.';
    case 'cancelled':
      return 'Reading the voice was cancelled; analyze the recording again to read it.';
    default:
      return assertNever(e.code);
  }
}
