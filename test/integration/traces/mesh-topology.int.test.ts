import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { tracesFeature } from '../../../services/query/traces/traces.feature.ts';
import { freePort } from '../../../scripts/deploy/image-layout.ts';
import {
  FIXTURE_SAMPLE_COUNT,
  FIXTURE_START,
  FIXTURE_STEP_SECONDS,
  openMetricsChunks,
  type MetricFamily,
  type Series,
} from '../../fixtures/prometheus/generate.ts';

// Issue 22, 3b: the topology from mesh metrics through the federation. Two clusters' own Prometheus servers
// (Debian 2.42, as the stack's), backfilled with promtool with Istio's standard metrics (both reporters, as
// Istio's proxies write them) and the Collector servicegraph connector's series; Pharos federates them.
const run = promisify(execFile);
const VIEWER = 'mesh-viewer-token-0123456789';
const EAST_ONLY = 'mesh-east-only-token-0123456789';

/** A counter growing by `perSecond` on the fixture's 15 s grid. */
const counter = (name: string, labels: Record<string, string>, perSecond: number): Series => ({
  name,
  labels,
  values: Float64Array.from({ length: FIXTURE_SAMPLE_COUNT }, (_, i) => perSecond * FIXTURE_STEP_SECONDS * i),
});

/** Cumulative buckets `{le: perSecond}` of one histogram, plus its _count. */
function histogram(name: string, labels: Record<string, string>, buckets: Record<string, number>): Series[] {
  const series = Object.entries(buckets).map(([le, r]) => counter(`${name}_bucket`, { ...labels, le }, r));
  return [...series, counter(`${name}_count`, labels, buckets['+Inf'] as number)];
}

const call = (from: [string, string, string], to: [string, string, string], extra: Record<string, string> = {}) => ({
  source_cluster: from[0],
  source_workload_namespace: from[1],
  source_canonical_service: from[2],
  source_workload: `${from[2]}-v1`,
  destination_cluster: to[0],
  destination_workload_namespace: to[1],
  destination_canonical_service: to[2],
  destination_workload: `${to[2]}-v1`,
  namespace: to[1],
  ...extra,
});

const FRONT: [string, string, string] = ['east', 'shop', 'frontend'];
const CHECKOUT: [string, string, string] = ['east', 'shop', 'checkout'];
const PAYMENTS: [string, string, string] = ['west', 'pay', 'payments'];

function istioFamilies(series: Series[], buckets: Series[]): MetricFamily[] {
  return [
    { name: 'istio_requests', type: 'counter', help: 'Istio requests.', series },
    { name: 'istio_request_duration_milliseconds', type: 'histogram', help: 'Istio latency.', series: buckets },
  ];
}

/** east: frontend -> checkout, 2/s of which 0.5/s 503, reported by both proxies (only the destination's counts). */
const EAST = istioFamilies(
  [
    counter('istio_requests_total', call(FRONT, CHECKOUT, { reporter: 'destination', response_code: '200' }), 1.5),
    counter('istio_requests_total', call(FRONT, CHECKOUT, { reporter: 'destination', response_code: '503' }), 0.5),
    counter('istio_requests_total', call(FRONT, CHECKOUT, { reporter: 'source', response_code: '200' }), 1.5),
    counter('istio_requests_total', call(FRONT, CHECKOUT, { reporter: 'source', response_code: '503' }), 0.5),
    // The caller's side of the cross-cluster call: the source proxy's report, not counted.
    counter('istio_requests_total', call(FRONT, PAYMENTS, { reporter: 'source', response_code: '200' }), 1),
  ],
  histogram('istio_request_duration_milliseconds', call(FRONT, CHECKOUT, { reporter: 'destination' }), {
    '10': 0.4,
    '50': 1.6,
    '100': 2,
    '+Inf': 2,
  }),
);

/**
 * west: the callee's report of east's frontend -> payments (1/s), and the servicegraph connector's payments -> ledger.
 */
const WEST: MetricFamily[] = [
  ...istioFamilies(
    [counter('istio_requests_total', call(FRONT, PAYMENTS, { reporter: 'destination', response_code: '200' }), 1)],
    histogram('istio_request_duration_milliseconds', call(FRONT, PAYMENTS, { reporter: 'destination' }), {
      '100': 1,
      '+Inf': 1,
    }),
  ),
  ...(() => {
    const ends = {
      client: 'payments',
      server: 'ledger',
      client_k8s_namespace_name: 'pay',
      server_k8s_namespace_name: 'pay',
    };
    return [
      {
        name: 'traces_service_graph_request',
        type: 'counter' as const,
        help: 'servicegraph requests.',
        series: [counter('traces_service_graph_request_total', ends, 0.5)],
      },
      {
        name: 'traces_service_graph_request_failed',
        type: 'counter' as const,
        help: 'servicegraph failed requests.',
        series: [counter('traces_service_graph_request_failed_total', ends, 0.1)],
      },
      {
        name: 'traces_service_graph_request_server_seconds',
        type: 'histogram' as const,
        help: 'servicegraph server latency.',
        series: histogram('traces_service_graph_request_server_seconds', ends, {
          '0.1': 0.25,
          '0.5': 0.5,
          '+Inf': 0.5,
        }),
      },
    ];
  })(),
];

const dir = mkdtempSync(join(tmpdir(), 'pharos-mesh-'));
const children: ChildProcess[] = [];

