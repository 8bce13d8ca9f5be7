// The page's side of the voice worker, over the shared worker plumbing (shared/worker/bridge.ts),
// as the face client is: one worker, started when first needed; a cancelled read is dropped by
// the worker, which goes on; a crash fails the reads waiting on it and the next call starts a
// fresh worker. Unused for IDLE_UNLOAD_MS the worker ends and frees its models' memory.
import { ModelHold } from '../../shared/worker/model-hold';
import { WorkerBridge, webLockWatcher, type BridgeFailure, type LockWatcher, type WorkerPort } from '../../shared/worker/bridge';
import type { DecodedAudio, VoiceAnswer, VoiceModels, VoicePlan, VoiceProgress, VoiceRequest, VoiceResponse } from './protocol';
import { VoiceError, type VoiceErrorCode } from './voice-errors';

export type VoiceWorkerLike = WorkerPort<VoiceRequest, VoiceResponse>;

/** The real voice worker (a module worker, bundled by Vite). */
export function createVoiceWorker(): VoiceWorkerLike {
  return new Worker(new URL('./worker/voice-worker.ts', import.meta.url), { type: 'module', name: 'voice' });
}

const FAILURE_CODE: Readonly<Record<BridgeFailure, VoiceErrorCode>> = {
  'start-failed': 'vad-unavailable',
  crashed: 'crashed',
  'not-sent': 'crashed',
  cancelled: 'cancelled',
  'bad-reply': 'crashed',
};

interface VoiceWorkerFacts {
  /** The worker answered a read once (its models are loaded). */
  loaded: boolean;
}

export interface VoiceReadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: VoiceProgress) => void;
}

export class VoiceClient {
  readonly #bridge: WorkerBridge<VoiceRequest, VoiceResponse, VoiceError, VoiceWorkerFacts>;
  readonly #hold: ModelHold;
  /** The models the worker holds (after its first answer). */
  #models: { readonly speech: string; readonly tone: string } | null = null;

  constructor(createWorker: () => VoiceWorkerLike = createVoiceWorker, watchLock: LockWatcher = webLockWatcher, options: { idleUnloadMs?: number } = {}) {
    this.#hold = new ModelHold(() => this.#bridge, () => this.loaded, options.idleUnloadMs);
    this.#bridge = new WorkerBridge({
      create: createWorker,
      error: (kind, detail) => new VoiceError(FAILURE_CODE[kind], detail),
      isFinal: (reply) => reply.type !== 'progress',
      failureOf: (reply) => (reply.type === 'error' ? VoiceError.fromData(reply.error) : null),
      cancel: 'message',
      state: (): VoiceWorkerFacts => ({ loaded: false }),
      onReply: (reply, facts) => {
        if (reply.type === 'error' && reply.error.code === 'crashed') this.#bridge.recycle();
        else if (reply.type === 'answer') {
          facts.loaded = true;
          this.#models = { speech: reply.answer.speechModel, tone: reply.answer.tone.modelId };
          this.#hold.changed();
        }
      },
      onEnd: () => this.#hold.changed(),
      watchLock,
    });
  }

  /** Whether a worker holds the voice models now. */
  get loaded(): boolean {
    return this.#bridge.current?.loaded === true;
  }

  /** The speech and tone models the worker holds, or null. */
  get models(): { readonly speech: string; readonly tone: string } | null {
    return this.loaded ? this.#models : null;
  }

  /** Calls `listener` whenever what is loaded may have changed; returns the unsubscribe. */
  onLoadedChange(listener: () => void): () => void {
    return this.#hold.onLoadedChange(listener);
  }

  /** Ends the worker that holds the models (after the reads it has); false when none is loaded. */
  release(): boolean {
    return this.#hold.release();
  }

  /**
   * The segments, words and tones of a decoded recording. Its channels are transferred to the
   * worker (the caller's arrays are emptied).
   */
  read(audio: DecodedAudio, models: VoiceModels, options: VoiceReadOptions = {}): Promise<VoiceAnswer> {
    return this.#hold.track(
      this.#bridge.request((id) => ({ type: 'read', id, audio, models }), {
        settle: (reply) => (reply.type === 'answer' ? { value: reply.answer } : null),
        transfer: audio.channels.map((c) => c.buffer as ArrayBuffer),
        onReply: (reply: VoiceResponse) => {
          if (reply.type === 'progress') options.onProgress?.(reply.progress);
        },
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }

  /** What loading `models` would download, without downloading it. */
  probe(models: VoiceModels, options: { signal?: AbortSignal } = {}): Promise<VoicePlan> {
    return this.#bridge.request((id) => ({ type: 'probe', id, models }), {
      settle: (reply) => (reply.type === 'probed' ? { value: reply.plan } : null),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  dispose(): void {
    this.#hold.stop();
    this.#bridge.dispose(new VoiceError('cancelled', 'The voice reader was closed.'));
  }
}
