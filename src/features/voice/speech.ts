// What was said: the speech segments (vad.ts) grouped into windows of at most 30 s (a Whisper
// model reads 30 s at a time, whatever the length, so one window per segment would cost a full
// encoder pass for each), each window's tokens read back into timed pieces of text, and each
// piece given to the segment it overlaps most. Pure.

/** Whisper's window: it reads 30 s of sound at a time. */
export const WINDOW_SECONDS = 30;
/** Seconds per timestamp token (30 s over 1500 positions). */
export const TIMESTAMP_SECONDS = 0.02;

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Consecutive segments read in one pass: the sound from the first one's start to the last one's end. */
export interface SpeechWindow extends Span {
  /** Indices of its segments, in order. */
  readonly segments: readonly number[];
}

/** Groups consecutive segments into windows of at most `seconds` (a longer segment is a window of its own). */
export function speechWindows(spans: readonly Span[], seconds: number = WINDOW_SECONDS): SpeechWindow[] {
  const windows: Array<{ start: number; end: number; segments: number[] }> = [];
  spans.forEach((span, i) => {
    const last = windows.at(-1);
    if (last && span.end - last.start <= seconds) {
      last.end = span.end;
      last.segments.push(i);
    } else windows.push({ start: span.start, end: span.end, segments: [i] });
  });
  return windows;
}

/** A piece of a window's transcript, with its time in the window (null when the model gave none). */
export interface TimedText {
  readonly start: number | null;
  readonly end: number | null;
  readonly text: string;
}

/**
 * The pieces of one generated sequence (the tokens after the prompt): timestamp tokens
 * (`timestampBegin` and above) open and close a piece; the text tokens between them are decoded
 * together. Text without timestamps is one piece with null times. Special tokens (below
 * `timestampBegin`, above the text) are dropped by `decode`.
 */
export function timedTexts(tokens: readonly number[], timestampBegin: number, decode: (ids: number[]) => string): TimedText[] {
  const pieces: TimedText[] = [];
  let start: number | null = null;
  let ids: number[] = [];
  const flush = (end: number | null) => {
    const text = ids.length ? decode(ids).trim() : '';
    if (text) pieces.push({ start, end, text });
    ids = [];
  };
  for (const token of tokens) {
    if (token >= timestampBegin) {
      const time = Math.round((token - timestampBegin) * TIMESTAMP_SECONDS * 100) / 100;
      if (ids.length) {
        flush(time);
        start = null;
      } else start = time;
    } else ids.push(token);
  }
  flush(null);
  return pieces;
}

/**
 * Each segment's text in one window: a piece goes to the segment its time overlaps most (the
 * nearest one when it overlaps none); a piece without times, or a window of one segment, goes to
 * the first segment. `pieces` are timed from the window's start.
 */
export function segmentTexts(window: SpeechWindow, spans: readonly Span[], pieces: readonly TimedText[]): string[] {
  const texts = window.segments.map(() => [] as string[]);
  for (const piece of pieces) {
    let best = 0;
    if (window.segments.length > 1 && piece.start !== null) {
      const from = window.start + piece.start;
      const to = window.start + (piece.end ?? window.end - window.start);
      let bestScore = -Infinity;
      window.segments.forEach((index, k) => {
        const s = spans[index]!;
        const overlap = Math.min(to, s.end) - Math.max(from, s.start);
        // Negative overlap is the distance to the segment: the nearest wins when none overlaps.
        if (overlap > bestScore) {
          bestScore = overlap;
          best = k;
        }
      });
    }
    texts[best]!.push(piece.text);
  }
  return texts.map((t) => t.join(' '));
}

/** The language spoken most: each window's detected language weighted by its speech time. */
export function recordingLanguage(windows: ReadonlyArray<{ readonly language: string | null; readonly seconds: number }>): string | null {
  const time = new Map<string, number>();
  for (const w of windows) if (w.language) time.set(w.language, (time.get(w.language) ?? 0) + w.seconds);
  let best: string | null = null;
  for (const [language, seconds] of time) if (best === null || seconds > time.get(best)!) best = language;
  return best;
}
