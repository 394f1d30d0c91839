import { describe, expect, it } from 'vitest';
import type { Subquery } from '../ast.ts';
import { overTime, subqueryGrid, windowAt } from './subquery.ts';

const sq = (rangeMs: number, stepMs: number, offsetMs = 0): Subquery => ({ kind: 'subquery', expr: { kind: 'number', value: 1 }, rangeMs, stepMs, offsetMs, gridId: 0 });

describe('subquery grids and windows (engine.go, 2.42)', () => {
  it('starts at the first multiple of the step at or after start - offset - range', () => {
    expect(subqueryGrid({ startMs: 1_000_000, endMs: 1_000_000, stepMs: 1, steps: 1 }, sq(300_000, 60_000))).toEqual({ startMs: 720_000, endMs: 1_000_000, stepMs: 60_000, steps: 5 });
    expect(subqueryGrid({ startMs: 600_000, endMs: 900_000, stepMs: 60_000, steps: 6 }, sq(120_000, 0, 60_000))).toMatchObject({ startMs: 420_000, endMs: 840_000, stepMs: 60_000 });
  });

  it('windows include both ends, and rate extrapolates like Prometheus', () => {
    const m = [{ labels: { __name__: 'x' }, t: [0, 60_000, 120_000], v: [0, 60, 120] }];
    const w = windowAt(m, sq(120_000, 60_000), 120_000);
    expect(w[0]?.values).toEqual([0, 60, 120]);
    expect(overTime('rate', w, NaN, { tMs: 120_000, sq: sq(120_000, 60_000) })).toEqual([{ labels: {}, value: 1 }]);
    expect(overTime('last_over_time', w, NaN, { tMs: 120_000, sq: sq(120_000, 60_000) })).toEqual([{ labels: { __name__: 'x' }, value: 120 }]);
  });
});
