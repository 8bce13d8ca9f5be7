// Resuming a model download that stopped part-way (cancelled, cut, gone offline): the bytes that
// had arrived are kept per URL with the host's validator and the file's length, and the next
// download of that URL asks only for the rest (`Range: bytes=N-` with `If-Range`). The caller gets
// one whole-file response either way. A host that answers 200 (it has no ranges, or the file
// changed) starts over; a 206 that does not fit what was kept drops it and starts over.
import type { ModelFileStore, PartialDownload } from './model-cache';
import { ModelError } from './model-errors';

/** The fetch signature transformers.js calls through `env.fetch`. */
type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Where partial downloads are kept (the model cache). */
export type PartialStore = Pick<ModelFileStore, 'getPartial' | 'putPartial' | 'dropPartial'>;

/**
 * GET `url` through `send`, resuming from a partial download kept for it when there is one, and
 * keeping what arrives if this download stops part-way too. `send` is the plain request (the
 * model fetch with its host check and retry).
 */
export async function fetchResuming(url: string, init: RequestInit | undefined, send: FetchLike, store: PartialStore, now: () => number = Date.now): Promise<Response> {
  const partial = await store.getPartial(url).catch(() => undefined);
  if (partial) {
    const headers = new Headers(init?.headers);
    headers.set('range', `bytes=${partial.bytes.size}-`);
    headers.set('if-range', partial.validator);
    let rest: Response | null = null;
    try {
      rest = await send(url, { ...init, headers });
    } catch (err) {
      // Offline or cancelled: what was kept stays for next time. Anything else may be a host
      // that refuses the headers (CORS): ask it for the whole file below.
      if (init?.signal?.aborted || (err instanceof ModelError && err.code === 'offline')) throw err;
    }
    if (rest) {
      if (rest.status === 206 && fits(rest, partial)) return recorded(url, rest, store, partial, now);
      // The host answered, and what was kept is of no use: it sends the whole file (200: no
      // ranges, or a new version), or a range that does not fit, or says the range is wrong.
      if (rest.status === 200 || rest.status === 206 || rest.status === 412 || rest.status === 416) {
        await store.dropPartial(url).catch(() => undefined);
      }
      if (rest.status === 200) return recorded(url, rest, store, null, now);
      await rest.body?.cancel().catch(() => undefined);
    }
  }
  const response = await send(url, init);
  return recorded(url, response, store, null, now);
}

/** A strong ETag, else Last-Modified: what If-Range may carry. */
function validatorOf(response: Response): string | null {
  const etag = response.headers.get('etag');
  if (etag && !etag.startsWith('W/')) return etag;
  return response.headers.get('last-modified');
}

/** True when a 206 is the rest of the file that was kept: same version, from its end to the file's end. */
function fits(response: Response, partial: PartialDownload): boolean {
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/u.exec(response.headers.get('content-range') ?? '');
  if (!range) return false;
  const [start, end, size] = range.slice(1).map(Number);
  const validator = validatorOf(response);
  return start === partial.bytes.size && size === partial.size && end === size - 1 && (validator === null || validator === partial.validator);
}

/**
 * The response as one whole file (`prefix`'s bytes first when resuming), its body watched: if it
 * stops part-way, what arrived is kept (with `prefix`) for the next download; once it is whole,
 * the kept part is dropped. A response that cannot be resumed later (no validator, no length,
 * compressed) is passed on as it is.
 */
function recorded(url: string, response: Response, store: PartialStore, prefix: PartialDownload | null, now: () => number): Response {
  if (!response.ok || !response.body) return response;
  const validator = prefix?.validator ?? validatorOf(response);
  const size = prefix?.size ?? Number(response.headers.get('content-length'));
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const resumable = validator !== null && Number.isSafeInteger(size) && size > 0 && !encoded;
  if (!prefix && !resumable) return response;

  const reader = response.body.getReader();
  const received: Uint8Array<ArrayBuffer>[] = [];
  let settled = false;
  const settle = async (whole: boolean) => {
    if (settled) return;
    settled = true;
    try {
      if (whole) {
        if (prefix) await store.dropPartial(url);
        return;
      }
      const bytes = new Blob(prefix ? [prefix.bytes, ...received] : received);
      // Best effort: a full disk only loses the resume.
      if (resumable && validator !== null && bytes.size > 0 && bytes.size < size) await store.putPartial(url, { bytes, size, validator, storedAt: now() });
    } catch {
      // Nothing to tell: the next download starts from zero.
    }
  };
  const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
    async start(controller) {
      if (prefix) controller.enqueue(new Uint8Array(await prefix.bytes.arrayBuffer()));
    },
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array<ArrayBuffer>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        // Kept before the reader hears of the failure, so a retry right away finds it.
        await settle(false);
        controller.error(err);
        return;
      }
      if (chunk.done) {
        await settle(true);
        controller.close();
        return;
      }
      received.push(chunk.value);
      controller.enqueue(chunk.value);
    },
    async cancel(reason) {
      await settle(false);
      await reader.cancel(reason).catch(() => undefined);
    },
  });
  const headers = new Headers(response.headers);
  if (prefix) {
    headers.delete('content-range');
    headers.set('content-length', String(prefix.size));
  }
  return new Response(body, { status: 200, statusText: 'OK', headers });
}
