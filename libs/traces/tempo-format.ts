import type { SpanDoc } from '../schemas/span-doc.ts';
import { spanKindNumber } from '../schemas/span-doc.ts';

/**
 * Stored spans → OTLP/JSON ResourceSpans (opentelemetry-proto's JSON mapping: lowerCamelCase, hex ids,
 * 64-bit integers as decimal strings, enums as integers), grouped back by resource and scope as the SDK
 * sent them. Tempo answers `/api/traces/{id}` with `{"batches": [ResourceSpans…]}` (tempopb.Trace), and
 * Grafana reads either that or the protobuf encoding of the same message.
 */
export interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}
export type JsonAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: JsonAnyValue[] } }
  | { kvlistValue: { values: JsonKeyValue[] } };

export function anyValue(v: unknown): JsonAnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: keyValues(v as Record<string, unknown>) } };
  return { stringValue: '' };
}

export const keyValues = (attrs: Record<string, unknown>): JsonKeyValue[] =>
  Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));

export function resourceSpans(spans: readonly SpanDoc[]): object[] {
  const byResource = new Map<
    string,
    {
      resource: Record<string, unknown>;
      scopes: Map<string, { scope: SpanDoc['instrumentationScope']; spans: object[] }>;
    }
  >();
  for (const s of spans) {
    const rkey = `${s.cluster}\u0000${JSON.stringify(s.resource.attributes)}`;
    let r = byResource.get(rkey);
    if (!r) byResource.set(rkey, (r = { resource: withCluster(s), scopes: new Map() }));
    const skey = `${s.instrumentationScope.name}\u0000${s.instrumentationScope.version}`;
    let sc = r.scopes.get(skey);
    if (!sc) r.scopes.set(skey, (sc = { scope: s.instrumentationScope, spans: [] }));
    sc.spans.push(otlpSpan(s));
  }
  return [...byResource.values()].map((r) => ({
    resource: { attributes: keyValues(r.resource) },
    scopeSpans: [...r.scopes.values()].map((sc) => ({ scope: sc.scope, spans: sc.spans })),
  }));
}

/** The OpenTelemetry resource attribute naming a span's Kubernetes cluster. */
export const CLUSTER_ATTRIBUTE = 'k8s.cluster.name';

/**
 * The resource's attributes, with the cluster the span is stored under as `k8s.cluster.name` when the
 * sender did not set it there (the intake took it from the span's attribute, `?cluster=`, the token or
 * `collector.cluster`), so Grafana's trace view shows each span's cluster.
 */
function withCluster(s: SpanDoc): Record<string, unknown> {
  const attrs = s.resource.attributes;
  return CLUSTER_ATTRIBUTE in attrs ? attrs : { ...attrs, [CLUSTER_ATTRIBUTE]: s.cluster };
}

function otlpSpan(s: SpanDoc): object {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.traceState ? { traceState: s.traceState } : {}),
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: spanKindNumber(s.kind),
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    attributes: keyValues(s.attributes),
    ...(s.droppedAttributesCount ? { droppedAttributesCount: s.droppedAttributesCount } : {}),
    events: s.events.map((e) => ({ timeUnixNano: e.timeUnixNano, name: e.name, attributes: keyValues(e.attributes) })),
    links: s.links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      ...(l.traceState ? { traceState: l.traceState } : {}),
      attributes: keyValues(l.attributes),
    })),
    status: { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) },
  };
}
