// Reads the provider's model list (`GET {base}/models`), so the user can pick what it serves today.
import { VisionError } from '../domain/vision-errors';
import { endpoint } from './vision-client';

/** One listed model. */
export interface ListedModel {
  readonly id: string;
  readonly ownedBy: string;
}

/** The provider's models, sorted by id; rejects with a VisionError. */
export async function listModels(
  baseUrl: string,
  apiKey: string,
  fetchFn: typeof fetch = (i, init) => fetch(i, init),
  timeoutMs = 15_000,
): Promise<ListedModel[]> {
  let response: Response;
  try {
    response = await fetchFn(endpoint(baseUrl, 'models'), {
      headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (err) {
    throw new VisionError('network', err instanceof Error ? err.message : String(err));
  }
  if (response.status === 401) throw new VisionError('unauthorized', 'HTTP 401 listing models', { status: 401 });
  if (!response.ok) throw new VisionError('bad-request', `HTTP ${response.status} listing models`, { status: response.status });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new VisionError('bad-reply', 'The model list was not JSON.');
  }
  const data = typeof body === 'object' && body !== null && Array.isArray((body as { data?: unknown }).data) ? (body as { data: unknown[] }).data : [];
  return data
    .flatMap((m): ListedModel[] => {
      if (typeof m !== 'object' || m === null) return [];
      const { id, owned_by: ownedBy } = m as { id?: unknown; owned_by?: unknown };
      return typeof id === 'string' && id.length > 0 && id.length < 200 ? [{ id, ownedBy: typeof ownedBy === 'string' ? ownedBy : '' }] : [];
    })
    .sort((a, b) => a.id.localeCompare(b.id))
    .slice(0, 500);
}
