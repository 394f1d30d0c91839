import { InputError, zodDetails } from '../errors/errors.ts';
import { jsonAttributes } from './otlp-json.ts';
import type { OtlpEncoding } from './otlp-logs.decode.ts';
import { tracesRequestJson } from './otlp-traces.json.ts';
import { OtlpTypes, type PbResourceSpans } from './otlp.proto.ts';
import { hex, nanosText, pbAttributes, type OtlpAttributes } from './otlp-values.ts';

/** One OTLP span, decoded the same way from either encoding. Ids lowercase hex ('' when unset). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Nanoseconds since the epoch as decimal text; '0' when unset. */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttributes;
  droppedAttributesCount: number;
  events: { timeUnixNano: string; name: string; attributes: OtlpAttributes }[];
  links: { traceId: string; spanId: string; traceState: string; attributes: OtlpAttributes }[];
  /** StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
}

export interface OtlpResourceSpans {
  resource: OtlpAttributes;
  scopeSpans: { scope: { name: string; version: string }; spans: OtlpSpan[] }[];
}

/**
 * An ExportTraceServiceRequest body (already decompressed) → resource spans. Throws InputError (400, not
 * retried) for a body that cannot be decoded, as the logs intake does.
 */
export function decodeTracesRequest(body: Buffer, encoding: OtlpEncoding): OtlpResourceSpans[] {
  return encoding === 'protobuf' ? decodeProtobuf(body) : decodeJson(body);
}

function decodeProtobuf(body: Buffer): OtlpResourceSpans[] {
  let message: { resourceSpans: PbResourceSpans[] };
  try {
    message = OtlpTypes.ExportTraceServiceRequest.decode(body) as unknown as { resourceSpans: PbResourceSpans[] };
  } catch (err) {
    throw new InputError(`the body is not an OTLP ExportTraceServiceRequest in protobuf: ${(err as Error).message}`);
  }
  return message.resourceSpans.map((rs) => ({
    resource: pbAttributes(rs.resource?.attributes ?? []),
    scopeSpans: rs.scopeSpans.map((ss) => ({
      scope: { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' },
      spans: ss.spans.map((s) => ({
        traceId: hex(s.traceId),
        spanId: hex(s.spanId),
        parentSpanId: hex(s.parentSpanId),
        traceState: s.traceState,
        name: s.name,
        kind: s.kind,
        startTimeUnixNano: nanosText(s.startTimeUnixNano),
        endTimeUnixNano: nanosText(s.endTimeUnixNano),
        attributes: pbAttributes(s.attributes),
        droppedAttributesCount: s.droppedAttributesCount,
        events: s.events.map((e) => ({
          timeUnixNano: nanosText(e.timeUnixNano),
          name: e.name,
          attributes: pbAttributes(e.attributes),
        })),
        links: s.links.map((l) => ({
          traceId: hex(l.traceId),
          spanId: hex(l.spanId),
          traceState: l.traceState,
          attributes: pbAttributes(l.attributes),
        })),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
      })),
    })),
  }));
}

function decodeJson(body: Buffer): OtlpResourceSpans[] {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new InputError(`the body is not JSON: ${(err as Error).message}`);
  }
  const parsed = tracesRequestJson.safeParse(value);
  if (!parsed.success) {
    const details = zodDetails(parsed.error.issues).slice(0, 20);
    throw new InputError(
      `the body is not an OTLP/JSON ExportTraceServiceRequest: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return (parsed.data.resourceSpans ?? []).map((rs) => ({
    resource: jsonAttributes(rs.resource?.attributes),
    scopeSpans: (rs.scopeSpans ?? []).map((ss) => ({
      scope: { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' },
      spans: (ss.spans ?? []).map((s) => ({
        traceId: (s.traceId ?? '').toLowerCase(),
        spanId: (s.spanId ?? '').toLowerCase(),
        parentSpanId: (s.parentSpanId ?? '').toLowerCase(),
        traceState: s.traceState ?? '',
        name: s.name ?? '',
        kind: s.kind ?? 0,
        startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
        endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
        attributes: jsonAttributes(s.attributes),
        droppedAttributesCount: s.droppedAttributesCount ?? 0,
        events: (s.events ?? []).map((e) => ({
          timeUnixNano: String(e.timeUnixNano ?? '0'),
          name: e.name ?? '',
          attributes: jsonAttributes(e.attributes),
        })),
        links: (s.links ?? []).map((l) => ({
          traceId: (l.traceId ?? '').toLowerCase(),
          spanId: (l.spanId ?? '').toLowerCase(),
          traceState: l.traceState ?? '',
          attributes: jsonAttributes(l.attributes),
        })),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
      })),
    })),
  }));
}
