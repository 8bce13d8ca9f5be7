// The app's side of the share inbox (see share.ts): takes what the service worker kept of
// a share (the text parts and at most one picture) and empties the inbox, so a share is taken
// once. Anything unexpected in the inbox is ignored, never thrown.
import { MAX_SHARED_IMAGE_BYTES, SHARE_INBOX_CACHE, textOfShare, type SharedParts } from './share';

/** What was shared: the text to analyze and the picture, each null when absent. */
export interface Shared {
  readonly text: string | null;
  readonly image: File | null;
  /** The share was larger than the app takes (25 MB), so nothing of it was kept. */
  readonly tooLarge: boolean;
}

/** Entry names in the inbox cache, relative to the app's base URL (the worker writes the same). */
export const INBOX_TEXT = 'share-inbox/text';
export const INBOX_IMAGE = 'share-inbox/image';

/** Takes the share waiting in the inbox; null when there is none (or no Cache Storage). */
export async function takeShared(base: string = document.baseURI): Promise<Shared | null> {
  if (typeof caches === 'undefined') return null;
  let inbox: Cache;
  try {
    inbox = await caches.open(SHARE_INBOX_CACHE);
  } catch {
    return null;
  }
  const textUrl = new URL(INBOX_TEXT, base).href;
  const imageUrl = new URL(INBOX_IMAGE, base).href;
  const [textResponse, imageResponse] = await Promise.all([inbox.match(textUrl), inbox.match(imageUrl)]);
  await Promise.all([inbox.delete(textUrl), inbox.delete(imageUrl)]);
  if (!textResponse && !imageResponse) return null;
  let text: string | null = null;
  try {
    const parts = (await textResponse?.json()) as (SharedParts & { tooLarge?: unknown }) | undefined;
    // The service worker refused a post larger than it takes, and kept only that.
    if (parts?.tooLarge === true) return { text: null, image: null, tooLarge: true };
    if (parts && typeof parts === 'object') {
      text = textOfShare({ title: stringOr(parts.title), text: stringOr(parts.text), url: stringOr(parts.url) });
    }
  } catch {
    text = null;
  }
  let image: File | null = null;
  if (imageResponse) {
    const blob = await imageResponse.blob();
    const name = decodeName(imageResponse.headers.get('x-file-name'));
    if (blob.size > 0 && blob.size <= MAX_SHARED_IMAGE_BYTES) image = new File([blob], name, { type: blob.type });
  }
  return { text, image, tooLarge: false };
}

function stringOr(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function decodeName(header: string | null): string {
  try {
    return header ? decodeURIComponent(header).slice(0, 200) : 'shared picture';
  } catch {
    return 'shared picture';
  }
}
