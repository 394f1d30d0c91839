import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { BusMessage, ConsumedMessage } from '../../libs/bus/bus.ts';
import { packRecords } from '../../libs/bus/record-pack.ts';
import { SqliteSpanStore } from '../../libs/store/spans/sqlite-span.store.ts';
import type { SpanDoc } from '../../libs/schemas/span-doc.ts';
import { normalizeSpans } from '../../libs/traces/spans.normalize.ts';
import type { WriteItemResult } from '../../libs/store/record-store.ts';
import type { SpanWrite } from '../../libs/store/spans/span-store.ts';
import { deadLetterSchema } from './dead-letter.ts';
import { indexerMetrics } from './indexer.metrics.ts';
import { applySpanRetention, spanBatchHandler, type SpanBatchOptions } from './spans.indexer.ts';
import { PairingWindow } from '../../libs/traces/span-pairing.ts';

const DAY = 86_400_000;
const window = () => new PairingWindow({ maxSpans: 1000, maxAgeMs: 60_000 });
const NOW = Date.UTC(2026, 0, 20);

function spansAt(cluster: string, daysAgo: number, n: number): SpanDoc[] {
  const start = BigInt(NOW - daysAgo * DAY) * 1_000_000n;
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: `${cluster.length}${daysAgo}`.padEnd(32, 'a'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    parentSpanId: '',
    traceState: '',
    name: 's',
    kind: 2,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 1000n).toString(),
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    links: [],
    status: { code: 0, message: '' },
  }));
  return normalizeSpans(
    [{ resource: { 'k8s.cluster.name': cluster }, scopeSpans: [{ scope: { name: '', version: '' }, spans }] }],
    (c) => ({ cluster: c as string }),
    NOW,
  ).spans;
}

/** A client span in west and the server span it called in east, of one trace. */
function callPair(): [SpanDoc, SpanDoc] {
  const start = (BigInt(NOW) * 1_000_000n).toString();
  const span = (spanId: string, parentSpanId: string, kind: number) => ({
    traceId: 'c'.repeat(32),
    spanId,
    parentSpanId,
    traceState: '',
    name: 'GET',
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: start,
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    links: [],
    status: { code: 0, message: '' },
  });
  const [client] = normalizeSpans(
    [
      {
        resource: { 'k8s.cluster.name': 'west' },
        scopeSpans: [{ scope: { name: '', version: '' }, spans: [span('1'.repeat(16), '', 3)] }],
      },
    ],
    (c) => ({ cluster: c as string }),
    NOW,
  ).spans;
  const [server] = normalizeSpans(
    [
      {
        resource: { 'k8s.cluster.name': 'east' },
        scopeSpans: [{ scope: { name: '', version: '' }, spans: [span('2'.repeat(16), '1'.repeat(16), 2)] }],
      },
    ],
    (c) => ({ cluster: c as string }),
    NOW,
  ).spans;
  return [server!, client!];
}

const consumed = (messages: BusMessage[], from = 0): ConsumedMessage[] =>
  messages.map((m, i) => ({ ...m, topic: 'pharos.spans', partition: 0, offset: String(from + i) }) as ConsumedMessage);

function handlerOptions(store: SqliteSpanStore): {
  opts: SpanBatchOptions;
  letters: BusMessage[];
  registry: Registry;
} {
  const letters: BusMessage[] = [];
  const registry = new Registry();
  const opts: SpanBatchOptions = {
    store: async () => store,
    logger: pino({ level: 'silent' }),
    metrics: indexerMetrics(registry),
    deadLetter: async (m) => void letters.push(...m),
    backoff: { initialMs: 1, maxMs: 5 },
    pairing: window(),
  };
  return { opts, letters, registry };
}

