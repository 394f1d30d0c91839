import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '../../../libs/bus/bus.ts';
import { topicsFor } from '../../../libs/bus/topics.ts';
import { OtlpTypes } from '../../../libs/otlp/otlp.proto.ts';
import { getBus, getSpanStore } from '../../../libs/runtime/backends.ts';
import type { SpanStore } from '../../../libs/store/spans/span-store.ts';
import { traceBucketKey } from '../../../services/collector/intakes/span-publisher.ts';
import { deadLetterSchema, replayDeadLetters, type DeadLetter } from '../../../services/indexer/dead-letter.ts';
import {
  engineConfig,
  INGEST_TOKEN,
  runId,
  startInProcess,
  until,
  type InProcessPipeline,
} from '../ingest/pipeline.helpers.ts';

/**
 * Spans the store refuses are dead-lettered like records (issue 22): on Kafka + OpenSearch an attribute
 * value over Lucene's 32,766-byte term limit (within the intake's 128 KiB per span) makes OpenSearch refuse
 * that one span of the bulk with a 400; on both setups a message on the spans topic that is not a span goes
 * to the dead letters. The replay puts them back; nothing is lost and nothing stored twice.
 */
const dir = mkdtempSync(join(tmpdir(), 'pharos-span-dl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SETUPS: [string, boolean, () => Record<string, unknown>][] = [
  ['Kafka + OpenSearch', true, () => engineConfig(runId('spandl'), join(dir, 'engines'))],
  [
    'embedded default: SQLite bus + SQLite',
    false,
    () => ({
      ...engineConfig('x', dir),
      storage: { type: 'sqlite', path: join(dir, 'embedded', 'pharos.db') },
      bus: undefined,
      dataDir: join(dir, 'embedded'),
    }),
  ],
];

const TRACE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });

function request(start: bigint) {
  const span = (n: number, attributes: ReturnType<typeof kv>[] = []) => ({
    traceId: TRACE,
    spanId: `00000000000000${n.toString(16).padStart(2, '0')}`,
    parentSpanId: n === 1 ? '' : '0000000000000001',
    name: n === 1 ? 'GET /orders' : `SELECT ${n}`,
    kind: n === 1 ? 2 : 3,
    startTimeUnixNano: (start + BigInt(n) * 1_000_000n).toString(),
    endTimeUnixNano: (start + BigInt(n) * 1_000_000n + 500_000n).toString(),
    attributes: [kv('db.system', 'postgresql'), ...attributes],
  });
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'orders'), kv('k8s.namespace.name', 'shop')] },
        scopeSpans: [
          {
            scope: { name: 'pg', version: '1' },
            // Span 3 carries a 40,000-byte statement: under the intake's limit, over Lucene's term limit.
            spans: [span(1), span(2), span(3, [kv('db.statement', `SELECT '${'x'.repeat(40_000)}'`)]), span(4)],
          },
        ],
      },
    ],
  };
}

