import { z } from 'zod';
import type { EventDoc } from '../schemas/records.ts';
import { issuesText, listItems, type NormalizeContext, type NormalizeResult } from './normalize.types.ts';
import { sourceTime } from '../time/time.ts';

const objectRef = z.looseObject({
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
});
const metadata = z.looseObject({
  uid: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  creationTimestamp: z.unknown().optional(),
});
const series = z
  .looseObject({ count: z.number().int().optional(), lastObservedTime: z.unknown().optional() })
  .nullish();
const source = z.looseObject({ component: z.string().optional(), host: z.string().optional() }).nullish();

/** core/v1 Event (https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/). */
const coreEventSchema = z.looseObject({
  metadata,
  involvedObject: objectRef.optional(),
  reason: z.string().nullish(),
  message: z.string().nullish(),
  type: z.string().nullish(),
  count: z.number().int().nullish(),
  firstTimestamp: z.unknown().optional(),
  lastTimestamp: z.unknown().optional(),
  eventTime: z.unknown().optional(),
  series,
  source,
  reportingComponent: z.string().nullish(),
});

/** events.k8s.io/v1 Event: `regarding`, `note`, `deprecated*` instead of the core names. */
const newEventSchema = z.looseObject({
  metadata,
  regarding: objectRef.optional(),
  reason: z.string().nullish(),
  note: z.string().nullish(),
  type: z.string().nullish(),
  eventTime: z.unknown().optional(),
  series,
  deprecatedCount: z.number().int().nullish(),
  deprecatedFirstTimestamp: z.unknown().optional(),
  deprecatedLastTimestamp: z.unknown().optional(),
  deprecatedSource: source,
  reportingController: z.string().nullish(),
});

/** The fields both API versions share once renamed, before the checks that need them. */
interface Unified {
  uid?: string | undefined;
  metaName?: string | undefined;
  namespace?: string | undefined;
  regarding?: z.infer<typeof objectRef> | undefined;
  reason?: string | null | undefined;
  message?: string | null | undefined;
  type?: string | null | undefined;
  count: number;
  first?: number | undefined;
  last?: number | undefined;
  time?: number | undefined;
  source?: string | null | undefined;
  host?: string | null | undefined;
}

const isNewApi = (item: unknown): boolean => {
  const o = item as { apiVersion?: unknown; regarding?: unknown };
  return (
    (typeof o?.apiVersion === 'string' && o.apiVersion.startsWith('events.k8s.io/')) ||
    (o?.regarding !== undefined && o?.apiVersion === undefined)
  );
};

function unify(item: unknown): { ok: true; value: Unified } | { ok: false; reason: string } {
  if (isNewApi(item)) {
    const p = newEventSchema.safeParse(item);
    if (!p.success) return { ok: false, reason: issuesText(p.error.issues) };
    const e = p.data;
    const last = sourceTime(e.series?.lastObservedTime) ?? sourceTime(e.deprecatedLastTimestamp);
    return {
      ok: true,
      value: {
        uid: e.metadata.uid,
        metaName: e.metadata.name,
        namespace: e.metadata.namespace ?? e.regarding?.namespace,
        regarding: e.regarding,
        reason: e.reason,
        message: e.note,
        type: e.type,
        count: e.series?.count ?? e.deprecatedCount ?? 1,
        first: sourceTime(e.deprecatedFirstTimestamp),
        last,
        time: last ?? sourceTime(e.eventTime) ?? sourceTime(e.metadata.creationTimestamp),
        source: e.reportingController ?? e.deprecatedSource?.component,
        host: e.deprecatedSource?.host,
      },
    };
  }
  const p = coreEventSchema.safeParse(item);
  if (!p.success) return { ok: false, reason: issuesText(p.error.issues) };
  const e = p.data;
  const last = sourceTime(e.lastTimestamp) ?? sourceTime(e.series?.lastObservedTime);
  const first = sourceTime(e.firstTimestamp);
  return {
    ok: true,
    value: {
      uid: e.metadata.uid,
      metaName: e.metadata.name,
      namespace: e.metadata.namespace ?? e.involvedObject?.namespace,
      regarding: e.involvedObject,
      reason: e.reason,
      message: e.message,
      type: e.type,
      count: e.series?.count ?? e.count ?? 1,
      first,
      last,
      time: last ?? sourceTime(e.eventTime) ?? first ?? sourceTime(e.metadata.creationTimestamp),
      source: e.source?.component || e.reportingComponent,
      host: e.source?.host,
    },
  };
}

/**
 * Event or EventList (core/v1 or events.k8s.io/v1) → event docs. A repeated event is the same object with a
 * higher count, so each occurrence is its own record: id = uid:count. Returns undefined when the body has no
 * items at all.
 */
export function normalizeEvents(body: unknown, ctx: NormalizeContext): NormalizeResult<EventDoc> | undefined {
  const items = listItems(body, 'EventList');
  if (!items) return undefined;
  const result: NormalizeResult<EventDoc> = { docs: [], rejected: [] };
  items.forEach((item, index) => {
    const doc = normalizeEvent(item, ctx);
    if (typeof doc === 'string') result.rejected.push({ index, reason: doc });
    else result.docs.push(doc);
  });
  return result;
}

/** One Event → doc, or the reason it cannot be one. */
export function normalizeEvent(item: unknown, ctx: NormalizeContext): EventDoc | string {
  const u = unify(item);
  if (!u.ok) return u.reason;
  const e = u.value;
  // The API server always sets metadata.uid; push setups may not, and then namespace/name is the identity.
  const identity = e.uid || (e.metaName ? `${e.namespace ?? ''}/${e.metaName}` : undefined);
  if (!identity) return 'metadata.uid (or metadata.name): required to identify the event';
  if (e.time === undefined)
    return 'lastTimestamp / eventTime / firstTimestamp / metadata.creationTimestamp: none is a time';
  const doc: EventDoc = {
    id: `${identity}:${e.count}`,
    kind: 'events',
    cluster: ctx.cluster,
    time: e.time,
    ingestedAt: ctx.ingestedAt,
    count: e.count,
    raw: item,
  };
  const optional: Partial<EventDoc> = {
    namespace: e.namespace,
    objectKind: e.regarding?.kind,
    name: e.regarding?.name,
    objectUid: e.regarding?.uid,
    reason: e.reason ?? undefined,
    type: e.type ?? undefined,
    message: e.message ?? undefined,
    source: e.source ?? undefined,
    host: e.host ?? undefined,
    firstTimestamp: e.first,
    lastTimestamp: e.last,
    uid: e.uid,
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined && v !== '') (doc as Record<string, unknown>)[k] = v;
  return doc;
}

/** Bus key: events about one object stay in order. */
export function eventKey(doc: EventDoc): string {
  return doc.objectUid || `${doc.namespace ?? ''}/${doc.objectKind ?? ''}/${doc.name ?? doc.id}`;
}
