import { z } from 'zod';

/**
 * A stored span. Field names are Data Prepper's `otel-v1-apm-span-*` layout (data-prepper's
 * otel-trace-raw processor and its index template), which OpenSearch Dashboards' trace analytics reads:
 * `traceId`, `spanId`, `parentSpanId` ('' for a root), `name`, `kind` (`SPAN_KIND_SERVER` …), `startTime` /
 * `endTime` (ISO 8601), `durationInNanos`, `serviceName`, `status.code` (0 unset, 1 ok, 2 error),
 * `traceGroup` (the root span's name), `attributes.*`, `resource.attributes.*`. Pharos adds its own
 * `id`, `cluster`, `namespace` (`k8s.namespace.name`), `time` (start, epoch ms: index day and retention),
 * `ingestedAt`, and the exact nanosecond times for the OTLP answer of the trace API.
 */
const value: z.ZodType<unknown> = z.unknown();
const attributeMap = z.record(z.string(), value);

export const spanDocSchema = z.object({
  /** Idempotent: traceId + spanId; with `cluster` the identity of a span (a resend overwrites it). */
  id: z.string().min(1).max(512),
  cluster: z.string().min(1),
  namespace: z.string().optional(),
  time: z.number().int(),
  ingestedAt: z.number().int(),
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  parentSpanId: z.string(),
  traceState: z.string(),
  name: z.string(),
  kind: z.string(),
  serviceName: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  durationInNanos: z.number().int(),
  startTimeUnixNano: z.string(),
  endTimeUnixNano: z.string(),
  status: z.object({ code: z.number().int(), message: z.string().optional() }),
  traceGroup: z.string().nullable(),
  attributes: attributeMap,
  resource: z.object({ attributes: attributeMap }),
  instrumentationScope: z.object({ name: z.string(), version: z.string() }),
  events: z.array(z.object({ name: z.string(), time: z.string(), timeUnixNano: z.string(), attributes: attributeMap })),
  links: z.array(
    z.object({ traceId: z.string(), spanId: z.string(), traceState: z.string(), attributes: attributeMap }),
  ),
  droppedAttributesCount: z.number().int(),
});
export type SpanDoc = z.infer<typeof spanDocSchema>;

/** SpanKind numbers → Data Prepper's names (the proto enum's names). */
export const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;
export const spanKindNumber = (kind: string): number => Math.max(0, (SPAN_KINDS as readonly string[]).indexOf(kind));

/** Status code of an error span (OTLP StatusCode STATUS_CODE_ERROR). */
export const STATUS_ERROR = 2;
