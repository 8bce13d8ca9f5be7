// Network access for model files: one fetch that only talks to the configured model host and
// turns failures into ModelErrors, and a probe that finds which weight files a source has, how
// big they are and what is already cached, before anything large is downloaded.
import { ModelError } from './model-errors';
import { fetchResuming } from './resume-download';
import {
  DISK_MODEL_HOST,
  DTYPE_FILES,
  REQUIRED_FILES,
  isDiskSource,
  modelFileUrl,
  type ModelDtype,
  type ModelSource,
} from './model-source';
import type { ProbedFile } from './protocol';
import type { ModelFileStore } from './model-cache';

/** The fetch signature transformers.js calls through `env.fetch`. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Environment the model fetch needs; injected so tests can fake it. */
export interface ModelFetchDeps {
  readonly fetch: FetchLike;
  readonly cache: ModelFileStore;
  /** The model host currently allowed; every other origin is refused. */
  readonly allowedHost: () => string;
  readonly isOnline: () => boolean;
  /** Wait before the one retry of a request that failed at the network (default 400 ms). */
  readonly retryDelayMs?: number;
}

/**
 * Fetch for model files. Refuses any origin but the model host's, answers 404 without a
 * request for files loaded from disk and for optional files known to be missing, tries a request
 * that failed at the network once more, maps network failures to `offline` or
 * `host-unreachable`, and resumes a download that stopped part-way (resume-download.ts).
 */
export function createModelFetch(deps: ModelFetchDeps): FetchLike {
  /** One request to the host, tried twice when it fails at the network. */
  const send = async (href: string, init?: RequestInit): Promise<Response> => {
    try {
      return await deps.fetch(href, init);
    } catch (first) {
      if (!deps.isOnline()) throw new ModelError('offline', String(first));
      if (init?.signal?.aborted) throw first;
      // Once more after a moment: right after a network change (Wi-Fi back, a VPN switched) the
      // first request can fail although the host is reachable.
      await new Promise((r) => setTimeout(r, deps.retryDelayMs ?? 400));
      try {
        return await deps.fetch(href, init);
      } catch (err) {
        if (!deps.isOnline()) throw new ModelError('offline', String(err));
        throw new ModelError('host-unreachable', String(err), new URL(deps.allowedHost()).host);
      }
    }
  };
  return async (input, init) => {
    const url = new URL(String(input));
    const host = deps.allowedHost();
    if (url.origin === DISK_MODEL_HOST) return notFound();
    if (!url.href.startsWith(`${host}/`)) {
      throw new ModelError('blocked', `Refused request to ${url.origin}`, url.origin);
    }
    const isRange = new Headers(init?.headers).has('range');
    if (!isRange && (await deps.cache.isMissing(url.href))) return notFound();
    const isGet = (init?.method ?? 'GET').toUpperCase() === 'GET';
    const response = !isRange && isGet ? await fetchResuming(url.href, init, send, deps.cache) : await send(url.href, init);
    if (response.status === 404 && !isRange && isOptionalFile(url.href)) {
      // Only a saving of requests: a full disk must not fail the load.
      await deps.cache.markMissing(url.href).catch(() => undefined);
    }
    return response;
  };
}

function notFound(): Response {
  return new Response(null, { status: 404, statusText: 'Not Found' });
}

/** Files the pipeline asks for but can do without (e.g. special_tokens_map.json). */
function isOptionalFile(url: string): boolean {
  const file = url.split('/resolve/main/')[1] ?? '';
  return !(REQUIRED_FILES as readonly string[]).includes(file) && !file.endsWith('.onnx');
}

/** What the probe found: the required files and, per dtype, its weights (absent dtypes omitted). */
export interface ProbeFindings {
  readonly base: readonly ProbedFile[];
  readonly weights: Partial<Record<ModelDtype, ProbedFile>>;
}

/**
 * Looks at a source without downloading it. The cache is read first; when it already holds the
 * required files and some weights, the network is not asked at all (so a cached model works
 * offline). Otherwise each uncached file is asked for with a one-byte range request. `required`:
 * the files besides the weights (the text model's config and tokenizer files by default);
 * `weights: false` for a model whose weight files are named in `required` (the speech model's).
 */
export async function probeModelFiles(
  source: ModelSource,
  cache: ModelFileStore,
  fetchFile: FetchLike,
  { cachedOnly = false, required = REQUIRED_FILES, weights: probeWeights = true }: { cachedOnly?: boolean; required?: readonly string[]; weights?: boolean } = {},
): Promise<ProbeFindings> {
  const dtypes = probeWeights ? (Object.keys(DTYPE_FILES) as ModelDtype[]) : [];
  const cachedInfo = async (file: string): Promise<ProbedFile | null> => {
    const meta = await cache.meta(modelFileUrl(source, file));
    return meta ? { file, size: meta.size, cached: true } : null;
  };
  const cachedBase = await Promise.all(required.map(cachedInfo));
  const cachedWeights = await Promise.all(dtypes.map((d) => cachedInfo(DTYPE_FILES[d])));
  const haveAllCached = cachedBase.every((f) => f !== null) && (!probeWeights || cachedWeights.some((f) => f !== null));
  const disk = isDiskSource(source);

  const resolve = async (file: string, cached: ProbedFile | null): Promise<ProbedFile | null> => {
    if (cached || haveAllCached || disk || cachedOnly) return cached;
    return remoteInfo(source, file, fetchFile);
  };

  const base: ProbedFile[] = [];
  for (const [i, file] of required.entries()) {
    const info = await resolve(file, cachedBase[i] ?? null);
    if (!info) {
      if (disk) throw new ModelError('disk-incomplete', `${file} missing`, file);
      const what = file === 'config.json' ? `model "${source.modelId}"` : `${file} for "${source.modelId}"`;
      throw new ModelError('not-found', `${file} not found at ${source.host}`, what);
    }
    base.push(info);
  }
  const weights: Partial<Record<ModelDtype, ProbedFile>> = {};
  const found = await Promise.all(dtypes.map((d, i) => resolve(DTYPE_FILES[d], cachedWeights[i] ?? null)));
  dtypes.forEach((d, i) => {
    const info = found[i];
    if (info) weights[d] = info;
  });
  return { base, weights };
}

/** Size of a remote file from a one-byte range request; null when the host has no such file. */
async function remoteInfo(source: ModelSource, file: string, fetchFile: FetchLike): Promise<ProbedFile | null> {
  const response = await fetchFile(modelFileUrl(source, file), {
    headers: { Range: 'bytes=0-0' },
    cache: 'no-store',
  });
  // Nothing but the headers is needed; release the connection.
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 404 || response.status === 401 || response.status === 403) return null;
  if (response.status !== 200 && response.status !== 206) {
    throw new ModelError('host-unreachable', `HTTP ${response.status} for ${file}`, new URL(source.host).host);
  }
  const range = response.headers.get('content-range');
  const total = range?.match(/\/(\d+)$/u)?.[1];
  const length = response.headers.get('content-length');
  const size = total !== undefined ? Number(total) : response.status === 200 && length ? Number(length) : null;
  return { file, size: size !== null && Number.isFinite(size) ? size : null, cached: false };
}
