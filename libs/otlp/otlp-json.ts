import { z } from 'zod';
import type { OtlpAttributes, OtlpValue } from './otlp-values.ts';

/**
 * OTLP/JSON (docs/specification.md, "JSON Protobuf Encoding"): proto3 JSON mapping with lowerCamelCase
 * keys, 64-bit integers as decimal strings or numbers, enums as integers, trace and span ids as hex.
 *
 * Unknown field names are refused (400 naming the field), although the spec says receivers MUST ignore
 * them: a misspelt key (`resourceLog`, `logRecord`) would otherwise be accepted as an empty request,
 * answered 200 and lost. Every field opentelemetry-proto defines (August 2026: entityRefs, eventName,
 * the *Strindex dictionary fields) is known, so current SDKs and Collectors are not refused. Binary
 * protobuf stays lenient about unknown field numbers, as protobuf decoding is (otlp-logs.decode.ts).
 */
const int64 = z.union([z.string().regex(/^-?\d{1,20}$/, 'a decimal integer'), z.number().int()]);
export const uint64 = z.union([z.string().regex(/^\d{1,20}$/, 'a decimal integer'), z.number().int().nonnegative()]);
export const hexId = (bytes: number) =>
  z
    .string()
    .refine(
      (s) => s === '' || new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(s),
      `${bytes * 2} hex digits (OTLP/JSON encodes ids as hex, not base64)`,
    );

interface JsonAnyValue {
  stringValue?: string | undefined;
  boolValue?: boolean | undefined;
  intValue?: string | number | undefined;
  doubleValue?: number | string | undefined;
  arrayValue?: { values?: JsonAnyValue[] | undefined } | undefined;
  kvlistValue?: { values?: JsonKeyValue[] | undefined } | undefined;
  bytesValue?: string | undefined;
  stringValueStrindex?: number | undefined;
}
interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue | null | undefined;
  keyStrindex?: number | undefined;
}

const anyValue: z.ZodType<JsonAnyValue> = z.lazy(() =>
  z.strictObject({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: int64.optional(),
    // proto3 JSON writes NaN and the infinities as strings.
    doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
    arrayValue: z.strictObject({ values: z.array(anyValue).optional() }).optional(),
    kvlistValue: z.strictObject({ values: z.array(keyValue).optional() }).optional(),
    bytesValue: z.string().optional(),
    stringValueStrindex: z.number().int().optional(),
  }),
);
const keyValue: z.ZodType<JsonKeyValue> = z.lazy(() =>
  z.strictObject({ key: z.string(), value: anyValue.nullish(), keyStrindex: z.number().int().optional() }),
);
export const attributes = z.array(keyValue).optional();
const entityRef = z.strictObject({
  schemaUrl: z.string().optional(),
  type: z.string().optional(),
  idKeys: z.array(z.string()).optional(),
  descriptionKeys: z.array(z.string()).optional(),
});
export const resource = z.strictObject({
  attributes,
  droppedAttributesCount: z.number().int().optional(),
  entityRefs: z.array(entityRef).optional(),
});
export const scope = z.strictObject({
  name: z.string().optional(),
  version: z.string().optional(),
  attributes,
  droppedAttributesCount: z.number().int().optional(),
});

const logRecord = z.strictObject({
  timeUnixNano: uint64.optional(),
  observedTimeUnixNano: uint64.optional(),
  severityNumber: z.number().int().min(0).max(24).optional(),
  severityText: z.string().optional(),
  body: anyValue.nullish(),
  attributes,
  droppedAttributesCount: z.number().int().optional(),
  flags: z.number().int().optional(),
  traceId: hexId(16).optional(),
  spanId: hexId(8).optional(),
  eventName: z.string().optional(),
});

export const logsRequestJson = z.strictObject({
  resourceLogs: z
    .array(
      z.strictObject({
        resource: resource.nullish(),
        scopeLogs: z
          .array(
            z.strictObject({
              scope: scope.nullish(),
              logRecords: z.array(logRecord).optional(),
              schemaUrl: z.string().optional(),
            }),
          )
          .optional(),
        schemaUrl: z.string().optional(),
      }),
    )
    .optional(),
});
export type LogsRequestJson = z.infer<typeof logsRequestJson>;

export function jsonValue(v: JsonAnyValue | null | undefined): OtlpValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined)
    return typeof v.intValue === 'number' || Number.isSafeInteger(Number(v.intValue)) ? Number(v.intValue) : v.intValue;
  if (v.doubleValue !== undefined) return typeof v.doubleValue === 'number' ? v.doubleValue : v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(jsonValue);
  if (v.kvlistValue !== undefined) return jsonAttributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

export function jsonAttributes(list: readonly JsonKeyValue[] | undefined): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of list ?? []) out[kv.key] = jsonValue(kv.value);
  return out;
}
