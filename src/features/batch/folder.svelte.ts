// A folder a batch column names files in (the Picture folder, the Audio folder): the files the
// user picked, kept for the session (not stored), found by a row's cell.
import type { BatchMessage } from './batch-message.svelte';

/** A picked folder: its files by lower-case path within the folder and by name. */
interface Folder {
  readonly name: string;
  readonly files: ReadonlyMap<string, File>;
  readonly count: number;
}

export class PickedFolder {
  readonly #message: BatchMessage;
  /** The first words of the sentence asking for this folder; picking one takes that sentence away. */
  readonly #pickFirst: string;
  #folder = $state.raw<Folder | null>(null);

  constructor(message: BatchMessage, pickFirst: string) {
    this.#message = message;
    this.#pickFirst = pickFirst;
  }

  /** What Start says when a job has the column and no folder was picked. */
  pickFirst(column: string): string {
    return `${this.#pickFirst}: the column ${column} names files in it.`;
  }

  /** The folder picked for this session (not stored: pick it again after a reload). */
  get summary(): { readonly name: string; readonly count: number } | null {
    return this.#folder && { name: this.#folder.name, count: this.#folder.count };
  }

  /**
   * The files of the folder the user picked (an input with `webkitdirectory`, so each file has
   * its path within the folder). A row's cell is matched against the path below the folder, then
   * against the file name, ignoring case.
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
    if (this.#folder && this.#message.text?.startsWith(this.#pickFirst)) this.#message.set(null);
  }

  /** The file a cell names, or null. */
  find(name: string): File | null {
    const key = name.replace(/\\/gu, '/').replace(/^\.?\//u, '').toLowerCase();
    return this.#folder?.files.get(key) ?? this.#folder?.files.get(key.slice(key.lastIndexOf('/') + 1)) ?? null;
  }
}
