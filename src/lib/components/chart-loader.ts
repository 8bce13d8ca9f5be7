// Chart.js is loaded on first use, when the first result is drawn, so the page's initial JS stays
// small (about 70 kB of the gzipped bundle were Chart.js); later charts reuse the same promise.
import type { Chart } from 'chart.js';

let loading: Promise<typeof Chart> | null = null;

/** The Chart class with the bar chart parts registered. */
export function loadChart(): Promise<typeof Chart> {
  loading ??= import('chart.js').then(({ BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip }) => {
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
    return Chart;
  });
  return loading;
}
