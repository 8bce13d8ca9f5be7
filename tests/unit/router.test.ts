// The router over a fake window: views are history entries; going up from an opened entry uses
// the browser's Back when the app came from the list, and never leaves the app.
import { describe, expect, it } from 'vitest';
import { RouterState, hashOf, parseRoute, type BrowserLike } from '../../src/app/router.svelte';

/** A window with a browser history of its own (entries of URL and state). */
function fakeBrowser(startHash = '') {
  const entries: Array<{ url: string; state: unknown }> = [{ url: `/app/${startHash}`, state: null }];
  let index = 0;
  const listeners = new Set<() => void>();
  const hashOfUrl = (url: string) => (url.includes('#') ? url.slice(url.indexOf('#')) : '');
  const browser: BrowserLike & { entries: typeof entries; index: () => number; back(): void; forward(): void } = {
    entries,
    index: () => index,
    location: {
      get hash() {
        return hashOfUrl(entries[index]!.url);
      },
      pathname: '/app/',
      search: '',
    },
    history: {
      get state() {
        return entries[index]!.state;
      },
      pushState(state, _unused, url) {
        entries.splice(index + 1, entries.length, { url, state });
        index += 1;
      },
      replaceState(state, _unused, url) {
        entries[index] = { url, state };
      },
      back() {
        browser.back();
      },
    },
    addEventListener: (_type, l) => void listeners.add(l),
    removeEventListener: (_type, l) => void listeners.delete(l),
    back() {
      if (index === 0) throw new Error('left the app');
      index -= 1;
      for (const l of listeners) l();
    },
    forward() {
      index += 1;
      for (const l of listeners) l();
    },
  };
  return browser;
}

describe('routes', () => {
  it('parse and print each other', () => {
    for (const route of [{ view: 'analysis' }, { view: 'settings' }, { view: 'history', entry: null }, { view: 'history', entry: 'a b/c' }] as const) {
      expect(parseRoute(hashOf(route))).toEqual(route);
    }
    expect(parseRoute('#nonsense')).toEqual({ view: 'analysis' });
    expect(parseRoute('#history/%E0%A4%A')).toEqual({ view: 'history', entry: null });
  });
});

describe('RouterState', () => {
  it('makes each view a history entry that Back and Forward return to', () => {
    const browser = fakeBrowser();
    const router = new RouterState(browser);
    const stop = router.start();
    router.go({ view: 'history', entry: null });
    router.go({ view: 'history', entry: 'r1' });
    expect(browser.entries.map((e) => e.url)).toEqual(['/app/', '/app/#history', '/app/#history/r1']);
    browser.back();
    expect(router.route).toEqual({ view: 'history', entry: null });
    browser.back();
    expect(router.route).toEqual({ view: 'analysis' });
    browser.forward();
    expect(router.route).toEqual({ view: 'history', entry: null });
    stop();
  });

  it('does not push the view already shown', () => {
    const browser = fakeBrowser();
    const router = new RouterState(browser);
    router.go({ view: 'settings' });
    router.go({ view: 'settings' });
    expect(browser.entries).toHaveLength(2);
  });

  it('up from an entry opened from the list is the browser Back; opened directly, it replaces the entry', () => {
    const browser = fakeBrowser();
    const router = new RouterState(browser);
    router.start();
    router.go({ view: 'history', entry: null });
    router.go({ view: 'history', entry: 'r1' });
    router.up({ view: 'history', entry: null });
    expect(browser.index()).toBe(1);
    expect(router.route).toEqual({ view: 'history', entry: null });

    const direct = fakeBrowser('#history/r1');
    const other = new RouterState(direct);
    expect(other.route).toEqual({ view: 'history', entry: 'r1' });
    other.up({ view: 'history', entry: null });
    expect(direct.entries.map((e) => e.url)).toEqual(['/app/#history']);
    expect(other.route).toEqual({ view: 'history', entry: null });
  });
});
