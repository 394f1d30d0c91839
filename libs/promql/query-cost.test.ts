import { describe, expect, it } from 'vitest';
import { LimitError } from '../errors/errors.ts';
import { parsePromQL } from './parser.ts';
import { planQuery } from './planner.ts';
import { checkRangeResolution, checkSubqueryPoints } from './query-cost.ts';

const LIMITS = { maxPointsPerSeries: 11_000, maxSubqueryPointsPerSeries: 110_000 };
const T = Date.UTC(2026, 0, 1);
const H = 3600_000;
const D = 24 * H;
const instant = { startMs: T, endMs: T, stepMs: 1, steps: 1 };
const range = (spanMs: number, stepMs: number) => ({
  startMs: T,
  endMs: T + spanMs,
  stepMs,
  steps: Math.floor(spanMs / stepMs) + 1,
});
const check =
  (q: string, grid = instant, limits = LIMITS) =>
  () =>
    checkSubqueryPoints(parsePromQL(q), grid, { limits });

describe('checkRangeResolution', () => {
  it("refuses over federation.maxPointsPerSeries with Prometheus's message naming the limit", () => {
    expect(() => checkRangeResolution(11_000, LIMITS)).not.toThrow();
    expect(() => checkRangeResolution(11_001, LIMITS)).toThrow(LimitError);
    expect(() => checkRangeResolution(11_001, LIMITS)).toThrow(
      /exceeded maximum resolution of 11,000 points per timeseries \(federation\.maxPointsPerSeries; this query asks 11,001\)/,
    );
  });
});

describe('checkSubqueryPoints', () => {
  it('refuses the subquery of issue 15 and others like it, naming the limit', () => {
    expect(check('max_over_time(kube_pod_info[30d:1ms])')).toThrow(
      /the subquery \[4w2d:1ms\] evaluates 2,592,000,001 points per series at each step .*federation\.maxPointsPerSeries=11000/,
    );
    expect(check('max_over_time(rate(x[5m])[1d:1s])')).toThrow(/86,401 points per series at each step/);
    expect(check('avg_over_time(max_over_time(x[1h:1m])[7d:1h])')).not.toThrow();
    expect(check('sum_over_time(up[1w:1m])')).not.toThrow();
  });

  it('counts range / step + 1 points at each step, as a range query of that span', () => {
    expect(check('max_over_time(x[10999s:1s])')).not.toThrow();
    expect(check('max_over_time(x[11000s:1s])')).toThrow(/11,001 points/);
    // Without a step, the default evaluation interval (1m).
    expect(check('max_over_time(x[7d:])')).not.toThrow();
    expect(check('max_over_time(x[8d:])')).toThrow(/\[1w1d:1m\] evaluates 11,521/);
  });

  it("bounds a subquery's whole grid over a range query: what the member allocates per series", () => {
    // 11,000 outer steps of a day with a 1-second subquery: each step is small, the grid 950 million points.
    expect(check('max_over_time(x[1h:1s])', range(10_999 * D, D))).toThrow(
      /evaluates 950,317,201 points per series over this query's time range, over federation\.maxSubqueryPointsPerSeries=110000/,
    );
    expect(check('max_over_time(rate(x[5m])[1h:1m])', range(30 * D, H))).not.toThrow();
    expect(
      check('max_over_time(x[1h:1m])', range(30 * D, H), { ...LIMITS, maxSubqueryPointsPerSeries: 40_000 }),
    ).toThrow(/43,261 points/);
  });

  it('evaluates a subquery with @ once, whatever the outer range', () => {
    expect(check('max_over_time(x[1h:1s] @ 1767225600)', range(10_999 * D, D))).not.toThrow();
  });

  it("checks nested subqueries inside their parent's grid", () => {
    expect(check('max_over_time(min_over_time(x[1h:1s])[2d:1h])')).toThrow(
      /\[1h:1s\] evaluates 176,401 points per series over this query's time range/,
    );
    expect(check('max_over_time(min_over_time(x[10m:1s])[1h:1h])')).not.toThrow();
  });

  it('bounds the range query Pharos sends for a subquery above a cross-cluster expression', () => {
    const plan = planQuery(parsePromQL('max_over_time(sum(x)[1d:10s])'), ['east', 'west']);
    expect(() => checkSubqueryPoints(plan.root, range(2 * D, H), { limits: LIMITS })).toThrow(
      /above a cross-cluster expression, so Pharos fetches its inner part as a range query of 25,921 points per series, over federation\.maxPointsPerSeries=11000/,
    );
    expect(() => checkSubqueryPoints(plan.root, instant, { limits: LIMITS })).not.toThrow();
    // The same subquery over a cluster-local expression is the member's own, within both limits.
    const local = planQuery(parsePromQL('max_over_time(sum by (cluster) (x)[1d:10s])'), ['east', 'west']);
    expect(() => checkSubqueryPoints(local.root, range(2 * D, H), { limits: LIMITS })).not.toThrow();
  });

  it('lets queries without subqueries through', () => {
    expect(check('sum(rate(x[30d]))', range(30 * D, 300_000))).not.toThrow();
  });
});
