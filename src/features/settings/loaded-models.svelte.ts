// What is loaded in memory now (Settings, "Memory"): the text model and the face models, each
// with Unload. Unloading ends the worker that holds the model (a worker's wasm memory never
// shrinks, so that is the only way to give it back); the next analysis loads it again from this
// device and says what that cost. Models unused for IDLE_UNLOAD_MS are unloaded on their own.
import type { EmotionClient } from '../text/emotion-client';
import type { FaceClient } from '../faces/face-client';
import type { VoiceClient } from '../voice/voice-client';
import type { LoadedModelInfo } from '../text/protocol';
import { IDLE_UNLOAD_MS } from '../../shared/worker/idle';

/** One loaded model as Settings lists it. */
export interface LoadedEntry {
  readonly kind: 'text' | 'faces' | 'voice';
  /** "Emotion model (text)", "Face models". */
  readonly name: string;
  /** What it is and how it runs, in a few words. */
  readonly detail: string;
}

export class LoadedModelsState {
  readonly #text: Pick<EmotionClient, 'loaded' | 'release' | 'onLoadedChange'>;
  readonly #faces: Pick<FaceClient, 'loaded' | 'release' | 'onLoadedChange'>;
  readonly #voice: Pick<VoiceClient, 'loaded' | 'release' | 'onLoadedChange' | 'models'> | null;
  #entries = $state.raw<readonly LoadedEntry[]>([]);
  #message = $state<string | null>(null);

  constructor(
    text: Pick<EmotionClient, 'loaded' | 'release' | 'onLoadedChange'>,
    faces: Pick<FaceClient, 'loaded' | 'release' | 'onLoadedChange'>,
    voice: Pick<VoiceClient, 'loaded' | 'release' | 'onLoadedChange' | 'models'> | null = null,
  ) {
    this.#text = text;
    this.#faces = faces;
    this.#voice = voice;
    text.onLoadedChange(() => this.#refresh());
    faces.onLoadedChange(() => this.#refresh());
    voice?.onLoadedChange(() => this.#refresh());
    this.#refresh();
  }

  get entries(): readonly LoadedEntry[] {
    return this.#entries;
  }
  /** What the last Unload did, as one sentence. */
  get message(): string | null {
    return this.#message;
  }
  /** The idle time after which a model is unloaded on its own, in minutes. */
  get idleMinutes(): number {
    return Math.round(IDLE_UNLOAD_MS / 60_000);
  }

  unload(kind: LoadedEntry['kind']): void {
    const done = kind === 'text' ? this.#text.release('user') : kind === 'faces' ? this.#faces.release() : (this.#voice?.release() ?? false);
    const what = kind === 'text' ? 'The emotion model' : kind === 'faces' ? 'The face models' : 'The voice models';
    const is = kind === 'text' ? 'is' : 'are';
    this.#message = done ? `${what} ${is} unloaded. The next analysis loads ${kind === 'text' ? 'it' : 'them'} again from this device.` : `${what} ${is} not loaded.`;
    this.#refresh();
  }

  #refresh(): void {
    const entries: LoadedEntry[] = [];
    const model = this.#text.loaded;
    if (model) entries.push({ kind: 'text', name: 'Emotion model (text)', detail: describeText(model) });
    if (this.#faces.loaded) entries.push({ kind: 'faces', name: 'Face models', detail: 'face detection and expressions, on the processor' });
    if (this.#voice?.loaded) {
      const models = this.#voice.models;
      const which = models ? `, the speech model ${models.speech} and the tone model ${models.tone}` : ', speech recognition and the tone model';
      entries.push({ kind: 'voice', name: 'Voice models', detail: `speech detection (Silero VAD)${which}, on the processor` });
    }
    this.#entries = entries;
  }
}

function describeText(model: LoadedModelInfo): string {
  const engine = model.engine === 'litert' ? 'LiteRT.js' : 'ONNX Runtime';
  return `${model.source.modelId}, ${model.dtype} on ${model.device === 'webgpu' ? 'the graphics card' : 'the processor'} with ${engine}; loaded in ${(model.loadMs / 1000).toFixed(1)} s`;
}
