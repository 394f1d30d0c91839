import { z } from 'zod';
import { attributes, hexId, resource, scope, uint64 } from './otlp-json.ts';

/**
 * OTLP/JSON ExportTraceServiceRequest (opentelemetry-proto trace/v1, collector/trace/v1, as of August 2026),
 * strict as the logs one is (otlp-json.ts: a misspelt key is a 400 naming it, not an empty 200). Span kind
 * and status code are integers in proto3 JSON; trace and span ids hex.
 */
const event = z.strictObject({
  timeUnixNano: uint64.optional(),
  name: z.string().optional(),
  attributes,
  droppedAttributesCount: z.number().int().optional(),
});
const link = z.strictObject({
  traceId: hexId(16).optional(),
  spanId: hexId(8).optional(),
  traceState: z.string().optional(),
  attributes,
  droppedAttributesCount: z.number().int().optional(),
  flags: z.number().int().optional(),
});
const span = z.strictObject({
  traceId: hexId(16).optional(),
  spanId: hexId(8).optional(),
  traceState: z.string().optional(),
  parentSpanId: hexId(8).optional(),
  flags: z.number().int().optional(),
  name: z.string().optional(),
  kind: z.number().int().min(0).max(5).optional(),
  startTimeUnixNano: uint64.optional(),
  endTimeUnixNano: uint64.optional(),
  attributes,
  droppedAttributesCount: z.number().int().optional(),
  events: z.array(event).optional(),
  droppedEventsCount: z.number().int().optional(),
  links: z.array(link).optional(),
  droppedLinksCount: z.number().int().optional(),
  status: z.strictObject({ message: z.string().optional(), code: z.number().int().min(0).max(2).optional() }).nullish(),
});

export const tracesRequestJson = z.strictObject({
  resourceSpans: z
    .array(
      z.strictObject({
        resource: resource.nullish(),
        scopeSpans: z
          .array(
            z.strictObject({
              scope: scope.nullish(),
              spans: z.array(span).optional(),
              schemaUrl: z.string().optional(),
            }),
          )
          .optional(),
        schemaUrl: z.string().optional(),
      }),
    )
    .optional(),
});
export type TracesRequestJson = z.infer<typeof tracesRequestJson>;
