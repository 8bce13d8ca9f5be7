// Model files kept on the device in IndexedDB (idb-keyval), so a second visit loads the model
// without network. transformers.js reads and writes it through `env.customCache` (match/put);
// Settings lists and removes it. Also remembers which optional files a host does not have, so a
// reload asks the network for nothing, and keeps the bytes of a download that stopped part-way,
// so the next one resumes (resume-download.ts).
import { createStore, get, keys, setMany, delMany, getMany, type UseStore } from 'idb-keyval';

/** What is known about one cached file without reading its bytes. */
export interface CachedFileMeta {
  readonly url: string;
  readonly size: number;
  readonly contentType: string;
  readonly storedAt: number;
}

/** The bytes of a download that stopped part-way, kept so the next one asks only for the rest. */
export interface PartialDownload {
  /** The file's first bytes, as they arrived. */
  readonly bytes: Blob;
  /** The whole file's length. */
  readonly size: number;
  /** What the host said identifies this version of the file (a strong ETag, or Last-Modified), for If-Range. */
  readonly validator: string;
  readonly storedAt: number;
}

/** The cache as transformers.js and the app use it. */
export interface ModelFileStore {
  /** transformers.js: the cached response for a URL, or undefined. */
  match(url: string): Promise<Response | undefined>;
  /** transformers.js: stores a successful response. */
  put(url: string, response: Response): Promise<void>;
  /** Stores bytes under a URL (files loaded from disk). */
  putBlob(url: string, blob: Blob, contentType?: string): Promise<void>;
  /** Metadata of one file, without reading it. */
  meta(url: string): Promise<CachedFileMeta | undefined>;
  /** Metadata of every cached file. */
  list(): Promise<CachedFileMeta[]>;
  /** Removes files (and "missing" marks, values, partial downloads) whose URL starts with `prefix` (all when omitted). */
  clear(prefix?: string): Promise<number>;
  /** True when the host answered 404 for this optional file before. */
  isMissing(url: string): Promise<boolean>;
  /** Records that the host has no such optional file. */
  markMissing(url: string): Promise<void>;
  /** The partial download kept for a URL, if any. */
  getPartial(url: string): Promise<PartialDownload | undefined>;
  /** Keeps a partial download for a URL, replacing any earlier one. */
  putPartial(url: string, partial: PartialDownload): Promise<void>;
  dropPartial(url: string): Promise<void>;
  /** A small value the app keeps about a model (its engine trial), removed with the model's files by `clear`. */
  getValue(key: string): Promise<unknown>;
  setValue(key: string, value: unknown): Promise<void>;
  /** Removes the values (not the files) whose key starts with `prefix` (all when omitted). */
  clearValues(prefix?: string): Promise<number>;
  /** True once IndexedDB proved unusable and the files are kept in memory instead (this session only). */
  readonly degraded?: boolean;
}

const FILE = 'file:';
const META = 'meta:';
const MISSING = 'missing:';
const VALUE = 'value:';
const PARTIAL = 'partial:';

/** Model cache in its own IndexedDB database. */
export function createIdbModelCache(store: UseStore = createStore('moodlens-models', 'files')): ModelFileStore {
  const putBlob = async (url: string, blob: Blob, contentType = blob.type || 'application/octet-stream') => {
    const meta: CachedFileMeta = { url, size: blob.size, contentType, storedAt: Date.now() };
    // setMany is one transaction: the file and its metadata are written together or not at all.
    await setMany(
      [
        [FILE + url, blob],
        [META + url, meta],
      ],
      store,
    );
  };
  return {
    async match(url) {
      const blob = await get<Blob>(FILE + url, store);
      if (!blob) return undefined;
      const meta = await get<CachedFileMeta>(META + url, store);
      return new Response(blob, {
        status: 200,
        headers: {
          'content-type': meta?.contentType ?? 'application/octet-stream',
          'content-length': String(blob.size),
        },
      });
    },
    async put(url, response) {
      const blob = await response.blob();
      await putBlob(url, blob, response.headers.get('content-type') ?? undefined);
    },
    putBlob,
    meta: (url) => get<CachedFileMeta>(META + url, store),
    async list() {
      const metaKeys = (await keys<string>(store)).filter((k) => typeof k === 'string' && k.startsWith(META));
      const metas = await getMany<CachedFileMeta>(metaKeys, store);
      return metas.filter((m): m is CachedFileMeta => m !== undefined);
    },
    async clear(prefix = '') {
      const all = await keys<string>(store);
      const doomed = all.filter(
        (k) =>
          typeof k === 'string' &&
          [FILE, META, MISSING, VALUE, PARTIAL].some((p) => k.startsWith(p) && k.slice(p.length).startsWith(prefix)),
      );
      await delMany(doomed, store);
      return doomed.filter((k) => k.startsWith(META)).length;
    },
    async isMissing(url) {
      return (await get<boolean>(MISSING + url, store)) === true;
    },
    async markMissing(url) {
      await setMany([[MISSING + url, true]], store);
    },
    getPartial: (url) => get<PartialDownload>(PARTIAL + url, store),
    async putPartial(url, partial) {
      await setMany([[PARTIAL + url, partial]], store);
    },
    async dropPartial(url) {
      await delMany([PARTIAL + url], store);
    },
    getValue: (key) => get<unknown>(VALUE + key, store),
    async setValue(key, value) {
      await setMany([[VALUE + key, value]], store);
    },
    async clearValues(prefix = '') {
      const doomed = (await keys<string>(store)).filter((k) => typeof k === 'string' && k.startsWith(VALUE + prefix));
      await delMany(doomed, store);
      return doomed.length;
    },
  };
}

