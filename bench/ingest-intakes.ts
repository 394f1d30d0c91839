import { gzipSync } from 'node:zlib';
import { OtlpTypes } from '../libs/otlp/otlp.proto.ts';
import { benchLines } from './ingest-lines.ts';

/** How one intake protocol is fed: its URL, headers and batch bodies (the first `limit` lines of batch b). */
export interface Intake {
  name: string;
  label: string;
  path: string;
  headers: Record<string, string>;
  body(b: number, limit?: number): string | Buffer;
}

/**
 * The ingest bench's data: the same log lines as Fluent Bit NDJSON and as OTLP/HTTP protobuf, batch by batch
 * (bench/ingest.bench.ts). Pod `p<b>` marks batch b in both, so its visibility can be measured on its own.
 */
export function ingestIntakes({ records: RECORDS, batch: BATCH }: { records: number; batch: number }) {
  const batchSize = (b: number): number => Math.min(BATCH, RECORDS - b * BATCH);

  /** Batch b's records as Fluent Bit's kubernetes filter makes them (bench/ingest-lines.ts). */
  const lines = (b: number): Record<string, unknown>[] => benchLines(b, batchSize(b), BATCH);

  /**
   * Batch b's lines as one OTLP/HTTP protobuf request: a ResourceLogs per namespace (resource attributes
   * `k8s.namespace.name`, `k8s.pod.name` `p<b>`, `k8s.container.name`, the pod labels), each line a LogRecord
   * with its time in nanoseconds, the line as body and `log.iostream`, `k8s.node.name` as attributes.
   * Uncompressed, as the Fluent Bit phase is (BENCH_OTLP_GZIP=1 gzips, as the Collector does by default).
   */
  function otlpBody(b: number, limit = BATCH): Buffer {
    const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const byNamespace = new Map<string, object[]>();
    lines(b)
      .slice(0, limit)
      .forEach((l, i) => {
        const n = b * BATCH + i;
        const k = l.kubernetes as { namespace_name: string; host: string };
        const records = byNamespace.get(k.namespace_name) ?? [];
        byNamespace.set(k.namespace_name, records);
        records.push({
          timeUnixNano: `${BigInt(1_790_000_000_000 + n) * 1_000_000n}`,
          severityNumber: 9,
          severityText: 'INFO',
          body: { stringValue: l.log as string },
          attributes: [str('log.iostream', l.stream as string), str('k8s.node.name', k.host)],
        });
      });
    const request = {
      resourceLogs: [...byNamespace].map(([ns, logRecords]) => ({
        resource: {
          attributes: [
            str('k8s.namespace.name', ns),
            str('k8s.pod.name', `p${b}`),
            str('k8s.container.name', 'app'),
            str('k8s.pod.label.app', 'cart'),
            str('k8s.pod.label.tier', 'web'),
          ],
        },
        scopeLogs: [{ scope: { name: 'bench' }, logRecords }],
      })),
    };
    const bytes = Buffer.from(
      OtlpTypes.ExportLogsServiceRequest.encode(OtlpTypes.ExportLogsServiceRequest.fromObject(request)).finish(),
    );
    return process.env.BENCH_OTLP_GZIP === '1' ? gzipSync(bytes) : bytes;
  }

  const FLUENT_BIT: Intake = {
    name: 'bench',
    label: 'HTTP intake (Fluent Bit NDJSON) → Kafka → OpenSearch',
    path: '/v1/ingest/logs',
    headers: { 'content-type': 'application/x-ndjson' },
    body: (b, limit = BATCH) =>
      lines(b)
        .slice(0, limit)
        .map((l) => JSON.stringify(l))
        .join('\n'),
  };
  const OTLP: Intake = {
    name: 'otlp',
    label: 'OTLP/HTTP protobuf → Kafka → OpenSearch',
    path: '/otlp/v1/logs',
    headers: {
      'content-type': 'application/x-protobuf',
      ...(process.env.BENCH_OTLP_GZIP === '1' ? { 'content-encoding': 'gzip' } : {}),
    },
    body: otlpBody,
  };

  return { batchSize, lines, FLUENT_BIT, OTLP };
}
