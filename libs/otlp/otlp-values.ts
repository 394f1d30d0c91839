import type { PbAnyValue, PbKeyValue, PbLong } from './otlp.proto.ts';

/**
 * OTLP values after decoding, the same for both encodings: AnyValue as plain JSON-like data (int64 as a
 * number when it is safe, else its decimal text; bytes as base64), attributes as an object. Shared by
 * every OTLP signal (logs now, traces with issue 22).
 */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };
export type OtlpAttributes = Record<string, OtlpValue>;

/** An AnyValue with no variant set is "empty" in OTLP; it maps to null. */
export function pbValue(v: PbAnyValue | null | undefined): OtlpValue {
  if (!v) return null;
  switch (v.value) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue ?? false;
    case 'intValue':
      return int64(v.intValue ?? 0);
    case 'doubleValue':
      return v.doubleValue ?? 0;
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map(pbValue);
    case 'kvlistValue':
      return pbAttributes(v.kvlistValue?.values ?? []);
    case 'bytesValue':
      return Buffer.from(v.bytesValue ?? new Uint8Array()).toString('base64');
    default:
      return null;
  }
}

export function pbAttributes(list: readonly PbKeyValue[]): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of list) out[kv.key] = pbValue(kv.value);
  return out;
}

/** Long or number → number when exact, else decimal text (JSON cannot hold a larger integer exactly). */
export function int64(v: PbLong | number | string): number | string {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  const n = v.high * 4294967296 + (v.low >>> 0);
  return Number.isSafeInteger(n) && v.high >= 0 ? n : v.toString();
}

/** fixed64 nanoseconds → decimal text ('0' when unset), exact. */
export function nanosText(v: PbLong | number | string | undefined): string {
  if (v === undefined) return '0';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  // BigInt, not Long.prototype.toString (radix conversion by repeated Long division, ~10× slower here).
  return v.high === 0 ? String(v.low >>> 0) : ((BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)).toString();
}

/** Decimal nanoseconds → epoch milliseconds, floored, exact (BigInt: ns since 1970 do not fit a double). */
export function nanosToMillis(nanos: string): number {
  if (nanos.length <= 15) return Math.floor(Number(nanos) / 1e6);
  return Number(BigInt(nanos) / 1_000_000n);
}

/** Lowercase hex of an id; protobufjs gives Buffers on Node (read as they are), a Uint8Array elsewhere. */
export const hex = (bytes: Uint8Array | undefined): string =>
  bytes && bytes.length > 0
    ? (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)).toString('hex')
    : '';

/** Attribute values as the strings stored in records: strings as they are, anything else as JSON. */
export function valueText(v: OtlpValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
