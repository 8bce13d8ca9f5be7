// Where a remembered API key lives: this site's localStorage, and only when the user opted in.
// By default the key is held in memory only and is gone when the page closes.

/** Persistence of the API key, used only after "Remember key on this device". */
export interface KeyStore {
  /** The remembered key, or null. */
  load(): string | null;
  save(key: string): void;
  /** Removes every stored copy. */
  clear(): void;
  /** Where the key is kept, in words for the settings page. */
  readonly where: string;
}

/** Storage key of the remembered API key. */
export const KEY_STORAGE_NAME = 'moodlens:vision-api-key';

/** The localStorage-backed store; a browser that blocks storage just remembers nothing. */
export function localKeyStore(name = KEY_STORAGE_NAME): KeyStore {
  return {
    load: () => {
      try {
        return localStorage.getItem(name);
      } catch {
        return null;
      }
    },
    save: (key) => {
      try {
        localStorage.setItem(name, key);
      } catch {
        // Blocked storage: the key stays in memory only.
      }
    },
    clear: () => {
      try {
        localStorage.removeItem(name);
      } catch {
        // Nothing stored.
      }
    },
    where: "this browser's local storage for this site, unencrypted (anyone using this browser profile can read it)",
  };
}
