// The cache of rendered panels (issue 21, services/query/dashboards/panel-cache.ts) over the fixture Prometheus
// servers and both record stores: a warm render is byte for byte the cold one and the one computed with no cache at
// all (`Cache-Control: no-store`), for every built-in dashboard and an imported Grafana one; the panels come from the
// cache (its hit counter); a viewer never gets another scope's cached panels; `no-cache` renders afresh.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Counter } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSchema } from '../../../services/query/dashboards/dashboards.schemas.ts';
import { FIXTURE_END, FIXTURE_START } from '../../fixtures/prometheus/generate.ts';
import { AUTH, repoRoot, startQueryService, type Harness, type StorageKind } from './harness.ts';

const VIEWERS = [
  { name: 'east', token: 'panel-cache-east-0123456789', scope: { clusters: ['east'], namespaces: ['*'] } },
  { name: 'west', token: 'panel-cache-west-0123456789', scope: { clusters: ['west'], namespaces: ['checkout'] } },
];
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const BUILT_INS = ['cluster-overview', 'namespace', 'node', 'workload', 'events', 'audit'];
const GRAFANA = 'grafana_kubernetes-mixin_k8s-resources-cluster.json';

describe.each<StorageKind>(['sqlite', 'opensearch'])('rendered panels from the cache on %s', (storage) => {
  let h: Harness;
  let imported: string;
  beforeAll(async () => {
    h = await startQueryService(storage, VIEWERS);
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/dashboards/import',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: readFileSync(resolve(repoRoot, '../shared/data/dashboards', GRAFANA), 'utf8'),
    });
    expect(res.statusCode).toBe(201);
    imported = res.json().id as string;
  });
  afterAll(() => h.close());

  /** Each call its own window (seconds apart): a grid no earlier render used, so the caches start empty for it. */
  let shift = 0;
  const windowOf = (s: number) => `from=${(FIXTURE_START + 1800 + s) * 1000}&to=${(FIXTURE_END - 60 + s) * 1000}`;
  const render = async (url: string, headers: Record<string, string>) => {
    const res = await h.app.inject({ url, headers });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    return res.body;
  };
  const panelHits = async () => {
    const hits = h.ctx.metrics.getSingleMetric('pharos_federation_cache_hits_total') as Counter | undefined;
    const values = (await hits?.get())?.values ?? [];
    return values.filter((v) => v.labels.kind === 'panel').reduce((a, v) => a + v.value, 0);
  };

  it('answers a warm render byte for byte as the cold one and as one without any cache', async () => {
    const dashboards = [...BUILT_INS.map((id) => `${id}/render?`), `${imported}/render?var-cluster=east&`];
    let cached = 0;
    for (const d of dashboards) {
      const url = `/v1/dashboards/${d}${windowOf(++shift)}`;
      const uncached = await render(url, { ...AUTH, 'cache-control': 'no-store' });
      const before = await panelHits();
      const cold = await render(url, AUTH);
      expect(await panelHits(), `${d}: the cold render found nothing kept`).toBe(before);
      const warm = await render(url, AUTH);
      expect(warm, d).toBe(cold);
      expect(cold, d).toBe(uncached);
      const body = JSON.parse(warm) as { panels: { data: { records: unknown[] } }[] };
      expect(renderSchema.parse(body)).toEqual(body);
      const hits = (await panelHits()) - before;
      // Panels over records (events, audit, logs) are rendered every time: records can arrive late.
      if (!['events', 'audit'].some((id) => d.startsWith(id)))
        expect(hits, `${d}: panels served warm`).toBeGreaterThan(0);
      cached += hits;
    }
    expect(cached).toBeGreaterThan(20);
  });

  it("never serves a viewer another scope's cached panels, whoever rendered first", async () => {
    const url = `/v1/dashboards/cluster-overview/render?${windowOf(++shift)}`;
    const east = bearer(VIEWERS[0]!.token);
    const west = bearer(VIEWERS[1]!.token);
    const eastCold = await render(url, east);
    const fullCold = await render(url, AUTH);
    const westCold = await render(url, west);
    expect(new Set([eastCold, westCold, fullCold]).size).toBe(3);
    // Each one's answer is what it gets with no cache at all, and what it gets again warm.
    for (const [who, cold] of [
      [east, eastCold],
      [west, westCold],
      [AUTH, fullCold],
    ] as const) {
      expect(await render(url, { ...who, 'cache-control': 'no-store' })).toBe(cold);
      expect(await render(url, who)).toBe(cold);
    }
    const clusters = (body: string) =>
      new Set(
        (JSON.parse(body) as { panels: { data: { series: { labels: Record<string, string> }[] } }[] }).panels.flatMap(
          (p) => p.data.series.flatMap((s) => (s.labels.cluster ? [s.labels.cluster] : [])),
        ),
      );
    expect([...clusters(eastCold)]).toEqual(['east']);
    expect([...clusters(westCold)].filter((c) => c !== 'west')).toEqual([]);
  });

  it('renders afresh with Cache-Control: no-cache, and keeps that answer', async () => {
    const url = `/v1/dashboards/node/render?${windowOf(++shift)}`;
    const cold = await render(url, AUTH);
    const before = await panelHits();
    expect(await render(url, { ...AUTH, 'cache-control': 'no-cache' })).toBe(cold);
    expect(await panelHits()).toBe(before);
    expect(await render(url, AUTH)).toBe(cold);
    expect(await panelHits()).toBeGreaterThan(before);
  });
});
