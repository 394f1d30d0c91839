import { describe, expect, it } from 'vitest';
import { bucketBound, FloatHistogram, reduce } from './float-histogram.ts';

const hist = (
  { schema, zeroThreshold, zeroCount }: { schema: number; zeroThreshold: number; zeroCount: number },
  pos: [number, number][],
  neg: [number, number][] = [],
): FloatHistogram => {
  const h = new FloatHistogram();
  Object.assign(h, { schema, zeroThreshold, zeroCount, positive: new Map(pos), negative: new Map(neg) });
  h.count = zeroCount + [...pos, ...neg].reduce((a, [, c]) => a + c, 0);
  h.sum = 1;
  return h;
};

describe('FloatHistogram (model/histogram, v0.316.0)', () => {
  it('computes the bucket bounds of Prometheus (getBoundExponential)', () => {
    // exponentialBounds[3][1] = 0.5452538663326288, bound of index 1 at schema 3 = that · 2^1.
    expect(bucketBound(1, 3)).toBe(0.5452538663326288 * 2);
    expect(bucketBound(0, 3)).toBe(1);
    expect(bucketBound(-8, 3)).toBe(0.5);
    expect(bucketBound(2, -1)).toBe(16);
    expect(bucketBound(1024, 0)).toBe(Number.MAX_VALUE);
  });

  it('reduces a schema by merging 2^(from-to) neighbouring buckets (targetIdx)', () => {
    expect([
      ...reduce(
        new Map([
          [1, 1],
          [2, 2],
          [3, 4],
          [4, 8],
          [5, 16],
        ]),
        2,
        0,
      ),
    ]).toEqual([
      [1, 15],
      [2, 16],
    ]);
  });

  it('adds histograms of different schemas at the lower one', () => {
    const a = hist({ schema: 3, zeroThreshold: 2 ** -128, zeroCount: 1 }, [
      [1, 1],
      [8, 2],
      [9, 3],
    ]);
    const b = hist({ schema: 1, zeroThreshold: 2 ** -128, zeroCount: 2 }, [[1, 5]]);
    const sum = a.copy().addScaled(b, 1);
    expect(sum.schema).toBe(1);
    // Schema 3 buckets 1..4 are schema 1 bucket 1, 5..8 bucket 2, 9 bucket 3.
    expect([...sum.positive].sort((x, y) => x[0] - y[0])).toEqual([
      [1, 6],
      [2, 2],
      [3, 3],
    ]);
    expect(sum.zeroCount).toBe(3);
    expect(sum.count).toBe(a.count + b.count);
  });

  it('widens the zero bucket to the larger threshold, folding buckets below it (reconcileZeroBuckets)', () => {
    // Bucket -1 of schema 0 is (0.25, 0.5]; a threshold of 0.3 falls into it, so the zero bucket widens to 0.5.
    const wide = hist({ schema: 0, zeroThreshold: 0.3, zeroCount: 4 }, [[1, 1]]);
    const narrow = hist({ schema: 0, zeroThreshold: 2 ** -128, zeroCount: 0 }, [
      [-1, 2],
      [0, 3],
      [1, 1],
    ]);
    const sum = wide.copy().addScaled(narrow, 1);
    expect(sum.zeroThreshold).toBe(0.5);
    expect(sum.zeroCount).toBe(4 + 2);
    expect([...sum.positive].sort((x, y) => x[0] - y[0])).toEqual([
      [0, 3],
      [1, 2],
    ]);
  });

  it("takes an unknown zero threshold (empty zero bucket in the JSON) to be the other one's", () => {
    const known = hist({ schema: 0, zeroThreshold: 0.001, zeroCount: 1 }, [[1, 1]]);
    const unknown = hist({ schema: 0, zeroThreshold: 0, zeroCount: 0 }, [[1, 1]]);
    unknown.zeroThreshold = undefined;
    expect(unknown.copy().addScaled(known, 1).zeroThreshold).toBe(0.001);
  });

  it('detects counter resets from the data, bucket by bucket', () => {
    const before = hist({ schema: 1, zeroThreshold: 2 ** -128, zeroCount: 1 }, [
      [1, 5],
      [2, 3],
    ]);
    const grown = hist({ schema: 1, zeroThreshold: 2 ** -128, zeroCount: 2 }, [
      [1, 6],
      [2, 3],
    ]);
    const shrunk = hist({ schema: 1, zeroThreshold: 2 ** -128, zeroCount: 2 }, [
      [1, 6],
      [2, 2],
    ]);
    shrunk.count = grown.count + 5;
    expect(grown.detectReset(before)).toBe(false);
    expect(shrunk.detectReset(before)).toBe(true);
    expect(hist({ schema: 2, zeroThreshold: 2 ** -128, zeroCount: 2 }, [[1, 6]]).detectReset(before)).toBe(true);
  });
});
