// One media file of the next analysis (the recording, the video): the file as picked, dropped or
// recorded (read on the device, never stored), its name, a URL the page plays it from while it is
// open (revoked when it goes), and an id (a new pick is a new file).

let picks = 0;

export class MediaPick {
  readonly #kind: string;
  #file = $state.raw<Blob | null>(null);
  #name = $state('');
  #url = $state<string | null>(null);
  #id = $state<string | null>(null);

  /** `kind` names the ids ("audio-3"). */
  constructor(kind: string) {
    this.#kind = kind;
  }

  get file(): Blob | null {
    return this.#file;
  }
  /** Its file name ('' for one made here). */
  get name(): string {
    return this.#name;
  }
  get url(): string | null {
    return this.#url;
  }
  get id(): string | null {
    return this.#id;
  }

  set(file: Blob, name: string): void {
    this.clear();
    this.#file = file;
    this.#name = name;
    this.#url = URL.createObjectURL(file);
    this.#id = `${this.#kind}-${++picks}`;
  }

  clear(): void {
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#file = null;
    this.#name = '';
    this.#url = null;
    this.#id = null;
  }
}
