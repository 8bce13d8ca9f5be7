// Which view is shown, as browser history entries: Analysis (no hash), #batch, #history, an
// opened History entry (#history/<id>) and #settings. Back and Forward move between them; going "back"
// inside the app uses the browser's Back when the previous entry is the app's own, so the two
// never disagree, and never leaves the app.

/** A view of the app. */
export type Route =
  | { readonly view: 'analysis' }
  | { readonly view: 'batch' }
  | { readonly view: 'history'; readonly entry: string | null }
  | { readonly view: 'settings' };

/** The route a URL hash names; anything unknown is the Analysis view. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/u, '');
  if (path === 'settings') return { view: 'settings' };
  if (path === 'batch') return { view: 'batch' };
  if (path === 'history') return { view: 'history', entry: null };
  if (path.startsWith('history/')) {
    let entry: string;
    try {
      entry = decodeURIComponent(path.slice('history/'.length));
    } catch {
      return { view: 'history', entry: null };
    }
    return { view: 'history', entry: entry || null };
  }
  return { view: 'analysis' };
}

/** The hash of a route ('' for Analysis). */
export function hashOf(route: Route): string {
  switch (route.view) {
    case 'analysis':
      return '';
    case 'settings':
      return '#settings';
    case 'batch':
      return '#batch';
    case 'history':
      return route.entry ? `#history/${encodeURIComponent(route.entry)}` : '#history';
  }
}

/** The parts of `window` the router uses (a fake stands in for it in tests). */
export interface BrowserLike {
  readonly location: { readonly hash: string; readonly pathname: string; readonly search: string };
  readonly history: {
    readonly state: unknown;
    pushState(state: unknown, unused: string, url: string): void;
    replaceState(state: unknown, unused: string, url: string): void;
    back(): void;
  };
  addEventListener(type: 'popstate', listener: () => void): void;
  removeEventListener(type: 'popstate', listener: () => void): void;
}

/** What the app keeps in each history entry it pushes: the hash of the view it came from. */
interface EntryState {
  readonly moodlensFrom: string;
}

function cameFrom(state: unknown): string | null {
  const from = (state as Partial<EntryState> | null)?.moodlensFrom;
  return typeof from === 'string' ? from : null;
}

/** The current view; changes through `go`, `up` and the browser's Back and Forward. */
export class RouterState {
  readonly #browser: BrowserLike;
  #route = $state.raw<Route>({ view: 'analysis' });

  constructor(browser: BrowserLike) {
    this.#browser = browser;
    this.#route = parseRoute(browser.location.hash);
  }

  get route(): Route {
    return this.#route;
  }

  /** Shows `route` as a new history entry (nothing happens when it is already shown). */
  go(route: Route): void {
    const from = hashOf(this.#route);
    if (hashOf(route) === from) return;
    const state: EntryState = { moodlensFrom: from };
    this.#browser.history.pushState(state, '', this.#url(route));
    this.#route = route;
  }

  /**
   * Leaves the current view for `parent` (an opened entry for the list): the browser's Back when
   * the app came here from `parent`, so Back and the app agree; otherwise `parent` replaces the
   * current entry (a link opened directly), so the app is never left.
   */
  up(parent: Route): void {
    if (cameFrom(this.#browser.history.state) === hashOf(parent)) {
      this.#browser.history.back();
      return;
    }
    this.#browser.history.replaceState(null, '', this.#url(parent));
    this.#route = parent;
  }

  /** Follows Back and Forward; returns the cleanup. */
  start(): () => void {
    const onPop = () => {
      this.#route = parseRoute(this.#browser.location.hash);
    };
    this.#browser.addEventListener('popstate', onPop);
    return () => this.#browser.removeEventListener('popstate', onPop);
  }

  #url(route: Route): string {
    const { pathname, search } = this.#browser.location;
    return `${pathname}${search}${hashOf(route)}`;
  }
}
