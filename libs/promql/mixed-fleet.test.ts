import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../errors/errors.ts';
import { leafForPrometheus2 } from './mixed-fleet.ts';
import { PROMQL_ANY } from './parse-options.ts';
import { parsePromQL } from './parser.ts';

const rewrite = (q: string) =>
  leafForPrometheus2(parsePromQL(q, PROMQL_ANY), { lookbackMs: 300_000, subqueryStepMs: 15_000 });

describe('leaves for a Prometheus 2 member of a fleet served with Prometheus 3 rules', () => {
  it("keeps 3.x's left-open lookback: a sample exactly at t - 5m no longer counts", () => {
    expect(rewrite('sum by (pod) (x{a="b"} offset 1m)')).toBe(
      'sum by (pod) ((x{a="b"} offset 1m and present_over_time(x{a="b"}[4m59s999ms] offset 1m)))',
    );
  });

  it('turns [r] into [r - 1ms] under functions of the window only, and writes the served subquery step out', () => {
    expect(rewrite('count_over_time(x[5m])')).toBe('count_over_time(x[4m59s999ms])');
    expect(rewrite('max_over_time(count(x)[10m:])')).toBe(
      'max_over_time(count ((x and present_over_time(x[4m59s999ms])))[9m59s999ms:15s])',
    );
  });

  it("gives regex matchers 3.x's dot that matches a newline", () => {
    expect(rewrite('x{a=~"a.b"}')).toContain('a=~"(?s:a.b)"');
  });

  it.each([
    ['rate(x[5m])', 'extrapolates'],
    ['x{le="1.0"}', 'normalizes'],
    ['timestamp(x)', 'timestamp()'],
    ['mad_over_time(x[5m])', 'does not exist in Prometheus 2'],
    ['sum by ("a.b") (x)', 'quoted label names'],
  ])('refuses %s', (q, why) => {
    expect(() => rewrite(q)).toThrow(UnprocessableError);
    expect(() => rewrite(q)).toThrow(why);
  });
});
