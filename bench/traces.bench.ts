import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FULL_SCOPE } from '../libs/auth/principal.ts';
import { TokenAuthenticator } from '../libs/auth/token-authenticator.ts';
import { configSchema } from '../libs/config/config.schema.ts';
import { buildApp } from '../libs/http/app.ts';
import type { Feature } from '../libs/http/feature.ts';
import { createMetricsRegistry } from '../libs/metrics/metrics.ts';
import { OtlpTypes } from '../libs/otlp/otlp.proto.ts';
import { decodeTracesRequest } from '../libs/otlp/otlp-traces.decode.ts';
import type { ServiceContext } from '../libs/runtime/context.ts';
import { Resources } from '../libs/runtime/resources.ts';
import { OpenSearchSpanStore } from '../libs/store/spans/opensearch-span.store.ts';
import type { SpanStore } from '../libs/store/spans/span-store.ts';
import { getSpanStore } from '../libs/runtime/backends.ts';
import type { SpanDoc } from '../libs/schemas/span-doc.ts';
import type { SpanEdgeDoc } from '../libs/schemas/span-edge.ts';
import type { WriteItemResult } from '../libs/store/record-store.ts';
import { pairingSpanOf, PairingWindow } from '../libs/traces/span-pairing.ts';
import { normalizeSpans } from '../libs/traces/spans.normalize.ts';
import { collectorFeatures } from '../services/collector/collector.features.ts';
import { indexerFeatures } from '../services/indexer/indexer.features.ts';
import { MAX_TOPOLOGY_EDGES } from '../services/query/traces/traces.feature.ts';
import { TracesService } from '../services/query/traces/traces.service.ts';
import { engineConfig, INGEST_TOKEN } from '../test/integration/ingest/pipeline.helpers.ts';
import { until } from '../test/support/until.ts';
import { canSeparate, place, type Placement } from './cpu-placement.ts';
import { cpuMeter, indexStats, type PhaseStats } from './traces-stats.ts';
import { indexerSpanStats, postSpans, startSpanServices, untilIndexed } from './traces-processes.ts';

/**
 * Traces end to end on Kafka + OpenSearch (issue 22): OTLP/HTTP protobuf requests of 500 spans → collector
 * → `<prefix>.spans` → indexer → `otel-v1-apm-span-*`, against a raw `_bulk` of the same span documents
 * measured in the same run (ratio goal ≥ 0.8), and a raw `_bulk` of the spans plus the edges paired from them
 * (what the edges cost any writer; `ratioToRawWithEdges`: Pharos against that, the same documents it writes), with
 * each phase's CPU-s per process and what OpenSearch did on its indices (bench/traces-stats.ts); then `/v1/topology`'s service over the window, an aggregation of the edges
 * (time reported; goal < 2 s for 1,000,000 spans), also over the raw client's spans and edges. Each trace is a
 * client span (frontend, west) and its server span (checkout, east), 5% failing. BENCH_SPANS (default 200,000),
 * BENCH_CONCURRENCY (4), BENCH_E2E=0: only the raw bulk with edges and its topology (a large BENCH_SPANS),
 * BENCH_PAIRING_MAX_AGE_S: indexer.spanPairing.maxAgeSeconds. The collector and indexer run as processes of their
 * own, as deployed (bench/traces-processes.ts); BENCH_IN_PROCESS=1 runs them in this process instead.
 */
const SPANS = Number(process.env.BENCH_SPANS ?? 200_000);
const BATCH = 500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const run = `bench-traces-${Date.now().toString(36)}`;
const END = Date.now();
const START = END - 3_600_000;
const batches = Math.ceil(SPANS / BATCH);

