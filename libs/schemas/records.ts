import { z } from 'zod';

/**
 * The stored shape of every record, one per kind. Collectors normalize raw input (audit.k8s.io Event,
 * core/v1 Event, Fluent Bit log line) into these; both stores keep exactly these fields, so a query means
 * the same thing on SQLite and OpenSearch. Field names here are the filter names of the Query API.
 */
export const RECORD_KINDS = ['logs', 'events', 'audit'] as const;
export const recordKindSchema = z.enum(RECORD_KINDS);
export type RecordKind = z.infer<typeof recordKindSchema>;

const common = {
  /** Deterministic id: the same input always yields the same id, so redelivery overwrites, never duplicates. */
  id: z.string().min(1).max(512),
  cluster: z.string().min(1),
  namespace: z.string().optional(),
  /** Event time, epoch milliseconds. */
  time: z.number().int(),
  /** When the collector accepted it, epoch milliseconds. */
  ingestedAt: z.number().int(),
};

export const logDocSchema = z.object({
  ...common,
  kind: z.literal('logs'),
  message: z.string(),
  pod: z.string().optional(),
  container: z.string().optional(),
  node: z.string().optional(),
  stream: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  /** OTLP severity_text (else the level name of severityNumber), Loki's `level` label, an ES document's `level`. */
  severity: z.string().optional(),
  /** OTLP severity_number, 1–24 (TRACE 1–4 … FATAL 21–24). */
  severityNumber: z.number().int().optional(),
  /** W3C trace and span ids, lowercase hex (OTLP trace_id / span_id). */
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  /**
   * Everything else the sender attached (OTLP resource and log attributes, Loki stream labels beyond the
   * mapped ones and structured metadata, unmapped ES document fields), flattened to dotted keys with string
   * values. Filter with `attr.<key>=value`, search with `attr.<key>:value` in q.
   */
  attributes: z.record(z.string(), z.string()).optional(),
});
export type LogDoc = z.infer<typeof logDocSchema>;

export const eventDocSchema = z.object({
  ...common,
  kind: z.literal('events'),
  /** involvedObject.kind / .name / .uid (core/v1) or regarding.* (events.k8s.io/v1). */
  objectKind: z.string().optional(),
  name: z.string().optional(),
  objectUid: z.string().optional(),
  reason: z.string().optional(),
  type: z.string().optional(),
  message: z.string().optional(),
  source: z.string().optional(),
  host: z.string().optional(),
  count: z.number().int().optional(),
  firstTimestamp: z.number().int().optional(),
  lastTimestamp: z.number().int().optional(),
  /** metadata.uid of the Event object itself. */
  uid: z.string().optional(),
  raw: z.unknown().optional(),
});
export type EventDoc = z.infer<typeof eventDocSchema>;

export const auditDocSchema = z.object({
  ...common,
  kind: z.literal('audit'),
  auditID: z.string(),
  stage: z.string(),
  level: z.string().optional(),
  verb: z.string().optional(),
  user: z.string().optional(),
  groups: z.array(z.string()).optional(),
  sourceIP: z.array(z.string()).optional(),
  userAgent: z.string().optional(),
  requestURI: z.string().optional(),
  resource: z.string().optional(),
  subresource: z.string().optional(),
  apiGroup: z.string().optional(),
  apiVersion: z.string().optional(),
  /** objectRef.name */
  name: z.string().optional(),
  /** responseStatus.code */
  code: z.number().int().optional(),
  /** impersonatedUser.username / .groups: who the request acted as (kubectl --as). */
  impersonatedUser: z.string().optional(),
  impersonatedGroups: z.array(z.string()).optional(),
  /** Annotations authorization.k8s.io/decision (allow, forbid) and authorization.k8s.io/reason. */
  decision: z.string().optional(),
  authzReason: z.string().optional(),
  /** responseStatus.reason (Forbidden, NotFound, AlreadyExists …) and .message. */
  responseReason: z.string().optional(),
  responseMessage: z.string().optional(),
  /** objectRef.uid, where the API server sets it. */
  objectUid: z.string().optional(),
  raw: z.unknown().optional(),
});
export type AuditDoc = z.infer<typeof auditDocSchema>;

