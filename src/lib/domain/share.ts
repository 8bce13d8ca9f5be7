// What another app shared into Moodlens (issue 17): the web app manifest's share_target opens
// the app at its start URL with the shared title, text and link as query parameters; they become
// the text to analyse. Nothing else in a URL is ever read (a URL cannot set the provider, the key
// or the model host).

/** The query parameters the manifest's share_target names. */
export const SHARE_PARAMS = { title: 'share-title', text: 'share-text', url: 'share-url' } as const;

/** Longest shared text taken (a post, not a book); the rest is cut. */
const MAX_SHARED = 100_000;

/**
 * The shared text in `search` (a location's query string), or null when nothing was shared: the
 * text, else the title, with a link that is not already in it on its own line.
 */
export function sharedText(search: string): string | null {
  const params = new URLSearchParams(search);
  const title = params.get(SHARE_PARAMS.title)?.trim() ?? '';
  const text = params.get(SHARE_PARAMS.text)?.trim() ?? '';
  const url = params.get(SHARE_PARAMS.url)?.trim() ?? '';
  const body = text || title;
  const parts = [body, url && !body.includes(url) ? url : ''].filter(Boolean);
  return parts.length ? parts.join('\n').slice(0, MAX_SHARED) : null;
}

/** `search` without the share parameters (what the address bar keeps). */
export function withoutShare(search: string): string {
  const params = new URLSearchParams(search);
  for (const name of Object.values(SHARE_PARAMS)) params.delete(name);
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}