function body(b: number): Buffer {
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const resource = (service: string, cluster: string, ns: string) => ({
    attributes: [str('service.name', service), str('k8s.cluster.name', cluster), str('k8s.namespace.name', ns)],
  });
  const clients: object[] = [];
  const servers: object[] = [];
  for (let i = 0; i < BATCH / 2; i++) {
    const n = b * BATCH + i * 2;
    const traceId = Buffer.from(n.toString(16).padStart(32, '0').replace(/^0/, '1'), 'hex');
    const at = BigInt(START + Math.floor((n / SPANS) * 3_500_000)) * 1_000_000n;
    const clientId = Buffer.from((n + 1).toString(16).padStart(16, '0').replace(/^0/, 'c'), 'hex');
    const error = n % 40 === 0 ? { code: 2 } : { code: 0 };
    clients.push({
      traceId,
      spanId: clientId,
      name: 'POST',
      kind: 3,
      startTimeUnixNano: at.toString(),
      endTimeUnixNano: (at + 4_000_000n).toString(),
      attributes: [str('http.method', 'POST')],
      status: error,
    });
    servers.push({
      traceId,
      spanId: Buffer.from((n + 2).toString(16).padStart(16, '0').replace(/^0/, 'a'), 'hex'),
      parentSpanId: clientId,
      name: 'POST /checkout',
      kind: 2,
      startTimeUnixNano: (at + 500_000n).toString(),
      endTimeUnixNano: (at + 3_500_000n).toString(),
      attributes: [str('http.route', '/checkout')],
      status: error,
    });
  }
  const request = {
    resourceSpans: [
      { resource: resource('frontend', 'west', 'shop'), scopeSpans: [{ scope: { name: 'bench' }, spans: clients }] },
      { resource: resource('checkout', 'east', 'pay'), scopeSpans: [{ scope: { name: 'bench' }, spans: servers }] },
    ],
  };
  return Buffer.from(
    OtlpTypes.ExportTraceServiceRequest.encode(OtlpTypes.ExportTraceServiceRequest.fromObject(request)).finish(),
  );
}

async function pool(n: number, work: (b: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

/** Raw `_bulk` of the span documents, and with `edges` also of the edge documents Pharos pairs from them. */
async function rawBulk(edges: boolean): Promise<{ ms: number; topology?: TopologyRuns; stats: PhaseStats }> {
  const prefix = `${run}-raw${edges ? 'e' : ''}`;
  const store = new OpenSearchSpanStore({
    url: 'http://127.0.0.1:9200',
    indexPrefix: prefix,
    requestTimeoutMs: 60_000,
    shards: 1,
    replicas: 0,
  });
  await store.init();
  // The same documents Pharos stores, made before the clock starts (a raw client has them already).
  const docs = Array.from(
    { length: batches },
    (_, b) =>
      normalizeSpans(decodeTracesRequest(body(b), 'protobuf'), (c) => ({ cluster: c ?? 'x' }), Date.now()).spans,
  );
  const pairing = new PairingWindow({ maxSpans: 10_000, maxAgeMs: 60_000 });
  const edgeDocs = docs.map((batch) => (edges ? pairing.add(batch.map(pairingSpanOf)).edges : []));
  const meter = cpuMeter();
  const t0 = performance.now();
  await pool(batches, async (b) => {
    await retried((d) => store.writeEdges(d), edgeDocs[b] as SpanEdgeDoc[]);
    await retried((d) => store.write(d), docs[b] as SpanDoc[]);
  });
  await store.refresh();
  const ms = performance.now() - t0;
  const stats = { cpu: meter(), opensearch: await indexStats(indicesOf(prefix)) };
  // The documents Pharos stores, so the topology over them is the one Pharos answers from its own.
  const topology = edges ? await timeTopology(store) : undefined;
  await store.close();
  return { ms, stats, ...(topology ? { topology } : {}) };
}

interface TopologyRuns {
  msRuns: number[];
  spansBehindEdges: number;
  partial: boolean;
  edges: unknown;
}

/** `/v1/topology`'s service over the whole window, five times (the first just after the writes' refresh). */
async function timeTopology(store: SpanStore): Promise<TopologyRuns> {
  const service = new TracesService({
    store: async () => store,
    maxTraceSpans: 20_000,
    maxTopologyEdges: MAX_TOPOLOGY_EDGES,
  });
  const out: TopologyRuns = { msRuns: [], spansBehindEdges: 0, partial: false, edges: [] };
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    // A new `end` each run, as the API's default (now) is: OpenSearch's request cache would answer a repeat.
    const answer = await service.topology({ start: START, end: END + 60_000 + i }, FULL_SCOPE);
    out.msRuns.push(Math.round(performance.now() - t));
    out.edges = answer.edges.map((e) => ({ edge: e.id, requests: e.requests, errors: e.errors, p95Ms: e.p95Ms }));
    out.spansBehindEdges = answer.spans;
    out.partial = answer.partial;
  }
  return out;
}

/** Retried while OpenSearch answers 429/5xx, as the indexer does. */
async function retried<D>(write: (docs: D[]) => Promise<WriteItemResult[]>, docs: D[]): Promise<void> {
  for (let pending = docs; pending.length > 0;) {
    const results = await write(pending);
    if (results.some((r) => !r.ok && !r.retryable)) throw new Error('raw bulk item refused');
    pending = pending.filter((_, i) => !results[i]!.ok);
    if (pending.length) await new Promise((r) => setTimeout(r, 200));
  }
}

/** The span and edge indices of one prefix. */
const indicesOf = (prefix: string) => `otel-v1-apm-span-${prefix}.*,${prefix}-span-edges-*`;

/** The spans indexer's bulks so far: how many, seconds inside them (pharos_indexer_bulk_duration_seconds). */
async function bulkStats(ctx: ServiceContext): Promise<{ bulks: number; seconds: number }> {
  const metric = await ctx.metrics.getSingleMetricAsString('pharos_indexer_bulk_duration_seconds');
  const value = (what: string) =>
    Number(new RegExp(`_${what}\\{[^}]*kind="spans"[^}]*\\} ([\\d.e+-]+)`).exec(metric)?.[1] ?? 0);
  return { bulks: value('count'), seconds: Math.round(value('sum') * 10) / 10 };
}

/** pharos_indexer_records_total{kind="spans",result="indexed"}: spans the indexer had stored. */
async function indexedSpans(ctx: ServiceContext): Promise<number> {
  const metric = await ctx.metrics.getSingleMetricAsString('pharos_indexer_records_total');
  return Number(/\{[^}]*kind="spans"[^}]*result="indexed"[^}]*\} (\d+)/.exec(metric)?.[1] ?? 0);
}

