// What was said: the speech segments (vad.ts) packed into windows of at most 30 s, each window
// their sound one after the other with a short silence between (a Whisper model reads 30 s at a
// time whatever the length, so one window per segment would cost a full encoder pass for each,
// and the silences between segments would fill windows with nothing to read, which is also where
// Whisper makes words up); each window's tokens read back into timed pieces of text, and each
// piece given to the segment it overlaps most. Pure.

/** Whisper's window: it reads 30 s of sound at a time. */
export const WINDOW_SECONDS = 30;
/** Seconds per timestamp token (30 s over 1500 positions). */
export const TIMESTAMP_SECONDS = 0.02;

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The silence put between two segments in a window: a pause between sentences, never a word. */
export const SEGMENT_GAP_SECONDS = 0.8;

/** Consecutive segments read in one pass: their sound one after the other, SEGMENT_GAP_SECONDS apart. */
export interface SpeechWindow {
  /** Indices of its segments, in order. */
  readonly segments: readonly number[];
  /** Where each of them starts in the window, in seconds. */
  readonly at: readonly number[];
  /** The window's length in seconds (at most 30). */
  readonly seconds: number;
}

/** Packs consecutive segments into windows of at most `seconds` (a longer segment is a window of its own). */
export function speechWindows(spans: readonly Span[], seconds: number = WINDOW_SECONDS, gap: number = SEGMENT_GAP_SECONDS): SpeechWindow[] {
  const windows: Array<{ segments: number[]; at: number[]; seconds: number }> = [];
  spans.forEach((span, i) => {
    const length = span.end - span.start;
    const last = windows.at(-1);
    if (last && last.seconds + gap + length <= seconds) {
      last.segments.push(i);
      last.at.push(last.seconds + gap);
      last.seconds += gap + length;
    } else windows.push({ segments: [i], at: [0], seconds: length });
  });
  return windows;
}

/** The sound of `window`: its segments' samples of `samples` one after the other, with silence between. */
export function windowSamples(samples: Float32Array, spans: readonly Span[], window: SpeechWindow, rate: number): Float32Array {
  const out = new Float32Array(Math.ceil(window.seconds * rate));
  window.segments.forEach((index, k) => {
    const span = spans[index]!;
    const piece = samples.subarray(Math.floor(span.start * rate), Math.ceil(span.end * rate));
    const at = Math.round(window.at[k]! * rate);
    out.set(piece.subarray(0, Math.max(0, out.length - at)), at);
  });
  return out;
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
 * the first segment. `pieces` are timed in the window.
 */
export function segmentTexts(window: SpeechWindow, spans: readonly Span[], pieces: readonly TimedText[]): string[] {
  const texts = window.segments.map(() => [] as string[]);
  for (const piece of pieces) {
    let best = 0;
    if (window.segments.length > 1 && piece.start !== null) {
      const from = piece.start;
      const to = piece.end ?? window.seconds;
      let bestScore = -Infinity;
      window.segments.forEach((index, k) => {
        const span = spans[index]!;
        const start = window.at[k]!;
        const overlap = Math.min(to, start + span.end - span.start) - Math.max(from, start);
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
