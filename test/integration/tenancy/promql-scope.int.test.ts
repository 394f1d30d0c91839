import { describe, expect, it } from 'vitest';
import {
  filterLabelSets,
  filterLabelValues,
  filterSeries,
  scopeQuery,
  scopeSeriesMatch,
} from '../../../libs/tenancy/promql-scope.ts';
import { AT, METADATA_ESCAPES, PAYMENTS, PROMQL_ESCAPES } from './escape-cases.ts';
import { canonical, leaks, unionGet, windowParams, type PromSeries } from './prom-helpers.ts';

/**
 * The scope functions themselves against the real union Prometheus: the query as rewritten for the scope,
 * then the answer re-check, must give exactly what the hand-scoped query gives (zero leaks, same aggregates).
 * escape-federation.int.test.ts runs the same table through the HTTP API.
 */
async function instant(query: string): Promise<PromSeries[]> {
  const env = await unionGet<{ resultType: string; result: PromSeries[] }>('/api/v1/query', { query, time: AT });
  if (env.status !== 'success') throw new Error(`${query}: ${env.error}`);
  return env.data.resultType === 'vector'
    ? env.data.result
    : [{ metric: {}, value: env.data.result as unknown as [number, string] }];
}

describe('PromQL scope enforcement against the union Prometheus', () => {
  const emptiedByScope: string[] = [];
  it.each(PROMQL_ESCAPES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const scope = c.scope ?? PAYMENTS;
    const got = filterSeries(await instant(scopeQuery(c.query, scope)), scope).kept;
    expect(
      leaks(
        got.map((s) => s.metric),
        scope,
      ),
    ).toEqual([]);
    if (c.truth === 'empty') expect(got).toEqual([]);
    else if (c.truth !== 'no-leak') {
      const truth = await instant(c.truth);
      expect(canonical(got)).toEqual(canonical(truth));
    }
    if (c.truth === 'empty') {
      const raw = await unionGet<{ result: unknown[] }>('/api/v1/query', { query: c.query, time: AT });
      if (raw.status === 'success' && raw.data.result.length > 0) emptiedByScope.push(c.name);
    }
  });

  it('most refused attempts do return data without the scope (the table tests something)', () => {
    expect(emptiedByScope.length).toBeGreaterThanOrEqual(15);
  });

  it('has at least 40 escape attempts including metadata endpoints', () => {
    expect(PROMQL_ESCAPES.length + METADATA_ESCAPES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(METADATA_ESCAPES.map((c) => [c.name, c] as const))('metadata: %s', async (_name, c) => {
    const scoped = await unionGet<unknown[]>(c.path, windowParams, scopeSeriesMatch(c.match, PAYMENTS));
    const truth = await unionGet<unknown[]>(c.path, windowParams, c.truthMatch);
    expect(scoped.status).toBe('success');
    if (c.path === '/api/v1/series') {
      const got = filterLabelSets(scoped.data as Record<string, string>[], PAYMENTS);
      expect(leaks(got, PAYMENTS)).toEqual([]);
      expect(got).toEqual(truth.data);
    } else {
      const name = c.path.split('/')[4] ?? '';
      const got = c.path.startsWith('/api/v1/label/')
        ? filterLabelValues(name, scoped.data as string[], PAYMENTS)
        : scoped.data;
      expect(got).toEqual(truth.data);
      if (name === 'namespace') expect(got).toEqual(['payments']);
    }
  });
});
