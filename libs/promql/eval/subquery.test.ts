import { describe, expect, it } from 'vitest';
import type { Subquery } from '../ast.ts';
import { EVAL_2_42, EVAL_3 } from './semantics.ts';
import { overTime, subqueryGrid, windowAt } from './subquery.ts';

const sq = (rangeMs: number, stepMs: number, offsetMs = 0): Subquery => ({
  kind: 'subquery',
  expr: { kind: 'number', value: 1 },
  rangeMs,
  stepMs,
  offsetMs,
  gridId: 0,
});

describe('subquery grids and windows (engine.go, 2.42)', () => {
  it('starts at the first multiple of the step at or after start - offset - range', () => {
    expect(
      subqueryGrid({ startMs: 1_000_000, endMs: 1_000_000, stepMs: 1, steps: 1 }, sq(300_000, 60_000), EVAL_2_42),
    ).toEqual({ startMs: 720_000, endMs: 1_000_000, stepMs: 60_000, steps: 5 });
    expect(
      subqueryGrid({ startMs: 600_000, endMs: 900_000, stepMs: 60_000, steps: 6 }, sq(120_000, 0, 60_000), EVAL_2_42),
    ).toMatchObject({ startMs: 420_000, endMs: 840_000, stepMs: 60_000 });
  });

  it('windows include both ends, and rate extrapolates like Prometheus', () => {
    const m = [
      { labels: { __name__: 'x' }, t: [0, 60_000, 120_000], v: [0, 60, 120], h: [undefined, undefined, undefined] },
    ];
    const w = windowAt(m, { sq: sq(120_000, 60_000), tMs: 120_000 }, EVAL_2_42);
    expect(w[0]?.v).toEqual([0, 60, 120]);
    const at = { tMs: 120_000, sq: sq(120_000, 60_000), params: [], sem: EVAL_2_42 };
    expect(overTime('rate', w, at)).toEqual([{ labels: {}, value: 1 }]);
    expect(overTime('last_over_time', w, at)).toEqual([{ labels: { __name__: 'x' }, value: 120 }]);
  });
});

describe('subquery grids and windows (engine.go, 3.x: left-open)', () => {
  it('starts strictly after start - offset - range, and leaves the point on the left edge out', () => {
    expect(
      subqueryGrid({ startMs: 1_000_000, endMs: 1_000_000, stepMs: 1, steps: 1 }, sq(280_000, 40_000), EVAL_3),
    ).toEqual({ startMs: 760_000, endMs: 1_000_000, stepMs: 40_000, steps: 7 });
    expect(
      subqueryGrid({ startMs: 1_000_000, endMs: 1_000_000, stepMs: 1, steps: 1 }, sq(300_000, 50_000), EVAL_3),
    ).toEqual({ startMs: 750_000, endMs: 1_000_000, stepMs: 50_000, steps: 6 });
    const m = [
      { labels: { __name__: 'x' }, t: [0, 60_000, 120_000], v: [0, 60, 120], h: [undefined, undefined, undefined] },
    ];
    expect(windowAt(m, { sq: sq(120_000, 60_000), tMs: 120_000 }, EVAL_3)[0]?.v).toEqual([60, 120]);
  });

  it('extrapolates rate as 3.x does: the zero point limits the start after the threshold decision', () => {
    // Samples at 30 s and 90 s of a 120 s window ending at 120 s; the counter starts near its zero point.
    const w = [{ labels: {}, t: [30_000, 90_000], v: [1, 61], h: [undefined, undefined] }];
    const rate = (sem: typeof EVAL_3) =>
      overTime('increase', w, { tMs: 120_000, sq: sq(120_000, 60_000), params: [], sem })[0]?.value;
    // 2.42: toStart = min(30, 60·1/60 = 1) = 1 < threshold 66 → 60 + 1 + 30 = 91 s of 60 s sampled.
    expect(rate(EVAL_2_42)).toBeCloseTo((60 * 91) / 60, 12);
    expect(rate(EVAL_3)).toBeCloseTo((60 * 91) / 60, 12);
  });
});
