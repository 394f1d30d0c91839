import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import type { LogDoc } from '../../../libs/schemas/records.ts';
import { MemoryRecordStore } from '../../../libs/store/memory/memory-record.store.ts';
import { RecordsService } from '../records/records.service.ts';
import { ClustersService } from './clusters.service.ts';
import { consoleRoutes } from './console.routes.ts';
import type { PrometheusProbe } from './prometheus-probe.ts';
import { consoleUiRoutes } from './ui.routes.ts';

const NOW = Date.UTC(2024, 2, 2, 12);
const tokens = new TokenAuthenticator([
  { name: 'admin', token: 'admin-token-0123456789', role: 'admin' },
  {
    name: 'shop',
    token: 'shop-token-0123456789',
    role: 'viewer',
    scope: { clusters: ['east', 'edge'], namespaces: ['shop'] },
  },
  { name: 'shipper', token: 'ingest-token-0123456789', role: 'ingest' },
]);
const as = (token: string) => ({ authorization: `Bearer ${token}` });

function log(
  id: string,
  { cluster, namespace, minutesAgo }: { cluster: string; namespace: string; minutesAgo: number },
): LogDoc {
  return {
    id,
    kind: 'logs',
    cluster,
    namespace,
    time: NOW - minutesAgo * 60_000,
    ingestedAt: NOW - minutesAgo * 60_000 + 500,
    message: 'x',
  };
}

describe('console routes', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    const store = new MemoryRecordStore();
    await store.write('logs', [
      log('a', { cluster: 'east', namespace: 'shop', minutesAgo: 1 }),
      log('b', { cluster: 'east', namespace: 'shop', minutesAgo: 2 }),
      log('c', { cluster: 'east', namespace: 'bank', minutesAgo: 3 }),
      log('d', { cluster: 'edge', namespace: 'shop', minutesAgo: 30 }),
      log('e', { cluster: 'west', namespace: 'shop', minutesAgo: 60 * 30 }),
    ]);
    const records = new RecordsService({
      store: async () => store,
      limits: { maxRangeDays: 31, maxPageSize: 100, defaultPageSize: 10, timeoutMs: 2000 },
      now: () => NOW,
    });
    const probe = {
      health: async (c: { name: string }) =>
        c.name === 'east'
          ? { reachable: true, version: '2.42.0', responseMs: 3, endpoints: 1, endpointsUp: 1 }
          : { reachable: false, error: 'unreachable: ECONNREFUSED', endpoints: 1, endpointsUp: 0 },
    } as unknown as PrometheusProbe;
    const prom = (name: string) => ({
      name,
      prometheus: { url: `http://127.0.0.1:1/${name}`, replicas: [], replicaLabel: 'replica', timeoutMs: 1000 },
    });
    const clusters = new ClustersService({
      clusters: () => [prom('east'), prom('west')],
      records,
      probe,
      indexerLag: async (k) => (k === 'logs' ? 7 : undefined),
      now: () => NOW,
    });
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: createMetricsRegistry(),
      authenticator: tokens,
      features: [
        {
          name: 'console',
          routes: async (a) => {
            await a.register(consoleRoutes(clusters));
            await a.register(consoleUiRoutes());
          },
        },
      ],
    });
  });
  afterAll(() => app.close());

  it('GET /v1/me says who the caller is and whether the scope is restricted', async () => {
    expect((await app.inject({ url: '/v1/me', headers: as('admin-token-0123456789') })).json()).toEqual({
      name: 'admin',
      role: 'admin',
      via: 'token',
      scope: { clusters: ['*'], namespaces: ['*'] },
      restricted: false,
    });
    expect((await app.inject({ url: '/v1/me', headers: as('shop-token-0123456789') })).json()).toMatchObject({
      name: 'shop',
      restricted: true,
    });
    expect((await app.inject({ url: '/v1/me' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/me', headers: as('ingest-token-0123456789') })).json().error.code).toBe(
      'PHAROS_ERR_FORBIDDEN',
    );
  });

  it('GET /v1/clusters: configured and seen clusters, Prometheus health, rates, last records, indexer lag', async () => {
    const body = (await app.inject({ url: '/v1/clusters', headers: as('admin-token-0123456789') })).json();
    expect(body.clusters.map((c: { name: string }) => c.name)).toEqual(['east', 'edge', 'west']);
    const [east, edge, west] = body.clusters;
    expect(east).toMatchObject({
      configured: true,
      prometheus: { reachable: true, version: '2.42.0' },
      collectorLastSeen: NOW - 60_000 + 500,
    });
    // Three records within the last 5 minutes: 0.6 per minute.
    expect(east.records.logs).toEqual({
      last24h: 3,
      perMinute: 0.6,
      lastRecordAt: NOW - 60_000,
      lastIngestedAt: NOW - 60_000 + 500,
    });
    expect(edge).toMatchObject({
      configured: false,
      prometheus: null,
      records: { logs: { last24h: 1, perMinute: 0 } },
    });
    expect(west).toMatchObject({ configured: true, prometheus: { reachable: false }, collectorLastSeen: null });
    expect(body.indexerLag).toEqual({ logs: 7, events: null, audit: null });
    expect(body.scopeNote).toBeUndefined();
  });

  it("GET /v1/clusters within a scope: other clusters hidden, counts only of the scope's namespaces, and a note why", async () => {
    const body = (await app.inject({ url: '/v1/clusters', headers: as('shop-token-0123456789') })).json();
    expect(body.clusters.map((c: { name: string }) => c.name)).toEqual(['east', 'edge']);
    expect(body.clusters[0].records.logs.last24h).toBe(2);
    expect(body.scopeNote).toContain('namespaces shop');
  });

  // Moved with the UI from the dashboards feature (its assertions as they were).
  it('serves the viewer without a token and uPlot from node_modules', async () => {
    const page = await app.inject('/ui/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect((await app.inject('/ui')).statusCode).toBe(302);
    const uplot = await app.inject('/ui/vendor/uplot.js');
    expect(uplot.statusCode).toBe(200);
    expect(uplot.body).toContain('export { uPlot as default }');
    expect((await app.inject('/ui/..%2F..%2Fpackage.json')).statusCode).toBe(404);
  });

  it('serves the app for every page path, files by name, and 404 for a missing file', async () => {
    for (const url of ['/ui/', '/ui/explore/logs?q=x', '/ui/alerts', '/ui/dashboards/node']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<div id="app">');
    }
    const js = await app.inject({ url: '/ui/vendor/preact.js' });
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect((await app.inject({ url: '/ui/vendor/htm.js' })).body).toMatch(/export/);
    expect((await app.inject({ url: '/ui/nope.js' })).json().error.code).toBe('PHAROS_ERR_NOT_FOUND');
    const etag = String((await app.inject({ url: '/ui/app.js' })).headers.etag);
    expect((await app.inject({ url: '/ui/app.js', headers: { 'if-none-match': etag } })).statusCode).toBe(304);
  });

  it('serves the record kinds and filter fields from the record schemas, and a CSP that allows the import map by hash', async () => {
    const fields = (await app.inject({ url: '/ui/lib/fields.js' })).body;
    expect(fields).toContain('"audit":{"cluster":"cluster"');
    const page = await app.inject({ url: '/ui/explore/logs' });
    const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page.body)![1]!;
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain(`'sha256-${createHash('sha256').update(map).digest('base64')}'`);
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
