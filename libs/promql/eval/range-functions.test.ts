import { describe, expect, it } from 'vitest';
import { aggregate } from './aggregate.ts';
import { applyRangeFunction, type Window } from './range-functions.ts';

const w = (t: number[], v: number[]): Window => ({ t, v, h: t.map(() => undefined) });
const at = (version: 2 | 3, extra: Partial<Parameters<typeof applyRangeFunction>[2]> = {}) => ({
  version,
  tMs: 120_000,
  rangeMs: 120_000,
  offsetMs: 0,
  params: [],
  ...extra,
});

describe('range functions over subqueries, per Prometheus version', () => {
  it("limits rate's extrapolation to the counter's zero point before (2.42) or after (3.x) the threshold decision", () => {
    // Points at 100 s and 110 s of a window (0, 120 s]: the start is too far (threshold 11 s); the zero point is
    // 10 · 8/10 = 8 s before the first point. 2.42 takes min(100, 8) = 8 < 11 and extrapolates 8 s; 3.x first
    // falls back to half a gap (5 s), which the zero point (8 s) does not shorten.
    const win = w([100_000, 110_000], [8, 18]);
    const args = { tMs: 120_000, rangeMs: 120_000 };
    expect((applyRangeFunction('increase', win, at(2, args)) as { value: number }).value).toBeCloseTo(
      (10 * (10 + 8 + 10)) / 10,
      12,
    );
    expect((applyRangeFunction('increase', win, at(3, args)) as { value: number }).value).toBeCloseTo(
      (10 * (10 + 5 + 10)) / 10,
      12,
    );
  });

  it('has the 3.x functions: mad_over_time, ts_of_*, first_over_time, double_exponential_smoothing', () => {
    const win = w([0, 60_000, 120_000, 180_000], [1, 5, 2, 9]);
    expect(applyRangeFunction('mad_over_time', win, at(3))).toEqual({ value: 2 });
    expect(applyRangeFunction('ts_of_max_over_time', win, at(3))).toEqual({ value: 180 });
    expect(applyRangeFunction('ts_of_min_over_time', win, at(3))).toEqual({ value: 0 });
    expect(applyRangeFunction('first_over_time', win, at(3))).toEqual({ value: 1 });
    expect(applyRangeFunction('double_exponential_smoothing', win, at(3, { params: [0.5, 0.5] }))).toEqual(
      applyRangeFunction('holt_winters', win, at(2, { params: [0.5, 0.5] })),
    );
  });
});

describe('topk ties: 2.42 pops the root and pushes, 3.x overwrites it', () => {
  it('keeps the series each version keeps', () => {
    const vec = ['a', 'b', 'c', 'd'].map((n, i) => ({ labels: { n }, value: i < 2 ? 1 : 2 }));
    const pick = (version: 2 | 3) =>
      aggregate({ op: 'topk', grouping: [], without: false, version, param: 2 }, vec)
        .map((s) => s.labels.n)
        .sort();
    expect(pick(2)).toEqual(['c', 'd']);
    expect(pick(3)).toEqual(['c', 'd']);
    const limited = aggregate({ op: 'limitk', grouping: [], without: false, version: 3, param: 2 }, vec).map(
      (s) => s.labels.n,
    );
    expect(limited).toEqual(['a', 'b']);
  });
});
