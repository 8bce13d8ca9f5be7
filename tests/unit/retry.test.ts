import { describe, expect, it } from 'vitest';
import { backoffMs, decideRetry, isRetryableStatus, parseRetryAfter } from '../../src/features/vision/retry';

const NOW = Date.parse('2026-11-24T12:00:00Z');

describe('retry policy', () => {
  it('retries only what can pass', () => {
    for (const s of [408, 409, 429, 500, 502, 503, 504]) expect(isRetryableStatus(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 413, 422]) expect(isRetryableStatus(s)).toBe(false);
  });

  it('reads retry-after as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
    expect(parseRetryAfter('Tue, 24 Nov 2026 12:00:07 GMT', NOW)).toBe(7000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 11:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, () => 0)).toBe(500);
    expect(backoffMs(0, () => 1)).toBe(1000);
    expect(backoffMs(1, () => 1)).toBe(2000);
    expect(backoffMs(10, () => 1)).toBe(8000);
  });

  it('honours retry-after, at most twice', () => {
    expect(decideRetry({ status: 429, retriesSoFar: 0, retryAfter: '2', nowMs: NOW, random: () => 0 })).toEqual({
      retry: true,
      delayMs: 2000,
      fromRetryAfter: true,
    });
    expect(decideRetry({ status: 500, retriesSoFar: 1, nowMs: NOW, random: () => 0 })).toEqual({ retry: true, delayMs: 1000, fromRetryAfter: false });
    expect(decideRetry({ status: 500, retriesSoFar: 2, nowMs: NOW, random: () => 0 })).toEqual({ retry: false, retryAfterMs: null });
    expect(decideRetry({ status: null, retriesSoFar: 0, nowMs: NOW, random: () => 0 })).toMatchObject({ retry: true });
  });

  it('never retries client errors, and gives up on a retry-after longer than a minute', () => {
    for (const status of [400, 401, 403, 404, 413]) {
      expect(decideRetry({ status, retriesSoFar: 0, nowMs: NOW, random: () => 0 })).toMatchObject({ retry: false });
    }
    expect(decideRetry({ status: 429, retriesSoFar: 0, retryAfter: '3600', nowMs: NOW, random: () => 0 })).toEqual({
      retry: false,
      retryAfterMs: 3_600_000,
    });
  });
});
