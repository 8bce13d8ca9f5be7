// When to try a failed HTTP request again, and how long to wait: only for statuses that can
// pass (408, 409, 429, 5xx) and network errors, at most twice, honouring `retry-after` (seconds
// or an HTTP date) and otherwise backing off exponentially with jitter.

/** Retries after the first attempt. */
export const MAX_RETRIES = 2;

/** Longest `retry-after` the app waits for; a longer one is reported to the user instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** True for statuses worth trying again. 400, 401, 403, 404 and 413 never are. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/** Milliseconds a `retry-after` header asks for, or null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/u.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** Exponential backoff with jitter: ~0.5-1 s, then ~1-2 s, capped at 8 s. */
export function backoffMs(retryIndex: number, random: () => number): number {
  const base = Math.min(8000, 1000 * 2 ** retryIndex);
  return Math.round(base * (0.5 + random() * 0.5));
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly fromRetryAfter: boolean }
  | { readonly retry: false; readonly retryAfterMs: number | null };

/**
 * Decides about attempt number `retriesSoFar + 1` after a failure with `status` (null for a
 * network error), given the response's `retry-after` header.
 */
export function decideRetry(input: {
  status: number | null;
  retriesSoFar: number;
  retryAfter?: string | null;
  nowMs: number;
  random: () => number;
}): RetryDecision {
  const retryAfterMs = parseRetryAfter(input.retryAfter, input.nowMs);
  const retryable = input.status === null || isRetryableStatus(input.status);
  if (!retryable || input.retriesSoFar >= MAX_RETRIES) return { retry: false, retryAfterMs };
  if (retryAfterMs !== null) {
    if (retryAfterMs > MAX_RETRY_AFTER_MS) return { retry: false, retryAfterMs };
    return { retry: true, delayMs: retryAfterMs, fromRetryAfter: true };
  }
  return { retry: true, delayMs: backoffMs(input.retriesSoFar, input.random), fromRetryAfter: false };
}
