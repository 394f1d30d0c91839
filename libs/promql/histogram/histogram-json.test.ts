import { describe, expect, it } from 'vitest';
import { histogramFromJson, histogramToJson } from './histogram-json.ts';
import { nativeFraction, nativeQuantile, nativeVariance } from './histogram-stats.ts';

/** What Prometheus 3.16 answered for one of the fixture's north histograms (schema 1, zero threshold 0.001). */
const NORTH = {
  count: '20',
  sum: '1.5',
  buckets: [
    [1, '-2', '-1.414213562373095', '1'],
    [3, '-0.001', '0.001', '4'],
    [0, '0.001', '0.0013810679320049755', '3'],
    [0, '0.0013810679320049755', '0.001953125', '2'],
    [0, '0.7071067811865475', '1', '10'],
  ] as [number, string, string, string][],
};

describe("native histograms in Prometheus's JSON", () => {
  it('reads schema, indices and zero threshold back from the bucket bounds, and writes them as Prometheus does', () => {
    const h = histogramFromJson(NORTH);
    expect({ schema: h.schema, zt: h.zeroThreshold, zc: h.zeroCount, custom: h.usesCustomBuckets }).toEqual({
      schema: 1,
      zt: 0.001,
      zc: 4,
      custom: false,
    });
    // The bucket the threshold falls into, (2^-10, 2^-9.5], shows the threshold as its lower bound.
    expect(h.positive.get(-19)).toBe(3);
    expect(h.negative.get(2)).toBe(1);
    expect(histogramToJson(h)).toEqual(NORTH);
  });

  it('recognizes custom buckets (open-ended first bucket, bounds that are not powers of two)', () => {
    const nhcb = histogramFromJson({
      count: '3',
      sum: '1',
      buckets: [
        [0, '-Inf', '0.1', '1'],
        [0, '0.1', '0.3', '2'],
      ],
    });
    expect(nhcb.usesCustomBuckets).toBe(true);
    expect(nativeQuantile(0.5, nhcb)).toBeCloseTo(0.1 + 0.2 * (0.5 / 2), 12);
  });

  it('knows when the answer does not show the schema (no regular bucket)', () => {
    expect(histogramFromJson({ count: '2', sum: '0', buckets: [[3, '-0.001', '0.001', '2']] }).schemaKnown).toBe(false);
  });

  it('quantile, fraction and variance follow promql/quantile.go', () => {
    const h = histogramFromJson({
      count: '4',
      sum: '6',
      buckets: [
        [0, '1', '2', '2'],
        [0, '2', '4', '2'],
      ],
    });
    // Rank 1 of 4 sits halfway into (1, 2]: exponential interpolation gives 2^0.5.
    expect(nativeQuantile(0.25, h)).toBeCloseTo(Math.SQRT2, 12);
    // The upper half starts at 2 (backward iteration above the median).
    expect(nativeQuantile(0.5, h)).toBeCloseTo(2, 12);
    expect(nativeFraction(0, 2, h)).toBeCloseTo(0.5, 12);
    // Geometric midpoints sqrt(2) and sqrt(8) around the mean 1.5.
    const mean = 1.5;
    expect(nativeVariance(h)).toBeCloseTo((2 * (Math.SQRT2 - mean) ** 2 + 2 * (Math.sqrt(8) - mean) ** 2) / 4, 12);
  });
});
