import { describe, expect, it } from 'vitest';
import type { FederatedQueryService, InstantQuery, LabelsQuery, SeriesQuery } from '../federation/federation.types.ts';
import { scopedFederation } from './scoped-federation.ts';

/** A fake federation that records what it was asked and answers with series of several namespaces. */
function fake() {
  const asked: unknown[] = [];
  const fed: FederatedQueryService = {
    instant: async (q: InstantQuery) => {
      asked.push(q.query);
      return {
        resultType: 'vector',
        result: [
          { metric: { namespace: 'payments' }, value: [1, '1'] },
          { metric: { namespace: 'kube-system' }, value: [1, '2'] },
          { metric: {}, value: [1, '3'] },
        ],
        warnings: [],
        clusters: {},
      };
    },
    range: async () => ({ resultType: 'scalar', result: [1, '1'], warnings: [], clusters: {} }),
    series: async (q: SeriesQuery) => {
      asked.push(q.match);
      return { data: [{ namespace: 'payments' }, { namespace: 'kube-system' }], warnings: [] };
    },
    labelNames: async (q?: LabelsQuery) => {
      asked.push(q?.match);
      return { data: ['namespace'], warnings: [] };
    },
    labelValues: async (_n: string, q?: LabelsQuery) => {
      asked.push(q?.match);
      return { data: ['kube-system', 'payments'], warnings: [] };
    },
    clusters: () => ['east', 'west'],
  };
  return { fed, asked };
}

describe('scopedFederation', () => {
  const scope = { clusters: ['east'], namespaces: ['payments'] };

  it('scopes the query and re-checks the answer', async () => {
    const { fed, asked } = fake();
    const r = await scopedFederation(fed, scope).instant({ query: 'sum(x) or y', time: 1 });
    expect(asked).toEqual([
      'sum (x{cluster=~"east", namespace=~"payments"}) or y{cluster=~"east", namespace=~"payments"}',
    ]);
    expect(r.result).toEqual([
      { metric: { namespace: 'payments' }, value: [1, '1'] },
      { metric: {}, value: [1, '3'] },
    ]);
    expect(r.warnings).toEqual(['1 series outside your scope were left out']);
  });

  it('scopes metadata and filters what comes back', async () => {
    const { fed, asked } = fake();
    const s = scopedFederation(fed, scope);
    expect((await s.series({ match: ['up'] })).data).toEqual([{ namespace: 'payments' }]);
    await s.labelNames();
    expect((await s.labelValues('namespace')).data).toEqual(['payments']);
    expect(asked).toEqual([
      ['up{cluster=~"east", namespace=~"payments"}'],
      ['{cluster=~"east", namespace=~"payments"}'],
      ['{cluster=~"east", namespace=~"payments"}'],
    ]);
    expect(s.clusters()).toEqual(['east']);
  });

  it('is the service itself for an unrestricted scope', () => {
    const { fed } = fake();
    expect(scopedFederation(fed, { clusters: ['*'], namespaces: ['*'] })).toBe(fed);
  });
});