describe('spans indexer', () => {
  it('hands the store the text as received when it is exactly the validated span, else none (re-serialized)', async () => {
    const [exact, extra] = spansAt('east', 0, 2) as [SpanDoc, SpanDoc];
    const lines = [JSON.stringify(exact), JSON.stringify({ ...extra, status: { ...extra.status, unknown: 1 } })];
    const writes: SpanWrite[] = [];
    const { opts } = handlerOptions(new SqliteSpanStore({ path: ':memory:' }));
    const write = async (items: SpanWrite[]): Promise<WriteItemResult[]> => {
      writes.push(...items);
      return items.map((i) => ({ id: i.id, ok: true }));
    };
    await spanBatchHandler({ ...opts, write })(
      consumed([{ key: 'k', value: lines.join('\n'), headers: {} }]),
      new AbortController().signal,
    );
    const byId = new Map(writes.map((w) => [w.id, w]));
    expect(byId.get(exact.id)).toMatchObject({ json: lines[0] });
    expect(byId.get(extra.id)).not.toHaveProperty('json');
    expect(byId.get(extra.id)).toMatchObject({ span: { status: extra.status } });
  });

  it('stores a bus batch once per (cluster, span), however often a span is redelivered, and dead-letters what is not a span', async () => {
    const store = new SqliteSpanStore({ path: ':memory:' });
    await store.init();
    const docs = spansAt('east', 0, 3);
    const messages = consumed(packRecords('spans', [...docs, ...docs], { keyOf: (s) => s.traceId }));
    messages.push(...consumed([{ key: 'x', value: '{"not":"a span"}', headers: {} }], 9));
    const { opts, letters, registry } = handlerOptions(store);
    await spanBatchHandler(opts)(messages, new AbortController().signal);
    await spanBatchHandler(opts)(messages, new AbortController().signal);
    expect((await store.find({}, 10)).total).toBe(3);
    const parsed = letters.map((l) => deadLetterSchema.parse(JSON.parse(l.value)));
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ kind: 'spans', record: '{"not":"a span"}', source: { offset: '9' } });
    expect(parsed[0]!.reason).toMatch(/^invalid span: /);
    const text = await registry.metrics();
    expect(text).toMatch(/pharos_indexer_records_total\{kind="spans",result="indexed"\} 12/);
    expect(text).toMatch(/pharos_indexer_deadlettered_total\{kind="spans"\} 2/);
    await store.close();
  });

  it('retries a span the store cannot take yet and dead-letters, alone and with its text, the one it refuses', async () => {
    const store = new SqliteSpanStore({ path: ':memory:' });
    await store.init();
    const docs = spansAt('east', 0, 3);
    const [refused, flaky] = [docs[1]!.id, docs[2]!.id];
    let flakyCalls = 0;
    const { opts, letters, registry } = handlerOptions(store);
    // A store answering as OpenSearch's bulk does per item: one 400 for good, one 429 first.
    const write = async (items: SpanWrite[]): Promise<WriteItemResult[]> => {
      const batch = items.flatMap((i) => ('span' in i ? [i.span] : []));
      const results = await store.write(batch.filter((d) => d.id !== refused && (d.id !== flaky || flakyCalls++ > 0)));
      return batch.map((d): WriteItemResult => {
        if (d.id === refused)
          return { id: d.id, ok: false, retryable: false, reason: '400 illegal_argument_exception: immense term' };
        return results.find((r) => r.id === d.id) ?? { id: d.id, ok: false, retryable: true, reason: '429' };
      });
    };
    const packed = consumed(packRecords('spans', docs, { keyOf: (s) => s.traceId }), 40);
    expect(packed).toHaveLength(1);
    await spanBatchHandler({ ...opts, write })(packed, new AbortController().signal);
    expect((await store.find({}, 10)).spans.map((s) => s.id).sort()).toEqual([docs[0]!.id, flaky].sort());
    expect(letters).toHaveLength(1);
    const letter = deadLetterSchema.parse(JSON.parse(letters[0]!.value));
    expect(letter).toMatchObject({
      kind: 'spans',
      key: docs[1]!.traceId,
      source: { topic: 'pharos.spans', offset: '40' },
    });
    expect(letter.reason).toBe('store refused: 400 illegal_argument_exception: immense term');
    expect(JSON.parse(letter.record)).toEqual(docs[1]);
    expect(letters[0]!.headers).toMatchObject({ 'pharos-kind': 'spans' });
    const text = await registry.metrics();
    expect(text).toMatch(/pharos_indexer_retries_total\{kind="spans"\} 1/);
    expect(text).toMatch(/pharos_indexer_deadlettered_total\{kind="spans"\} 1/);
    await store.close();
  });

  it('pairs a caller again from memory when the batch that paired it was aborted before its write', async () => {
    const [server, client] = callPair();
    const sqlite = new SqliteSpanStore({ path: ':memory:' });
    await sqlite.init();
    // The store cannot show the server span yet (OpenSearch before its refresh), and the window is past its first
    // maxAgeMs, so nothing but memory can pair the caller when its batch comes again.
    const store = Object.assign(Object.create(sqlite) as SqliteSpanStore, { partners: async () => [] });
    let now = 0;
    const pairing = new PairingWindow({ maxSpans: 100, maxAgeMs: 1000 }, () => now);
    now = 5000;
    const { opts } = handlerOptions(sqlite);
    const edges: string[] = [];
    const write = async (items: SpanWrite[]): Promise<WriteItemResult[]> => {
      edges.push(...items.flatMap((i) => ('edge' in i ? [i.id] : [])));
      return sqlite.writeAll(items);
    };
    const handle = spanBatchHandler({ ...opts, store: async () => store, pairing, write });
    await handle(consumed(packRecords('spans', [server], { keyOf: () => 'k' })), new AbortController().signal);
    // The caller's batch pairs, then a rebalance aborts it while its write is in flight.
    const rebalance = new AbortController();
    const hanging = (_: SpanWrite[], signal: AbortSignal) =>
      new Promise<WriteItemResult[]>((_ok, fail) => signal.addEventListener('abort', () => fail(signal.reason)));
    const first = spanBatchHandler({ ...opts, store: async () => store, pairing, write: hanging })(
      consumed(packRecords('spans', [client], { keyOf: () => 'k' }), 1),
      rebalance.signal,
    );
    rebalance.abort(new Error('consumer group rebalance'));
    await expect(first).rejects.toThrow();
    expect(edges).toEqual([]);
    await handle(consumed(packRecords('spans', [client], { keyOf: () => 'k' }), 1), new AbortController().signal);
    expect(edges).toHaveLength(1);
    await sqlite.close();
  });

  it('applies retention.spans, with a longer per-cluster override kept', async () => {
    const store = new SqliteSpanStore({ path: ':memory:' });
    await store.init();
    await store.write([...spansAt('east', 10, 2), ...spansAt('east', 1, 1), ...spansAt('west', 10, 2)]);
    const runs = await applySpanRetention(
      store,
      { logs: 7, events: 30, audit: 90, spans: 7, clusters: { west: { spans: 30 } }, schedule: '* * * * *' },
      NOW,
    );
    expect(runs).toEqual(
      expect.arrayContaining([
        { cluster: 'east', deleted: 2 },
        { cluster: 'west', deleted: 0 },
      ]),
    );
    expect((await store.find({ clusters: ['east'] }, 10)).total).toBe(1);
    expect((await store.find({ clusters: ['west'] }, 10)).total).toBe(2);
    expect(
      await applySpanRetention(
        store,
        { logs: 7, events: 30, audit: 90, spans: 5, clusters: {}, schedule: '* * * * *' },
        NOW,
      ),
    ).toEqual([{ deleted: 2 }]);
    await store.close();
  });
});