/**
 * `primary` (IndexedDB), or memory for the rest of the session once IndexedDB cannot be used at
 * all (missing, refusing to open: private modes, blocked storage). A full disk is not that: its
 * QuotaExceededError goes through, so the caller can say the model was not kept.
 */
export function withMemoryFallback(primary: ModelFileStore, fallback: ModelFileStore = createMemoryModelCache()): ModelFileStore {
  let degraded = false;
  const run = async <T>(use: (store: ModelFileStore) => Promise<T>): Promise<T> => {
    if (!degraded) {
      try {
        return await use(primary);
      } catch (err) {
        if (err instanceof DOMException && err.name === 'QuotaExceededError') throw err;
        degraded = true;
      }
    }
    return await use(fallback);
  };
  return {
    match: (url) => run((s) => s.match(url)),
    async put(url, response) {
      // Read once: a failed first attempt must not leave the fallback with a used body.
      const blob = await response.blob();
      await run((s) => s.putBlob(url, blob, response.headers.get('content-type') ?? undefined));
    },
    putBlob: (url, blob, contentType) => run((s) => s.putBlob(url, blob, contentType)),
    meta: (url) => run((s) => s.meta(url)),
    list: () => run((s) => s.list()),
    clear: (prefix) => run((s) => s.clear(prefix)),
    isMissing: (url) => run((s) => s.isMissing(url)),
    markMissing: (url) => run((s) => s.markMissing(url)),
    getPartial: (url) => run((s) => s.getPartial(url)),
    putPartial: (url, partial) => run((s) => s.putPartial(url, partial)),
    dropPartial: (url) => run((s) => s.dropPartial(url)),
    getValue: (key) => run((s) => s.getValue(key)),
    setValue: (key, value) => run((s) => s.setValue(key, value)),
    clearValues: (prefix) => run((s) => s.clearValues(prefix)),
    get degraded() {
      return degraded;
    },
  };
}

/** The same cache in memory: for tests, and where IndexedDB is unavailable. */
export function createMemoryModelCache(): ModelFileStore {
  const files = new Map<string, { bytes: ArrayBuffer; meta: CachedFileMeta }>();
  const missing = new Set<string>();
  const values = new Map<string, unknown>();
  const partials = new Map<string, PartialDownload>();
  const clearValues = (prefix: string) => {
    const doomed = [...values.keys()].filter((key) => key.startsWith(prefix));
    for (const key of doomed) values.delete(key);
    return doomed.length;
  };
  const putBytes = (url: string, bytes: ArrayBuffer, contentType: string) => {
    files.set(url, { bytes, meta: { url, size: bytes.byteLength, contentType, storedAt: Date.now() } });
  };
  return {
    async match(url) {
      const hit = files.get(url);
      if (!hit) return undefined;
      return new Response(hit.bytes.slice(0), {
        status: 200,
        headers: { 'content-type': hit.meta.contentType, 'content-length': String(hit.meta.size) },
      });
    },
    async put(url, response) {
      putBytes(url, await response.arrayBuffer(), response.headers.get('content-type') ?? 'application/octet-stream');
    },
    async putBlob(url, blob, contentType = blob.type || 'application/octet-stream') {
      putBytes(url, await blob.arrayBuffer(), contentType);
    },
    meta: async (url) => files.get(url)?.meta,
    list: async () => [...files.values()].map((f) => f.meta),
    async clear(prefix = '') {
      let n = 0;
      for (const url of [...files.keys()]) {
        if (url.startsWith(prefix)) {
          files.delete(url);
          n += 1;
        }
      }
      for (const url of [...missing]) if (url.startsWith(prefix)) missing.delete(url);
      for (const url of [...partials.keys()]) if (url.startsWith(prefix)) partials.delete(url);
      clearValues(prefix);
      return n;
    },
    isMissing: async (url) => missing.has(url),
    async markMissing(url) {
      missing.add(url);
    },
    getPartial: async (url) => partials.get(url),
    async putPartial(url, partial) {
      partials.set(url, partial);
    },
    async dropPartial(url) {
      partials.delete(url);
    },
    getValue: async (key) => structuredClone(values.get(key)),
    async setValue(key, value) {
      values.set(key, structuredClone(value));
    },
    clearValues: async (prefix = '') => clearValues(prefix),
  };
}

/** Groups cached files by model (`<host>/<id>`), files sorted by URL. */
export function groupByModel(files: readonly CachedFileMeta[]): Array<{ key: string; files: CachedFileMeta[] }> {
  const groups = new Map<string, CachedFileMeta[]>();
  for (const f of files) {
    const key = f.url.split('/resolve/main/')[0] ?? f.url;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups].map(([key, list]) => ({ key, files: list.sort((a, b) => a.url.localeCompare(b.url)) }));
}
