import { describe, expect, it } from 'vitest';
import { parsePromQL } from '../../../libs/promql/parser.ts';
import { PROMQL_ANY } from '../../../libs/promql/parse-options.ts';
import { compileGroup, type AlertRule } from './compile.ts';
import { readsSpans, toSpanRuleQuery } from './span-rule-query.ts';

const parse = (expr: string) => toSpanRuleQuery(parsePromQL(expr, PROMQL_ANY));
const refusal = (expr: string) => {
  try {
    parse(expr);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`accepted: ${expr}`);
};

describe('span rules: parsing', () => {
  it('reads a count per cluster and `by` fields, matchers pushed down as the store filters', () => {
    expect(
      parse('sum by (service) (count_over_time(pharos_spans{service="checkout", status="error"}[5m])) > 10'),
    ).toEqual({
      spans: { filter: { services: ['checkout'], statusCodes: [2] }, windowMs: 300_000 },
      groupBy: ['service'],
      op: '>',
      threshold: 10,
    });
  });

  it('reads the error-rate ratio of the issue', () => {
    expect(
      parse(
        'sum by (service) (count_over_time(pharos_spans{status="error"}[5m])) / sum by (service) (count_over_time(pharos_spans[5m])) > 0.05',
      ),
    ).toEqual({
      spans: { filter: { statusCodes: [2] }, windowMs: 300_000 },
      per: { filter: {}, windowMs: 300_000 },
      groupBy: ['service'],
      op: '>',
      threshold: 0.05,
    });
  });

  it('takes every matcher the Tempo search has: kinds and statuses by name, tags in logfmt, durations', () => {
    const q = parse(
      `count_over_time(pharos_spans{cluster=~"east|west", namespace="shop", name="POST /pay", kind=~"server|SPAN_KIND_CONSUMER",
        status=~"error|unset", tags="http.route=/pay http.status_code=500", min_duration="500ms", max_duration="1m"}[10m]) >= 1`,
    );
    expect(q.spans.filter).toEqual({
      clusters: ['east', 'west'],
      namespaces: ['shop'],
      names: ['POST /pay'],
      kinds: ['SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER'],
      statusCodes: [2, 0],
      tags: { 'http.route': '/pay', 'http.status_code': '500' },
      minDurationNanos: 500_000_000,
      maxDurationNanos: 60_000_000_000,
    });
    expect(q.groupBy).toEqual([]);
  });

  it('takes a dotted (Prometheus 3 quoted) label name as a tag, and ANDs two matchers on one label', () => {
    const q = parse(
      'count_over_time({__name__="pharos_spans", "http.route"="/pay", service=~"a|b", service="b"}[1m]) > 0',
    );
    expect(q.spans.filter).toEqual({ services: ['b'], tags: { 'http.route': '/pay' } });
  });

  it('drops cluster from `by` (results are always per cluster) and allows the fields spans are counted by', () => {
    expect(
      parse('sum by (cluster, namespace, kind, status, name) (count_over_time(pharos_spans[5m])) > 0').groupBy,
    ).toEqual(['namespace', 'kind', 'status', 'name']);
  });

  it.each([
    ['rate(pharos_spans[5m]) > 1', /count_over_time/],
    ['count_over_time(pharos_spans[5m])', /compare a count/],
    ['count_over_time(pharos_spans[5m]) > bool 1', /right side must be a number/],
    ['count_over_time(pharos_spans{service!="a"}[5m]) > 1', /take = "value" or =~"a\|b" of literal values/],
    ['count_over_time(pharos_spans{service=~"a.*"}[5m]) > 1', /literal values/],
    ['count_over_time(pharos_spans{service=""}[5m]) > 1', /literal values/],
    ['count_over_time(pharos_spans{foo="x"}[5m]) > 1', /"foo" is not a matcher of pharos_spans/],
    ['count_over_time(pharos_spans{kind="rpc"}[5m]) > 1', /kind="rpc": use one of .*server/],
    ['count_over_time(pharos_spans{status="failed"}[5m]) > 1', /status="failed": use one of unset, ok, error/],
    ['count_over_time(pharos_spans{min_duration="fast"}[5m]) > 1', /min_duration: "fast" is not a duration/],
    ['count_over_time(pharos_spans{tags=~"a=b"}[5m]) > 1', /tags takes =/],
    ['count_over_time(pharos_spans{tags="a=b", tags="a=c"}[5m]) > 1', /tag "a" is given two different values/],
    ['count_over_time(pharos_spans[5m] offset 1m) > 1', /offset and @/],
    ['max by (service) (count_over_time(pharos_spans[5m])) > 1', /only sum by/],
    ['sum without (service) (count_over_time(pharos_spans[5m])) > 1', /only sum by/],
    ['sum by (pod) (count_over_time(pharos_spans[5m])) > 1', /cannot group spans by "pod"/],
    ['count_over_time(pharos_spans[5m]) - count_over_time(pharos_spans[1m]) > 1', /ratio \(\/\) of two counts/],
    [
      'sum by (service) (count_over_time(pharos_spans{status="error"}[5m])) / sum by (name) (count_over_time(pharos_spans[5m])) > 0.1',
      /group by the same fields/,
    ],
    [
      'sum by (service) (count_over_time(pharos_spans[5m])) / on (service) sum by (service) (count_over_time(pharos_spans[5m])) > 0.1',
      /no on, ignoring or group_/,
    ],
    ['count_over_time(pharos_spans[5m]) / count_over_time(pharos_logs[5m]) > 0.1', /pharos_spans selector/],
  ])('refuses %s', (expr, message) => {
    expect(refusal(expr)).toMatch(message);
  });
});

describe('span rules: compiled', () => {
  it('are alert rules with source "spans", and a refused one fails its group naming the rule', () => {
    const group = compileGroup(
      {
        name: 'traces',
        rules: [
          {
            alert: 'CheckoutErrors',
            expr: 'sum by (service) (count_over_time(pharos_spans{status="error"}[5m])) > 10',
          },
        ],
      },
      { type: 'api' },
      { defaultIntervalMs: 60_000 },
    );
    const rule = group.rules[0] as AlertRule;
    expect(rule.source).toBe('spans');
    expect(rule.spans?.groupBy).toEqual(['service']);
    expect(rule.records).toBeUndefined();
    expect(() =>
      compileGroup(
        { name: 'bad', rules: [{ alert: 'Slow', expr: 'quantile_over_time(0.95, pharos_spans[5m]) > 0.5' }] },
        { type: 'api' },
        { defaultIntervalMs: 60_000 },
      ),
    ).toThrow(/rule group "bad" is invalid: rules\.0\.expr: .*count_over_time/);
  });

  it('tells span rules from metric and record-count rules', () => {
    expect(readsSpans(parsePromQL('sum(count_over_time(pharos_spans[5m])) > 1', PROMQL_ANY))).toBe(true);
    expect(readsSpans(parsePromQL('count_over_time(pharos_logs[5m]) > 1', PROMQL_ANY))).toBe(false);
    expect(readsSpans(parsePromQL('up == 0', PROMQL_ANY))).toBe(false);
  });
});
