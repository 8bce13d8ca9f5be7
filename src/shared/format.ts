// Number formatting shared by the views: bytes, durations, percentages.

/** "82.1 MB", "512 KB", "0 B"; decimal units, as browsers and hosts report sizes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 'B';
  for (const u of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = u;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

/** "42 ms", "1.3 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * "82 %" from 0.82; one decimal below 10 %. The one way the app writes a percentage (the face
 * list's "Face 2 of 3: joy 91 %", the summary, the tables, the report).
 */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '?';
  const v = p * 100;
  return v > 0 && v < 10 ? `${v.toFixed(1)} %` : `${Math.round(v)} %`;
}

/** "api.groq.com" from a URL; the text itself when it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/** "about 12 s left", "about 3 min left", "about 1 h 5 min left"; '' when unknown. */
export function formatTimeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  const m = Math.round(seconds / 60);
  return m < 60 ? `about ${m} min left` : `about ${Math.floor(m / 60)} h ${m % 60} min left`;
}
