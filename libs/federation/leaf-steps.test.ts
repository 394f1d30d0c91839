import { describe, expect, it } from 'vitest';
import type { CompactSeries } from './compact-series.ts';
import { CompactSteps } from './leaf-steps.ts';

const series = (metric: Record<string, string>, points: [number, number][], more: Partial<CompactSeries> = {}) => ({
  metric,
  t: Float64Array.from(points, (p) => p[0]),
  v: Float64Array.from(points, (p) => p[1]),
  instant: false,
  hasValues: true,
  ...more,
});

describe('CompactSteps', () => {
  const grid = { startMs: 1_000_000, endMs: 1_180_000, stepMs: 60_000, steps: 4 };

  it("gives each step the series' points on it, in the series' order, with the series' own labels", () => {
    const a = series({ s: 'a' }, [
      [1000, 1],
      [1120, 3],
    ]);
    const b = series({ s: 'b' }, [
      [1000, 10],
      [1060, 20],
      [1120, 30],
      [1180, -0],
    ]);
    const steps = new CompactSteps([a, b], grid, grid.steps);
    expect(steps.at(0)).toEqual([
      { labels: a.metric, value: 1 },
      { labels: b.metric, value: 10 },
    ]);
    expect(steps.at(1)).toEqual([{ labels: b.metric, value: 20 }]);
    expect(steps.at(2)?.map((s) => s.value)).toEqual([3, 30]);
    expect(Object.is(steps.at(3)?.[0]?.value, -0)).toBe(true);
    expect(steps.at(0)?.[0]?.labels).toBe(a.metric);
    expect(steps.at(4)).toBeUndefined();
    // Each call a new array: the evaluator may sort or keep what it is given.
    expect(steps.at(0)).not.toBe(steps.at(0));
  });

  it('parses native histogram points, after the float point of the same series, and leaves off-grid points out', () => {
    const h = { count: '2', sum: '3' };
    const s = series({ s: 'h' }, [[1060, 5]], {
      histograms: [
        [1060, h],
        [1240, h],
        [940, h],
      ],
    });
    const steps = new CompactSteps([s], grid, grid.steps);
    const one = steps.at(1) ?? [];
    expect(one.map((x) => x.value)).toEqual([5, NaN]);
    expect(one[1]?.histogram?.count).toBe(2);
    expect(one[1]?.histogram?.sum).toBe(3);
    expect([0, 2, 3].map((i) => steps.at(i)?.length)).toEqual([0, 0, 0]);
  });

  it('puts every point of an instant leaf at its one step', () => {
    const s = series({ s: 'i' }, [[1000.5, 7]], { instant: true, hasValues: false });
    const steps = new CompactSteps([s], undefined, 1);
    expect(steps.at(0)).toEqual([{ labels: s.metric, value: 7 }]);
  });
});
