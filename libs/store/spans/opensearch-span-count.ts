import type { SpanCountField, SpanCountQuery, SpanCounts } from './span-count.ts';
import { buildQuery } from './opensearch-span-query.ts';

/** The span index field of each count field (opensearch-span.index.ts's mapping: keywords and an integer). */
const FIELDS: Record<SpanCountField, string> = {
  cluster: 'cluster',
  namespace: 'namespace',
  service: 'serviceName',
  name: 'name',
  kind: 'kind',
  status: 'status.code',
};

const PAGE = 1000;

type Search = (body: object, signal?: AbortSignal) => Promise<unknown>;

interface CompositeAnswer {
  hits: { total: { value: number } };
  aggregations?: {
    g?: { after_key?: Record<string, unknown>; buckets: { key: Record<string, unknown>; doc_count: number }[] };
  };
}

/**
 * Counts by a composite aggregation, paged by `after_key` (OpenSearch's "Composite aggregations": exact counts
 * over every bucket, unlike `terms`, whose counts are per-shard estimates past its size). Without `by`, the
 * exact hit total.
 */
export async function countOpenSearchSpans(
  search: Search,
  query: SpanCountQuery,
  signal?: AbortSignal,
): Promise<SpanCounts> {
  const filter: object[] = [buildQuery(query)];
  if (query.statusCodes !== undefined) filter.push({ terms: { 'status.code': [...query.statusCodes] } });
  const q = { bool: { filter } };
  if (query.by.length === 0) {
    const res = (await search({ query: q, size: 0, track_total_hits: true }, signal)) as CompositeAnswer;
    const n = res.hits.total.value;
    return { groups: n > 0 ? [{ key: [], count: n }] : [], truncated: false };
  }
  const sources = query.by.map((f, i) => ({
    [`f${i}`]: { terms: { field: FIELDS[f], ...(f === 'namespace' ? { missing_bucket: true } : {}) } },
  }));
  const groups: SpanCounts['groups'] = [];
  let after: Record<string, unknown> | undefined;
  do {
    const composite = { size: PAGE, sources, ...(after ? { after } : {}) };
    const body = { query: q, size: 0, track_total_hits: false, aggs: { g: { composite } } };
    const agg = ((await search(body, signal)) as CompositeAnswer).aggregations?.g;
    for (const b of agg?.buckets ?? [])
      groups.push({ key: query.by.map((_, i) => String(b.key[`f${i}`] ?? '')), count: b.doc_count });
    after = (agg?.buckets.length ?? 0) === PAGE ? agg?.after_key : undefined;
  } while (after && groups.length <= query.limit);
  return { groups: groups.slice(0, query.limit), truncated: groups.length > query.limit };
}
