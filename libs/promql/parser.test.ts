import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.ts';
import { UnprocessableError } from '../errors/errors.ts';
import { PROMQL_2, PROMQL_3, PROMQL_ANY } from './parse-options.ts';
import { parsePromQL } from './parser.ts';
import { printExpr } from './printer.ts';

describe('parsePromQL', () => {
  it.each([
    'sum by (namespace) (rate(x{a="b", c!~"d.*"}[5m] offset 1m))',
    'a + on (x) group_left (y) b',
    'topk without () (3, x)',
    'x @ 100.000 offset -5m',
    'max_over_time((time() - max(x) < bool 1000)[5m:10s] offset 5m)',
    'label_replace(x, "dst", "$1", "src", "(.*)")',
    '{__name__="x", "quoted label"="v"}',
    'count_values("v", x) unless ignoring (a) y',
    // Prometheus 3 syntax prints back as it was written.
    'rate(x[5m + 1m:step() * 2] offset -(1m))',
    'rate(x[5m] anchored) + on (a) fill_left(0) fill_right(1) rate(y[5m] smoothed)',
    'limitk by ("k8s.pod") (2, {"some.metric", "a.b"=~"c"}) </ 0.5',
  ])('round-trips %s through the printer', (q) => {
    const once = printExpr(parsePromQL(q, PROMQL_ANY));
    expect(printExpr(parsePromQL(once, PROMQL_ANY))).toBe(once);
  });

  it('reads -1 ^ 2 as -(1 ^ 2), like Prometheus', () => {
    expect(parsePromQL('-1 ^ 2')).toMatchObject({ kind: 'unary', op: '-', expr: { kind: 'binary', op: '^' } });
  });

  it('parses number forms and durations', () => {
    expect(parsePromQL('0x3d')).toEqual({ kind: 'number', value: 61 });
    expect(parsePromQL('-Inf')).toEqual({ kind: 'number', value: -Infinity });
    expect(parsePromQL('x[1h30m]')).toMatchObject({ kind: 'matrix', rangeMs: 5_400_000 });
  });

  it.each([
    ['sum(', 'parse error'],
    ['{__name__=~".*"}', 'at least one non-empty matcher'],
    ['1 == 2', 'BOOL modifier'],
    ['rate(x)', 'expected type range vector'],
    ['nosuchfn(x)', 'unknown function'],
    ['x + on(a) 1', 'vector matching only allowed between instant vectors'],
    ['1 and 2', 'set operator'],
    ['sum(x) offset 5m', 'offset modifier must be preceded'],
    ['x{a=~"("}', 'invalid regular expression'],
    ['', 'no expression'],
  ])('refuses %s as bad_data', (q, msg) => {
    expect(() => parsePromQL(q)).toThrow(InputError);
    expect(() => parsePromQL(q)).toThrow(msg);
  });
});

describe('parsePromQL, Prometheus 2.42 specifics', () => {
  it('accepts comments anywhere and holt_winters (unknown to newer lezer-promql)', () => {
    expect(printExpr(parsePromQL('sum( # why\n x) # done'))).toBe('sum (x)');
    expect(printExpr(parsePromQL('holt_winters(x[5m], 0.5, 0.5)'))).toBe('holt_winters(x[5m], 0.5, 0.5)');
    expect(() => parsePromQL('double_exponential_smoothing(x[5m], 0.5, 0.5)')).toThrow(InputError);
  });
});

describe('parsePromQL per Prometheus version (issue 16)', () => {
  it.each([
    ['{"some.utf8.metric"}', 'quoted'],
    ['sum by ("namespace") (x)', 'quoted'],
    ['x[5m+1m]', 'duration arithmetic'],
    ['sort_by_label(x, "a")', 'unknown function'],
    ['rate(x[5m] anchored)', 'anchored'],
  ])('2.42 refuses the 3.x syntax %s', (q, msg) => {
    expect(() => parsePromQL(q, PROMQL_2)).toThrow(msg);
  });

  it('3.x knows double_exponential_smoothing but not holt_winters, and gates experimental functions', () => {
    expect(() => parsePromQL('holt_winters(x[5m], 0.5, 0.5)', PROMQL_3)).toThrow(
      'unknown function with name "holt_winters"',
    );
    expect(() => parsePromQL('double_exponential_smoothing(x[5m], 0.5, 0.5)', PROMQL_3)).toThrow(
      'function "double_exponential_smoothing" is not enabled',
    );
    expect(() => parsePromQL('limitk(1, x)', PROMQL_3)).toThrow('--enable-feature=promql-experimental-functions');
    expect(() => parsePromQL('a + fill(0) b', { ...PROMQL_3, experimental: true })).toThrow(
      'binop fill modifiers are experimental and not enabled',
    );
    expect(parsePromQL('mad_over_time(x[5m])', { ...PROMQL_3, experimental: true })).toMatchObject({
      kind: 'call',
      func: 'mad_over_time',
    });
  });

  it('3.x reads plain numbers as seconds in durations and durations as numbers', () => {
    expect(parsePromQL('x[90]', PROMQL_3)).toMatchObject({ kind: 'matrix', rangeMs: 90_000 });
    expect(parsePromQL('5m', PROMQL_3)).toEqual({ kind: 'number', value: 300 });
    expect(parsePromQL('x[5m * 2]', PROMQL_3)).toMatchObject({ kind: 'matrix', rangeMs: 600_000 });
  });

  it('refuses with 422 the 3.16 functions the parser cannot read yet', () => {
    expect(() => parsePromQL('min_of(1, 2)', { ...PROMQL_3, experimental: true })).toThrow(UnprocessableError);
  });
});
