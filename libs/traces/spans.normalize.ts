import type { OtlpResourceSpans, OtlpSpan } from '../otlp/otlp-traces.decode.ts';
import { nanosToMillis, type OtlpAttributes } from '../otlp/otlp-values.ts';
import type { ClusterOf } from '../normalize/otlp-logs.normalize.ts';
import type { Rejection } from '../normalize/normalize.types.ts';
import { SPAN_KINDS, type SpanDoc } from '../schemas/span-doc.ts';

/**
 * A stored span's JSON may be at most this long. Spans are small (the SDKs' default limits are 128
 * attributes, events and links); one over this is refused in partial_success, not cut: a cut span would
 * be silently different from what was sent. Well under the bus's per-record limit (MAX_RECORD_BYTES).
 */
export const MAX_SPAN_BYTES = 128 * 1024;

export interface SpansResult {
  spans: SpanDoc[];
  /** By position of the span in the request (resource, scope, span order). */
  rejected: Rejection[];
}

const ZERO_TRACE = /^0+$/;

/**
 * OTLP resource spans → span docs. Cluster from `k8s.cluster.name` (span attribute, else resource), else
 * the request's; namespace from `k8s.namespace.name`; service from `service.name` (the SDKs default it to
 * `unknown_service:<process>`). A span without a valid trace or span id, or with no start time, cannot be
 * stored or joined into a trace: it is refused (OTLP: "a span with an invalid id is invalid").
 */
export function normalizeSpans(
  batch: readonly OtlpResourceSpans[],
  clusterOf: ClusterOf,
  ingestedAt: number,
): SpansResult {
  const out: SpansResult = { spans: [], rejected: [] };
  const made: { doc: SpanDoc; index: number }[] = [];
  const roots = new Map<string, string>();
  let index = 0;
  for (const rs of batch) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const doc = spanDoc({ span, resource: rs.resource, scope: ss.scope, clusterOf, ingestedAt });
        if (typeof doc === 'string') out.rejected.push({ index, reason: doc });
        else {
          made.push({ doc, index });
          if (doc.parentSpanId === '') roots.set(doc.traceId, doc.name);
        }
        index += 1;
      }
    }
  }
  // traceGroup is the root span's name for every span of the trace (Data Prepper's trace-group processor);
  // here it is known for the spans that came with their root (an SDK's batch usually holds whole traces).
  // Then each span's size, measured on the JSON text the publisher sends (spanJson), made once here.
  for (const { doc, index: at } of made) {
    doc.traceGroup = roots.get(doc.traceId) ?? null;
    const json = JSON.stringify(doc);
    // A UTF-16 unit is at most 3 bytes of UTF-8: most spans are under the limit by their length alone.
    const bytes = json.length * 3 <= MAX_SPAN_BYTES ? 0 : Buffer.byteLength(json, 'utf8');
    if (bytes > MAX_SPAN_BYTES)
      out.rejected.push({ index: at, reason: `span of ${bytes} bytes is over the limit of ${MAX_SPAN_BYTES} bytes` });
    else {
      texts.set(doc, json);
      out.spans.push(doc);
    }
  }
  out.rejected.sort((a, b) => a.index - b.index);
  return out;
}

interface SpanInput {
  span: OtlpSpan;
  resource: OtlpAttributes;
  scope: { name: string; version: string };
  clusterOf: ClusterOf;
  ingestedAt: number;
}

function spanDoc({ span, resource, scope, clusterOf, ingestedAt }: SpanInput): SpanDoc | string {
  if (!/^[0-9a-f]{32}$/.test(span.traceId) || ZERO_TRACE.test(span.traceId))
    return 'span without a valid trace id (16 bytes, not all zero)';
  if (!/^[0-9a-f]{16}$/.test(span.spanId) || ZERO_TRACE.test(span.spanId))
    return 'span without a valid span id (8 bytes, not all zero)';
  if (span.parentSpanId !== '' && !/^[0-9a-f]{16}$/.test(span.parentSpanId)) return 'parent span id is not 8 bytes';
  if (span.startTimeUnixNano === '0') return 'span without a start time';
  const ownCluster = text(span.attributes['k8s.cluster.name']) ?? text(resource['k8s.cluster.name']);
  const where = clusterOf(ownCluster);
  if ('reason' in where) return where.reason;
  const end =
    span.endTimeUnixNano === '0' || BigInt(span.endTimeUnixNano) < BigInt(span.startTimeUnixNano)
      ? span.startTimeUnixNano
      : span.endTimeUnixNano;
  const namespace = text(span.attributes['k8s.namespace.name']) ?? text(resource['k8s.namespace.name']);
  const doc: SpanDoc = {
    id: `${span.traceId}${span.spanId}`,
    cluster: where.cluster,
    ...(namespace ? { namespace } : {}),
    time: nanosToMillis(span.startTimeUnixNano),
    ingestedAt,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    traceState: span.traceState,
    name: span.name,
    kind: SPAN_KINDS[span.kind] ?? SPAN_KINDS[0],
    serviceName: text(resource['service.name']) ?? 'unknown_service',
    startTime: isoNanos(span.startTimeUnixNano),
    endTime: isoNanos(end),
    durationInNanos: Number(BigInt(end) - BigInt(span.startTimeUnixNano)),
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: end,
    status: span.status.message ? { code: span.status.code, message: span.status.message } : { code: span.status.code },
    traceGroup: null,
    attributes: span.attributes,
    resource: { attributes: resource },
    instrumentationScope: scope,
    events: span.events.map((e) => ({
      name: e.name,
      time: isoNanos(e.timeUnixNano),
      timeUnixNano: e.timeUnixNano,
      attributes: e.attributes,
    })),
    links: span.links,
    droppedAttributesCount: span.droppedAttributesCount,
  };
  return doc;
}

/** The JSON text each span was measured by in normalizeSpans, kept so the collector's publisher does not make it again. */
const texts = new WeakMap<SpanDoc, string>();

/** A span's JSON text: the one normalizeSpans measured it by (the doc is not changed after), else serialized now. */
export const spanJson = (doc: SpanDoc): string => texts.get(doc) ?? JSON.stringify(doc);

const DIGITS = /^[1-9]\d*$/;
let lastSecond = { digits: '', iso: '' };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Nanoseconds since the epoch → ISO 8601 with the nanoseconds kept (Data Prepper writes them so). */
export function isoNanos(nanos: string): string {
  // At least a second after the epoch (10 to 19 digits, as OTLP's fixed64 gives it): its millisecond and nanosecond parts are the
  // digits themselves, read without BigInt (two per span on the collector's hot path).
  if (nanos.length >= 10 && nanos.length <= 19 && DIGITS.test(nanos)) {
    // A request's spans mostly start and end within the same second: its text is made once.
    const seconds = nanos.slice(0, -9);
    if (seconds !== lastSecond.digits)
      lastSecond = { digits: seconds, iso: new Date(Number(seconds) * 1000).toISOString().slice(0, 19) };
    return `${lastSecond.iso}.${nanos.slice(-9)}Z`;
  }
  const n = BigInt(nanos);
  const ms = Number(n / 1_000_000n);
  const frac = (n % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}
