import { describe, expect, it } from 'vitest';
import { FloatHistogram, HistogramPartialsError } from '../histogram/float-histogram.ts';
import { aggregate, type AggregateArgs } from './aggregate.ts';
import { TopKTieError } from './aggregate-partials.ts';
import type { Sample } from './values.ts';

const s = (labels: Record<string, string>, value: number): Sample => ({ labels, value });

/** What each cluster's moments leaf answers for `values` (count, Welford mean and variance, as engine.go). */
function moments(cluster: string, values: number[], labels: Record<string, string> = {}): Sample[] {
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  const part = (p: string, v: number) => s({ ...labels, cluster, __pharos_partial__: p }, v);
  return [part('count', values.length), part('avg', mean), part('stdvar', variance)];
}

describe('stddev/stdvar from per-cluster moments', () => {
  const args = (op: 'stddev' | 'stdvar', version: 2 | 3 = 3): AggregateArgs => ({
    op,
    grouping: [],
    without: false,
    version,
    form: 'moments',
  });
  const union = (op: 'stddev' | 'stdvar', vec: number[], version: 2 | 3 = 3) =>
    aggregate(
      { op, grouping: [], without: false, version },
      vec.map((v, i) => s({ i: String(i) }, v)),
    )[0]?.value;

  it("equals Prometheus's Welford loop over the union, per group", () => {
    const east = [1e9 + 3, 1e9 + 7.5, 1e9 - 2];
    const west = [1e9 + 11];
    const north = [5, 1e9 + 0.25];
    const vec = [...moments('east', east), ...moments('west', west), ...moments('north', north)];
    for (const op of ['stddev', 'stdvar'] as const) {
      const [got] = aggregate(args(op), vec);
      const want = union(op, [...east, ...west, ...north]) as number;
      expect(Math.abs((got?.value as number) - want) / want).toBeLessThan(1e-9);
      expect(got?.labels).toEqual({});
    }
    const grouped = aggregate({ ...args('stdvar'), grouping: ['ns'] }, [
      ...moments('east', [1, 2], { ns: 'a' }),
      ...moments('west', [3], { ns: 'a' }),
      ...moments('west', [4, 4], { ns: 'b' }),
    ]);
    expect(grouped.map((g) => [g.labels, g.value])).toEqual([
      [{ ns: 'a' }, expect.closeTo(2 / 3, 12)],
      [{ ns: 'b' }, 0],
    ]);
  });

  it('gives what engine.go gives for non-finite samples: one alone 0 in 2.x and NaN in 3.x, else NaN', () => {
    const one = moments('east', [Infinity]);
    // The member's own answer for a single +Inf: count 1, mean +Inf, stdvar 0 (2.x) or NaN (3.x).
    expect(aggregate(args('stdvar', 2), one)[0]?.value).toBe(0);
    expect(aggregate(args('stdvar', 3), one)[0]?.value).toBeNaN();
    expect(union('stdvar', [Infinity], 2)).toBe(0);
    expect(union('stdvar', [Infinity], 3)).toBeNaN();
    const two = [...moments('east', [Infinity]), ...moments('west', [1])];
    expect(aggregate(args('stddev', 2), two)[0]?.value).toBeNaN();
    expect(union('stddev', [Infinity, 1], 2)).toBeNaN();
    const nan = [...moments('east', [NaN, 1]), ...moments('west', [2])];
    expect(aggregate(args('stddev', 3), nan)[0]?.value).toBeNaN();
  });

  it('asks for the series when a member answered native histograms (a mean that is one, or none)', () => {
    const h = new FloatHistogram();
    const withHistogram = [s({ cluster: 'east', __pharos_partial__: 'count' }, 1), { ...s({}, NaN), histogram: h }];
    withHistogram[1]!.labels = { cluster: 'east', __pharos_partial__: 'avg' };
    expect(() => aggregate(args('stddev'), withHistogram)).toThrow(HistogramPartialsError);
    // Floats and histograms mixed in a group: 3.x's avg gives nothing, its count counts both.
    const noMean = moments('east', [1, 2]).filter((x) => x.labels.__pharos_partial__ !== 'avg');
    expect(() => aggregate(args('stdvar'), noMean)).toThrow(HistogramPartialsError);
  });
});

