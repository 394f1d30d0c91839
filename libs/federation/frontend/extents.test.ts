import { describe, expect, it } from 'vitest';
import { joinSeries, slice } from './extents.ts';
import type { MatrixSeries } from './frontend.types.ts';

const a: MatrixSeries = {
  metric: { job: 'a' },
  values: [
    [0, '1'],
    [30, '2'],
  ],
};
const b: MatrixSeries = { metric: { job: 'b' }, values: [[30, '3']] };

describe('slice and joinSeries', () => {
  it('keep series that need no change as they are (a warm hit), the same as copying them would give', () => {
    const sliced = slice([a, b], 0, 30_000);
    expect(sliced[0]).toBe(a);
    expect(slice([a], 30_000, 60_000)).toEqual([{ metric: { job: 'a' }, values: [[30, '2']] }]);
    const joined = joinSeries([[b, a]]);
    expect(joined).toEqual([a, b]);
    expect(joined[0]).toBe(a);
  });

  it('still joins, sorts and drops what a single piece needs it to', () => {
    const unsorted: MatrixSeries = {
      metric: { job: 'a' },
      values: [
        [30, '2'],
        [0, '1'],
      ],
    };
    expect(joinSeries([[unsorted]])).toEqual([a]);
    expect(
      joinSeries([
        [
          { metric: { job: 'a' }, values: [[0, '1']] },
          { metric: { job: 'a' }, values: [[30, '2']] },
        ],
      ]),
    ).toEqual([a]);
    expect(joinSeries([[{ metric: { job: 'a' }, values: [], histograms: [[0, { count: '1' }]] }]])).toEqual([
      { metric: { job: 'a' }, histograms: [[0, { count: '1' }]] },
    ]);
    expect(slice([{ metric: { job: 'a' }, values: [] }], 0, 30_000)).toEqual([]);
  });
});
