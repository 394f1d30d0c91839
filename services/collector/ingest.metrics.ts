import { Counter, type Registry } from 'prom-client';
import type { RecordKind } from '../../libs/schemas/records.ts';

export type IngestResult = 'accepted' | 'rejected' | 'unavailable' | 'trimmed';

/** Collector side of the pipeline's metrics: records in, by kind, cluster and outcome. */
export interface IngestMetrics {
  count(kind: RecordKind, cluster: string, result: IngestResult, n: number): void;
}

export function ingestMetrics(registry: Registry): IngestMetrics {
  const existing = registry.getSingleMetric('pharos_ingest_records_total') as Counter<'kind' | 'cluster' | 'result'> | undefined;
  const records =
    existing ??
    new Counter({
      name: 'pharos_ingest_records_total',
      help: 'Records received by the collector intakes and watchers: accepted (on the bus), rejected (invalid), unavailable (bus down or full, answered 503); trimmed counts accepted records published without raw because they were over the bus limit.',
      labelNames: ['kind', 'cluster', 'result'],
      registers: [registry],
    });
  return {
    count: (kind, cluster, result, n) => {
      if (n > 0) records.inc({ kind, cluster, result }, n);
    },
  };
}
