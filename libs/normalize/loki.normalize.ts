import type { LokiStream } from '../loki/loki-push.decode.ts';
import { attributesKey, ContentIds, logDoc, type LogFields } from './log-doc.ts';
import type { ClusterOf, IntakeResult } from './otlp-logs.normalize.ts';

/**
 * Record field → the stream labels that fill it, the first one present winning (`collector.loki.labels`, defaults
 * there).
 */
export interface LokiLabelMap {
  cluster: string[];
  namespace: string[];
  pod: string[];
  container: string[];
  node: string[];
  stream: string[];
  severity: string[];
}

/** Structured metadata that is a record field rather than an attribute (Loki's OTLP ingestion names). */
const METADATA_FIELDS = { traceId: ['trace_id', 'traceID', 'traceid'], spanId: ['span_id', 'spanID', 'spanid'] };

export interface LokiContext {
  clusterOf: ClusterOf;
  labels: LokiLabelMap;
  /** X-Scope-OrgID when `collector.loki.tenantAsCluster`: the cluster of streams without a cluster label. */
  tenantCluster?: string | undefined;
  ingestedAt: number;
}

/**
 * Loki streams → log records. Mapped labels become fields; the other labels and the structured metadata
 * become attributes (`attr.<label>`). The id follows Loki's own de-duplication: one stream (its full label
 * set), one timestamp in nanoseconds, one line is one entry, sent once or twice
 * (https://grafana.com/docs/loki/latest/get-started/labels/ — "duplicate log lines").
 */
export function normalizeLoki(streams: readonly LokiStream[], ctx: LokiContext): IntakeResult {
  const out: IntakeResult = { logs: [], events: [], rejected: [] };
  const ids = new ContentIds(false);
  let index = 0;
  for (const stream of streams) {
    const { fields, attributes, cluster } = streamFields(stream.labels, ctx.labels);
    const resolved = ctx.clusterOf(cluster ?? ctx.tenantCluster);
    const labelsKey = attributesKey(stream.labels);
    for (const entry of stream.entries) {
      const at = index++;
      if ('reason' in resolved) {
        out.rejected.push({ index: at, reason: resolved.reason });
        continue;
      }
      if (!/^\d+$/.test(entry.nanos) || entry.nanos === '0') {
        out.rejected.push({ index: at, reason: 'timestamp: unset or not epoch nanoseconds' });
        continue;
      }
      const record: LogFields = {
        ...fields,
        time: Number(BigInt(entry.nanos) / 1_000_000n),
        message: entry.line,
        attributes: { ...attributes },
      };
      addMetadata(record, entry.metadata);
      const id = ids.next([resolved.cluster, labelsKey, entry.nanos, entry.line]);
      out.logs.push(logDoc(id, record, { cluster: resolved.cluster, ingestedAt: ctx.ingestedAt }));
    }
  }
  return out;
}

function streamFields(labels: Record<string, string>, map: LokiLabelMap) {
  const used = new Set<string>();
  const pick = (names: readonly string[]): string | undefined => {
    for (const name of names) {
      const value = labels[name];
      if (value !== undefined && value !== '') {
        used.add(name);
        return value;
      }
    }
    return undefined;
  };
  const cluster = pick(map.cluster);
  const fields = {
    namespace: pick(map.namespace),
    pod: pick(map.pod),
    container: pick(map.container),
    node: pick(map.node),
    stream: pick(map.stream),
    severity: pick(map.severity),
  };
  const attributes: Record<string, string> = {};
  for (const key in labels) if (!used.has(key)) attributes[key] = labels[key]!;
  return { fields, attributes, cluster };
}

function addMetadata(record: LogFields, metadata: Record<string, string>): void {
  for (const key in metadata) {
    const value = metadata[key]!;
    if (METADATA_FIELDS.traceId.includes(key)) record.traceId = value.toLowerCase();
    else if (METADATA_FIELDS.spanId.includes(key)) record.spanId = value.toLowerCase();
    else record.attributes![key] = value;
  }
}
