import { z } from 'zod';
import { InputError, type ErrorDetail } from '../errors/errors.ts';
import type { AuditDoc } from '../schemas/records.ts';
import { issuesText, listItems, type NormalizeContext, type NormalizeResult } from './normalize.types.ts';
import { sourceTime } from '../time/time.ts';

/**
 * The fields Pharos reads from an `audit.k8s.io/v1` (or `v1beta1`) Event, as the API server's webhook
 * backend sends them (https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event).
 * Loose: unknown fields are kept in `raw`, never a reason to refuse.
 */
const AUDIT_API_VERSION = /^audit\.k8s\.io\/v1(beta1)?$/;
const API_VERSION_MESSAGE = 'must be audit.k8s.io/v1 or audit.k8s.io/v1beta1';
const rawAuditEventSchema = z.looseObject({
  apiVersion: z.string().regex(AUDIT_API_VERSION, API_VERSION_MESSAGE).optional(),
  kind: z.literal('Event').optional(),
  auditID: z.string().min(1),
  stage: z.enum(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic']),
  level: z.string().optional(),
  verb: z.string().optional(),
  requestURI: z.string().optional(),
  user: z.looseObject({ username: z.string().optional(), groups: z.array(z.string()).optional() }).optional(),
  impersonatedUser: z
    .looseObject({ username: z.string().optional(), groups: z.array(z.string()).optional() })
    .nullish(),
  sourceIPs: z.array(z.string()).optional(),
  userAgent: z.string().optional(),
  objectRef: z
    .looseObject({
      resource: z.string().optional(),
      namespace: z.string().optional(),
      name: z.string().optional(),
      subresource: z.string().optional(),
      apiGroup: z.string().optional(),
      apiVersion: z.string().optional(),
      uid: z.string().optional(),
    })
    .optional(),
  responseStatus: z
    .looseObject({ code: z.number().int().optional(), reason: z.string().optional(), message: z.string().optional() })
    .optional(),
  annotations: z.record(z.string(), z.unknown()).nullish(),
  requestReceivedTimestamp: z.unknown().optional(),
  stageTimestamp: z.unknown().optional(),
  /** v1beta1 only. */
  timestamp: z.unknown().optional(),
});
type RawAuditEvent = z.infer<typeof rawAuditEventSchema>;

/**
 * Webhook body → audit docs. Accepts an `EventList` (the webhook's batch), a bare array or one `Event`.
 * Every item is judged on its own: the valid ones become docs, the others are reported by index.
 * Returns undefined when the body has no items at all (not an object or list).
 */
export function normalizeAudit(body: unknown, ctx: NormalizeContext): NormalizeResult<AuditDoc> | undefined {
  checkEnvelope(body);
  const items = listItems(body, 'EventList');
  if (!items) return undefined;
  const result: NormalizeResult<AuditDoc> = { docs: [], rejected: [] };
  items.forEach((item, index) => {
    const parsed = rawAuditEventSchema.safeParse(item);
    if (!parsed.success) return void result.rejected.push({ index, reason: issuesText(parsed.error.issues) });
    const ev = parsed.data;
    // The request time is what people search by; stageTimestamp is the fallback (both are required by the API).
    const time = sourceTime(ev.requestReceivedTimestamp) ?? sourceTime(ev.stageTimestamp) ?? sourceTime(ev.timestamp);
    if (time === undefined)
      return void result.rejected.push({
        index,
        reason: 'requestReceivedTimestamp / stageTimestamp: missing or not a time',
      });
    result.docs.push(toAuditDoc(ev, time, ctx));
  });
  return result;
}

/**
 * The body's own apiVersion and kind, when it has them: an EventList (or one Event) of audit.k8s.io/v1 or
 * v1beta1. Anything else (audit.k8s.io/v2, a core/v1 EventList sent to the wrong intake) is refused whole,
 * naming the field, rather than read as if it were v1.
 */
function checkEnvelope(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const { apiVersion, kind } = body as { apiVersion?: unknown; kind?: unknown };
  const details: ErrorDetail[] = [];
  if (apiVersion !== undefined && (typeof apiVersion !== 'string' || !AUDIT_API_VERSION.test(apiVersion))) {
    details.push({ path: 'body.apiVersion', message: `${API_VERSION_MESSAGE}, not ${JSON.stringify(apiVersion)}` });
  }
  if (kind !== undefined && kind !== 'EventList' && kind !== 'Event') {
    details.push({ path: 'body.kind', message: `must be EventList or Event, not ${JSON.stringify(kind)}` });
  }
  if (details.length)
    throw new InputError(
      `not an audit.k8s.io EventList or Event: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
      details,
    );
}

function toAuditDoc(ev: RawAuditEvent, time: number, ctx: NormalizeContext): AuditDoc {
  const ref = ev.objectRef;
  const doc: AuditDoc = {
    // auditID is unique per request; each stage of it is its own record.
    id: auditId(ev.auditID, ev.stage),
    kind: 'audit',
    cluster: ctx.cluster,
    time,
    ingestedAt: ctx.ingestedAt,
    auditID: ev.auditID,
    stage: ev.stage,
    raw: ev,
  };
  const optional: Partial<AuditDoc> = {
    namespace: ref?.namespace,
    level: ev.level,
    verb: ev.verb,
    user: ev.user?.username,
    groups: ev.user?.groups,
    sourceIP: ev.sourceIPs,
    userAgent: ev.userAgent,
    requestURI: ev.requestURI,
    resource: ref?.resource,
    subresource: ref?.subresource,
    apiGroup: ref?.apiGroup,
    apiVersion: ref?.apiVersion,
    name: ref?.name,
    code: ev.responseStatus?.code,
    ...auditOutcome(ev),
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined && v !== '') (doc as Record<string, unknown>)[k] = v;
  return doc;
}

/**
 * Who the request acted as and how it ended: impersonation (kubectl --as), the authorizer's decision and
 * reason (annotations authorization.k8s.io/decision and /reason, set by the API server since 1.19,
 * https://kubernetes.io/docs/reference/labels-annotations-taints/audit-annotations/), and the response
 * status's reason and message (the text of a 403, "pods is forbidden: User ... cannot list ...").
 */
export function auditOutcome(
  ev: Pick<RawAuditEvent, 'impersonatedUser' | 'annotations' | 'responseStatus' | 'objectRef'>,
): Partial<AuditDoc> {
  const annotation = (key: string) =>
    typeof ev.annotations?.[key] === 'string' ? (ev.annotations[key] as string) : undefined;
  return {
    impersonatedUser: ev.impersonatedUser?.username,
    impersonatedGroups: ev.impersonatedUser?.groups,
    decision: annotation('authorization.k8s.io/decision'),
    authzReason: annotation('authorization.k8s.io/reason'),
    responseReason: ev.responseStatus?.reason,
    responseMessage: ev.responseStatus?.message,
    objectUid: ev.objectRef?.uid,
  };
}

/**
 * The same fields from an audit event stored by an earlier version (its `raw`), for the store's migration.
 * Only what passes the event schema is taken, so an odd raw value never becomes a field.
 */
export function auditOutcomeFromRaw(raw: unknown): Partial<AuditDoc> {
  const parsed = rawAuditEventSchema
    .pick({ impersonatedUser: true, annotations: true, responseStatus: true, objectRef: true })
    .safeParse(raw);
  if (!parsed.success) return {};
  return Object.fromEntries(
    Object.entries(auditOutcome(parsed.data)).filter(([, v]) => v !== undefined && v !== ''),
  ) as Partial<AuditDoc>;
}

export const auditId = (auditID: string, stage: string): string => `${auditID}:${stage}`;

/** Bus key: one object's audit records share a partition, in order; requests with no object go by auditID. */
export function auditKey(doc: AuditDoc): string {
  if (!doc.resource) return doc.auditID;
  return `${doc.namespace ?? ''}/${doc.resource}/${doc.name ?? ''}`;
}
