import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, buildFullApp, type FullApp } from './full-app.ts';
import { AT, EAST_PAYMENTS, METADATA_ESCAPES, PAYMENTS, PROMQL_ESCAPES } from './escape-cases.ts';
import { canonical, leaks, unionGet, windowParams, type PromSeries } from './prom-helpers.ts';

/**
 * The PromQL escape table through the HTTP API of the full app (/prometheus/api/v1), with a namespace-scoped
 * viewer token: zero leaks, and every answer equals the hand-scoped query on the union Prometheus. A query
 * the federation refuses as a whole (422, e.g. a subquery over a cross-cluster expression) leaks nothing.
 */
function close(a: Record<string, number>, b: Record<string, number>): void {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const k of Object.keys(a)) {
    const x = a[k] as number;
    const y = b[k] as number;
    if (Number.isNaN(y)) expect(x).toBeNaN();
    else expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(y)));
  }
}

describe('PromQL escape attempts through /prometheus/api/v1 with scoped tokens', () => {
  let full: FullApp;
  const refused: string[] = [];
  beforeAll(async () => {
    full = await buildFullApp();
  });
  afterAll(async () => {
    if (refused.length) console.log(`[tenancy] refused as a whole by the federation (422): ${refused.join('; ')}`);
    await full?.close();
  });

  it.each(PROMQL_ESCAPES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const scope = c.scope ?? PAYMENTS;
    const token = scope === EAST_PAYMENTS ? TOKENS.eastViewer : TOKENS.viewer;
    const res = await full.app.inject({
      url: `/prometheus/api/v1/query?${new URLSearchParams({ query: c.query, time: String(AT) })}`,
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.statusCode === 422) {
      refused.push(c.name);
      expect(res.json()).toMatchObject({ status: 'error', errorType: 'execution' });
      return;
    }
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json().data as { resultType: string; result: PromSeries[] };
    const got = data.resultType === 'vector' ? data.result : [];
    expect(
      leaks(
        got.map((s) => s.metric),
        scope,
      ),
    ).toEqual([]);
    if (c.truth === 'empty') expect(got).toEqual([]);
    else if (c.truth !== 'no-leak') {
      const truth = await unionGet<{ result: PromSeries[] }>('/api/v1/query', { query: c.truth, time: AT });
      close(canonical(got), canonical(truth.data.result));
    }
  });

  it.each(METADATA_ESCAPES.map((c) => [c.name, c] as const))('metadata: %s', async (_name, c) => {
    const qs = new URLSearchParams(Object.entries(windowParams).map(([k, v]) => [k, String(v)]));
    for (const m of c.match) qs.append('match[]', m);
    const res = await full.app.inject({
      url: `/prometheus${c.path}?${qs}`,
      headers: { authorization: `Bearer ${TOKENS.viewer}` },
    });
    const truth = await unionGet<unknown[]>(c.path, windowParams, c.truthMatch);
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json().data as unknown[];
    if (c.path === '/api/v1/series') {
      expect(leaks(data as Record<string, string>[], PAYMENTS)).toEqual([]);
      expect(data).toEqual(truth.data);
    } else {
      expect(data).toEqual(truth.data);
    }
  });

  it('a rule backtest cannot read outside the scope (refused for scoped tokens)', async () => {
    const group = {
      name: 'g',
      interval: '1m',
      rules: [{ alert: 'Leak', expr: 'kube_pod_info{namespace="kube-system"}' }],
    };
    const body = {
      group,
      start: new Date((AT - 120) * 1000).toISOString(),
      end: new Date(AT * 1000).toISOString(),
      step: '1m',
    };
    const res = await full.app.inject({
      method: 'POST',
      url: '/v1/alert-rules/backtest',
      headers: { authorization: `Bearer ${TOKENS.editor}` },
      payload: body,
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('kube-system"');
  });

  it('the KubeSphere-style metrics API is scoped too', async () => {
    for (const level of ['namespace', 'pod', 'node', 'cluster']) {
      const res = await full.app.inject({
        url: `/v1/metrics/${level}?time=${AT}`,
        headers: { authorization: `Bearer ${TOKENS.viewer}` },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toContain('kube-system');
      expect(res.body).not.toContain('"checkout"');
    }
  });
});
