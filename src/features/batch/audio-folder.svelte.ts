// The Audio folder of a batch: the recordings the user picked for an Audio column
// (folder.svelte.ts), and the voice reader the run uses for each row's recording: decoded on the
// device, read by the voice worker (segments, what was said, the tone) with the Speech and Tone
// models of Settings. Pressing Start is the consent to download them (as it is for the text
// model), once; their download shows as the model's progress.
import type { AudioReader } from './runner';
import type { AudioReading } from './rows';
import type { SettingsState } from '../settings/settings.svelte';
import type { BatchMessage } from './batch-message.svelte';
import { PickedFolder } from './folder.svelte';
import { rowFuse } from './picture-folder.svelte';
import { decodeRecording, type Recording } from '../voice/decode';
import type { VoiceClient } from '../voice/voice-client';
import type { VoiceProgress } from '../voice/protocol';
import { recordingTone } from '../voice/tone';
import { VoiceError, describeVoiceError } from '../voice/voice-errors';

export class AudioFolder extends PickedFolder {
  readonly #voice: Pick<VoiceClient, 'read'>;
  readonly #settings: Pick<SettingsState, 'current'>;
  readonly #decode: (file: Blob) => Promise<Recording>;

  constructor(voice: Pick<VoiceClient, 'read'>, settings: Pick<SettingsState, 'current'>, message: BatchMessage, decode: (file: Blob) => Promise<Recording> = decodeRecording) {
    super(message, 'Pick the Audio folder first');
    this.#voice = voice;
    this.#settings = settings;
    this.#decode = decode;
  }

  /** The run's voice reader for the folder picked now; `onModel` hears the models' download. */
  reader(onModel: (loaded: number, total: number) => void = () => {}): AudioReader {
    return {
      read: async (name, signal): Promise<AudioReading> => {
        const file = this.find(name);
        if (!file) return { scores: null, reason: `${name} is not in the audio folder.`, model: '' };
        const s = this.#settings.current;
        const models = { speech: { host: s.modelHost, modelId: s.speechModel }, tone: { host: s.modelHost, modelId: s.toneModel } };
        try {
          const answer = await this.#voice.read(await this.#decode(file), models, {
            signal,
            onProgress: (p: VoiceProgress) => {
              if (p.stage === 'speech-model' || p.stage === 'tone-model') onModel(p.loaded, p.total);
            },
          });
          const model = `${answer.speechModel} + ${answer.tone.modelId}`;
          const scores = recordingTone(answer.segments);
          return scores ? { scores, transcript: answer.transcript, language: answer.language, model } : { scores: null, reason: `No speech found in ${name}.`, model };
        } catch (err) {
          if ((err instanceof VoiceError && err.code === 'cancelled') || signal.aborted) throw err;
          return { scores: null, reason: `${name}: ${describeVoiceError(err)}`, model: '' };
        }
      },
      fuse: rowFuse(this.#settings),
    };
  }
}