async function startPrometheus(name: string, families: MetricFamily[]): Promise<string> {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'data.om'), [...openMetricsChunks(families)].join(''));
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(home, 'data.om'), join(home, 'data')]);
  writeFileSync(join(home, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(home, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(home, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
    ],
    { stdio: 'ignore' },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus ${name} did not get ready`);
}

describe('/v1/topology from mesh metrics through the federation (Istio, servicegraph connector)', () => {
  let ctx: ServiceContext;
  let app: Awaited<ReturnType<typeof buildApp>>;
  // A 20-minute window inside the backfilled 3 hours.
  const end = (FIXTURE_START + 3600) * 1000;
  const start = end - 20 * 60_000;

  beforeAll(async () => {
    const [east, west] = await Promise.all([startPrometheus('east', EAST), startPrometheus('west', WEST)]);
    const config = configSchema.parse({
      server: { host: '127.0.0.1', port: 0 },
      dataDir: dir,
      log: { level: 'warn' },
      storage: { type: 'sqlite', path: join(dir, 'pharos.db') },
      bus: { type: 'memory' },
      clusters: [
        { name: 'east', prometheus: { url: east } },
        { name: 'west', prometheus: { url: west } },
      ],
      auth: {
        tokens: [
          { name: 'viewer', token: VIEWER, role: 'viewer' },
          { name: 'east-only', token: EAST_ONLY, role: 'viewer', scope: { clusters: ['east'], namespaces: ['*'] } },
        ],
      },
    });
    const logger = pino({ level: process.env.PHAROS_TEST_LOG ?? 'error' });
    const authenticator = new TokenAuthenticator(config.auth.tokens);
    ctx = { config, logger, metrics: createMetricsRegistry(), authenticator, resources: new Resources() };
    const traces = tracesFeature(ctx);
    app = await buildApp({ logger, metrics: ctx.metrics, authenticator, features: [traces] });
    await traces.start?.();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.resources.closeAll();
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const topology = async (query: string, token = VIEWER) =>
    app.inject({
      method: 'GET',
      url: `/v1/topology?start=${start / 1000}&end=${end / 1000}&${query}`,
      headers: { authorization: `Bearer ${token}` },
    });

  it('has exactly the called edges, with rates, error rates and latency from the destination reports', async () => {
    const res = await topology('sources=istio');
    expect(res.statusCode, res.body).toBe(200);
    const t = res.json();
    expect(t.partial).toBe(false);
    expect(t.edges.map((e: Record<string, unknown>) => [e.source, e.target, e.crossCluster])).toEqual([
      ['east/shop/frontend', 'east/shop/checkout', false],
      ['east/shop/frontend', 'west/pay/payments', true],
    ]);
    const [local, cross] = t.edges;
    expect(local.requestRate).toBeCloseTo(2, 6);
    expect(local.requests).toBeCloseTo(2 * 1200, 3);
    expect(local.errors).toBeCloseTo(0.5 * 1200, 3);
    expect(local.errorRate).toBeCloseTo(0.25, 6);
    // histogram_quantile over the buckets {10: 0.4, 50: 1.6, 100: 2}/s: 10 + 40 × 0.6/1.2 and 50 + 50 × 0.3/0.4.
    expect(local.p50Ms).toBeCloseTo(30, 6);
    expect(local.p95Ms).toBeCloseTo(87.5, 6);
    expect(cross.requestRate).toBeCloseTo(1, 6);
    expect(cross.errors).toBe(0);
    expect(t.nodes.map((n: { id: string }) => n.id)).toEqual([
      'east/shop/checkout',
      'east/shop/frontend',
      'west/pay/payments',
    ]);
  });

  it("reads the servicegraph connector's series, its dimensions as namespaces", async () => {
    const t = (await topology('sources=servicegraph')).json();
    expect(t.edges).toHaveLength(1);
    const [e] = t.edges;
    expect([e.source, e.target, e.crossCluster]).toEqual(['west/pay/payments', 'west/pay/ledger', false]);
    expect(e.requestRate).toBeCloseTo(0.5, 6);
    expect(e.errorRate).toBeCloseTo(0.2, 6);
    expect(e.p50Ms).toBeCloseTo(100, 6);
    expect(e.p95Ms).toBeCloseTo(460, 6);
  });

  it('combines every source by default, saying which saw each edge; Grafana node-graph frames too', async () => {
    const t = (await topology('')).json();
    expect(t.edges.map((e: { id: string; via: string[] }) => [e.id, e.via])).toEqual([
      ['east/shop/frontend->east/shop/checkout', ['istio']],
      ['east/shop/frontend->west/pay/payments', ['istio']],
      ['west/pay/payments->west/pay/ledger', ['servicegraph']],
    ]);
    const payments = t.nodes.find((n: { id: string }) => n.id === 'west/pay/payments');
    expect(payments.requests).toBeCloseTo(1200, 3);
    const graph = (await topology('format=nodegraph&cluster=west')).json();
    expect(graph.edges.fields.find((f: { name: string }) => f.name === 'target').values).toEqual([
      'west/pay/payments',
      'west/pay/ledger',
    ]);
  });

  it("keeps to the caller's scope: an east-only token sees no west series", async () => {
    const t = (await topology('sources=istio,servicegraph', EAST_ONLY)).json();
    // The cross-cluster call is reported by west's proxy: outside the token's clusters, so not shown.
    expect(t.edges.map((e: { id: string }) => e.id)).toEqual(['east/shop/frontend->east/shop/checkout']);
    expect((await topology('cluster=west', EAST_ONLY)).statusCode).toBe(403);
  });

  it('refuses an unknown source with a 400', async () => {
    const res = await topology('sources=istio,zipkin');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toMatch(/^PHAROS_ERR_/);
  });
});
