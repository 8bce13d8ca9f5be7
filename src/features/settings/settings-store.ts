// Settings persisted in their own IndexedDB database (idb-keyval), migrated on read.
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from './settings';

/** Loads and saves the settings record. */
export interface SettingsStore {
  load(): Promise<Settings>;
  save(settings: Settings): Promise<void>;
}

const KEY = 'settings';

/** The IndexedDB-backed store; falls back to defaults when IndexedDB cannot be read. */
export function createIdbSettingsStore(store: UseStore = createStore('moodlens-settings', 'kv')): SettingsStore {
  return {
    async load() {
      try {
        return parseSettings(await get(KEY, store));
      } catch {
        return DEFAULT_SETTINGS;
      }
    },
    save: (settings) => set(KEY, settings, store),
  };
}
