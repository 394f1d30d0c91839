import type { OtlpLogRecord, OtlpResourceLogs } from '../otlp/otlp-logs.decode.ts';
import { nanosToMillis, valueText, type OtlpAttributes, type OtlpValue } from '../otlp/otlp-values.ts';
import type { EventDoc, LogDoc } from '../schemas/records.ts';
import { normalizeEvent } from './events.normalize.ts';
import { attributesKey, ContentIds, logDoc } from './log-doc.ts';
import type { Rejection } from './normalize.types.ts';
import { k8sEventFromOtlp } from './otlp-k8s-events.ts';

/** A record's cluster from its own name for it (or the request's), or the reason it cannot have one. */
export type ClusterOf = (own: string | undefined) => { cluster: string } | { reason: string };

export interface IntakeResult {
  logs: LogDoc[];
  events: EventDoc[];
  /** By position of the record in the request (resource, scope, record order). */
  rejected: Rejection[];
}

/**
 * OpenTelemetry semantic conventions → record fields (https://opentelemetry.io/docs/specs/semconv/resource/k8s/,
 * …/general/logs/): these keys become fields and leave the attributes; the log record's own attribute wins
 * over the resource's.
 */
const FIELD_KEYS = {
  cluster: 'k8s.cluster.name',
  namespace: 'k8s.namespace.name',
  pod: 'k8s.pod.name',
  container: 'k8s.container.name',
  node: 'k8s.node.name',
  stream: 'log.iostream',
} as const;
const MAPPED = new Set<string>(Object.values(FIELD_KEYS));
/**
 * Fluent Bit's opentelemetry output with `logs_body_key_attributes` sends its kubernetes filter's map as a
 * `kubernetes` attribute: read as a fallback for the semantic-convention keys (it stays among the attributes).
 */
const FLUENT_BIT_KEYS: Partial<Record<keyof typeof FIELD_KEYS, string>> = {
  namespace: 'namespace_name',
  pod: 'pod_name',
  container: 'container_name',
  node: 'host',
};

/** Short names of SeverityNumber (logs data model, "Field: SeverityNumber"), for records that send no text. */
const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
export function severityName(n: number): string | undefined {
  if (n < 1 || n > 24) return undefined;
  const step = (n - 1) % 4;
  return `${SEVERITY_NAMES[Math.floor((n - 1) / 4)]}${step === 0 ? '' : step + 1}`;
}

/**
 * OTLP log records → log and event records. Kubernetes Events sent as logs (the Collector's k8sobjects and
 * k8s_events receivers) become events records with the identity Pharos's own watch gives them
 * (uid:count), so the same Event from both paths is stored once. Log ids hash what identifies a record
 * (cluster, its resource's k8s fields, time in nanoseconds, body, severity, ids and attributes): OTLP gives
 * records no id of their own.
 */
export function normalizeOtlpLogs(
  batch: readonly OtlpResourceLogs[],
  clusterOf: ClusterOf,
  ingestedAt: number,
): IntakeResult {
  const out: IntakeResult = { logs: [], events: [], rejected: [] };
  const ids = new ContentIds(true);
  let index = 0;
  for (const rl of batch) {
    for (const sl of rl.scopeLogs) {
      // The resource's and scope's part of every record's attributes, made once per scope, not per record.
      const shared = sharedAttributes(rl.resource, sl.scope);
      for (const record of sl.logRecords) {
        const reason = addRecord(out, { resource: rl.resource, shared, record, clusterOf, ids, ingestedAt });
        if (reason) out.rejected.push({ index, reason });
        index += 1;
      }
    }
  }
  return out;
}

interface RecordInput {
  resource: OtlpAttributes;
  shared: { attributes: Record<string, string>; key: string };
  record: OtlpLogRecord;
  clusterOf: ClusterOf;
  ids: ContentIds;
  ingestedAt: number;
}

/**
 * A mapped field's value: the record's own semantic-convention attribute, else its resource's, else the Fluent
 * Bit `kubernetes` map. A module function, not a closure made per record: under tsx (`npm start`, the bench)
 * every named closure is also wrapped in esbuild's `__name`, a defineProperty per record.
 */
