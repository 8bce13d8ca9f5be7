// Service worker part of the share target (issue 17), loaded by the generated service worker with
// importScripts. Another app's share (title, text, link, a picture) arrives as a POST of a form to
// ./share-target; it is kept in the share inbox cache and the app opens with ?shared=inbox, where
// src/features/analysis/share-inbox.ts takes it (once). The names below must match src/features/analysis/share.ts and
// src/features/analysis/share-inbox.ts. Nothing here sends anything anywhere.
const SHARE_INBOX_CACHE = 'moodlens-share-inbox';
const MAX_SHARED_IMAGE_BYTES = 25 * 1024 * 1024;
const MAX_TEXT = 100000;

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
    const form = await request.formData();
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
