import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../libs/auth/principal.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { OtlpTypes } from '../../../libs/otlp/otlp.proto.ts';
import type { OtlpSpan } from '../../../libs/otlp/otlp-traces.decode.ts';
import { SqliteSpanStore } from '../../../libs/store/spans/sqlite-span.store.ts';
import { normalizeSpans } from '../../../libs/traces/spans.normalize.ts';
import { tempoRoutes } from './tempo.routes.ts';
import { TracesService } from './traces.service.ts';

/** Tempo's search semantics (cluster tags, order, durations, limit) and the stored cluster in trace answers. */
const PRINCIPALS: Record<string, Principal> = {
  viewer: { name: 'viewer', role: 'viewer', scope: { clusters: ['*'], namespaces: ['*'] }, via: 'token' },
  south: { name: 'south', role: 'viewer', scope: { clusters: ['south'], namespaces: ['*'] }, via: 'token' },
};
const NOW = Date.UTC(2026, 0, 15, 12);
const at = (ms: number) => BigInt(NOW) * 1_000_000n + BigInt(Math.round(ms * 1e6));
const id = (c: string) => c.repeat(32);

function span(traceId: string, n: number, { from, ms, name = 'work' }: { from: number; ms: number; name?: string }) {
  return {
    traceId,
    spanId: n.toString(16).padStart(16, '0'),
    parentSpanId: n === 1 ? '' : '0000000000000001',
    traceState: '',
    name,
    kind: n === 1 ? 2 : 1,
    startTimeUnixNano: at(from).toString(),
    endTimeUnixNano: at(from + ms).toString(),
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    links: [],
    status: { code: 0, message: '' },
  } satisfies OtlpSpan;
}

/** Spans whose sender set no k8s.cluster.name: the intake assigns `cluster` (?cluster=, the token). */
function docsIn(cluster: string, spans: OtlpSpan[]) {
  return normalizeSpans(
    [{ resource: { 'service.name': 'api' }, scopeSpans: [{ scope: { name: 's', version: '1' }, spans }] }],
    () => ({ cluster }),
    NOW,
  ).spans;
}

