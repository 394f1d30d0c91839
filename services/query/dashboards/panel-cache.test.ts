import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FULL_SCOPE, type Scope } from '../../../libs/auth/principal.ts';
import { MemoryLruCache } from '../../../libs/cache/memory-lru.cache.ts';
import { validateDashboard } from '../../../libs/dashboards/dashboard.parse.ts';
import { DerivedCache } from '../../../libs/federation/frontend/derived-cache.ts';
import { frontendMetrics } from '../../../libs/federation/frontend/frontend.metrics.ts';
import type { FederatedResult } from '../../../libs/federation/federation.types.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import type { MetricsPort } from './dashboards.ports.ts';
import { joinRender } from './panel-cache.ts';
import { DashboardRenderer, type RenderRequest } from './render.service.ts';
import { FakeRecords } from './testing/fake-backends.ts';

const H = 3_600_000;
const NOW = 1_767_225_600_000;
const EAST: Scope = { clusters: ['east'], namespaces: ['*'] };
const WEST: Scope = { clusters: ['west'], namespaces: ['*'] };

/** A federation whose answers carry the query they answer (so scopes' answers differ), every call counted. */
function fakeFederation(opts: { warnings?: string[]; empty?: boolean } = {}) {
  const calls: string[] = [];
  const answer = (query: string, points: [number, string][]): FederatedResult => ({
    resultType: 'matrix',
    result: opts.empty
      ? []
      : [{ metric: { cluster: query.includes('west') ? 'west' : 'east', q: query }, values: points }],
    warnings: opts.warnings ?? [],
    clusters: { east: { status: 'ok' } },
  });
  const cache = new MemoryLruCache({ maxBytes: 1 << 20 });
  const derivedCache = new DerivedCache({
    cache,
    settings: { enabled: true, maxFreshnessMs: 600_000, ttlSeconds: 3600, metadataTtlSeconds: 60, maxItemBytes: 1e6 },
    fingerprint: 'f',
    memberVersions: async () => 'v',
    metrics: frontendMetrics(new Registry(), cache),
    now: () => NOW,
  });
  const metrics: MetricsPort = {
    clusters: () => ['east', 'west'],
    labelValues: async (name, q) => {
      calls.push(`labelValues ${q?.match?.join(',')}`);
      return { data: opts.empty ? [] : ['up'], warnings: [] };
    },
    instant: async (q) => {
      calls.push(`instant ${q.query}`);
      return { ...answer(q.query, []), resultType: 'vector', result: [{ metric: {}, value: [q.time, '7'] }] };
    },
    range: async (q) => {
      calls.push(`range ${q.query}`);
      return answer(q.query, [
        [q.start, '1.5'],
        [q.end, 'NaN'],
      ]);
    },
    derivedCache,
  };
  const records = new FakeRecords();
  const renderer = new DashboardRenderer({
    metrics: async () => metrics,
    records: async () => records,
    logger: createLogger('silent'),
    timeoutMs: 5000,
    concurrency: 4,
    maxRecordRangeDays: 31,
  });
  return { calls, renderer };
}

const dashboard = validateDashboard({
  title: 't',
  rows: [
    {
      panels: [
        { type: 'timeseries', title: 'CPU', targets: [{ expr: 'rate(cpu[5m])', legendFormat: '{{cluster}}' }] },
        {
          type: 'stat',
          title: 'Pods',
          targets: [
            { expr: 'count(up)', instant: true },
            { expr: 'x', hide: true },
          ],
        },
        { type: 'logs', title: 'Logs', targets: [{ datasource: 'logs', q: 'error' }] },
        { type: 'text', title: 'Note', content: 'hello' },
      ],
    },
  ],
});

const request = (over: Partial<RenderRequest> = {}): RenderRequest => ({
  range: { from: NOW - 3 * H, to: NOW - H },
  requested: {},
  principalScope: FULL_SCOPE,
  maxDataPoints: 300,
  ...over,
});

describe('rendered panels from the cache', () => {
  it('answers a warm render with the cold bytes, which are JSON.stringify of render(), asking PromQL nothing', async () => {
    const { calls, renderer } = fakeFederation();
    const plain = JSON.stringify(await renderer.render(dashboard, request()));
    const cold = await renderer.renderJson(dashboard, request());
    expect(cold.toString()).toBe(plain);
    const asked = calls.length;
    const warm = await renderer.renderJson(dashboard, request());
    expect(warm.equals(cold)).toBe(true);
    // The logs panel reads the record store every time; no PromQL is asked again.
    expect(calls.slice(asked)).toEqual([]);
  });

  it("never serves one scope's panels to another, either way", async () => {
    const { calls, renderer } = fakeFederation();
    const east = await renderer.renderJson(dashboard, request({ principalScope: EAST }));
    const asked = calls.length;
    const west = await renderer.renderJson(dashboard, request({ principalScope: WEST }));
    expect(calls.length - asked).toBe(2);
    expect(west.toString()).not.toBe(east.toString());
    expect(west.toString()).toContain('cluster=~\\"west\\"');
    expect(west.toString()).not.toContain('cluster=~\\"east\\"');
    const again = calls.length;
    expect((await renderer.renderJson(dashboard, request({ principalScope: EAST }))).equals(east)).toBe(true);
    expect((await renderer.renderJson(dashboard, request({ principalScope: WEST }))).equals(west)).toBe(true);
    expect((await renderer.renderJson(dashboard, request())).equals(east)).toBe(false);
    expect(calls.length - again).toBe(2);
  });

  it('renders afresh a window ending in the freshness window, panels with warnings, and for no-cache/no-store', async () => {
    const cases: [ReturnType<typeof fakeFederation>, RenderRequest][] = [
      [fakeFederation(), request({ range: { from: NOW - 3 * H, to: NOW - 60_000 } })],
      [fakeFederation({ warnings: ['cluster west: down'] }), request()],
      [fakeFederation(), request({ cacheControl: 'no-store' })],
    ];
    for (const [{ calls, renderer }, req] of cases) {
      const cold = await renderer.renderJson(dashboard, req);
      const asked = calls.length;
      expect((await renderer.renderJson(dashboard, req)).equals(cold)).toBe(true);
      expect(calls.length - asked).toBe(2);
    }
    const { calls, renderer } = fakeFederation();
    await renderer.renderJson(dashboard, request());
    const asked = calls.length;
    await renderer.renderJson(dashboard, request({ cacheControl: 'no-cache' }));
    expect(calls.length - asked).toBe(2);
  });

  it('keeps a "no data" panel with its explanation', async () => {
    const { calls, renderer } = fakeFederation({ empty: true });
    const cold = await renderer.renderJson(dashboard, request());
    expect(cold.toString()).toContain('"code":"PHAROS_ERR_NOT_FOUND","message":"no data: metric cpu not found');
    const asked = calls.length;
    expect((await renderer.renderJson(dashboard, request())).equals(cold)).toBe(true);
    expect(calls.length).toBe(asked);
  });

  it('joins panels into the bytes of JSON.stringify of the whole answer', () => {
    const panels = [{ id: 1, a: 'é"\n' }, { id: 2 }];
    const head = { from: 1, to: 2, variables: [] };
    expect(
      joinRender(
        head,
        panels.map((p) => Buffer.from(JSON.stringify(p))),
      ).toString(),
    ).toBe(JSON.stringify({ ...head, panels }));
  });
});
