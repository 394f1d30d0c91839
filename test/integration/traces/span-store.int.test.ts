import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpSpan } from '../../../libs/otlp/otlp-traces.decode.ts';
import type { SpanStore } from '../../../libs/store/spans/span-store.ts';
import { normalizeSpans } from '../../../libs/traces/spans.normalize.ts';
import { spanStoreEngines } from './span-store-engines.ts';

/** The span store contract: the same writes and queries answer the same on SQLite and OpenSearch. */
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 20, 12);
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

function docs() {
  /** A span of trace `traceId`: `kind`, from `at` ms for `ms` ms, failed when `error`. */
  const span = (
    { traceId, spanId }: { traceId: string; spanId: string },
    { kind, at, ms, error = false }: { kind: number; at: number; ms: number; error?: boolean },
    attributes: OtlpSpan['attributes'],
  ): OtlpSpan => ({
    traceId,
    spanId,
    parentSpanId: '',
    traceState: '',
    name: kind === 2 ? 'GET /cart' : 'GET',
    kind,
    startTimeUnixNano: ns(at),
    endTimeUnixNano: ns(at + ms),
    attributes,
    droppedAttributesCount: 0,
    events: [],
    links: [],
    status: { code: error ? 2 : 0, message: '' },
  });
  const t = (n: number) => n.toString(16).padStart(32, 'a');
  const s = (n: number) => n.toString(16).padStart(16, 'b');
  return normalizeSpans(
    [
      {
        resource: { 'service.name': 'cart', 'k8s.cluster.name': 'east', 'k8s.namespace.name': 'shop' },
        scopeSpans: [
          {
            scope: { name: 'x', version: '1' },
            spans: [
              span(
                { traceId: t(1), spanId: s(1) },
                { kind: 2, at: NOW - 1000, ms: 120 },
                { 'http.status_code': 200, 'cache.hit': true },
              ),
              span(
                { traceId: t(2), spanId: s(2) },
                { kind: 2, at: NOW - 2000, ms: 20, error: true },
                { 'http.status_code': 500 },
              ),
              span({ traceId: t(3), spanId: s(3) }, { kind: 3, at: NOW - 3 * DAY, ms: 5 }, { 'peer.service': 'db' }),
            ],
          },
        ],
      },
      {
        resource: { 'service.name': 'pay', 'k8s.cluster.name': 'west' },
        scopeSpans: [
          {
            scope: { name: 'x', version: '1' },
            spans: [
              span({ traceId: t(1), spanId: s(4) }, { kind: 2, at: NOW - 900, ms: 50 }, { 'http.route': '/pay' }),
            ],
          },
        ],
      },
    ],
    (c) => ({ cluster: c as string }),
    NOW,
  ).spans;
}

const ENGINES = spanStoreEngines('spanstore', 30_000);

describe.each(ENGINES)('span store contract: %s', (_name, make) => {
  const store = make();
  beforeAll(async () => {
    await store.init();
    const all = docs();
    expect((await store.write(all)).every((r) => r.ok)).toBe(true);
    expect((await store.write(all.slice(0, 2))).every((r) => r.ok)).toBe(true); // a resend overwrites
    await store.refresh();
  });
  afterAll(async () => {
    await store.deleteOlderThan(new Date(NOW + 10 * DAY)).catch(() => undefined);
    await store.close();
  });
  const ids = async (q: Parameters<SpanStore['find']>[0], limit = 10) =>
    (await store.find(q, limit)).spans.map((s) => s.spanId.replace(/^b+/, ''));

  it('finds traces, one entry each however many spans match, newest matching span first', async () => {
    const t = (n: number) => 'a'.repeat(31) + String(n);
    const traces = async (q: Parameters<SpanStore['find']>[0], traces: number, spansPerTrace: number) =>
      (await store.findTraces(q, { traces, spansPerTrace })).map((m) => [
        m.traceId,
        m.matched,
        m.spans.map((s) => s.spanId.replace(/^b+/, '')),
      ]);
    expect(await traces({}, 10, 1)).toEqual([
      [t(1), 2, ['4']],
      [t(2), 1, ['2']],
      [t(3), 1, ['3']],
    ]);
    expect(await traces({}, 1, 5)).toEqual([[t(1), 2, ['4', '1']]]);
    expect(await traces({ services: ['cart'], start: NOW - DAY }, 10, 3)).toEqual([
      [t(1), 1, ['1']],
      [t(2), 1, ['2']],
    ]);
    expect(await traces({ clusters: [] }, 10, 3)).toEqual([]);
    expect(await traces({}, 2, 0)).toEqual([
      [t(1), 0, []],
      [t(2), 0, []],
    ]);
  });

  it('lists the clusters that have matching spans, sorted (Tempo tag values of k8s.cluster.name)', async () => {
    expect(await store.clusters()).toEqual(['east', 'west']);
    expect(await store.clusters({ services: ['pay'] })).toEqual(['west']);
    expect(await store.clusters({ start: NOW - 950 })).toEqual(['west']);
    expect(await store.clusters({ clusters: ['east'], start: NOW - DAY })).toEqual(['east']);
    expect(await store.clusters({ clusters: [] })).toEqual([]);
  });

  it('finds by trace, service, kind, cluster and namespace, newest first, with the total', async () => {
    expect(await ids({})).toEqual(['4', '1', '2', '3']);
    expect((await store.find({}, 2)).total).toBe(4);
    expect(await ids({ traceIds: ['a'.repeat(31) + '1'] })).toEqual(['4', '1']);
    expect(await ids({ services: ['cart'], kinds: ['SPAN_KIND_SERVER'] })).toEqual(['1', '2']);
    expect(await ids({ clusters: ['west'] })).toEqual(['4']);
    expect(await ids({ namespaces: ['shop'], start: NOW - DAY })).toEqual(['1', '2']);
    expect(await ids({ clusters: [] })).toEqual([]);
  });

  it('matches tags as text on span or resource attributes, and durations in nanoseconds', async () => {
    expect(await ids({ tags: { 'http.status_code': '500' } })).toEqual(['2']);
    expect(await ids({ tags: { 'cache.hit': 'true', 'k8s.namespace.name': 'shop' } })).toEqual(['1']);
    expect(await ids({ tags: { 'service.name': 'pay' } })).toEqual(['4']);
    expect(await ids({ minDurationNanos: 50_000_000 })).toEqual(['4', '1']);
    expect(await ids({ maxDurationNanos: 20_000_000 })).toEqual(['2', '3']);
  });

  it('gives the join fields of pairing partners, the clusters, and deletes by age and cluster', async () => {
    // The parent a server span of trace 2 names; span 3 (trace 3) has the same id pattern but another trace.
    const spans = await store.partners(
      [{ traceId: 'a'.repeat(31) + '2', spanId: 'c'.repeat(16), parentSpanId: 'b'.repeat(15) + '2' }],
      10,
    );
    expect(spans).toEqual([
      {
        cluster: 'east',
        namespace: 'shop',
        traceId: 'a'.repeat(31) + '2',
        spanId: 'b'.repeat(15) + '2',
        parentSpanId: '',
        serviceName: 'cart',
        kind: 'SPAN_KIND_SERVER',
        durationInNanos: 20_000_000,
        statusCode: 2,
        time: NOW - 2000,
      },
    ]);
    expect((await store.clusters()).sort()).toEqual(['east', 'west']);
    expect(await store.deleteOlderThan(new Date(NOW - DAY), 'west')).toBe(0);
    await store.deleteOlderThan(new Date(NOW - DAY), 'east');
    await store.refresh();
    expect(await ids({})).toEqual(['4', '1', '2']);
  });
});