describe('Tempo search as Tempo answers it', () => {
  const store = new SqliteSpanStore({ path: ':memory:' });
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    await store.init();
    // A starts first (0 ms) but has the newest matching span (900 ms); B starts at 500 ms. C is in north.
    await store.write([
      ...docsIn('south', [
        span(id('a'), 1, { from: 0, ms: 300.4 }),
        span(id('a'), 2, { from: 900, ms: 0.2, name: 'hit' }),
        span(id('b'), 1, { from: 500, ms: 20, name: 'hit' }),
      ]),
      ...docsIn('north', [span(id('c'), 1, { from: 700, ms: 5, name: 'hit' })]),
    ]);
    const service = new TracesService({ store: async () => store, maxTraceSpans: 100, maxTopologyEdges: 10 });
    app = await buildApp({
      logger: pino({ level: 'silent' }),
      metrics: new Registry(),
      bodyLimitBytes: 1 << 20,
      authenticator: { authenticate: (c) => PRINCIPALS[c] },
      features: [{ name: 'tempo', routes: tempoRoutes(service) }],
    });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });
  const get = (url: string, token = 'viewer') =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const window = `start=${Math.floor(NOW / 1000) - 10}&end=${Math.floor(NOW / 1000) + 10}`;
  const search = async (q: string, token = 'viewer') => {
    const res = await get(`/tempo/api/search?${window}&${q}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().traces as { traceID: string; durationMs: number }[]).map((t) => [t.traceID, t.durationMs]);
  };
  const tags = (logfmt: string) => `tags=${encodeURIComponent(logfmt)}`;

  it('narrows by the stored cluster with k8s.cluster.name= or cluster=, inside the scope only', async () => {
    expect(await search(tags('name=hit k8s.cluster.name=north'))).toEqual([[id('c'), 5]]);
    expect(await search(tags('name=hit cluster=south'))).toEqual([
      [id('b'), 20],
      [id('a'), 900],
    ]);
    expect(await search(tags('k8s.cluster.name=south cluster=south name=hit'), 'south')).toHaveLength(2);
    const outside = await get(`/tempo/api/search?${window}&${tags('cluster=north')}`, 'south');
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error.code).toBe('PHAROS_ERR_FORBIDDEN');
    const twice = await get(`/tempo/api/search?${window}&${tags('cluster=north k8s.cluster.name=south')}`);
    expect([twice.statusCode, twice.json().error.code]).toEqual([400, 'PHAROS_ERR_VALIDATION']);
  });

  it('sorts traces by start, newest first, and compares whole-ms trace durations inclusively', async () => {
    // Found in the order A (newest matching span), B; answered B, A: by trace start, as Tempo's combiner.
    expect(await search(tags('name=hit cluster=south'))).toEqual([
      [id('b'), 20],
      [id('a'), 900],
    ]);
    expect(await search(`${tags('cluster=south')}&maxDuration=900ms`)).toEqual([
      [id('b'), 20],
      [id('a'), 900],
    ]);
    expect(await search(`${tags('cluster=south')}&minDuration=900.9ms`)).toEqual([[id('a'), 900]]);
    expect(await search(`${tags('cluster=south')}&minDuration=901ms`)).toEqual([]);
    expect(await search(`${tags('cluster=south')}&minDuration=20ms&maxDuration=20ms`)).toEqual([[id('b'), 20]]);
    // Under a millisecond is no bound at all in Tempo (uint32 ms, 0 unset).
    expect(await search(`${tags('cluster=south')}&maxDuration=500us`)).toHaveLength(2);
    const inverted = await get(`/tempo/api/search?${window}&minDuration=2s&maxDuration=1s`);
    expect([inverted.statusCode, inverted.json().error.message]).toEqual([
      400,
      'maxDuration must not be less than minDuration',
    ]);
  });

  it('takes a positive limit, caps a large one, and lists spss matched spans', async () => {
    expect(await search('limit=1&name=hit')).toHaveLength(1);
    expect(await search('limit=5000')).toHaveLength(3);
    for (const bad of ['0', '-1', 'ten']) expect((await get(`/tempo/api/search?limit=${bad}`)).statusCode).toBe(400);
    const res = await get(`/tempo/api/search?${window}&${tags('cluster=south')}&spss=1`);
    const traces = res.json().traces as { traceID: string; spanSet: { spans: unknown[]; matched: number } }[];
    expect(traces.find((t) => t.traceID === id('a'))!.spanSet).toMatchObject({ matched: 2, spans: [{}] });
    expect(res.json().pharos).toEqual({ truncatedTraces: [] });
    expect(res.headers['x-pharos-truncated']).toBe('false');
  });

  it('lists the stored clusters as k8s.cluster.name values, under the scope', async () => {
    expect((await get(`/tempo/api/search/tags?${window}`)).json().tagNames).toContain('k8s.cluster.name');
    const values = (tag: string, token = 'viewer') =>
      get(`/tempo/api/search/tag/${tag}/values?${window}`, token).then((r) => r.json().tagValues);
    expect(await values('k8s.cluster.name')).toEqual(['north', 'south']);
    expect(await values('cluster')).toEqual(['north', 'south']);
    expect(await values('k8s.cluster.name', 'south')).toEqual(['south']);
  });

  it('answers a trace with the stored cluster as resource attribute k8s.cluster.name, in JSON and protobuf', async () => {
    type Batch = { resource: { attributes: { key: string; value: { stringValue?: string } }[] } };
    const json = (await get(`/tempo/api/traces/${id('c')}`)).json() as { batches: Batch[] };
    expect(json.batches[0]!.resource.attributes).toEqual(
      expect.arrayContaining([
        { key: 'service.name', value: { stringValue: 'api' } },
        { key: 'k8s.cluster.name', value: { stringValue: 'north' } },
      ]),
    );
    const res = await app.inject({
      method: 'GET',
      url: `/tempo/api/traces/${id('c')}`,
      headers: { authorization: 'Bearer viewer', accept: 'application/protobuf' },
    });
    const decoded = OtlpTypes.ExportTraceServiceRequest.toObject(
      OtlpTypes.ExportTraceServiceRequest.decode(res.rawPayload),
    ) as { resourceSpans: Batch[] };
    expect(decoded.resourceSpans[0]!.resource.attributes).toContainEqual({
      key: 'k8s.cluster.name',
      value: { stringValue: 'north' },
    });
  });
});
