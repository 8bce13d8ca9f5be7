// Reads the provider's model list (`GET {base}/models`), so the user can pick what it serves today
// and the app can pick a model that takes pictures. What an entry says about itself
// (`input_modalities`, `context_window`, `max_completion_tokens`) is kept when it is well-formed.
import type { ListedModel } from './model-choice';
import { VisionError } from './errors';
import { endpoint } from './vision-client';

export type { ListedModel } from './model-choice';

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
      const entry = m as { id?: unknown; owned_by?: unknown; input_modalities?: unknown; context_window?: unknown; max_completion_tokens?: unknown };
      const { id } = entry;
      if (typeof id !== 'string' || id.length === 0 || id.length >= 200) return [];
      const modalities = Array.isArray(entry.input_modalities) && entry.input_modalities.every((x) => typeof x === 'string') ? (entry.input_modalities as string[]).slice(0, 10) : null;
      return [
        {
          id,
          ownedBy: typeof entry.owned_by === 'string' ? entry.owned_by.slice(0, 100) : '',
          inputModalities: modalities,
          contextWindow: positiveInt(entry.context_window),
          maxCompletionTokens: positiveInt(entry.max_completion_tokens),
        },
      ];
    })
    .sort((a, b) => a.id.localeCompare(b.id))
    .slice(0, 500);
}

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}
