import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../../errors/errors.ts';
import { parsePromQL } from '../parser.ts';
import { planQuery } from '../planner.ts';
import { evalInstant, evalRange } from './evaluator.ts';
import { EVAL_2_42 } from './semantics.ts';
import type { Sample } from './values.ts';

/** Plans `q` over two clusters and evaluates it with each leaf answered by `data(leafText)`. */
function run(q: string, data: (leaf: string) => Sample[]) {
  const plan = planQuery(parsePromQL(q), ['east', 'west']);
  const leaves = new Map(plan.leaves.map((l) => [l.id, [data(JSON.stringify(l.expr))]]));
  return evalInstant(plan.root, { leaves, grids: new Map(), sem: EVAL_2_42 }, 1000_000);
}

const s = (labels: Record<string, string>, value: number): Sample => ({ labels, value });
const pods = [
  s({ __name__: 'x', cluster: 'east', namespace: 'a', pod: 'p1' }, 1),
  s({ __name__: 'x', cluster: 'east', namespace: 'b', pod: 'p2' }, 2),
  s({ __name__: 'x', cluster: 'west', namespace: 'a', pod: 'p1' }, 3),
];
const values = (r: ReturnType<typeof run>) =>
  (r.result as { metric: Record<string, string>; value: [number, string] }[]).map((x) => [x.metric, x.value[1]]);

describe('evaluation above merged cluster answers', () => {
  it('counts distinct label values across clusters, not the sum of per-cluster counts', () => {
    // The leaf is `count by (namespace) (x)`, answered per cluster.
    const r = run('count(count by (namespace) (x))', () => [
      s({ cluster: 'east', namespace: 'a' }, 1),
      s({ cluster: 'east', namespace: 'b' }, 1),
      s({ cluster: 'west', namespace: 'a' }, 1),
    ]);
    expect(values(r)).toEqual([[{}, '2']]);
  });

  it('vector(1) is one series, absent() is empty when any cluster has the series', () => {
    expect(values(run('vector(1)', () => []))).toEqual([[{}, '1']]);
    expect(values(run('absent(x{namespace="a"})', () => pods))).toEqual([]);
    expect(values(run('absent(x{namespace="a", cluster="east"})', () => []))).toEqual([
      [{ namespace: 'a', cluster: 'east' }, '1'],
    ]);
  });

  it('aggregates like Prometheus: avg, stddev, quantile, topk, count_values', () => {
    // avg is pushed down as per-cluster sums and counts.
    const partials = (leaf: string) =>
      leaf.includes('"count"')
        ? [s({ cluster: 'east' }, 2), s({ cluster: 'west' }, 1)]
        : [s({ cluster: 'east' }, 3), s({ cluster: 'west' }, 3)];
    expect(values(run('avg(x)', partials))).toEqual([[{}, '2']]);
    // stddev from each cluster's count, mean and variance (east: 1 and 2, west: 3).
    const part = (cluster: string, p: string, v: number) => s({ cluster, __pharos_partial__: p }, v);
    const moments = [
      ...[part('east', 'count', 2), part('east', 'avg', 1.5), part('east', 'stdvar', 0.25)],
      ...[part('west', 'count', 1), part('west', 'avg', 3), part('west', 'stdvar', 0)],
    ];
    expect(Number(values(run('stddev(x)', () => moments))[0]![1])).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(values(run('quantile(0.5, x)', () => pods))).toEqual([[{}, '2']]);
    // topk over each cluster's top k + 1.
    expect(values(run('topk(1, x)', () => pods))).toEqual([[pods[2]!.labels, '3']]);
    // count_values: per-cluster counts summed by value.
    const counted = [
      s({ cluster: 'east', v: '1' }, 1),
      s({ cluster: 'west', v: '1' }, 2),
      s({ cluster: 'east', v: '2' }, 1),
    ];
    expect(values(run('count_values("v", x)', () => counted))).toEqual([
      [{ v: '1' }, '3'],
      [{ v: '2' }, '1'],
    ]);
  });

  it('matches vectors across clusters and refuses many-to-many like Prometheus', () => {
    const r = run('sum by (namespace) (x) / on (namespace) group_left count by (namespace) (x)', (leaf) =>
      leaf.includes('"sum"')
        ? [s({ cluster: 'east', namespace: 'a' }, 4), s({ cluster: 'west', namespace: 'a' }, 2)]
        : [s({ cluster: 'east', namespace: 'a' }, 1), s({ cluster: 'west', namespace: 'a' }, 2)],
    );
    expect(values(r)).toEqual([[{ namespace: 'a' }, '2']]);
    expect(() => run('x + on (pod) x', () => pods)).toThrow(UnprocessableError);
  });

  it('histogram_quantile over merged buckets', () => {
    const bucket = (cluster: string, le: string, v: number) => s({ cluster, le }, v);
    const r = run('histogram_quantile(0.5, sum by (le) (b))', () => [
      bucket('east', '1', 1),
      bucket('east', '+Inf', 2),
      bucket('west', '1', 1),
      bucket('west', '+Inf', 2),
    ]);
    expect(values(r)).toEqual([[{}, '1']]);
  });

  it('sort orders the merged vector; comparisons filter; scalar() of many is NaN', () => {
    expect(
      values(
        run('sort_desc(sum by (pod) (x))', () =>
          pods.map((p) => s({ cluster: p.labels.cluster!, pod: p.labels.pod! }, p.value)),
        ),
      ).map((v) => v[1]),
    ).toEqual(['4', '2']);
    expect(values(run('sum(x) > 5', () => [s({ cluster: 'east' }, 6)]))).toEqual([[{}, '6']]);
    expect(run('scalar(x)', () => pods).result).toEqual([1000, 'NaN']);
  });

  it('refuses what it does not evaluate above merged answers with 422, naming it', () => {
    expect(() => run('histogram_count(sum(x))', () => pods)).toThrow(UnprocessableError);
    expect(() => run('histogram_count(sum(x))', () => pods)).toThrow('histogram_count()');
  });

  it('evaluates range queries step by step', () => {
    const plan = planQuery(parsePromQL('sum(x)'), ['east', 'west']);
    const leaves = new Map([
      [0, [[s({ cluster: 'east' }, 1), s({ cluster: 'west' }, 2)], [s({ cluster: 'east' }, 5)]]],
    ]);
    expect(
      evalRange(
        plan.root,
        { leaves, grids: new Map(), sem: EVAL_2_42 },
        { startMs: 0, endMs: 60_000, stepMs: 60_000, steps: 2 },
      ).result,
    ).toEqual([
      {
        metric: {},
        values: [
          [0, '3'],
          [60, '5'],
        ],
      },
    ]);
  });
});

describe('subqueries over merged answers', () => {
  it('applies *_over_time to the inner expression evaluated on the subquery grid', () => {
    const plan = planQuery(parsePromQL('max_over_time(sum(x)[2m:1m])'), ['east', 'west']);
    // Outer instant at t=180s: grid 60s,120s,180s; sum per step = 3, 7, 5.
    const grids = new Map([[0, { startMs: 60_000, endMs: 180_000, stepMs: 60_000, steps: 3 }]]);
    const leaves = new Map([
      [
        0,
        [
          [s({ cluster: 'east' }, 1), s({ cluster: 'west' }, 2)],
          [s({ cluster: 'east' }, 7)],
          [s({ cluster: 'west' }, 5)],
        ],
      ],
    ]);
    expect(evalInstant(plan.root, { leaves, grids, sem: EVAL_2_42 }, 180_000).result).toEqual([
      { metric: {}, value: [180, '7'] },
    ]);
  });
});
