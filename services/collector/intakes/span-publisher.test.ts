import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { until } from '../../../test/support/until.ts';
import type { Bus, BusMessage } from '../../../libs/bus/bus.ts';
import { unpackRecords } from '../../../libs/bus/record-pack.ts';
import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
import { ingestMetrics } from '../ingest.metrics.ts';
import {
  coalescedSend,
  createSpanPublisher,
  LINGER_MS,
  SEND_SPANS,
  TRACE_BUCKETS,
  traceBucketKey,
} from './span-publisher.ts';

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

  it('sends together the spans of requests that came while a send was under way, and answers each', async () => {
    const sends: SpanDoc[][] = [];
    let release: () => void = () => undefined;
    const send = coalescedSend(
      async (docs) => {
        sends.push([...docs]);
        await new Promise<void>((r) => (release = r));
      },
      { lingerMs: 0 },
    );
    const first = send([span(1, 1)]);
    const later = [send([span(2, 2)]), send([span(3, 3), span(3, 4)])];
    await Promise.resolve();
    expect(sends.map((s) => s.length)).toEqual([1]);
    release();
    await first;
    await until(() => sends.length === 2);
    // The two that waited go in one send, not two.
    expect(sends[1]!.map((s) => s.id)).toEqual([span(2, 2).id, span(3, 3).id, span(3, 4).id]);
    release();
    await Promise.all(later);
  });

  it('fails every request of a failed send (their senders retry), and sends the next ones', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const send = coalescedSend(
      async () => {
        calls += 1;
        if (calls === 1) await new Promise<void>((r) => (release = r));
        if (calls === 2) throw new Error('broker down');
      },
      { lingerMs: 0 },
    );
    const first = send([span(1, 1)]);
    const failed = [send([span(2, 2)]), send([span(3, 3)])].map((p) =>
      p.then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    release();
    await first;
    expect(await Promise.all(failed)).toEqual(['broker down', 'broker down']);
    await send([span(4, 4)]);
    expect(calls).toBe(3);
  });

  it('leaves out a waiting request whose sender went away, and keeps each send within SEND_SPANS', async () => {
    const sends: number[] = [];
    let release: () => void = () => undefined;
    const send = coalescedSend(
      async (docs) => {
        sends.push(docs.length);
        if (sends.length === 1) await new Promise<void>((r) => (release = r));
      },
      { lingerMs: 0 },
    );
    const first = send([span(1, 1)]);
    const gone = new AbortController();
    const abandoned = send([span(2, 2)], gone.signal).catch(() => 'aborted');
    const big = Array.from({ length: 3 }, (_, i) =>
      send(Array.from({ length: SEND_SPANS / 2 }, (_, j) => span(10 + i, j))),
    );
    gone.abort();
    expect(await abandoned).toBe('aborted');
    release();
    await Promise.all([first, ...big]);
    expect(sends).toEqual([1, SEND_SPANS, SEND_SPANS / 2]);
  });

  it('waits LINGER_MS for more requests before a send', async () => {
    const sends: number[] = [];
    const send = coalescedSend(async (docs) => void sends.push(docs.length));
    const calls = [send([span(1, 1)])];
    await new Promise((r) => setTimeout(r, 1));
    calls.push(send([span(2, 2)]));
    await Promise.all(calls);
    expect(LINGER_MS).toBeGreaterThan(1);
    expect(sends).toEqual([2]);
  });
});
