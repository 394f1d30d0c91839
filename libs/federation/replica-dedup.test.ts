import { describe, expect, it } from 'vitest';
import { dedupReplicas } from './replica-dedup.ts';

describe('dedupReplicas', () => {
  it('keeps one copy of each series, the replica label dropped, and fills gaps from the other replica', () => {
    const a = {
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'x', replica: 'a' },
          values: [
            [1, '1'],
            [3, '3'],
          ],
        },
      ],
    };
    const b = {
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'x', replica: 'b' },
          values: [
            [1, '9'],
            [2, '2'],
            [3, '9'],
          ],
        },
      ],
    };
    expect(dedupReplicas('query_range', [a, b], 'replica')).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'x' },
          values: [
            [1, '1'],
            [2, '2'],
            [3, '3'],
          ],
        },
      ],
    });
  });

  it('merges series and label lists', () => {
    expect(
      dedupReplicas('series', [[{ a: '1', replica: 'x' }], [{ a: '1', replica: 'y' }, { a: '2' }]], 'replica'),
    ).toEqual([{ a: '1' }, { a: '2' }]);
    expect(
      dedupReplicas(
        'labels',
        [
          ['a', 'replica'],
          ['b', 'a'],
        ],
        'replica',
      ),
    ).toEqual(['a', 'b']);
  });
});
