import { pino } from 'pino';
import { Registry } from 'prom-client';
import { indexerMetrics } from '../../../services/indexer/indexer.metrics.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '../../../libs/bus/bus.ts';
import { packRecords } from '../../../libs/bus/record-pack.ts';
import type { OtlpResourceSpans, OtlpSpan } from '../../../libs/otlp/otlp-traces.decode.ts';
import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
import { OpenSearchSpanStore } from '../../../libs/store/spans/opensearch-span.store.ts';
import type { SpanStore } from '../../../libs/store/spans/span-store.ts';
import { SqliteSpanStore } from '../../../libs/store/spans/sqlite-span.store.ts';
import { PairingWindow } from '../../../libs/traces/span-pairing.ts';
import { normalizeSpans } from '../../../libs/traces/spans.normalize.ts';
import { topologyFromEdges } from '../../../libs/traces/topology.ts';
import { spanBatchHandler } from '../../../services/indexer/spans.indexer.ts';
import { runId } from '../ingest/pipeline.helpers.ts';

/**
 * Edges paired at ingest (issue 22), through the spans indexer's batch handler on both stores: a partner the
 * pairing window does not hold (an indexer restart between a call's two spans, either way round) is found in
 * the span store, and redelivered batches never count a call twice.
 */
const NOW = Date.UTC(2026, 0, 20, 12);
const DAY = 86_400_000;
const ns = (ms: number) => (BigInt(NOW + ms) * 1_000_000n).toString();
const trace = (n: number) => n.toString(16).padStart(32, 'e');
const id = (n: number) => n.toString(16).padStart(16, 'f');

interface Call {
  n: number;
  kind?: 'request' | 'messaging';
  ms: number;
  error?: boolean;
}

function span(
  { traceId, spanId, parent }: { traceId: string; spanId: string; parent: string },
  { kind, at, ms, error = false }: { kind: number; at: number; ms: number; error?: boolean },
): OtlpSpan {
  return {
    traceId,
    spanId,
    parentSpanId: parent,
    traceState: '',
    name: 'op',
    kind,
    startTimeUnixNano: ns(at),
    endTimeUnixNano: ns(at + ms),
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    links: [],
    status: { code: error ? 2 : 0, message: '' },
  };
}

/** Call `n`'s caller span (frontend in west/shop, or checkout producing) and its callee span (east/pay). */
function call({ n, kind = 'request', ms, error }: Call): { caller: SpanDoc; callee: SpanDoc } {
  const messaging = kind === 'messaging';
  const ids = { traceId: trace(n), spanId: id(2 * n), parent: '' };
  const caller = span(ids, { kind: messaging ? 4 : 3, at: n, ms: ms + 2 });
  const callee = span(
    { ...ids, spanId: id(2 * n + 1), parent: ids.spanId },
    { kind: messaging ? 5 : 2, at: n + 1, ms, error },
  );
  const resource = (node: string, spans: OtlpSpan[]): OtlpResourceSpans => {
    const [cluster, namespace, service] = node.split('/') as [string, string, string];
    return {
      resource: { 'service.name': service, 'k8s.cluster.name': cluster, 'k8s.namespace.name': namespace },
      scopeSpans: [{ scope: { name: 'test', version: '1' }, spans }],
    };
  };
  const [a, b] = normalizeSpans(
    [
      resource(messaging ? 'east/pay/checkout' : 'west/shop/frontend', [caller]),
      resource(messaging ? 'east/pay/ledger' : 'east/pay/checkout', [callee]),
    ],
    (c) => ({ cluster: c as string }),
    NOW,
  ).spans;
  return { caller: a as SpanDoc, callee: b as SpanDoc };
}

type Pair = ReturnType<typeof call>;

let offset = 0;
const batchOf = (docs: SpanDoc[]): ConsumedMessage[] =>
  packRecords('spans', docs, { keyOf: (s) => s.traceId }).map(
    (m) => ({ ...m, partition: 0, offset: String(offset++) }) as ConsumedMessage,
  );

const ENGINES: [string, () => SpanStore][] = [
  ['SQLite', () => new SqliteSpanStore({ path: ':memory:' })],
  [
    'OpenSearch',
    () =>
      new OpenSearchSpanStore({
        url: 'http://127.0.0.1:9200',
        indexPrefix: runId('spanedges'),
        requestTimeoutMs: 30_000,
        shards: 1,
        replicas: 0,
      }),
  ],
];

