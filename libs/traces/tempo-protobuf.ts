import { OtlpTypes } from '../otlp/otlp.proto.ts';

/**
 * A trace answer in protobuf, for `Accept: application/protobuf` (what Grafana's Tempo data source asks
 * for on trace by id: tempopb.Trace, `repeated ResourceSpans batches = 1`, the same wire format as
 * ExportTraceServiceRequest's `resource_spans = 1`). Input is resourceSpans' OTLP/JSON (tempo-format.ts):
 * hex ids become bytes; decimal nanosecond strings are read by protobufjs as exact 64-bit Longs.
 */
export function traceProtobuf(batches: readonly object[]): Buffer {
  const withBytes = batches.map((b) => hexToBytes(b));
  const message = OtlpTypes.ExportTraceServiceRequest.fromObject({ resourceSpans: withBytes });
  return Buffer.from(OtlpTypes.ExportTraceServiceRequest.encode(message).finish());
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

function hexToBytes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hexToBytes);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    out[k] = ID_KEYS.has(k) && typeof x === 'string' ? Buffer.from(x, 'hex') : hexToBytes(x);
  return out;
}
