// Whether the browser is online, and whether a new version of the app is waiting (the service
// worker precached it); the user decides when to reload, so nothing in progress is cut off.
import { registerSW } from 'virtual:pwa-register';

/** Online state and app updates. */
export class AppStatusState {
  #online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  #updateReady = $state(false);
  #offlineReady = $state(false);
  #update: ((reload?: boolean) => Promise<void>) | null = null;

  get online(): boolean {
    return this.#online;
  }
  /** A new version was downloaded and waits for a reload. */
  get updateReady(): boolean {
    return this.#updateReady;
  }
  /** The app is cached for offline use. */
  get offlineReady(): boolean {
    return this.#offlineReady;
  }

  /** Starts listening; call once from the app's mount. Returns the cleanup. */
  start(): () => void {
    const set = () => (this.#online = navigator.onLine);
    window.addEventListener('online', set);
    window.addEventListener('offline', set);
    if ('serviceWorker' in navigator) {
      this.#update = registerSW({
        immediate: true,
        onNeedRefresh: () => (this.#updateReady = true),
        onOfflineReady: () => (this.#offlineReady = true),
      });
    }
    return () => {
      window.removeEventListener('online', set);
      window.removeEventListener('offline', set);
    };
  }

  /** Activates the waiting version and reloads the page. */
  async reload(): Promise<void> {
    if (this.#update) await this.#update(true);
    else location.reload();
  }
}
