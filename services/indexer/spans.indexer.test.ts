import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '../../libs/bus/bus.ts';
import { packRecords } from '../../libs/bus/record-pack.ts';
import { SqliteSpanStore } from '../../libs/store/spans/sqlite-span.store.ts';
import type { SpanDoc } from '../../libs/schemas/span-doc.ts';
import { normalizeSpans } from '../../libs/traces/spans.normalize.ts';
import { PairingWindow } from '../../libs/traces/span-pairing.ts';
import { applySpanRetention, spanBatchHandler } from './spans.indexer.ts';

const DAY = 86_400_000;
const SILENT = pino({ level: 'silent' });
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

describe('spans indexer', () => {
  it('stores a bus batch once per (cluster, span), however often a span is redelivered, and drops what is not a span', async () => {
    const store = new SqliteSpanStore({ path: ':memory:' });
    await store.init();
    const docs = spansAt('east', 0, 3);
    const messages = packRecords('spans', [...docs, ...docs], { keyOf: (s) => s.traceId }).map(
      (m, i) => ({ ...m, partition: 0, offset: String(i) }) as ConsumedMessage,
    );
    messages.push({ key: 'x', value: '{"not":"a span"}', headers: {}, partition: 0, offset: '9' } as ConsumedMessage);
    const handler = () => spanBatchHandler({ store: async () => store, logger: SILENT, pairing: window() });
    await handler()(messages, new AbortController().signal);
    await handler()(messages, new AbortController().signal);
    expect((await store.find({}, 10)).total).toBe(3);
    await store.close();
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
