import { describe, expect, it } from 'vitest';
import { locality } from './locality.ts';
import { parsePromQL } from './parser.ts';
import { leafQueryFor, planQuery } from './planner.ts';
import { printExpr } from './printer.ts';
import { rewriteSelectors } from './rewrite.ts';

const CLUSTERS = ['east', 'west', 'north'];
const plan = (q: string) => planQuery(parsePromQL(q), CLUSTERS);

describe('cluster locality', () => {
  it.each([
    ['rate(x[5m])', 'local'],
    ['sum by (cluster, ns) (x)', 'local'],
    ['sum without (pod) (x)', 'local'],
    ['sum without (cluster) (x)', 'global'],
    ['sum(x)', 'global'],
    ['x / on (cluster, pod) y', 'local'],
    ['x / on (pod) y', 'global'],
    ['x * 2', 'local'],
    ['x + vector(1)', 'global'],
    ['vector(1)', 'const'],
    ['time() + 1', 'const'],
    ['absent(x)', 'global'],
    ['label_replace(x, "a", "$1", "cluster", "(.*)")', 'global'],
    ['label_replace(x, "a", "$1", "b", "(.*)")', 'local'],
    ['clamp_max(x, scalar(y))', 'global'],
    ['histogram_quantile(0.9, rate(b[5m]))', 'local'],
  ])('%s is %s', (q, want) => {
    expect(locality(parsePromQL(q))).toBe(want);
  });
});

