// User Timing marks of the app's own time, from Analyze to the answer on screen, for the
// benchmark (bench/real-shape/run.mjs reads the measures) and for anyone profiling in DevTools
// (Performance panel, Timings track). Nothing is sent anywhere.

/** The measure's name; its detail holds the run's id and the text channel's own time. */
export const ANALYZE_TO_RESULT = 'moodlens:analyze-to-result';
const START = 'moodlens:analyze';

const timing = typeof performance !== 'undefined' && typeof performance.mark === 'function' ? performance : null;

/** Analyze was pressed for run `runId`. */
export function markAnalyze(runId: string): void {
  timing?.mark(`${START}:${runId}`);
}

/** Run `runId`'s answer is on screen (called in the frame that paints it). */
export function markShown(runId: string, detail: { readonly textMs: number | null }): void {
  const start = `${START}:${runId}`;
  if (!timing || timing.getEntriesByName(start, 'mark').length === 0) return;
  timing.measure(ANALYZE_TO_RESULT, { start, detail: { runId, ...detail } });
  timing.clearMarks(start);
}
