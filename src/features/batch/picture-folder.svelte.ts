// The Picture folder of a batch: the files the user picked for a Picture column (kept for the
// session, not stored), and the face reader the run uses for each row's picture, fused with the
// row's text by the user's channel weights.
import type { PictureReader } from './runner';
import type { PictureReading } from './rows';
import { pictureScores } from '../faces/faces';
import { fuseScores } from '../../shared/fusion';
import type { FaceClient } from '../faces/face-client';
import { describeFaceError, FaceError } from '../faces/face-errors';
import type { SettingsState } from '../settings/settings.svelte';
import type { BatchMessage } from './batch-message.svelte';

/** The first words of the sentence asking for the folder; picking one takes that sentence away. */
const PICK_FIRST = 'Pick the Picture folder first';

/** What Start says when a job has a Picture column and no folder was picked. */
export function pickFolderFirst(column: string): string {
  return `${PICK_FIRST}: the column ${column} names files in it.`;
}

/** A picked folder: its files by lower-case path within the folder and by name. */
interface Folder {
  readonly name: string;
  readonly files: ReadonlyMap<string, File>;
  readonly count: number;
}

/** The files a Picture column's cells name, and how their faces are read. */
export class PictureFolder {
  readonly #faces: Pick<FaceClient, 'read'>;
  readonly #settings: Pick<SettingsState, 'current'>;
  readonly #message: BatchMessage;
  #folder = $state.raw<Folder | null>(null);

  constructor(faces: Pick<FaceClient, 'read'>, settings: Pick<SettingsState, 'current'>, message: BatchMessage) {
    this.#faces = faces;
    this.#settings = settings;
    this.#message = message;
  }

  /** The Picture folder picked for this session (not stored: pick it again after a reload). */
  get summary(): { readonly name: string; readonly count: number } | null {
    return this.#folder && { name: this.#folder.name, count: this.#folder.count };
  }

  /**
   * The files of the folder the user picked with **Picture folder** (an input with
   * `webkitdirectory`, so each file has its path within the folder). A row's picture cell is
   * matched against the path below the folder, then against the file name, ignoring case.
   */
  pick(files: readonly File[]): void {
    const map = new Map<string, File>();
    for (const file of files) {
      const path = ((file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name).replace(/\\/gu, '/');
      const below = path.includes('/') ? path.slice(path.indexOf('/') + 1) : path;
      map.set(below.toLowerCase(), file);
      if (!map.has(file.name.toLowerCase())) map.set(file.name.toLowerCase(), file);
    }
    const first = (files[0] as (File & { webkitRelativePath?: string }) | undefined)?.webkitRelativePath ?? '';
    this.#folder = files.length ? { name: first.includes('/') ? first.slice(0, first.indexOf('/')) : 'the picked files', files: map, count: files.length } : null;
    if (this.#folder && this.#message.text?.startsWith(PICK_FIRST)) this.#message.set(null);
  }

  /** The run's face reader for the folder picked now. */
  reader(): PictureReader {
    const folder = this.#folder;
    return {
      read: async (name, signal): Promise<PictureReading> => {
        const key = name.replace(/\\/gu, '/').replace(/^\.?\//u, '').toLowerCase();
        const file = folder?.files.get(key) ?? folder?.files.get(key.slice(key.lastIndexOf('/') + 1));
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
      fuse: (text, face) => fuseScores({ text, face }, this.#settings.current.weights)?.scores ?? text,
    };
  }
}