describe('planQuery', () => {
  it('sends a local query whole (pass-through)', () => {
    const p = plan('sum by (cluster) (rate(x[5m]))');
    expect(p.passThrough).toBeDefined();
    expect(leafQueryFor(p.leaves[0]!, 'east')).toBe('sum by (cluster) (rate(x[5m]))');
  });

  it('pushes sum/count down and combines counts by summing', () => {
    const p = plan('count(count by (namespace) (x))');
    expect(p.leaves.map((l) => leafQueryFor(l, 'east'))).toEqual(['count by (namespace) (x)']);
    expect(printExpr(p.root)).toBe('count (sum by (namespace) (count by (namespace) (x)))');
  });

  it('marks the sums that combine partial sums, and plans sums over the series when asked (native histograms)', () => {
    const pushed = plan('avg(rate(h[5m]))');
    expect(printExpr(pushed.root)).toBe('sum (sum (rate(h[5m]))) / sum (count (rate(h[5m])))');
    const sides = pushed.root.kind === 'binary' ? [pushed.root.lhs, pushed.root.rhs] : [];
    expect(sides.map((e) => e.kind === 'aggregate' && e.combinesPartials === true)).toEqual([true, false]);
    const inOrder = planQuery(
      parsePromQL('histogram_quantile(0.9, sum by (le) (rate(h[5m]))) + on() group(count(h))'),
      CLUSTERS,
      { pushDownSums: false },
    );
    expect(inOrder.leaves.map((l) => leafQueryFor(l, 'east'))).toEqual(['rate(h[5m])', 'count (h)']);
    expect(() =>
      planQuery(parsePromQL('sum(sum by (cluster) (rate(h[5m])))'), CLUSTERS, { pushDownSums: false }),
    ).toThrow(/only federated over series of one metric/);
    expect(() => planQuery(parsePromQL('sum({__name__=~"h.*"})'), CLUSTERS, { pushDownSums: false })).toThrow(
      /zero bucket and schema reconciliation/,
    );
  });

  it('fetches the inner vector for aggregations that cannot be split exactly', () => {
    const p = plan('quantile(0.9, rate(x[5m]))');
    expect(leafQueryFor(p.leaves[0]!, 'west')).toBe('rate(x[5m])');
  });

  it("pushes stddev/stdvar as each cluster's count, mean and variance in one leaf", () => {
    const p = plan('stddev by (ns) (rate(x[5m]))');
    const part = (op: string) => `label_replace(${op} by (ns) (rate(x[5m])), "__pharos_partial__", "${op}", "", "")`;
    expect(p.leaves.map((l) => leafQueryFor(l, 'east'))).toEqual([
      `(${part('count')} or ${part('avg')}) or ${part('stdvar')}`,
    ]);
    expect(p.root.kind === 'aggregate' && [p.root.op, p.root.partialForm]).toEqual(['stddev', 'moments']);
    const without = plan('stdvar without (cluster, pod) (x)');
    expect(leafQueryFor(without.leaves[0]!, 'east')).toContain('stdvar without (cluster, pod) (x)');
    // After native histograms in the partials: over the series, in Pharos.
    const series = planQuery(parsePromQL('stddev(x)'), CLUSTERS, { pushDownSums: false });
    expect(series.leaves.map((l) => leafQueryFor(l, 'east'))).toEqual(['x']);
  });

  it('pushes count_values and sums the counts per value, except where the label text could differ', () => {
    const p = plan('count_values by (ns) ("v", x)');
    expect(p.leaves.map((l) => leafQueryFor(l, 'east'))).toEqual(['count_values by (ns) ("v", x)']);
    expect(printExpr(p.root)).toBe('sum without (cluster) (count_values by (ns) ("v", x))');
    const leaves = (q: string, mixedFleet = false) =>
      planQuery(parsePromQL(q), CLUSTERS, { mixedFleet }).leaves.map((l) => leafQueryFor(l, 'east'));
    expect(leaves('count_values("v", x)', true)).toEqual(['x']);
    expect(leaves('count_values("cluster", x)')).toEqual(['x']);
    // Label names a 2.x member would refuse: Pharos refuses them itself, as before.
    expect(leaves('count_values("", x)')).toEqual(['x']);
  });

  it('pushes topk/bottomk with a literal k as the top k + 1 per cluster, unless told not to (ties)', () => {
    const leaves = (q: string, pushDownK = true) =>
      planQuery(parsePromQL(q), CLUSTERS, { pushDownK }).leaves.map((l) => leafQueryFor(l, 'east'));
    expect(leaves('topk(5, x)')).toEqual(['topk (6, x)']);
    expect(leaves('bottomk by (ns) (2.7, rate(x[5m]))')).toEqual(['bottomk by (ns) (3, rate(x[5m]))']);
    const p = plan('topk without (cluster) (1, x)');
    expect(printExpr(p.root)).toBe('topk without (cluster) (1, topk without (cluster) (2, x))');
    expect(p.root.kind === 'aggregate' && p.root.partialForm).toBe('candidates');
    const sorted = plan('sort(topk(1, x))').root;
    expect(sorted.kind === 'call' && sorted.args[0]?.kind === 'aggregate' && sorted.args[0].partialForm).toBe(
      'ordered-candidates',
    );
    expect(leaves('topk(5, x)', false)).toEqual(['x']);
    expect(leaves('topk(0, x)')).toEqual(['x']);
    expect(leaves('topk(scalar(y), x)')).toEqual(['x', 'y']);
    // Grouped, under an ancestor that reads the order of groups: not pushed; a single group is ordered by value.
    expect(leaves('sort(topk by (ns) (1, x))')).toEqual(['x']);
    expect(leaves('topk(1, topk by (ns) (2, x))')).toEqual(['x']);
    expect(leaves('sort_desc(topk(2, x))')).toEqual(['topk (3, x)']);
    expect(leaves('topk by (ns) (1, x) * 2')).toEqual(['topk by (ns) (2, x)']);
  });

  it('uses cluster matchers to choose clusters, and strips them from the text sent', () => {
    const p = plan('sum(x{cluster=~"east|west", a="b"})');
    expect(p.leaves[0]!.clusters).toEqual(['east', 'west']);
    expect(leafQueryFor(p.leaves[0]!, 'east')).toBe('sum (x{a="b"})');
    const both = plan('x{cluster="east"} or on (cluster, a) y{cluster="west"}');
    expect(leafQueryFor(both.leaves[0]!, 'west')).toBe('x{__pharos_excluded_cluster__="true"} or on(cluster, a) y');
    expect(leafQueryFor(plan('{cluster="east"}').leaves[0]!, 'east')).toBe('{__name__=~".+"}');
  });

  it('needs no cluster for queries without selectors', () => {
    expect(plan('vector(1) + time()').leaves).toEqual([]);
  });

  it("evaluates *_over_time of a cross-cluster subquery in Pharos, on the subquery's own grid", () => {
    const p = plan('max_over_time(sum(x)[5m:1m])');
    expect(p.leaves.map((l) => [leafQueryFor(l, 'east'), l.gridId])).toEqual([['sum (x)', 0]]);
  });
});

describe('rewriteSelectors', () => {
  it('injects matchers into every selector, inside ranges too', () => {
    const e = rewriteSelectors(parsePromQL('sum(rate(x[5m])) / count(y)'), (s) => ({
      ...s,
      matchers: [...s.matchers, { name: 'namespace', op: '=', value: 'a' }],
    }));
    expect(printExpr(e)).toBe('sum (rate(x{namespace="a"}[5m])) / count (y{namespace="a"})');
  });
});
