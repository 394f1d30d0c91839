import { describe, expect, it } from 'vitest';
import { resolveQueryTimes } from './durations.ts';
import { PROMQL_3, PROMQL_ANY } from './parse-options.ts';
import { parsePromQL } from './parser.ts';
import { printExpr } from './printer.ts';

describe('duration expressions and query-context functions (Prometheus 3)', () => {
  const range = { startMs: 0, endMs: 3_600_000, stepMs: 30_000 };
  it('computes durations from step() and range() of the query, in seconds truncated to milliseconds', () => {
    const e = resolveQueryTimes(
      parsePromQL('max_over_time(x[step() * 4 + 1m:step()] offset -(1m / 3))', PROMQL_3),
      range,
    );
    expect(printExpr(e)).toBe('max_over_time(x[3m:30s] offset -20s)');
  });

  it('folds start(), end(), range() and step(); step() is 0 in an instant query', () => {
    const e = parsePromQL('start() + end() + range() + step()', PROMQL_ANY);
    expect(printExpr(resolveQueryTimes(e, range))).toBe('((0 + 3600) + 3600) + 30');
    expect(printExpr(resolveQueryTimes(e, { startMs: 60_000, endMs: 60_000, stepMs: 0 }))).toBe('((60 + 60) + 0) + 0');
  });

  it('refuses what durations.go refuses', () => {
    expect(() => resolveQueryTimes(parsePromQL('x[step()]', PROMQL_3), { startMs: 0, endMs: 0, stepMs: 0 })).toThrow(
      'duration must be greater than 0',
    );
    expect(() => resolveQueryTimes(parsePromQL('x[1m / 0]', PROMQL_3), range)).toThrow('division by zero');
  });
});
