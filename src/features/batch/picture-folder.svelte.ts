// The Picture folder of a batch: the files the user picked for a Picture column (folder.svelte.ts),
// and the face reader the run uses for each row's picture, fused with the row's other channels by
// the user's channel weights.
import type { PictureReader } from './runner';
import type { PictureReading } from './rows';
import { pictureScores } from '../faces/faces';
import { fuseScores } from '../../shared/fusion';
import type { FaceClient } from '../faces/face-client';
import { describeFaceError, FaceError } from '../faces/face-errors';
import type { SettingsState } from '../settings/settings.svelte';
import type { BatchMessage } from './batch-message.svelte';
import { PickedFolder } from './folder.svelte';

/** The fused answer of a row's channels by the user's weights (null for fewer than two). */
export function rowFuse(settings: Pick<SettingsState, 'current'>) {
  return (scores: Parameters<typeof fuseScores>[0]) => (Object.keys(scores).length > 1 ? (fuseScores(scores, settings.current.weights)?.scores ?? null) : null);
}

/** The files a Picture column's cells name, and how their faces are read. */
export class PictureFolder extends PickedFolder {
  readonly #faces: Pick<FaceClient, 'read'>;
  readonly #settings: Pick<SettingsState, 'current'>;

  constructor(faces: Pick<FaceClient, 'read'>, settings: Pick<SettingsState, 'current'>, message: BatchMessage) {
    super(message, 'Pick the Picture folder first');
    this.#faces = faces;
    this.#settings = settings;
  }

  /** The run's face reader for the folder picked now. */
  reader(): PictureReader {
    return {
      read: async (name, signal): Promise<PictureReading> => {
        const file = this.find(name);
        if (!file) return { scores: null, reason: `${name} is not in the picture folder.`, model: '' };
        try {
          const answer = await this.#faces.read(file, { signal });
          const scores = pictureScores(answer.faces);
          return scores ? { scores, model: answer.model } : { scores: null, reason: `No face found in ${name}.`, model: answer.model };
        } catch (err) {
          if (err instanceof FaceError && err.code === 'cancelled') throw err;
          return { scores: null, reason: `${name}: ${describeFaceError(err)}`, model: '' };
        }
      },
      fuse: rowFuse(this.#settings),
    };
  }
}
