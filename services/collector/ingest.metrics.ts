import { Counter, type Registry } from 'prom-client';
import type { RecordKind } from '../../libs/schemas/records.ts';

export type IngestResult = 'accepted' | 'rejected' | 'unavailable' | 'trimmed';
/** Which intake protocol brought the records: Pharos's own intakes and watch, or an agent's protocol. */
export type IngestProtocol = 'pharos' | 'otlp' | 'loki' | 'elasticsearch';

/** Collector side of the pipeline's metrics: records in, by kind, cluster, outcome and protocol. */
/** What a count of records is labelled with (the protocol comes from forProtocol). */
export interface IngestLabels {
  kind: RecordKind | 'spans';
  cluster: string;
  result: IngestResult;
}

export interface IngestMetrics {
  /** `spans`: OTLP traces (issue 22), not a record kind but counted the same way. */
  count(labels: IngestLabels, n: number): void;
  /** The same counter for records of another protocol (this one counts as `pharos`). */
  forProtocol(protocol: IngestProtocol): IngestMetrics;
}

export function ingestMetrics(registry: Registry): IngestMetrics {
  const existing = registry.getSingleMetric('pharos_ingest_records_total') as
    Counter<'kind' | 'cluster' | 'result' | 'protocol'> | undefined;
  const records =
    existing ??
    new Counter({
      name: 'pharos_ingest_records_total',
      help: 'Records received by the collector intakes and watchers: accepted (on the bus), rejected (invalid), unavailable (bus down or full, answered 503); trimmed counts accepted records published without raw because they were over the bus limit. protocol: pharos (its own intakes and watch), otlp, loki, elasticsearch.',
      labelNames: ['kind', 'cluster', 'result', 'protocol'],
      registers: [registry],
    });
  const forProtocol = (protocol: IngestProtocol): IngestMetrics => ({
    count: ({ kind, cluster, result }, n) => {
      if (n > 0) records.inc({ kind, cluster, result, protocol }, n);
    },
    forProtocol,
  });
  return forProtocol('pharos');
}
