import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../libs/auth/principal.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { OtlpTypes } from '../../../libs/otlp/otlp.proto.ts';
import { SqliteSpanStore } from '../../../libs/store/spans/sqlite-span.store.ts';
import { normalizeSpans } from '../../../libs/traces/spans.normalize.ts';
import { pairingSpanOf, PairingWindow } from '../../../libs/traces/span-pairing.ts';
import type { OtlpResourceSpans, OtlpSpan } from '../../../libs/otlp/otlp-traces.decode.ts';
import { tempoRoutes } from './tempo.routes.ts';
import { topologyRoutes } from './topology.routes.ts';
import { TracesService } from './traces.service.ts';

const PRINCIPALS: Record<string, Principal> = {
  viewer: { name: 'viewer', role: 'viewer', scope: { clusters: ['*'], namespaces: ['*'] }, via: 'token' },
  shop: { name: 'shop', role: 'viewer', scope: { clusters: ['*'], namespaces: ['shop'] }, via: 'token' },
};
const NOW = Date.UTC(2026, 0, 15, 12);
const ns = (ms: number) => (BigInt(NOW + ms) * 1_000_000n).toString();
const TRACE = 'a'.repeat(31) + '1';
const TRACE2 = 'b'.repeat(31) + '2';

/** A span of trace `traceId` under `parent` ('' for a root): `kind` and `name`, from `at` ms for `ms` ms. */
function span(
  { traceId, spanId, parent }: { traceId: string; spanId: string; parent: string },
  { kind, name, at, ms, error = false }: { kind: number; name: string; at: number; ms: number; error?: boolean },
): OtlpSpan {
  return {
    traceId,
    spanId,
    parentSpanId: parent,
    traceState: '',
    name,
    kind,
    startTimeUnixNano: ns(at),
    endTimeUnixNano: ns(at + ms),
    attributes: { 'http.route': name },
    droppedAttributesCount: 0,
    events: [],
    links: [],
    status: { code: error ? 2 : 0, message: '' },
  };
}
const resource = (
  { service, cluster, namespace }: { service: string; cluster: string; namespace: string },
  spans: OtlpSpan[],
): OtlpResourceSpans => ({
  resource: { 'service.name': service, 'k8s.cluster.name': cluster, 'k8s.namespace.name': namespace },
  scopeSpans: [{ scope: { name: 'http', version: '1' }, spans }],
});

