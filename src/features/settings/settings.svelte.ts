// Reactive settings, changed only through update(): every field is checked, the valid ones apply at
// once and are persisted in order, the refused ones are neither applied nor saved, and the status
// says "Saved" only once a write of a valid change has completed.
import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  SETTING_NAMES,
  SETTING_SECTIONS,
  checkSettingsPatch,
  sourceOf,
  type SettingKey,
  type Settings,
  type SettingsSection,
  type SettingsErrors,
  type SettingsPatch,
  type SettingsValues,
} from './settings';
import type { ModelConfig } from '../text/protocol';
import type { SettingsStore } from './settings-store';

/**
 * What the status line reports: 'refused' while a value the user entered was not taken (it wins
 * over the others, so "Saved" is never shown beside it); otherwise the state of the last write.
 */
export type SaveStatus = 'idle' | 'saving' | 'saved' | 'failed' | 'refused';

/** What one `update()` did. */
export interface SettingsUpdate {
  /** The valid values, cleaned (trimmed, trailing slashes dropped); they apply from now on. */
  readonly applied: SettingsValues;
  /** The refused fields, each with the sentence saying what is allowed; neither applied nor saved. */
  readonly refused: SettingsErrors;
  /** 'saved' once the write has completed, 'failed' when it did not, 'none' when nothing changed. */
  readonly write: 'saved' | 'failed' | 'none';
}

/** The status when settings could not be written. */
export const SAVE_FAILED_MESSAGE = 'Could not save settings on this device; they apply until you close the page.';

type WriteStatus = 'idle' | 'saving' | 'saved' | 'failed';

const keysOf = (section: SettingsSection) => SETTING_KEYS.filter((key) => SETTING_SECTIONS[key] === section);

/** Settings state; `load()` once at start-up, then `update()` on every change. */
export class SettingsState {
  readonly #store: SettingsStore;
  /** The chain of writes, in the order the changes were made; it never rejects. */
  #writes: Promise<unknown> = Promise.resolve();
  #lastWrite = 0;
  #current = $state.raw<Settings>(DEFAULT_SETTINGS);
  #loaded = $state(false);
  #write = $state<WriteStatus>('idle');
  #refused = $state.raw<SettingsErrors>({});
  /** The sections whose fields the last change applied (where its "Saved" belongs). */
  #written = $state.raw<ReadonlySet<SettingsSection>>(new Set());
  readonly #modelConfig: ModelConfig = $derived({
    source: sourceOf(this.#current),
    device: this.#current.device,
    engine: this.#current.textEngine,
  });

  constructor(store: SettingsStore) {
    this.#store = store;
  }

  /** The settings in effect: only ever valid values. */
  get current(): Settings {
    return this.#current;
  }

  /** True once the stored settings have been read. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** What the status line reports (see SaveStatus). */
  get saveStatus(): SaveStatus {
    return Object.keys(this.#refused).length > 0 ? 'refused' : this.#write;
  }

  /** Fields whose last entered value was refused, each with the sentence saying what is allowed. */
  get refused(): SettingsErrors {
    return this.#refused;
  }

  /**
   * The status line of the whole page: '', "Saving…", "Saved", the failed-write sentence, or
   * which field was not saved and the value still in use (the field itself says what is allowed;
   * repeating that sentence here would put it on the page twice).
   */
  get statusText(): string {
    return this.#status(SETTING_KEYS, true);
  }

  /**
   * The status line of one part of Settings: its own refused fields only (a refusal elsewhere is
   * shown there, not here), else the last write's state when that write changed a field of this
   * part, else ''.
   */
  statusOf(section: SettingsSection): string {
    return this.#status(keysOf(section), this.#written.has(section));
  }

  /** True while a value entered in this part of Settings is refused. */
  refusedIn(section: SettingsSection): boolean {
    return keysOf(section).some((key) => this.#refused[key] !== undefined);
  }

  #status(keys: readonly SettingKey[], showWrite: boolean): string {
    const refused = keys.filter((key) => this.#refused[key] !== undefined);
    const [first] = refused;
    if (first !== undefined) {
      if (refused.length > 1) return `Not saved: ${refused.map((key) => SETTING_NAMES[key]).join(', ')}.`;
      const value = this.#current[first];
      const inUse = typeof value === 'object' ? '' : String(value);
      return inUse === '' ? `${SETTING_NAMES[first]} not saved.` : `${SETTING_NAMES[first]} not saved: still ${inUse}.`;
    }
    if (!showWrite) return '';
    switch (this.#write) {
      case 'saving':
        return 'Saving…';
      case 'saved':
        return 'Saved';
      case 'failed':
        return SAVE_FAILED_MESSAGE;
      case 'idle':
        return '';
    }
  }

  /** What the emotion worker should load under the current settings. */
  get modelConfig(): ModelConfig {
    return this.#modelConfig;
  }

  /** Reads the stored settings (the store turns anything stored into valid settings). */
  async load(): Promise<void> {
    this.#current = await this.#store.load();
    this.#loaded = true;
  }

  /**
   * Checks every field of `patch`. Valid values apply now and are written after any earlier
   * write; refused ones change nothing and are reported, here and in `refused`, until a valid
   * value for that field is entered. Resolves when this change's write has completed (or failed).
   */
  update(patch: SettingsPatch): Promise<SettingsUpdate> {
    const { ok, errors } = checkSettingsPatch(patch);
    const refused: SettingsErrors = { ...this.#refused };
    for (const key of SETTING_KEYS) if (patch[key] !== undefined) delete refused[key];
    this.#refused = { ...refused, ...errors };

    const changed = (Object.keys(ok) as SettingKey[]).filter((key) => ok[key] !== this.#current[key]);
    if (changed.length === 0) return Promise.resolve({ applied: ok, refused: errors, write: 'none' });

    const snapshot: Settings = { ...this.#current, ...ok };
    this.#current = snapshot;
    this.#written = new Set(changed.map((key) => SETTING_SECTIONS[key]));
    const id = ++this.#lastWrite;
    this.#write = 'saving';
    const done = this.#writes
      .then(() => this.#store.save(snapshot))
      .then(
        () => {
          // A later change is still being written: "Saved" waits for it.
          if (id === this.#lastWrite) this.#write = 'saved';
          return 'saved' as const;
        },
        () => {
          this.#write = 'failed';
          return 'failed' as const;
        },
      )
      .then((write): SettingsUpdate => ({ applied: ok, refused: errors, write }));
    this.#writes = done;
    return done;
  }

  /**
   * Forgets the refused entries: the view that showed them is gone, and its fields show the
   * stored values again when it comes back.
   */
  discardRefused(): void {
    this.#refused = {};
  }
}
