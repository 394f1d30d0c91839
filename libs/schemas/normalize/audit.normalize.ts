import { z } from 'zod';
import type { AuditDoc } from '../records.ts';
import { issuesText, listItems, type NormalizeContext, type NormalizeResult } from './normalize.types.ts';
import { parseTime } from './time.ts';

/**
 * The fields Pharos reads from an `audit.k8s.io/v1` (or `v1beta1`) Event, as the API server's webhook
 * backend sends them (https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event).
 * Loose: unknown fields are kept in `raw`, never a reason to refuse.
 */
const rawAuditEventSchema = z.looseObject({
  apiVersion: z.string().regex(/^audit\.k8s\.io\/v1(beta1)?$/, 'must be audit.k8s.io/v1 or audit.k8s.io/v1beta1').optional(),
  kind: z.literal('Event').optional(),
  auditID: z.string().min(1),
  stage: z.enum(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic']),
  level: z.string().optional(),
  verb: z.string().optional(),
  requestURI: z.string().optional(),
  user: z.looseObject({ username: z.string().optional(), groups: z.array(z.string()).optional() }).optional(),
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
    })
    .optional(),
  responseStatus: z.looseObject({ code: z.number().int().optional() }).optional(),
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
  const items = listItems(body, 'EventList');
  if (!items) return undefined;
  const result: NormalizeResult<AuditDoc> = { docs: [], rejected: [] };
  items.forEach((item, index) => {
    const parsed = rawAuditEventSchema.safeParse(item);
    if (!parsed.success) return void result.rejected.push({ index, reason: issuesText(parsed.error.issues) });
    const ev = parsed.data;
    // The request time is what people search by; stageTimestamp is the fallback (both are required by the API).
    const time = parseTime(ev.requestReceivedTimestamp) ?? parseTime(ev.stageTimestamp) ?? parseTime(ev.timestamp);
    if (time === undefined) return void result.rejected.push({ index, reason: 'requestReceivedTimestamp / stageTimestamp: missing or not a time' });
    result.docs.push(toAuditDoc(ev, time, ctx));
  });
  return result;
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
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined && v !== '') (doc as Record<string, unknown>)[k] = v;
  return doc;
}

export const auditId = (auditID: string, stage: string): string => `${auditID}:${stage}`;

/** Bus key: one object's audit records share a partition, in order; requests with no object go by auditID. */
export function auditKey(doc: AuditDoc): string {
  if (!doc.resource) return doc.auditID;
  return `${doc.namespace ?? ''}/${doc.resource}/${doc.name ?? ''}`;
}
