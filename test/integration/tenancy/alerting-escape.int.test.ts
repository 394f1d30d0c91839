import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, buildFullApp, type FullApp } from './full-app.ts';

/**
 * Alerts are filtered by scope: a namespace-scoped caller sees alerts of its namespaces only (not those of
 * other namespaces, nor node-level alerts without a namespace), on the Pharos and Alertmanager APIs.
 */
describe('alert visibility with scoped tokens', () => {
  let full: FullApp;
  const as = (t: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[t]}` });
  beforeAll(async () => {
    full = await buildFullApp();
    const startsAt = new Date().toISOString();
    const mk = (cluster: string, ns?: string) => ({
      labels: { alertname: 'ScopeProbe', cluster, ...(ns ? { namespace: ns } : {}) },
      annotations: {},
      startsAt,
    });
    const res = await full.app.inject({
      method: 'POST',
      url: '/alertmanager/api/v2/alerts',
      headers: as('admin'),
      payload: [mk('east', 'payments'), mk('west', 'payments'), mk('east', 'kube-system'), mk('east')],
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(() => full?.close());

  const seen = async (token: keyof typeof TOKENS) => {
    const res = await full.app.inject({
      url: '/alertmanager/api/v2/alerts?filter=alertname%3D%22ScopeProbe%22',
      headers: as(token),
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { labels: Record<string, string> }[])
      .map((a) => `${a.labels.cluster}/${a.labels.namespace ?? '-'}`)
      .sort();
  };

  it('an admin sees every alert', async () => {
    expect(await seen('admin')).toEqual(['east/-', 'east/kube-system', 'east/payments', 'west/payments']);
  });

  it('a payments viewer sees payments alerts only, in every cluster', async () => {
    expect(await seen('viewer')).toEqual(['east/payments', 'west/payments']);
  });

  it('an east/payments viewer sees the east payments alert only', async () => {
    expect(await seen('eastViewer')).toEqual(['east/payments']);
  });
});