describe.each(ENGINES)('edges paired at ingest: %s', (_name, make) => {
  const store = make();
  /** A fresh handler is a fresh pairing window: an indexer (re)started. */
  const indexer = () =>
    spanBatchHandler({
      store: async () => store,
      logger: pino({ level: 'silent' }),
      pairing: new PairingWindow({ maxSpans: 1000, maxAgeMs: 60_000 }),
      metrics: indexerMetrics(new Registry()),
      deadLetter: async () => {
        throw new Error('nothing here is refused: no span should be dead-lettered');
      },
    });
  const handle = (h: ReturnType<typeof indexer>, docs: SpanDoc[]) => h(batchOf(docs), new AbortController().signal);
  const calls = [
    call({ n: 1, ms: 10 }),
    call({ n: 2, ms: 30, error: true }),
    call({ n: 3, ms: 20 }),
    call({ n: 4, kind: 'messaging', ms: 5 }),
  ];
  const [c1, c2, c3, c4] = calls as [Pair, Pair, Pair, Pair];
  const root = normalizeSpans(
    [
      {
        resource: { 'service.name': 'cron', 'k8s.cluster.name': 'east', 'k8s.namespace.name': 'jobs' },
        scopeSpans: [
          {
            scope: { name: 't', version: '1' },
            spans: [span({ traceId: trace(9), spanId: id(9), parent: '' }, { kind: 2, at: 0, ms: 1 })],
          },
        ],
      },
    ],
    (c) => ({ cluster: c as string }),
    NOW,
  ).spans;
  const groups = async (scope: { clusters?: string[]; namespaces?: string[] } = {}) => {
    await store.refresh();
    const { groups } = await store.edgeAggregates({ start: NOW - 60_000, end: NOW + 60_000, ...scope }, 100);
    return groups
      .map((g) => [`${g.source.service}->${g.target.service}`, g.type, g.requests, g.errors, g.p50Ms, g.p95Ms])
      .sort();
  };

  beforeAll(async () => {
    await store.init();
  });
  afterAll(async () => {
    await store.deleteOlderThan(new Date(NOW + 10 * DAY)).catch(() => undefined);
    await store.close();
  });

  it('pairs a call whose spans came in batches on both sides of an indexer restart, either way round', async () => {
    // Callees first (SDKs export a server span when it ends, before its client span ends), then a restart.
    await handle(indexer(), [c1.callee, c2.callee, c4.callee, ...root]);
    expect(await groups()).toEqual([]);
    const restarted = indexer();
    await handle(restarted, [c1.caller, c2.caller, c4.caller, c3.caller]);
    // Then the other way: call 3's caller stored, another restart, its callee.
    await handle(indexer(), [c3.callee]);
    expect(await groups()).toEqual([
      ['checkout->ledger', 'messaging', 1, 0, 5, 5],
      ['frontend->checkout', 'request', 3, 1, 20, 30],
    ]);
  });

  it('counts a redelivered call once, paired in memory or through the store', async () => {
    const again = indexer();
    const all = calls.flatMap((c) => [c.caller, c.callee]);
    await handle(again, all);
    await handle(again, all);
    await handle(indexer(), [c1.callee, c2.caller]);
    const expected = [
      ['checkout->ledger', 'messaging', 1, 0, 5, 5],
      ['frontend->checkout', 'request', 3, 1, 20, 30],
    ];
    expect(await groups()).toEqual(expected);
    const topology = topologyFromEdges(
      (await store.edgeAggregates({ start: NOW - 60_000, end: NOW + 60_000 }, 100)).groups,
      120_000,
    );
    expect(topology.nodes.map((n) => [n.id, n.requests, n.errors])).toEqual([
      ['east/pay/checkout', 3, 1],
      ['east/pay/ledger', 1, 0],
      ['west/shop/frontend', 0, 0],
    ]);
    expect(topology.edges.map((e) => [e.id, e.crossCluster])).toEqual([
      ['east/pay/checkout->east/pay/ledger', false],
      ['west/shop/frontend->east/pay/checkout', true],
    ]);
  });

  it('shows an edge only when both its ends are in the scope, and only in the window', async () => {
    expect(await groups({ clusters: ['east'] })).toEqual([['checkout->ledger', 'messaging', 1, 0, 5, 5]]);
    expect(await groups({ namespaces: ['shop'] })).toEqual([]);
    expect(await groups({ namespaces: ['shop', 'pay'] })).toHaveLength(2);
    expect(await groups({ clusters: [] })).toEqual([]);
    expect((await store.edgeAggregates({ start: NOW + 60_000, end: NOW + 120_000 }, 100)).groups).toEqual([]);
  });
});
