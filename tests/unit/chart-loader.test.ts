// A failed Chart.js import is not kept: the next chart tries again (it used to stay blank until a
// reload, because the rejected promise was cached).
import { describe, expect, it } from 'vitest';
import { createChartLoader } from '../../src/shared/ui/chart-loader';

describe('chart loader', () => {
  it('tries the import again after a failure, and keeps the module once loaded', async () => {
    let attempts = 0;
    const registered: unknown[] = [];
    const Chart = { register: (...parts: unknown[]) => registered.push(...parts) };
    const load = createChartLoader(async () => {
      attempts += 1;
      if (attempts === 1) throw new TypeError('Failed to fetch dynamically imported module');
      return { Chart, BarController: 'bar', BarElement: 'el', CategoryScale: 'cat', LinearScale: 'lin', Tooltip: 'tip', Legend: 'leg' } as never;
    });
    await expect(load()).rejects.toThrow('Failed to fetch');
    await expect(load()).resolves.toBe(Chart);
    await expect(load()).resolves.toBe(Chart);
    expect(attempts).toBe(2);
    expect(registered).toEqual(['bar', 'el', 'cat', 'lin', 'tip', 'leg']);
  });
});
