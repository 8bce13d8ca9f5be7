// What another app shared into Moodlens. The web app manifest's share_target posts
// the shared title, text, link and picture to ./share-target, where the service worker keeps them
// in a cache (the share inbox) and opens the app with ?shared=inbox; the app takes them from there.
// A link with the same parts as query parameters (share-title, share-text, share-url) works too.
// The shared text becomes the text to analyze and the picture the picture; nothing else in a URL is
// ever read (a URL cannot set the provider, the key or the model host).

/** The form fields (and query parameters) the manifest's share_target names. */
export const SHARE_PARAMS = { title: 'share-title', text: 'share-text', url: 'share-url' } as const;
/** The form field of a shared picture. */
export const SHARE_IMAGE_FIELD = 'share-image';
/** The query parameter the service worker opens the app with when the inbox holds a share. */
export const SHARE_INBOX_PARAM = 'shared';
/** The Cache Storage cache the service worker keeps a share in until the app takes it. */
export const SHARE_INBOX_CACHE = 'moodlens-share-inbox';
/** Largest shared picture taken (the picture input's own limit is checked again after). */
export const MAX_SHARED_IMAGE_BYTES = 25 * 1024 * 1024;

/** The shared parts, as strings (absent ones empty). */
export interface SharedParts {
  readonly title?: string | null;
  readonly text?: string | null;
  readonly url?: string | null;
}

/** Longest shared text taken (a post, not a book); the rest is cut. */
const MAX_SHARED = 100_000;

/**
 * The shared text in `search` (a location's query string), or null when nothing was shared: the
 * text, else the title, with a link that is not already in it on its own line.
 */
export function sharedText(search: string): string | null {
  const params = new URLSearchParams(search);
  return textOfShare({ title: params.get(SHARE_PARAMS.title), text: params.get(SHARE_PARAMS.text), url: params.get(SHARE_PARAMS.url) });
}

/** The text to analyze from shared parts: the text, else the title, and a link not already in it. */
export function textOfShare(shared: SharedParts): string | null {
  const title = shared.title?.trim() ?? '';
  const text = shared.text?.trim() ?? '';
  const url = shared.url?.trim() ?? '';
  const body = text || title;
  const parts = [body, url && !body.includes(url) ? url : ''].filter(Boolean);
  return parts.length ? parts.join('\n').slice(0, MAX_SHARED) : null;
}

/** `search` without the share parameters (what the address bar keeps). */
export function withoutShare(search: string): string {
  const params = new URLSearchParams(search);
  for (const name of [...Object.values(SHARE_PARAMS), SHARE_INBOX_PARAM]) params.delete(name);
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}

/** True when the service worker opened the app with a share waiting in the inbox. */
export function hasSharedInbox(search: string): boolean {
  return new URLSearchParams(search).get(SHARE_INBOX_PARAM) === 'inbox';
}
