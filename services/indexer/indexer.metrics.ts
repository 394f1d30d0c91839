import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RecordKind } from '../../libs/schemas/records.ts';

/** What an indexer consumer indexes: a record kind, or `spans` (the spans' consumer, spans.indexer.ts). */
export type IndexedKind = RecordKind | 'spans';

/** Indexer side of the pipeline's metrics (records and spans out, lag, bulk latency, retries, dead letters). */
export interface IndexerMetrics {
  indexed(kind: IndexedKind, n: number): void;
  deadLettered(kind: IndexedKind, n: number): void;
  retried(kind: IndexedKind, n: number): void;
  bulkSeconds(kind: IndexedKind, seconds: number): void;
  /** Registers where the lag of a kind's consumer group comes from; read at scrape time. */
  lagSource(kind: IndexedKind, read: () => Promise<number>): void;
}

export function indexerMetrics(registry: Registry): IndexerMetrics {
  const reuse = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();
  const records = reuse(
    'pharos_indexer_records_total',
    () =>
      new Counter({
        name: 'pharos_indexer_records_total',
        help: 'Records (and spans, kind="spans") the indexer finished with: indexed (stored) or deadlettered.',
        labelNames: ['kind', 'result'],
        registers: [registry],
      }),
  );
  const dead = reuse(
    'pharos_indexer_deadlettered_total',
    () =>
      new Counter({
        name: 'pharos_indexer_deadlettered_total',
        help: 'Records and spans sent to the dead-letter topic (invalid, or refused by the store for good).',
        labelNames: ['kind'],
        registers: [registry],
      }),
  );
  const retries = reuse(
    'pharos_indexer_retries_total',
    () =>
      new Counter({
        name: 'pharos_indexer_retries_total',
        help: 'Records written again after a retryable store failure (429, 5xx, store down).',
        labelNames: ['kind'],
        registers: [registry],
      }),
  );
  const bulk = reuse(
    'pharos_indexer_bulk_duration_seconds',
    () =>
      new Histogram({
        name: 'pharos_indexer_bulk_duration_seconds',
        help: 'Duration of one bulk write to the record store.',
        labelNames: ['kind'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
  );
  const sources = new Map<IndexedKind, () => Promise<number>>();
  reuse(
    'pharos_indexer_consumer_lag',
    () =>
      new Gauge({
        name: 'pharos_indexer_consumer_lag',
        help: 'Messages on the bus not yet consumed by the indexer group, per kind.',
        labelNames: ['kind'],
        registers: [registry],
        async collect() {
          for (const [kind, read] of sources) {
            // A bus that cannot answer leaves the last value rather than failing the whole scrape.
            const lag = await read().catch(() => undefined);
            if (lag !== undefined) this.set({ kind }, lag);
          }
        },
      }),
  );
  return {
    indexed: (kind, n) => n > 0 && records.inc({ kind, result: 'indexed' }, n),
    deadLettered: (kind, n) => {
      if (n === 0) return;
      records.inc({ kind, result: 'deadlettered' }, n);
      dead.inc({ kind }, n);
    },
    retried: (kind, n) => n > 0 && retries.inc({ kind }, n),
    bulkSeconds: (kind, s) => bulk.observe({ kind }, s),
    lagSource: (kind, read) => void sources.set(kind, read),
  };
}