describe.each(SETUPS)('spans the store refuses are dead-lettered: %s', (_name, onOpenSearch, makeConfig) => {
  let p: InProcessPipeline;
  let store: SpanStore;
  const cluster = `dl-${Date.now().toString(36)}`;

  beforeAll(async () => {
    p = await startInProcess(makeConfig());
    store = await getSpanStore(p.ctx);
  });
  afterAll(() => p?.close());

  /** Every letter of kind `spans` on the dead-letter topic, read from its start by a fresh group. */
  async function spanLetters(atLeast: number, label: string): Promise<DeadLetter[]> {
    const bus = await getBus(p.ctx);
    const topic = topicsFor(p.ctx.config.bus).deadLetter;
    const seen: ConsumedMessage[] = [];
    const sub = await bus.subscribe({
      topic,
      groupId: `${topic}-${label}`,
      handle: async (b) => void seen.push(...b),
    });
    const spans = () => seen.map((m) => deadLetterSchema.parse(JSON.parse(m.value))).filter((l) => l.kind === 'spans');
    try {
      await until(
        () => spans().length >= atLeast,
        90_000,
        () => `${atLeast} span dead letters (${spans().length})`,
      );
      // A moment more, so a letter too many would show.
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await sub.stop();
    }
    return spans();
  }

  const stored = async () => {
    await store.refresh().catch(() => undefined);
    return (await store.find({ traceIds: [TRACE], clusters: [cluster] }, 10).catch(() => ({ spans: [] }))).spans;
  };

  it('stores the spans the store takes, dead-letters the rest with the reason, and replays them', async () => {
    const start = BigInt(Date.now() - 60_000) * 1_000_000n;
    const res = await p.post(`/otlp/v1/traces?cluster=${cluster}`, request(start));
    expect(res.status).toBe(200);
    // And a message on the spans topic that is not a span (a producer's bug, a message of another version).
    const bus = await getBus(p.ctx);
    const topics = topicsFor(p.ctx.config.bus);
    await bus.publish(topics.spans, [{ key: TRACE, value: '{"traceId":"not a span"}' }]);

    const expectedStored = onOpenSearch ? ['0000000000000001', '0000000000000002', '0000000000000004'] : undefined;
    const refusedByStore = onOpenSearch ? 1 : 0;
    await until(async () => (await stored()).length >= (expectedStored?.length ?? 4), 90_000, 'spans stored');
    const letters = await spanLetters(1 + refusedByStore, 'first');
    expect(letters).toHaveLength(1 + refusedByStore);
    const invalid = letters.find((l) => l.record === '{"traceId":"not a span"}');
    expect(invalid!.reason).toMatch(/^invalid span: /);
    expect(invalid!.source.topic).toBe(topics.spans);
    if (onOpenSearch) {
      expect((await stored()).map((s) => s.spanId).sort()).toEqual(expectedStored);
      const refused = letters.find((l) => l !== invalid)!;
      expect(refused.reason).toMatch(/^store refused: 400 illegal_argument_exception: .*immense term/);
      expect(refused.key).toBe(traceBucketKey(TRACE));
      // The letter holds the span alone (its packed message also held the stored ones), exactly as consumed.
      expect(JSON.parse(refused.record)).toMatchObject({ spanId: '0000000000000003', cluster, traceId: TRACE });
    } else expect((await stored()).map((s) => s.spanId)).toHaveLength(4);
    const metrics = await p.ctx.metrics.metrics();
    expect(metrics).toMatch(
      new RegExp(`pharos_indexer_deadlettered_total\\{[^}]*kind="spans"[^}]*\\} ${1 + refusedByStore}\n`),
    );
    expect(metrics).toMatch(/pharos_indexer_consumer_lag\{[^}]*kind="spans"[^}]*\} \d+/);
    expect(metrics).toMatch(/pharos_indexer_records_total\{[^}]*kind="spans",result="indexed"[^}]*\} [1-9]/);

    // The replay puts them back on the spans topic; still refused, they come back with the same reason,
    // and what was stored is not stored twice.
    const replay = await replayDeadLetters({
      bus,
      topics,
      logger: p.ctx.logger,
      groupId: `${topics.deadLetter}-replay`,
      kinds: ['spans'],
    });
    expect(replay).toEqual({ replayed: 1 + refusedByStore, skipped: 0 });
    const again = await spanLetters(2 * (1 + refusedByStore), 'second');
    expect(again).toHaveLength(2 * (1 + refusedByStore));
    const reasons = (ls: DeadLetter[]) => ls.map((l) => l.reason).sort();
    expect(reasons(again)).toEqual(reasons([...letters, ...letters]));
    expect(await stored()).toHaveLength(expectedStored?.length ?? 4);
  });

  it('bad input: a truncated protobuf is 400 and stores nothing; spans without a trace id or over 128 KiB are refused alone', async () => {
    const trace = 'f1e2d3c4b5a69788796a5b4c3d2e1f00';
    const start = BigInt(Date.now() - 30_000) * 1_000_000n;
    const span = (spanId: string, extra: Record<string, unknown> = {}) => ({
      traceId: trace,
      spanId,
      name: 'GET /bad',
      kind: 2,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + 1_000_000n).toString(),
      ...extra,
    });
    const body = (spans: unknown[]) => ({
      resourceSpans: [{ resource: { attributes: [kv('service.name', 'bad')] }, scopeSpans: [{ spans }] }],
    });
    const wire = Buffer.from(
      OtlpTypes.ExportTraceServiceRequest.encode(
        OtlpTypes.ExportTraceServiceRequest.fromObject({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  spans: [
                    {
                      ...span('0000000000000009'),
                      traceId: Buffer.from(trace, 'hex'),
                      spanId: Buffer.from('0000000000000009', 'hex'),
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ).finish(),
    );
    const cut = await p.app.inject({
      method: 'POST',
      url: `/otlp/v1/traces?cluster=${cluster}`,
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/x-protobuf' },
      payload: wire.subarray(0, wire.length - 5),
    });
    expect(cut.statusCode).toBe(400);
    const res = await p.post(
      `/otlp/v1/traces?cluster=${cluster}`,
      body([
        span('0000000000000001', { traceId: '' }),
        span('0000000000000002', { attributes: [kv('blob', 'x'.repeat(200_000))] }),
        span('0000000000000003'),
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ partialSuccess: { rejectedSpans: '2' } });
    const mine = async () => {
      await store.refresh().catch(() => undefined);
      return (await store.find({ traceIds: [trace], clusters: [cluster] }, 10).catch(() => ({ spans: [] }))).spans;
    };
    await until(async () => (await mine()).length >= 1, 90_000, 'the good span stored');
    await new Promise((r) => setTimeout(r, 500));
    expect((await mine()).map((s) => s.spanId)).toEqual(['0000000000000003']);
  });
});
