// What the next analysis reads, owned in one place: the text being written, the picture (checked
// and prepared on the device), the recording (kept in memory only, never stored) and the Tags
// field. The channels read from here when a run starts
// and keep no input of their own, so whatever fills the inputs (typing, a share from another app,
// "Open as analysis" from a batch row, Analyze again) fills them for every channel at once.
import { MediaPick } from './media-pick.svelte';
import { describeVisionError, VisionError } from '../vision/errors';
import { prepareImage, type PreparedImage } from '../vision/image-prep';
import { formatTags, parseTags } from '../history/tags';
import type { SettingsState } from '../settings/settings.svelte';

/** Where an unsent field survives a reload (sessionStorage in the app: it never leaves the tab). */
export interface DraftStore {
  load(): string;
  save(text: string): void;
}

/** A draft kept in sessionStorage under `key`; silently does nothing where storage is unavailable. */
export function sessionDraftStore(key: string): DraftStore {
  return {
    load: () => {
      try {
        return sessionStorage.getItem(key) ?? '';
      } catch {
        return '';
      }
    },
    save: (text) => {
      try {
        if (text) sessionStorage.setItem(key, text);
        else sessionStorage.removeItem(key);
      } catch {
        // Storage full or blocked: the draft just is not kept.
      }
    },
  };
}

const NO_STORE: DraftStore = { load: () => '', save: () => {} };

/** The inputs of the next analysis. */
export class InputsState {
  readonly #settings: SettingsState;
  readonly #stores: { readonly text: DraftStore; readonly tags: DraftStore };
  readonly #prepare: typeof prepareImage;
  /** Counts picks and removals, so a slow preparation cannot replace a later choice. */
  #pickCount = 0;

  #draft = $state('');
  #tagsDraft = $state('');
  #image = $state.raw<PreparedImage | null>(null);
  #source = $state.raw<Blob | null>(null);
  #pictureId = $state<string | null>(null);
  #previewUrl = $state<string | null>(null);
  #preparing = $state(false);
  #imageError = $state<string | null>(null);
  readonly #audio = new MediaPick('audio');
  readonly #video = new MediaPick('video');

  constructor(settings: SettingsState, stores: { text?: DraftStore; tags?: DraftStore } = {}, prepare = prepareImage) {
    this.#settings = settings;
    this.#stores = { text: stores.text ?? NO_STORE, tags: stores.tags ?? NO_STORE };
    this.#prepare = prepare;
    this.#draft = this.#stores.text.load();
    this.#tagsDraft = this.#stores.tags.load();
  }

  /** The text being written; kept as a draft so a reload does not lose it. */
  get draft(): string {
    return this.#draft;
  }
  /** The Tags field as typed. */
  get tagsDraft(): string {
    return this.#tagsDraft;
  }
  /** The tags the next analysis is saved with. */
  get tags(): string[] {
    return parseTags(this.#tagsDraft);
  }
  /** The prepared picture (re-encoded JPEG, no metadata): what the vision model is sent, or null. */
  get image(): PreparedImage | null {
    return this.#image;
  }
  /** The picture as picked (never sent anywhere; the face channel reads it on the device), or null. */
  get source(): Blob | null {
    return this.#source;
  }
  /** Identifies the current picture: a new pick is a new picture, even of the same file. */
  get pictureId(): string | null {
    return this.#pictureId;
  }
  get previewUrl(): string | null {
    return this.#previewUrl;
  }
  get preparing(): boolean {
    return this.#preparing;
  }
  get imageError(): string | null {
    return this.#imageError;
  }
  /** The recording as picked, dropped or recorded (read on the device, never stored), or null. */
  get audio(): Blob | null {
    return this.#audio.file;
  }
  /** Its file name ('' for a recording made here). */
  get audioName(): string {
    return this.#audio.name;
  }
  /** A URL the page plays it from while it is open (revoked when it is removed). */
  get audioUrl(): string | null {
    return this.#audio.url;
  }
  /** Identifies the current recording: a new pick is a new recording. */
  get audioId(): string | null {
    return this.#audio.id;
  }
  /** The video as picked or dropped (read on the device, never stored), or null. */
  get video(): Blob | null {
    return this.#video.file;
  }
  get videoName(): string {
    return this.#video.name;
  }
  /** A URL the page plays it from while it is open (revoked when it is removed). */
  get videoUrl(): string | null {
    return this.#video.url;
  }
  /** Identifies the current video: a new pick is a new video. */
  get videoId(): string | null {
    return this.#video.id;
  }
  /** Something to analyze: a text, a picture, a recording or a video. */
  get hasInput(): boolean {
    return this.#draft.trim() !== '' || this.#image !== null || this.#audio.file !== null || this.#video.file !== null;
  }

  /** The video of the next analysis: its faces and its sound are read, so a picture or a recording picked before is removed. */
  setVideo(file: Blob & { name?: string }, name = file.name ?? ''): void {
    this.clearImage();
    this.clearAudio();
    this.#video.set(file, name);
  }

  /** Removes the video (results of earlier runs stay with their runs). */
  clearVideo(): void {
    this.#video.clear();
  }

  /** The recording of the next analysis (a file picked or dropped, or one recorded here). */
  setAudio(file: Blob & { name?: string }, name = file.name ?? ''): void {
    this.clearVideo();
    this.#audio.set(file, name);
  }

  /** Removes the recording (results of earlier runs stay with their runs). */
  clearAudio(): void {
    this.#audio.clear();
  }

  setDraft(text: string): void {
    this.#draft = text;
    this.#stores.text.save(text);
  }

  /** What the user typed in the Tags field; kept across a reload. */
  setTagsDraft(typed: string): void {
    this.#tagsDraft = typed;
    this.#stores.tags.save(typed);
  }

  /** Checks and prepares a picked, dropped, pasted or shared file. */
  async setImage(file: Blob & { name?: string }): Promise<void> {
    this.clearImage();
    this.clearVideo();
    // A picture picked while an earlier one is still being prepared wins, whichever finishes first.
    const pick = ++this.#pickCount;
    this.#preparing = true;
    try {
      const prepared = await this.#prepare(file, this.#settings.current.imageMaxSide);
      if (pick !== this.#pickCount) return;
      this.#image = prepared;
      this.#source = file;
      this.#pictureId = `picture-${pick}`;
      this.#previewUrl = URL.createObjectURL(prepared.blob);
    } catch (err) {
      if (pick !== this.#pickCount) return;
      const e = err instanceof VisionError ? err : new VisionError('image-corrupt', String(err));
      // The picture's own failures name no provider or model.
      this.#imageError = describeVisionError(e, { model: '', host: '' });
    } finally {
      if (pick === this.#pickCount) this.#preparing = false;
    }
  }

  /** Removes the picture (results of earlier runs stay with their runs). */
  clearImage(): void {
    this.#pickCount += 1;
    this.#preparing = false;
    if (this.#previewUrl) URL.revokeObjectURL(this.#previewUrl);
    this.#previewUrl = null;
    this.#image = null;
    this.#source = null;
    this.#pictureId = null;
    this.#imageError = null;
  }

  /** All inputs at once (an entry analyzed again, a batch row opened): the text, no picture or recording, these tags. */
  replaceWith(inputs: { readonly text: string; readonly tags?: readonly string[] }): void {
    this.setDraft(inputs.text);
    this.clearImage();
    this.clearAudio();
    this.clearVideo();
    if (inputs.tags) this.setTagsDraft(formatTags(inputs.tags));
  }
}
