import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import type { Feature } from '../../../libs/http/feature.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { getSpanStore } from '../../../libs/runtime/backends.ts';
import { collectorFeatures } from '../../../services/collector/collector.features.ts';
import { indexerFeatures } from '../../../services/indexer/indexer.features.ts';
import { tracesFeature } from '../../../services/query/traces/traces.feature.ts';
import { engineConfig, INGEST_TOKEN, runId, until } from '../ingest/pipeline.helpers.ts';

const VIEWER = `${INGEST_TOKEN}-viewer`;
const FRONT_ONLY = `${INGEST_TOKEN}-front-only`;
const SERVICE = resolve(import.meta.dirname, 'instrumented-service.mjs');
const dir = mkdtempSync(join(tmpdir(), 'pharos-traces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SETUPS: [string, () => Record<string, unknown>][] = [
  [
    'embedded: in-process bus + SQLite',
    () => ({
      ...engineConfig('x', dir),
      storage: { type: 'sqlite', path: join(dir, `embedded-${Date.now()}.db`) },
      bus: { type: 'memory' },
      dataDir: join(dir, 'embedded'),
    }),
  ],
  ['Kafka + OpenSearch', () => engineConfig(runId('traces'), join(dir, 'engines'))],
];

interface Service {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** One instrumented service as a process of its own (its own SDK, its own k8s.cluster.name). */
async function startService(env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, [SERVICE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((ok, fail) => {
    child.stdout!.on('data', (b: Buffer) => {
      output += b.toString();
      const m = /listening (\d+)/.exec(output);
      if (m) ok(Number(m[1]));
    });
    child.stderr!.on('data', (b: Buffer) => void (output += b.toString()));
    child.on('exit', (code) => fail(new Error(`service ${env.SERVICE} exited ${code}: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}

describe.each(SETUPS)('traces from real OpenTelemetry instrumentation: %s', (_name, makeConfig) => {
  const run = Date.now().toString(36);
  const FRONT = `west-${run}`;
  const BACK = `east-${run}`;
  let ctx: ServiceContext;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let url: string;
  const features: Feature[] = [];
  const services: Service[] = [];
  const traceIds = { ok: [] as string[], failed: [] as string[], slow: '' };

  beforeAll(async () => {
    const raw = makeConfig();
    const auth = {
      tokens: [
        { name: 'ingest', token: INGEST_TOKEN, role: 'ingest' },
        { name: 'viewer', token: VIEWER, role: 'viewer' },
        { name: 'front-only', token: FRONT_ONLY, role: 'viewer', scope: { clusters: [FRONT], namespaces: ['*'] } },
      ],
    };
    const config = configSchema.parse({ ...raw, auth });
    const logger = pino({ level: process.env.PHAROS_TEST_LOG ?? 'error' });
    const authenticator = new TokenAuthenticator(config.auth.tokens);
    ctx = { config, logger, metrics: createMetricsRegistry(), authenticator, resources: new Resources() };
    features.push(...(await collectorFeatures(ctx)), ...(await indexerFeatures(ctx)), tracesFeature(ctx));
    app = await buildApp({ logger, metrics: ctx.metrics, authenticator, features });
    for (const f of features) await f.start?.();
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const otlp = { OTLP_URL: `${url}/otlp/v1/traces`, OTLP_TOKEN: INGEST_TOKEN };
    const back = await startService({ ...otlp, SERVICE: 'checkout', CLUSTER: BACK, NAMESPACE: 'pay', DOWNSTREAM: '' });
    services.push(back);
    services.push(
      await startService({ ...otlp, SERVICE: 'frontend', CLUSTER: FRONT, NAMESPACE: 'shop', DOWNSTREAM: back.url }),
    );
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await app?.close();
    for (const f of [...features].reverse()) await f.stop?.();
    await ctx?.resources.closeAll();
  });

  const get = async (path: string, token = VIEWER) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return {
      status: res.status,
      headers: res.headers,
      body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text(),
    };
  };
  const spansOf = (
    batches: {
      scopeSpans: { spans: { spanId: string; kind: number; parentSpanId?: string }[] }[];
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    }[],
  ) =>
    batches.flatMap((b) =>
      b.scopeSpans.flatMap((s) =>
        s.spans.map((sp) => ({
          ...sp,
          cluster: b.resource.attributes.find((a) => a.key === 'k8s.cluster.name')?.value.stringValue,
        })),
      ),
    );

  it('every span of a trace that crossed the clusters reaches Pharos and comes back from /tempo/api/traces', async () => {
    const call = async (query: string) => {
      const res = await fetch(`${services[1]!.url}/call${query}`);
      await res.text();
      return { status: res.status, traceId: res.headers.get('x-trace-id') ?? '' };
    };
    for (let i = 0; i < 3; i++) traceIds.ok.push((await call('')).traceId);
    for (let i = 0; i < 2; i++) {
      const r = await call('?fail=1');
      expect(r.status).toBe(502);
      traceIds.failed.push(r.traceId);
    }
    traceIds.slow = (await call('?slowMs=300')).traceId;
    const all = [...traceIds.ok, ...traceIds.failed, traceIds.slow];
    expect(all.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
    // Each call: the frontend's server and client spans, the checkout's server span.
    const store = await getSpanStore(ctx);
    await until(
      async () => {
        await store.refresh().catch(() => undefined);
        return (await store.find({ traceIds: all }, 100).catch(() => ({ total: -1 }))).total >= all.length * 3;
      },
      90_000,
      'all spans stored',
    );
    const res = await get(`/tempo/api/traces/${traceIds.slow}`);
    expect(res.status).toBe(200);
    const spans = spansOf(res.body.batches);
    expect(spans).toHaveLength(3);
    expect(spans.map((s) => [s.cluster, s.kind]).sort()).toEqual(
      [
        [BACK, 2],
        [FRONT, 2],
        [FRONT, 3],
      ].sort(),
    );
    const client = spans.find((s) => s.kind === 3)!;
    expect(spans.find((s) => s.cluster === BACK)!.parentSpanId).toBe(client.spanId);
    expect(res.body.pharos).toEqual({ spans: 3, withheldSpans: 0, truncated: false });
    // A viewer of the frontend's cluster only: the checkout span is withheld, and the answer says so.
    const scoped = await get(`/tempo/api/traces/${traceIds.slow}`, FRONT_ONLY);
    expect(spansOf(scoped.body.batches)).toHaveLength(2);
    expect(scoped.body.pharos.withheldSpans).toBe(1);
  });

  it('search finds the slow trace by service and duration', async () => {
    const now = Math.floor(Date.now() / 1000);
    const search = async (q: string) => {
      const res = await get(`/tempo/api/search?start=${now - 600}&end=${now + 5}&${q}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.traces as { traceID: string; rootServiceName: string; durationMs: number }[];
    };
    const slow = await search('service=checkout&minDuration=250ms');
    expect(slow.map((t) => t.traceID)).toEqual([traceIds.slow]);
    expect(slow[0]).toMatchObject({ rootServiceName: 'frontend', rootTraceName: expect.stringMatching(/^GET/) });
    // setTimeout(300) may fire a little under 300 ms of real time (libuv's loop clock is cached per tick).
    expect(slow[0]!.durationMs).toBeGreaterThanOrEqual(290);
    const fast = await search(`tags=${encodeURIComponent('service.name=checkout')}&maxDuration=250ms&limit=100`);
    expect(new Set(fast.map((t) => t.traceID))).toEqual(new Set([...traceIds.ok, ...traceIds.failed]));
    // A numeric attribute (the HTTP status code the instrumentation records) is matched as text on both stores.
    const failed = await get(`/tempo/api/traces/${traceIds.failed[0]}`);
    const server = spansOf(failed.body.batches).find((s) => s.cluster === BACK && s.kind === 2) as unknown as {
      attributes: { key: string; value: { intValue?: string } }[];
    };
    const code = server.attributes.find((a) => a.value.intValue === '500');
    expect(code, JSON.stringify(server.attributes)).toBeDefined();
    const byCode = await search(`tags=${encodeURIComponent(`${code!.key}=500`)}&limit=100`);
    expect(new Set(byCode.map((t) => t.traceID))).toEqual(new Set(traceIds.failed));
    const tags = await get(`/tempo/api/search/tag/service.name/values?start=${now - 600}&end=${now + 5}`);
    expect(tags.body.tagValues).toEqual(expect.arrayContaining(['checkout', 'frontend']));
  });

  it('/v1/topology has exactly the edge that was called, with the right counts and error counts', async () => {
    const start = new Date(Date.now() - 600_000).toISOString();
    // Edges are searchable at the store's next refresh, which need not come with the spans' (OpenSearch applies
    // a bulk's items per shard): wait a little for the six calls, then hold the answer to exactly them.
    const topology = () => get(`/v1/topology?start=${start}&cluster=${BACK}`);
    let res = await topology();
    for (let i = 0; i < 50 && res.status === 200 && res.body.edges[0]?.requests !== 6; i++) {
      await new Promise((r) => setTimeout(r, 200));
      res = await topology();
    }
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(
      res.body.edges.map((e: Record<string, unknown>) => [e.source, e.target, e.requests, e.errors, e.crossCluster]),
    ).toEqual([[`${FRONT}/shop/frontend`, `${BACK}/pay/checkout`, 6, 2, true]]);
    expect(res.body.edges[0].p95Ms).toBeGreaterThanOrEqual(290);
    expect(res.body.nodes.map((n: { id: string }) => n.id).sort()).toEqual([
      `${BACK}/pay/checkout`,
      `${FRONT}/shop/frontend`,
    ]);
    const graph = await get(`/v1/topology?start=${start}&cluster=${BACK}&format=nodegraph`);
    expect(graph.body.edges.fields.find((f: { name: string }) => f.name === 'target').values).toEqual([
      `${BACK}/pay/checkout`,
    ]);
  });
});
