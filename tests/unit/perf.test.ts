import { afterEach, describe, expect, it } from 'vitest';
import { ANALYZE_TO_RESULT, markAnalyze, markShown } from '../../src/features/analysis/perf';

afterEach(() => {
  performance.clearMarks();
  performance.clearMeasures();
});

describe('User Timing of an analysis', () => {
  it('measures from Analyze to the answer on screen once per run, with the text channel\'s own time', () => {
    markAnalyze('run-1');
    markShown('run-1', { textMs: 12.5 });
    // Shown again (a re-render) or never started: no second measure.
    markShown('run-1', { textMs: 12.5 });
    markShown('run-2', { textMs: null });
    const measures = performance.getEntriesByName(ANALYZE_TO_RESULT, 'measure') as PerformanceMeasure[];
    expect(measures).toHaveLength(1);
    expect(measures[0]!.detail).toEqual({ runId: 'run-1', textMs: 12.5 });
    expect(measures[0]!.duration).toBeGreaterThanOrEqual(0);
    expect(performance.getEntriesByName('moodlens:analyze:run-1', 'mark')).toHaveLength(0);
  });
});
