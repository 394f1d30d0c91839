import { describe, expect, it } from 'vitest';
import { FloatHistogram, HistogramPartialsError } from '../histogram/float-histogram.ts';
import { aggregate } from './aggregate.ts';

function hist(zeroThreshold: number, zeroCount: number, buckets: [number, number][]): FloatHistogram {
  const h = new FloatHistogram();
  h.schema = 1;
  h.zeroThreshold = zeroThreshold;
  h.zeroCount = zeroCount;
  h.positive = new Map(buckets);
  h.count = zeroCount + buckets.reduce((a, [, c]) => a + c, 0);
  return h;
}

describe('aggregate over per-cluster partial sums', () => {
  const sum = { op: 'sum' as const, grouping: [], without: false, version: 3 as const, partials: true };

  it("adds floats, and passes one cluster's histogram through", () => {
    expect(
      aggregate(sum, [
        { labels: { cluster: 'east' }, value: 1 },
        { labels: { cluster: 'west' }, value: 2 },
      ])[0]?.value,
    ).toBe(3);
    const [only] = aggregate(sum, [
      { labels: { cluster: 'north' }, value: NaN, histogram: hist(0.001, 1, [[-19, 2]]) },
    ]);
    expect(only?.histogram?.count).toBe(3);
  });

  it("does not add two clusters' histograms: the order of addition changes their sum (HistogramPartialsError)", () => {
    const vec = [
      { labels: { cluster: 'east' }, value: NaN, histogram: hist(2 ** -128, 0, [[-19, 2]]) },
      { labels: { cluster: 'north' }, value: NaN, histogram: hist(0.001, 1, [[-18, 1]]) },
    ];
    expect(() => aggregate(sum, vec)).toThrow(HistogramPartialsError);
    // Over the series themselves (no partials) they are added as Prometheus adds them.
    expect(aggregate({ ...sum, partials: false }, vec)[0]?.histogram?.count).toBe(4);
  });
});