describe('trace API and topology', () => {
  const store = new SqliteSpanStore({ path: ':memory:' });
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    await store.init();
    // frontend (east/shop) → checkout (west/pay) twice, the second failing; checkout → ledger (west/pay) once.
    const batch = [
      resource({ service: 'frontend', cluster: 'east', namespace: 'shop' }, [
        span({ traceId: TRACE, spanId: '1000000000000001', parent: '' }, { kind: 2, name: 'GET /', at: 0, ms: 300 }),
        span(
          { traceId: TRACE, spanId: '1000000000000002', parent: '1000000000000001' },
          { kind: 3, name: 'POST', at: 10, ms: 200 },
        ),
        span({ traceId: TRACE2, spanId: '2000000000000001', parent: '' }, { kind: 2, name: 'GET /', at: 1000, ms: 50 }),
        span(
          { traceId: TRACE2, spanId: '2000000000000002', parent: '2000000000000001' },
          { kind: 3, name: 'POST', at: 1010, ms: 30, error: true },
        ),
      ]),
      resource({ service: 'checkout', cluster: 'west', namespace: 'pay' }, [
        span(
          { traceId: TRACE, spanId: '1000000000000003', parent: '1000000000000002' },
          { kind: 2, name: 'POST /checkout', at: 20, ms: 150 },
        ),
        span(
          { traceId: TRACE, spanId: '1000000000000004', parent: '1000000000000003' },
          { kind: 3, name: 'GET', at: 30, ms: 40 },
        ),
        span(
          { traceId: TRACE2, spanId: '2000000000000003', parent: '2000000000000002' },
          { kind: 2, name: 'POST /checkout', at: 1015, ms: 20, error: true },
        ),
      ]),
      resource({ service: 'ledger', cluster: 'west', namespace: 'pay' }, [
        span(
          { traceId: TRACE, spanId: '1000000000000005', parent: '1000000000000004' },
          { kind: 2, name: 'GET /ledger', at: 35, ms: 30 },
        ),
      ]),
    ];
    // Typed attributes: matched as text the way OpenSearch's flat_object indexes them.
    Object.assign(batch[2]!.scopeSpans[0]!.spans[0]!.attributes, { 'http.status_code': 200, 'cache.hit': true });
    const { spans, rejected } = normalizeSpans(batch, (c) => ({ cluster: c ?? 'x' }), NOW);
    expect(rejected).toEqual([]);
    await store.write(spans);
    // The edges the indexer pairs at ingest (services/indexer/spans.indexer.ts), all spans in one batch.
    await store.writeEdges(new PairingWindow({ maxSpans: 100, maxAgeMs: 60_000 }).add(spans.map(pairingSpanOf)).edges);
    const service = new TracesService({
      store: async () => store,
      maxTraceSpans: 100,
      maxTopologyEdges: 1000,
      now: () => NOW + 60_000,
    });
    app = await buildApp({
      logger: pino({ level: 'silent' }),
      metrics: new Registry(),
      bodyLimitBytes: 1 << 20,
      authenticator: { authenticate: (c) => PRINCIPALS[c] },
      features: [
        { name: 'tempo', routes: tempoRoutes(service) },
        { name: 'topology', routes: topologyRoutes(service) },
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });
  const get = (url: string, token = 'viewer') =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const range = `start=${Math.floor(NOW / 1000) - 10}&end=${Math.floor(NOW / 1000) + 10}`;

  it('answers a trace as Tempo does, every span, grouped by resource, ids hex', async () => {
    const res = await get(`/tempo/api/traces/${TRACE}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.pharos).toEqual({ spans: 5, withheldSpans: 0, truncated: false });
    const services = body.batches.map(
      (b: { resource: { attributes: { key: string; value: { stringValue: string } }[] } }) =>
        b.resource.attributes.find((a) => a.key === 'service.name')!.value.stringValue,
    );
    expect(services.sort()).toEqual(['checkout', 'frontend', 'ledger']);
    const all = body.batches.flatMap((b: { scopeSpans: { spans: unknown[] }[] }) =>
      b.scopeSpans.flatMap((s) => s.spans),
    );
    expect(all).toHaveLength(5);
    expect(all).toContainEqual(
      expect.objectContaining({
        spanId: '1000000000000003',
        parentSpanId: '1000000000000002',
        kind: 2,
        startTimeUnixNano: ns(20),
        endTimeUnixNano: ns(170),
      }),
    );
    expect((await get('/tempo/api/traces/' + 'c'.repeat(32))).statusCode).toBe(404);
    expect((await get('/tempo/api/traces/xyz')).statusCode).toBe(400);
  });

  it('answers protobuf (tempopb.Trace, wire-equal to ExportTraceServiceRequest) for Accept: application/protobuf, as Grafana asks', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/tempo/api/traces/${TRACE}`,
      headers: { authorization: 'Bearer viewer', accept: 'application/protobuf' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/protobuf');
    const decoded = OtlpTypes.ExportTraceServiceRequest.toObject(
      OtlpTypes.ExportTraceServiceRequest.decode(res.rawPayload),
      { longs: String, bytes: String },
    ) as {
      resourceSpans: {
        scopeSpans: { spans: { spanId: string; parentSpanId?: string; startTimeUnixNano: string; kind: number }[] }[];
      }[];
    };
    const spans = decoded.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans).toHaveLength(5);
    const checkout = spans.find((s) => Buffer.from(s.spanId, 'base64').toString('hex') === '1000000000000003')!;
    expect(checkout).toMatchObject({ startTimeUnixNano: ns(20), kind: 2 });
    expect(Buffer.from(checkout.parentSpanId!, 'base64').toString('hex')).toBe('1000000000000002');
  });

  it('withholds spans outside the scope and says so', async () => {
    const res = await get(`/tempo/api/traces/${TRACE}`, 'shop');
    expect(res.json().pharos).toEqual({ spans: 2, withheldSpans: 3, truncated: false });
    expect(res.headers['x-pharos-withheld-spans']).toBe('3');
  });

  it('searches by service, span name, tags and trace duration', async () => {
    const search = async (q: string, token = 'viewer') => {
      const res = await get(`/tempo/api/search?${range}&${q}`, token);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().traces as { traceID: string; rootServiceName: string; durationMs: number }[]).map((t) => [
        t.traceID,
        t.rootServiceName,
        t.durationMs,
      ]);
    };
    expect(await search('tags=service.name%3Dledger')).toEqual([[TRACE, 'frontend', 300]]);
    expect(await search('service=checkout&minDuration=100ms')).toEqual([[TRACE, 'frontend', 300]]);
    expect(await search('service=checkout&maxDuration=0.1s')).toEqual([[TRACE2, 'frontend', 50]]);
    expect(await search('tags=' + encodeURIComponent('name="POST /checkout" http.route="POST /checkout"'))).toEqual([
      [TRACE2, 'frontend', 50],
      [TRACE, 'frontend', 300],
    ]);
    expect(await search('service=checkout', 'shop')).toEqual([]);
    expect(await search('tags=' + encodeURIComponent('http.status_code=200 cache.hit=true'))).toEqual([
      [TRACE, 'frontend', 300],
    ]);
    expect(await search('tags=' + encodeURIComponent('cache.hit=1'))).toEqual([]);
    expect((await get(`/tempo/api/search?minDuration=fast`)).statusCode).toBe(400);
    expect((await get(`/tempo/api/search?q=${encodeURIComponent('{}')}`)).statusCode).toBe(400);
    expect((await get(`/tempo/api/search?tags=${encodeURIComponent('a="unterminated')}`)).statusCode).toBe(400);
  });

  it('lists tag names and values, and echoes', async () => {
    expect((await get(`/tempo/api/search/tags?${range}`)).json().tagNames).toEqual(
      expect.arrayContaining(['http.route', 'service.name', 'k8s.cluster.name', 'name']),
    );
    expect((await get(`/tempo/api/search/tag/service.name/values?${range}`)).json().tagValues).toEqual([
      'checkout',
      'frontend',
      'ledger',
    ]);
    expect((await get(`/tempo/api/search/tag/service.name/values?${range}`, 'shop')).json().tagValues).toEqual([
      'frontend',
    ]);
    const echo = await get('/tempo/api/echo');
    expect([echo.statusCode, echo.body]).toEqual([200, 'echo']);
  });

  it('builds the topology across clusters with counts, error counts and latency', async () => {
    const res = await get(
      `/v1/topology?start=${new Date(NOW - 1000).toISOString()}&end=${new Date(NOW + 59_000).toISOString()}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const t = res.json();
    expect(t.nodes.map((n: { id: string }) => n.id)).toEqual([
      'east/shop/frontend',
      'west/pay/checkout',
      'west/pay/ledger',
    ]);
    expect(
      t.edges.map((e: Record<string, unknown>) => [
        e.source,
        e.target,
        e.requests,
        e.errors,
        e.crossCluster,
        e.p50Ms,
        e.p95Ms,
      ]),
    ).toEqual([
      ['east/shop/frontend', 'west/pay/checkout', 2, 1, true, 20, 150],
      ['west/pay/checkout', 'west/pay/ledger', 1, 0, false, 30, 30],
    ]);
    expect(t.edges[0].requestRate).toBeCloseTo(2 / 60);
    const west = (
      await get(
        `/v1/topology?start=${new Date(NOW - 1000).toISOString()}&end=${new Date(NOW + 59_000).toISOString()}&cluster=west&namespace=pay`,
      )
    ).json();
    expect(west.edges).toHaveLength(2);
    const graph = (
      await get(
        `/v1/topology?start=${new Date(NOW - 1000).toISOString()}&end=${new Date(NOW + 59_000).toISOString()}&format=nodegraph`,
      )
    ).json();
    expect(graph.nodes.fields.find((f: { name: string }) => f.name === 'title').values).toEqual([
      'frontend',
      'checkout',
      'ledger',
    ]);
    expect(graph.edges.fields.find((f: { name: string }) => f.name === 'source').values).toEqual([
      'east/shop/frontend',
      'west/pay/checkout',
    ]);
    // A namespace-scoped caller sees no edge with an end outside its scope, and may not ask for another namespace.
    expect((await get(`/v1/topology?start=${new Date(NOW - 1000).toISOString()}`, 'shop')).json().edges).toEqual([]);
    expect((await get('/v1/topology?namespace=pay', 'shop')).statusCode).toBe(403);
    expect((await get('/v1/topology?start=yesterday')).statusCode).toBe(400);
  });
});

describe('a trace of 100,000 spans', () => {
  it('is answered cut to the limit, and the answer says so', { timeout: 60_000 }, async () => {
    const store = new SqliteSpanStore({ path: ':memory:' });
    await store.init();
    const spans = Array.from({ length: 100_000 }, (_, i) =>
      span(
        { traceId: TRACE, spanId: (i + 1).toString(16).padStart(16, '0'), parent: i === 0 ? '' : '0000000000000001' },
        { kind: 1, name: `step ${i}`, at: i % 1000, ms: 1 },
      ),
    );
    const docs = normalizeSpans(
      [resource({ service: 'batch', cluster: 'east', namespace: 'jobs' }, spans)],
      (c) => ({ cluster: c ?? 'x' }),
      NOW,
    ).spans;
    for (let i = 0; i < docs.length; i += 10_000) await store.write(docs.slice(i, i + 10_000));
    const service = new TracesService({ store: async () => store, maxTraceSpans: 20_000, maxTopologyEdges: 1000 });
    const answer = await service.trace(TRACE, PRINCIPALS.viewer!.scope);
    expect(answer.truncated).toBe(true);
    expect(answer.spans).toHaveLength(20_000);
    await store.close();
  });
});
