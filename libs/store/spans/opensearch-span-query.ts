import type { PairingSpan, SpanEdgeFields, SpanQuery } from './span-store.ts';

/** SpanQuery → bool filter; tags match a span or a resource attribute (flat_object leaf paths). */
export function buildQuery(q: SpanQuery): object {
  const filter: object[] = [];
  const terms = (field: string, values: readonly string[] | undefined) => {
    if (values !== undefined) filter.push({ terms: { [field]: [...values] } });
  };
  if (q.start !== undefined || q.end !== undefined)
    filter.push({
      range: {
        time: { ...(q.start !== undefined ? { gte: q.start } : {}), ...(q.end !== undefined ? { lt: q.end } : {}) },
      },
    });
  terms('cluster', q.clusters);
  terms('namespace', q.namespaces);
  terms('traceId', q.traceIds);
  terms('serviceName', q.services);
  terms('name', q.names);
  terms('kind', q.kinds);
  if (q.minDurationNanos !== undefined || q.maxDurationNanos !== undefined) {
    filter.push({
      range: {
        durationInNanos: {
          ...(q.minDurationNanos !== undefined ? { gte: q.minDurationNanos } : {}),
          ...(q.maxDurationNanos !== undefined ? { lte: q.maxDurationNanos } : {}),
        },
      },
    });
  }
  for (const [key, value] of Object.entries(q.tags ?? {})) {
    filter.push({
      bool: {
        should: [{ term: { [`attributes.${key}`]: value } }, { term: { [`resource.attributes.${key}`]: value } }],
        minimum_should_match: 1,
      },
    });
  }
  return { bool: { filter } };
}

/** A span's join fields from doc values, not _source: a span's _source is ~1 KB of attributes to parse. */
export function partnerOf(f: Record<string, unknown[]>): PairingSpan {
  const first = (k: string) => f[k]?.[0];
  const edge: SpanEdgeFields = {
    cluster: first('cluster') as string,
    traceId: first('traceId') as string,
    spanId: first('spanId') as string,
    parentSpanId: (first('parentSpanId') as string | undefined) ?? '',
    serviceName: first('serviceName') as string,
    kind: first('kind') as string,
    durationInNanos: Number(first('durationInNanos') ?? 0),
    statusCode: Number(first('status.code') ?? 0),
    ...(first('namespace') !== undefined ? { namespace: first('namespace') as string } : {}),
  };
  return { ...edge, time: Number(first('time') ?? 0) };
}
