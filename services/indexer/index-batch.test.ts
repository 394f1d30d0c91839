import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { BusMessage, ConsumedMessage } from '../../libs/bus/bus.ts';
import type { LogDoc } from '../../libs/schemas/records.ts';
import { MemoryRecordStore } from '../../libs/store/memory/memory-record.store.ts';
import type { AnyDoc, RecordStore, WriteItemResult, WriteOptions } from '../../libs/store/record-store.ts';
import { deadLetterSchema } from './dead-letter.ts';
import { indexBatchHandler } from './index-batch.ts';
import { indexerMetrics } from './indexer.metrics.ts';

const doc = (id: string): LogDoc => ({
  id,
  kind: 'logs',
  cluster: 'east',
  time: 1_700_000_000_000,
  ingestedAt: 1_700_000_000_001,
  message: `line ${id}`,
});
const msg = (value: string, offset: number): ConsumedMessage => ({
  topic: 'pharos.logs',
  partition: 0,
  offset: String(offset),
  key: 'k',
  value,
  headers: { 'pharos-cluster': 'east' },
});

/** A store that is down for its first `downCalls` writes, then answers per id from `verdicts`, storing the ok ones. */
function fakeStore(downCalls: number, verdicts: Record<string, Array<'ok' | 'retry' | 'refuse'>>) {
  const stored = new Map<string, AnyDoc>();
  const texts = new Map<string, string | undefined>();
  let calls = 0;
  const store = {
    async write(_kind: string, docs: readonly AnyDoc[], { json }: WriteOptions = {}): Promise<WriteItemResult[]> {
      calls += 1;
      if (calls <= downCalls) throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
      return docs.map((d, i) => {
        const v = verdicts[d.id]?.shift() ?? 'ok';
        if (v === 'ok') {
          stored.set(d.id, d);
          texts.set(d.id, json?.[i]);
        }
        return v === 'ok'
          ? { id: d.id, ok: true }
          : {
              id: d.id,
              ok: false,
              retryable: v === 'retry',
              reason: v === 'retry' ? '429 es_rejected_execution_exception' : '400 mapper_parsing_exception: bad field',
            };
      });
    },
  } as unknown as RecordStore;
  return { store, stored, texts, calls: () => calls };
}

describe('indexBatchHandler', () => {
  it('retries while the store is down and on 429, dead-letters invalid and refused records, stores the rest once', async () => {
    const registry = new Registry();
    const { store, stored } = fakeStore(2, { b: ['retry', 'retry', 'ok'], c: ['refuse'] });
    const letters: BusMessage[] = [];
    const handle = indexBatchHandler({
      kind: 'logs',
      store: async () => store,
      metrics: indexerMetrics(registry),
      logger: pino({ level: 'silent' }),
      deadLetter: async (m) => void letters.push(...m),
      backoff: { initialMs: 1, maxMs: 5 },
    });
    const batch = [
      msg(JSON.stringify(doc('a')), 0),
      msg(JSON.stringify(doc('b')), 1),
      msg(JSON.stringify(doc('c')), 2),
      msg('{not json', 3),
      msg(JSON.stringify({ ...doc('d'), time: 'soon' }), 4),
      msg(JSON.stringify(doc('a')), 5),
    ];
    await handle(batch, new AbortController().signal);
    expect([...stored.keys()].sort()).toEqual(['a', 'b']);
    const reasons = letters.map((l) => deadLetterSchema.parse(JSON.parse(l.value)));
    expect(reasons.map((r) => r.source.offset).sort()).toEqual(['2', '3', '4']);
    expect(reasons.find((r) => r.source.offset === '2')!.reason).toMatch(/store refused: 400 mapper_parsing_exception/);
    expect(reasons.find((r) => r.source.offset === '4')!.reason).toMatch(/invalid logs record: time/);
    expect(reasons.find((r) => r.source.offset === '3')!.record).toBe('{not json');
    const text = await registry.metrics();
    expect(text).toMatch(/pharos_indexer_records_total\{kind="logs",result="indexed"\} 3/);
    expect(text).toMatch(/pharos_indexer_deadlettered_total\{kind="logs"\} 3/);
    expect(text).toMatch(/pharos_indexer_retries_total\{kind="logs"\} [1-9]/);
  });

  it('takes a packed message apart: stores its valid records and dead-letters only the bad one, alone', async () => {
    const { store, stored } = fakeStore(0, {});
    const letters: BusMessage[] = [];
    const handle = indexBatchHandler({
      kind: 'logs',
      store: async () => store,
      metrics: indexerMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
      deadLetter: async (m) => void letters.push(...m),
    });
    const packed = [
      JSON.stringify(doc('p1')),
      JSON.stringify({ ...doc('p2'), time: 'soon' }),
      JSON.stringify(doc('p3')),
    ].join('\n');
    await handle([msg(packed, 7)], new AbortController().signal);
    expect([...stored.keys()].sort()).toEqual(['p1', 'p3']);
    expect(letters).toHaveLength(1);
    const letter = deadLetterSchema.parse(JSON.parse(letters[0]!.value));
    expect(letter.source.offset).toBe('7');
    expect(JSON.parse(letter.record)).toMatchObject({ id: 'p2', time: 'soon' });
  });

  it('hands the store the record text it received, unless validation dropped a key', async () => {
    const { store, stored, texts } = fakeStore(0, {});
    const handle = indexBatchHandler({
      kind: 'logs',
      store: async () => store,
      metrics: indexerMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
      deadLetter: async () => undefined,
    });
    const kept = JSON.stringify({ ...doc('k'), labels: { app: 'cart' } });
    const extra = JSON.stringify({ ...doc('x'), extra: { nested: true } });
    await handle([msg(`${kept}\n${extra}`, 0)], new AbortController().signal);
    expect(texts.get('k')).toBe(kept);
    // The extra key is dropped by validation: no text, the store serializes the validated doc.
    expect(texts.get('x')).toBeUndefined();
    expect(stored.get('x')).toEqual(doc('x'));
  });

  it('folds repeats of one record but keeps the same id of two clusters as two records', async () => {
    const store = new MemoryRecordStore();
    const registry = new Registry();
    const handle = indexBatchHandler({
      kind: 'logs',
      store: async () => store,
      metrics: indexerMetrics(registry),
      logger: pino({ level: 'silent' }),
      deadLetter: async () => undefined,
    });
    const east = doc('same');
    const west = { ...doc('same'), cluster: 'west', message: 'from west' };
    const eastAgain = { ...east, message: 'east, resent' };
    await handle(
      [msg(JSON.stringify(east), 0), msg(JSON.stringify(west), 1), msg(JSON.stringify(eastAgain), 2)],
      new AbortController().signal,
    );
    const page = await store.search('logs', { filters: {}, sort: 'asc', size: 10 });
    expect(page.items.map((d) => [d.cluster, d.id, (d as LogDoc).message]).sort()).toEqual([
      ['east', 'same', 'east, resent'],
      ['west', 'same', 'from west'],
    ]);
    expect(await registry.metrics()).toMatch(/pharos_indexer_records_total\{kind="logs",result="indexed"\} 3/);
  });

  it('stops when aborted without resolving, so the batch is not committed', async () => {
    const { store } = fakeStore(1_000, {});
    const handle = indexBatchHandler({
      kind: 'logs',
      store: async () => store,
      metrics: indexerMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
      deadLetter: async () => undefined,
      backoff: { initialMs: 1, maxMs: 2 },
    });
    const controller = new AbortController();
    const running = handle([msg(JSON.stringify(doc('a')), 0)], controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(running).rejects.toThrow();
  });
});
