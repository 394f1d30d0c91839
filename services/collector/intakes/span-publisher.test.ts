import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from '../../../libs/bus/bus.ts';
import { unpackRecords } from '../../../libs/bus/record-pack.ts';
import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
import { ingestMetrics } from '../ingest.metrics.ts';
import { createSpanPublisher, TRACE_BUCKETS, traceBucketKey } from './span-publisher.ts';

const traceId = (n: number) => n.toString(16).padStart(32, '0');
const span = (trace: number, id: number, cluster = 'east') =>
  ({ id: `${traceId(trace)}${id}`, cluster, traceId: traceId(trace) }) as unknown as SpanDoc;

function publisher() {
  const sent: BusMessage[] = [];
  const bus = { publish: async (_t: string, m: readonly BusMessage[]) => void sent.push(...m) } as unknown as Bus;
  const logger = pino({ level: 'silent' });
  const metrics = ingestMetrics(new Registry());
  return {
    sent,
    spans: createSpanPublisher({ bus: async () => bus, topic: 't', maxInFlight: 10_000, metrics, logger }),
  };
}

describe('span publisher', () => {
  it('keys a trace by its bucket: the same trace always the same key, traces spread over every bucket', () => {
    expect(traceBucketKey(traceId(7))).toBe(traceBucketKey(traceId(7)));
    const counts = new Map<string, number>();
    for (let n = 0; n < 64_000; n++)
      counts.set(traceBucketKey(traceId(n)), (counts.get(traceBucketKey(traceId(n))) ?? 0) + 1);
    expect(counts.size).toBe(TRACE_BUCKETS);
    // Sequential ids (some tracers count) spread as evenly as random ones: within 20% of the mean.
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(200);
  });

  it("packs several traces of one cluster and bucket into one message, every trace's spans under one key", async () => {
    const { sent, spans } = publisher();
    const docs = Array.from({ length: 1000 }, (_, i) => span(i >> 1, i, i % 4 === 0 ? 'west' : 'east'));
    await spans.publish(docs);
    // 500 traces in two clusters: at most one message per cluster and bucket, not one per trace.
    expect(sent.length).toBeLessThanOrEqual(2 * TRACE_BUCKETS);
    const keyOfTrace = new Map<string, string>();
    let total = 0;
    for (const m of sent)
      for (const line of unpackRecords(m.value)) {
        const doc = JSON.parse(line) as SpanDoc;
        total += 1;
        expect(m.key).toBe(traceBucketKey(doc.traceId));
        expect(keyOfTrace.get(doc.traceId) ?? m.key).toBe(m.key);
        keyOfTrace.set(doc.traceId, m.key);
      }
    expect(total).toBe(1000);
  });
});
