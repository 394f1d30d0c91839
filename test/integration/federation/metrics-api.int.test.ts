// The KubeSphere-style metrics API on the fixture clusters: templates from config/metric-templates.yaml, run
// through the federation, compared with the same template run on the union server.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMetricTemplates } from '../../../services/query/prometheus-api/metric-templates.ts';
import { PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { EVAL_TIME, repoRoot } from './differential.ts';
import { AUTH, startFederation } from './harness.ts';

const templates = parseMetricTemplates(
  readFileSync(`${repoRoot}/config/metric-templates.yaml`, 'utf8'),
  'metric-templates.yaml',
);

type Series = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] };
const byKey = (r: Series[]) =>
  Object.fromEntries(
    r.map((s) => [JSON.stringify(Object.entries(s.metric).sort()), s.value?.[1] ?? s.values?.map((v) => v[1])]),
  );

async function union(query: string, params: Record<string, string>): Promise<Series[]> {
  const res = await fetch(
    `http://127.0.0.1:${PROMETHEUS_PORTS.union}/api/v1/${params.time ? 'query' : 'query_range'}`,
    { method: 'POST', body: new URLSearchParams({ query, ...params }) },
  );
  return ((await res.json()) as { data: { result: Series[] } }).data.result;
}

describe('GET /v1/metrics/{level}', () => {
  let server: Awaited<ReturnType<typeof startFederation>>;
  beforeAll(async () => {
    server = await startFederation();
  });
  afterAll(async () => server.close());

  it('answers every template of every level, each equal to the union server', async () => {
    for (const [level, def] of Object.entries(templates.levels)) {
      const res = await server.app.inject({ url: `/v1/metrics/${level}?time=${EVAL_TIME}`, headers: AUTH });
      expect(res.statusCode).toBe(200);
      const results = res.json().results as { metric_name: string; data?: { result: Series[] }; error?: string }[];
      expect(results.map((r) => r.metric_name)).toEqual(Object.keys(def.metrics).sort());
      for (const r of results) {
        expect(r.error).toBeUndefined();
        expect(byKey(r.data?.result ?? []), `${level}/${r.metric_name}`).toEqual(
          byKey(await union(def.metrics[r.metric_name] as string, { time: String(EVAL_TIME) })),
        );
      }
    }
  });

  it('filters by metric and resource name, scopes to a cluster and namespace, and answers ranges', async () => {
    const url = `/v1/metrics/pod?metrics_filter=pod_cpu_usage&resources_filter=payments-api-.*gv5.*&cluster=north&namespace=payments&start=${EVAL_TIME - 600}&end=${EVAL_TIME}&step=60`;
    const res = await server.app.inject({ url, headers: AUTH });
    expect(res.statusCode).toBe(200);
    const [only] = res.json().results as { metric_name: string; data: { resultType: string; result: Series[] } }[];
    expect(only?.data.resultType).toBe('matrix');
    const expected = await union(
      'sum by (cluster, namespace, pod) (rate(container_cpu_usage_seconds_total{container!="", cluster="north", namespace="payments", pod=~"payments-api-.*gv5.*"}[5m]))',
      { start: String(EVAL_TIME - 600), end: String(EVAL_TIME), step: '60' },
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(byKey(only?.data.result ?? [])).toEqual(byKey(expected));
  });

  it('refuses an unknown level or a bad filter with 400', async () => {
    expect((await server.app.inject({ url: '/v1/metrics/galaxy', headers: AUTH })).statusCode).toBe(400);
    expect((await server.app.inject({ url: '/v1/metrics/pod?resources_filter=(', headers: AUTH })).statusCode).toBe(
      400,
    );
  });
});