describe('topk/bottomk over per-cluster candidates', () => {
  const args = (op: 'topk' | 'bottomk', k: number, grouping: string[] = []): AggregateArgs => ({
    op,
    grouping,
    without: false,
    version: 3,
    param: k,
    form: 'candidates',
  });
  /** A candidate of `where` ("cluster/pod"). */
  const c = (where: string, v: number, ns = 'a') => {
    const [cluster = '', pod = ''] = where.split('/');
    return s({ cluster, ns, pod }, v);
  };

  it('picks the k best when they are distinct and better than every other candidate', () => {
    // k = 2: each cluster sent its top 3.
    const vec = [c('east/p1', 9), c('east/p2', 5), c('east/p3', 4), c('west/p1', 7), c('west/p2', 1)];
    expect(aggregate(args('topk', 2), vec).map((x) => x.value)).toEqual([9, 7]);
    expect(aggregate(args('bottomk', 2), vec).map((x) => x.value)).toEqual([1, 4]);
    // Ties below the k-th place do not matter.
    const below = [...vec, c('west/p3', 1)];
    expect(aggregate(args('topk', 2), below).map((x) => x.value)).toEqual([9, 7]);
  });

  it('refuses a tie at the k-th place, within or across clusters', () => {
    const across = [c('east/p1', 9), c('east/p2', 5), c('east/p3', 4), c('west/p1', 5), c('west/p2', 1)];
    expect(() => aggregate(args('topk', 2), across)).toThrow(TopKTieError);
    const within = [c('east/p1', 9), c('east/p2', 5), c('east/p3', 5), c('west/p1', 1)];
    expect(() => aggregate(args('topk', 2), within)).toThrow(TopKTieError);
    const nans = [c('east/p1', 5), c('east/p2', NaN), c('east/p3', NaN)];
    expect(() => aggregate(args('topk', 2), nans)).toThrow(TopKTieError);
    expect(() => aggregate(args('bottomk', 1), [c('east/p1', 0), c('east/p2', -0)])).toThrow(TopKTieError);
  });

  it('takes equal picked values, unless an ancestor reads their order', () => {
    const picked = [c('east/p1', 9), c('east/p2', 9), c('east/p3', 3), c('west/p1', 1)];
    expect(aggregate(args('topk', 2), picked).map((x) => x.labels.pod)).toEqual(['p1', 'p2']);
    const ordered: AggregateArgs = { ...args('topk', 2), form: 'ordered-candidates' };
    expect(() => aggregate(ordered, picked)).toThrow(TopKTieError);
    expect(aggregate(ordered, picked.slice(1)).map((x) => x.value)).toEqual([9, 3]);
  });

  it("takes ties when every cluster sent at most k: the candidates are then the group's whole input", () => {
    const all = [c('east/p1', 1), c('east/p2', 1), c('west/p1', 1)];
    expect(aggregate(args('topk', 2), all).map((x) => x.labels.pod)).toHaveLength(2);
    expect(aggregate(args('topk', 2), all)).toEqual(
      aggregate({ op: 'topk', grouping: [], without: false, version: 3, param: 2 }, all),
    );
  });

  it('decides each group on its own', () => {
    const vec = [c('east/p1', 3, 'a'), c('east/p2', 2, 'a'), c('east/p3', 2, 'b'), c('west/p1', 2, 'b')];
    // ns a: east sent 2 (k + 1 = 2), distinct; ns b: each sent 1 ≤ k, complete.
    expect(aggregate(args('topk', 1, ['ns']), vec).map((x) => [x.labels.ns, x.value])).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
    const tied = [...vec.slice(0, 1), c('east/p2', 3, 'a'), ...vec.slice(2)];
    expect(() => aggregate(args('topk', 1, ['ns']), tied)).toThrow(TopKTieError);
  });
});
