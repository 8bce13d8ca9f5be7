// Chart.js is loaded on first use, when the first result is drawn, so the page's initial JS stays
// small (about 70 kB of the gzipped bundle were Chart.js). Only a loaded module is kept: a failed
// import (offline before the chunk was cached, a deploy that replaced it) is tried again next time
// instead of leaving every chart blank until a reload.
import type { Chart } from 'chart.js';

type ChartModule = typeof import('chart.js');

/** A loader of the Chart class with the bar chart parts registered, over `importer`. */
export function createChartLoader(importer: () => Promise<ChartModule>): () => Promise<typeof Chart> {
  let loaded: typeof Chart | null = null;
  return async () => {
    if (loaded) return loaded;
    const { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } = await importer();
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
    loaded = Chart;
    return Chart;
  };
}

/** The app's loader. */
export const loadChart = createChartLoader(() => import('chart.js'));

let evaluation: Promise<typeof Chart> | null = null;

/**
 * The Chart class with what the evaluation's charts need besides bars: lines and points (the
 * weight sweep, the reliability diagram's diagonal) and chartjs-chart-matrix (the confusion heat
 * map). A failed load is tried again next time.
 */
export function loadEvalChart(): Promise<typeof Chart> {
  evaluation ??= Promise.all([loadChart(), import('chart.js'), import('chartjs-chart-matrix')]).then(
    ([ChartClass, parts, matrix]) => {
      ChartClass.register(parts.LineController, parts.LineElement, parts.PointElement, parts.Filler, matrix.MatrixController, matrix.MatrixElement);
      return ChartClass;
    },
    (err: unknown) => {
      evaluation = null;
      throw err;
    },
  );
  return evaluation;
}
