// Service worker part of the share target, loaded by the generated service worker with
// importScripts. Another app's share (title, text, link, a picture) arrives as a POST of a form to
// ./share-target; it is kept in the share inbox cache and the app opens with ?shared=inbox, where
// src/features/analysis/share-inbox.ts takes it (once). The names below must match src/features/analysis/share.ts and
// src/features/analysis/share-inbox.ts. Nothing here sends anything anywhere.
const SHARE_INBOX_CACHE = 'moodlens-share-inbox';
const MAX_SHARED_IMAGE_BYTES = 25 * 1024 * 1024;
const MAX_TEXT = 100000;
/** Largest form body read: the picture, the three text fields and the form's own overhead. */
const MAX_BODY_BYTES = MAX_SHARED_IMAGE_BYTES + 3 * MAX_TEXT * 4 + 64 * 1024;

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'POST') return;
  const scope = self.registration.scope;
  if (request.url !== new URL('share-target', scope).href) return;
  event.respondWith(keepShare(request, scope));
});

async function keepShare(request, scope) {
  const inbox = await caches.open(SHARE_INBOX_CACHE);
  const textUrl = new URL('share-inbox/text', scope).href;
  const imageUrl = new URL('share-inbox/image', scope).href;
  await Promise.all([inbox.delete(textUrl), inbox.delete(imageUrl)]);
  try {
    // The size is checked before the body is read: Content-Length first, then while it streams
    // (a body without one, or one that lies), so a huge post is never held in memory whole.
    const body = await readCapped(request, MAX_BODY_BYTES);
    if (!body) {
      await inbox.put(textUrl, new Response(JSON.stringify({ tooLarge: true }), { headers: { 'content-type': 'application/json' } }));
      return Response.redirect(new URL('./?shared=inbox', scope).href, 303);
    }
    const form = await new Response(body, { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData();
    const field = (name) => {
      const value = form.get(name);
      return typeof value === 'string' ? value.slice(0, MAX_TEXT) : '';
    };
    const parts = { title: field('share-title'), text: field('share-text'), url: field('share-url') };
    await inbox.put(textUrl, new Response(JSON.stringify(parts), { headers: { 'content-type': 'application/json' } }));
    const image = form.getAll('share-image').find((f) => typeof f !== 'string' && f.size > 0 && f.size <= MAX_SHARED_IMAGE_BYTES);
    if (image) {
      await inbox.put(imageUrl, new Response(image, { headers: { 'content-type': image.type || 'application/octet-stream', 'x-file-name': encodeURIComponent(image.name || 'shared picture') } }));
    }
  } catch {
    // A form that cannot be read: the app opens with an empty inbox and says nothing was received.
  }
  return Response.redirect(new URL('./?shared=inbox', scope).href, 303);
}

/** The request's body, or null when it is larger than `cap` bytes (reading stops there). */
async function readCapped(request, cap) {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