function fieldOf(name: keyof typeof FIELD_KEYS, record: OtlpLogRecord, resource: OtlpAttributes): string | undefined {
  const key = FIELD_KEYS[name];
  const own = text(record.attributes[key]) ?? text(resource[key]);
  if (own !== undefined) return own;
  const nested = FLUENT_BIT_KEYS[name];
  const fluentBit = record.attributes.kubernetes;
  return nested && isMap(fluentBit) ? text(fluentBit[nested]) : undefined;
}

/** Adds one record's doc to `out`; returns why it cannot be stored, if so. */
function addRecord(out: IntakeResult, input: RecordInput): string | undefined {
  const { resource, record } = input;
  const resolved = input.clusterOf(fieldOf('cluster', record, resource));
  if ('reason' in resolved) return resolved.reason;
  const ctx = { cluster: resolved.cluster, ingestedAt: input.ingestedAt };
  const nanos = record.timeUnixNano !== '0' ? record.timeUnixNano : record.observedTimeUnixNano;

  const event = k8sEventFromOtlp(record, resource);
  if (event !== undefined) {
    const doc = normalizeEvent(event, ctx);
    if (typeof doc === 'string') return `Kubernetes Event: ${doc}`;
    out.events.push(doc);
    return undefined;
  }
  if (nanos === '0') return 'time_unix_nano and observed_time_unix_nano are both unset';
  const own = ownAttributes(record);
  // A record with no attributes of its own (all mapped to fields, as Kubernetes log agents send them) shares its
  // scope's map: no copy per record. Nothing writes to a doc's attributes after normalizing (logDoc bounds a copy).
  const attributes = own === undefined ? input.shared.attributes : { ...input.shared.attributes, ...own };
  const message =
    typeof record.body === 'string' ? record.body : record.body === null ? '' : JSON.stringify(record.body);
  const fields = {
    time: nanosToMillis(nanos),
    message,
    namespace: fieldOf('namespace', record, resource),
    pod: fieldOf('pod', record, resource),
    container: fieldOf('container', record, resource),
    node: fieldOf('node', record, resource),
    stream: fieldOf('stream', record, resource) ?? text(record.attributes.stream),
    severity: record.severityText || severityName(record.severityNumber),
    severityNumber: record.severityNumber,
    traceId: record.traceId,
    spanId: record.spanId,
    attributes,
  };
  const id = input.ids.next([
    ctx.cluster,
    fields.namespace,
    fields.pod,
    fields.container,
    nanos,
    message,
    fields.severity,
    record.traceId,
    record.spanId,
    input.shared.key,
    attributesKey(own),
  ]);
  out.logs.push(logDoc(id, fields, ctx));
  return undefined;
}

/**
 * Resource attributes, then the record's (winning on the same key), minus the mapped ones; nested maps
 * become dotted keys, other values JSON text. The scope name and the event name are kept as the
 * Collector's Elasticsearch exporter keeps them.
 */
function sharedAttributes(
  resource: OtlpAttributes,
  scope: { name: string; version: string },
): { attributes: Record<string, string>; key: string } {
  const attributes: Record<string, string> = {};
  flatten(attributes, '', resource);
  if (scope.name) attributes['otel.scope.name'] = scope.name;
  if (scope.version) attributes['otel.scope.version'] = scope.version;
  return { attributes, key: attributesKey(attributes) };
}

/** The record's own attributes after the mapped ones left; undefined when none are left. */
function ownAttributes(record: OtlpLogRecord): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  flatten(out, '', record.attributes);
  if (record.eventName) out['event.name'] = record.eventName;
  for (const _ in out) return out;
  return undefined;
}

function flatten(out: Record<string, string>, prefix: string, attributes: OtlpAttributes): void {
  for (const key in attributes) {
    const name = prefix + key;
    if (prefix === '' && MAPPED.has(name)) continue;
    const value = attributes[key] as OtlpValue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(out, `${name}.`, value);
    else if (value !== null) out[name] = valueText(value);
  }
}

const text = (v: OtlpValue | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const isMap = (v: OtlpValue | undefined): v is { [key: string]: OtlpValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
