import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.ts';
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
  ])('round-trips %s through the printer', (q) => {
    const once = printExpr(parsePromQL(q));
    expect(printExpr(parsePromQL(once))).toBe(once);
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