async function pharos(): Promise<{ ms: number; topology: TopologyRuns; stats: PhaseStats & { bulks: object } }> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-bench-traces-'));
  const config = configSchema.parse({
    ...engineConfig(run, dir),
    collector: { cluster: 'bench', maxInFlight: 100_000 },
    // A new pairing window looks every client span up in the store for maxAgeSeconds (docs/traces.md): a short
    // one shows the steady state, where a call paired in memory costs no lookup.
    ...(process.env.BENCH_PAIRING_MAX_AGE_S
      ? { indexer: { spanPairing: { maxAgeSeconds: Number(process.env.BENCH_PAIRING_MAX_AGE_S) } } }
      : {}),
  });
  const logger = pino({ level: 'warn' });
  const authenticator = new TokenAuthenticator(config.auth.tokens);
  const ctx: ServiceContext = {
    config,
    logger,
    metrics: createMetricsRegistry(),
    authenticator,
    resources: new Resources(),
  };
  const features: Feature[] = [...(await collectorFeatures(ctx)), ...(await indexerFeatures(ctx))];
  const app = await buildApp({ logger, metrics: ctx.metrics, authenticator, features });
  for (const f of features) await f.start?.();
  const store = await getSpanStore(ctx);
  const bodies = Array.from({ length: batches }, (_, b) => body(b));
  const meter = cpuMeter();
  const t0 = performance.now();
  await pool(batches, async (b) => {
    for (;;) {
      const res = await app.inject({
        method: 'POST',
        url: '/otlp/v1/traces',
        payload: bodies[b],
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/x-protobuf' },
      });
      if (res.statusCode === 200) return;
      if (res.statusCode !== 503) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  // Until the indexer has had every span acknowledged by OpenSearch (its own counter), then one refresh: what
  // the raw phase does after its last bulk. Polling OpenSearch (a refresh and a count every 50 ms) instead
  // would add hundreds of refreshes and searches that only this phase pays.
  await until(async () => (await indexedSpans(ctx)) >= SPANS, 1_800_000, `${SPANS} spans indexed`);
  await store.refresh();
  const ms = performance.now() - t0;
  const stored = (await store.find({}, 0)).total;
  if (stored !== SPANS) throw new Error(`${stored} spans stored, ${SPANS} sent`);
  const stats = { cpu: meter(), opensearch: await indexStats(indicesOf(run)), bulks: await bulkStats(ctx) };
  // The edges of the last batches are stored before their spans (spans.indexer.ts): all there by now.
  const topology = await timeTopology(store);
  await app.close();
  for (const f of [...features].reverse()) await f.stop?.();
  await ctx.resources.closeAll();
  rmSync(dir, { recursive: true, force: true });
  return { ms, topology, stats };
}

/** The Pharos phase with the collector and indexer as processes of their own (bench/traces-processes.ts). */
async function pharosProcesses(): Promise<{
  ms: number;
  topology: TopologyRuns;
  stats: PhaseStats & { bulks: object };
}> {
  const svc = await startSpanServices(run, {
    collector: { cluster: 'bench', maxInFlight: 100_000 },
    ...(process.env.BENCH_PAIRING_MAX_AGE_S
      ? { indexer: { spanPairing: { maxAgeSeconds: Number(process.env.BENCH_PAIRING_MAX_AGE_S) } } }
      : {}),
  });
  const store = new OpenSearchSpanStore({
    url: 'http://127.0.0.1:9200',
    indexPrefix: run,
    requestTimeoutMs: 60_000,
    shards: 1,
    replicas: 0,
  });
  try {
    const bodies = Array.from({ length: batches }, (_, b) => body(b));
    const meter = cpuMeter(svc.pids);
    const t0 = performance.now();
    await pool(batches, (b) => postSpans(svc, bodies[b] as Buffer));
    // As the in-process phase: the indexer's own count of spans OpenSearch acknowledged, then one refresh.
    await untilIndexed(svc, SPANS);
    await store.refresh();
    const ms = performance.now() - t0;
    const stored = (await store.find({}, 0)).total;
    if (stored !== SPANS) throw new Error(`${stored} spans stored, ${SPANS} sent`);
    const { bulks, seconds } = await indexerSpanStats(svc);
    const stats = { cpu: meter(), opensearch: await indexStats(indicesOf(run)), bulks: { bulks, seconds } };
    return { ms, topology: await timeTopology(store), stats };
  } finally {
    await store.close();
    await svc.close();
  }
}

// BENCH_IN_PROCESS=1: the collector and indexer in this process, sharing its thread with the sending client.
const inProcess = process.env.BENCH_IN_PROCESS === '1';
const e2e = process.env.BENCH_E2E !== '0';
// BENCH_PLACEMENT=separate: OpenSearch alone on core 0, everything else (this process, the collector and indexer
// it spawns, Kafka) on the others, as bench/ingest.bench.ts does: collectors and indexers never share a data
// node's cores in a deployment. Both raw phases and Pharos's get the same placement. Default: shared.
const placement: Placement = process.env.BENCH_PLACEMENT === 'separate' && canSeparate() ? 'separate' : 'shared';
place(placement);
const rawEdges = await rawBulk(true);
const raw = e2e ? await rawBulk(false) : undefined;
const p = e2e ? await (inProcess ? pharos() : pharosProcesses()) : undefined;
const perSec = (ms: number) => SPANS / (ms / 1000);
console.log(
  JSON.stringify(
    {
      spans: SPANS,
      placement,
      requestSpans: BATCH,
      concurrency: CONCURRENCY,
      // What the edges cost a raw client: the same spans plus one edge document per call, in the same bulks.
      rawBulkWithEdges: {
        ms: Math.round(rawEdges.ms),
        spansPerSec: Math.round(perSec(rawEdges.ms)),
        ...(raw ? { ratioToRawBulk: Number((raw.ms / rawEdges.ms).toFixed(3)) } : {}),
        stats: rawEdges.stats,
        topology: rawEdges.topology,
      },
      ...(raw && p
        ? {
            rawBulk: { ms: Math.round(raw.ms), spansPerSec: Math.round(perSec(raw.ms)), stats: raw.stats },
            pharos: { ms: Math.round(p.ms), spansPerSec: Math.round(perSec(p.ms)), stats: p.stats },
            ratio: Number((raw.ms / p.ms).toFixed(3)),
            goal: '≥ 0.8',
            // Against a raw writer of the same documents Pharos writes: the spans and their edges.
            ratioToRawWithEdges: Number((rawEdges.ms / p.ms).toFixed(3)),
            topology: { ...p.topology, goal: '< 2 s for 1,000,000 spans' },
          }
        : {}),
    },
    null,
    2,
  ),
);
// Every core for OpenSearch again: it is the shared stack's.
place('shared');
// The run's indices (raw and Pharos's) go; the data is made again each run.
for (const prefix of [run, `${run}-raw`, `${run}-rawe`])
  for (const pattern of [`otel-v1-apm-span-${prefix}.*`, `${prefix}-span-edges-*`])
    await fetch(`http://127.0.0.1:9200/${pattern}`, { method: 'DELETE' }).catch(() => undefined);
process.exit(0);
