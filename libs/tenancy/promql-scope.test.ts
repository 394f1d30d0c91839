import { describe, expect, it } from 'vitest';
import type { Scope } from '../auth/principal.ts';
import { parsePromQL } from '../promql/parser.ts';
import { selectorsOf } from '../promql/rewrite.ts';
import {
  filterLabelValues,
  filterSeries,
  scopeMatchers,
  scopeQuery,
  scopeSeriesMatch,
  seriesInScope,
} from './promql-scope.ts';

const ns: Scope = { clusters: ['*'], namespaces: ['payments', 'shop'] };
const both: Scope = { clusters: ['east'], namespaces: ['payments'] };
const full: Scope = { clusters: ['*'], namespaces: ['*'] };

const QUERIES = [
  'up',
  'http_requests_total{namespace="kube-system"}',
  'http_requests_total{namespace!="payments"}',
  '{__name__=~".+"}',
  'sum by (namespace) (rate(http_requests_total[5m]))',
  'a or b',
  'a unless on(namespace) b',
  'label_replace(node_load1, "namespace", "payments", "", "")',
  'absent(nothing{namespace="kube-system"})',
  'vector(1) + on() group_left sum(up)',
  'max_over_time(rate(x[1m])[10m:1m] offset 5m)',
  'x @ end() offset 1h',
  'topk(3, count_values("namespace", x))',
  'histogram_quantile(0.9, sum by (le) (rate(h_bucket{cluster="west"}[5m])))',
  'sum(x) / ignoring(namespace) group_left sum(y)',
];

describe('scopeQuery', () => {
  it.each(QUERIES)('every selector of %s carries the scope matchers', (q) => {
    const scoped = parsePromQL(scopeQuery(q, both));
    const sels = selectorsOf(scoped);
    expect(sels.length).toBeGreaterThan(0);
    for (const s of sels) {
      expect(s.matchers).toContainEqual({ name: 'namespace', op: '=~', value: 'payments' });
      expect(s.matchers).toContainEqual({ name: 'cluster', op: '=~', value: 'east' });
    }
  });

  it("prints matchers Prometheus understands, keeps the caller's own, and escapes regex characters", () => {
    expect(scopeQuery('rate(x{job="a"}[5m])', ns)).toBe('rate(x{job="a", namespace=~"payments|shop"}[5m])');
    expect(scopeQuery('x', { clusters: ['*'], namespaces: ['a.b', 'c|d'] })).toBe('x{namespace=~"a\\\\.b|c\\\\|d"}');
    expect(scopeQuery('x', full)).toBe('x');
    expect(() => scopeQuery('x{', ns)).toThrow(/parse error/);
  });

  it('refuses a scope that grants nothing', () => {
    expect(() => scopeMatchers({ clusters: ['*'], namespaces: [] })).toThrow(/grants no namespaces/);
  });
});

describe('metadata match[]', () => {
  it('scopes given selectors and supplies one when none is given', () => {
    expect(scopeSeriesMatch(['up', '{job="x"}'], ns)).toEqual([
      'up{namespace=~"payments|shop"}',
      '{job="x", namespace=~"payments|shop"}',
    ]);
    expect(scopeSeriesMatch([], both)).toEqual(['{cluster=~"east", namespace=~"payments"}']);
    expect(scopeSeriesMatch([], full)).toEqual([]);
    expect(() => scopeSeriesMatch(['sum(up)'], ns)).toThrow(/series selector/);
  });
});

describe('answer re-check', () => {
  it('drops series labelled outside the scope, keeps aggregates without the label', () => {
    expect(seriesInScope({ namespace: 'payments' }, ns)).toBe(true);
    expect(seriesInScope({ namespace: 'kube-system' }, ns)).toBe(false);
    expect(seriesInScope({ job: 'x' }, ns)).toBe(true);
    expect(seriesInScope({ cluster: 'west', namespace: 'payments' }, both)).toBe(false);
    const r = filterSeries(
      [{ metric: { namespace: 'payments' } }, { metric: { namespace: 'kube-system' } }, { metric: {} }],
      ns,
    );
    expect(r).toEqual({ kept: [{ metric: { namespace: 'payments' } }, { metric: {} }], dropped: 1 });
    expect(filterLabelValues('namespace', ['payments', 'kube-system'], ns)).toEqual(['payments']);
    expect(filterLabelValues('cluster', ['east', 'west'], both)).toEqual(['east']);
    expect(filterLabelValues('job', ['a'], both)).toEqual(['a']);
  });
});