export const docSchemaByKind = { logs: logDocSchema, events: eventDocSchema, audit: auditDocSchema } as const;

/**
 * A map of string values as JSON.parse makes it (a record's labels, attributes): what `z.record(z.string(),
 * z.string())` accepts, checked in one loop and kept as the object it is, where zod's record builds a new
 * object key by key (a regex test, two schema runs and a property write per key). For the indexer, which
 * validates every record it takes from the bus, that record check was 0.45 of 0.5 s per 100,000 OTLP records
 * (three attributes each). An own `__proto__` key (zod's record drops it) is refused: no collector writes
 * one (assigning `__proto__` on a plain object sets no property).
 */
export function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) {
    if (key === '__proto__' || typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  }
  return true;
}

const stringMap = z.custom<Record<string, string>>(isStringMap, { message: 'expected an object of string values' });

/**
 * The schemas records are checked with when they come off the bus (services/indexer/index-batch.ts): the same
 * documents as docSchemaByKind accepts, with the string maps checked by isStringMap.
 */
export const busDocSchemaByKind = {
  logs: logDocSchema.extend({ labels: stringMap.optional(), attributes: stringMap.optional() }),
  events: eventDocSchema,
  audit: auditDocSchema,
} as const;

/**
 * Query API filter name → stored field, per kind (issue contract). Multi-valued stored fields (groups,
 * sourceIP) match when any element matches.
 */
export const FILTER_FIELDS: Record<RecordKind, Record<string, string>> = {
  logs: { cluster: 'cluster', namespace: 'namespace', pod: 'pod', container: 'container', node: 'node' },
  events: {
    cluster: 'cluster',
    namespace: 'namespace',
    kind: 'objectKind',
    name: 'name',
    reason: 'reason',
    type: 'type',
  },
  audit: {
    cluster: 'cluster',
    namespace: 'namespace',
    verb: 'verb',
    user: 'user',
    group: 'groups',
    sourceIP: 'sourceIP',
    resource: 'resource',
    subresource: 'subresource',
    name: 'name',
    code: 'code',
    level: 'level',
    stage: 'stage',
    impersonatedUser: 'impersonatedUser',
    impersonatedGroup: 'impersonatedGroups',
    decision: 'decision',
    authzReason: 'authzReason',
    responseReason: 'responseReason',
    objectUid: 'objectUid',
  },
};

/**
 * Filters on fields kept in the stored document rather than in a filter column of their own (the SQLite
 * store reads them from the JSON; OpenSearch indexes them as keywords): filter name → document field.
 */
export const DOC_FILTER_FIELDS: Record<RecordKind, Record<string, string>> = {
  logs: { severity: 'severity', traceId: 'traceId', spanId: 'spanId' },
  events: {},
  audit: {},
};

/**
 * `attr.<key>` filters (and `attr.<key>:value` in q) match one key of a kind's attribute map, by kind.
 * Keys are the senders' own (`k8s.deployment.name`, `service.name`), so they cannot be columns.
 */
export const ATTRIBUTE_FILTER_PREFIX = 'attr.';
export const ATTRIBUTE_FIELD: Partial<Record<RecordKind, string>> = { logs: 'attributes' };

/** Fields the free-text search `q` looks in, per kind. */
export const TEXT_FIELDS: Record<RecordKind, readonly string[]> = {
  logs: ['message'],
  events: ['message'],
  audit: ['requestURI', 'user', 'name', 'impersonatedUser', 'responseMessage'],
};

export type DocOf<K extends RecordKind> = K extends 'logs' ? LogDoc : K extends 'events' ? EventDoc : AuditDoc;
export type AnyDoc = LogDoc | EventDoc | AuditDoc;
