import { dayOf, encodeCluster } from '../opensearch/index-names.ts';
import type { SpanEdgeDoc } from '../../schemas/span-edge.ts';
import type { EdgeAggregate, EdgeQuery } from './span-store.ts';

/**
 * Edge indices: `<storage.indexPrefix>-span-edges-<cluster>-YYYY.MM.DD` (the callee's cluster and the UTC day
 * of its span's start), daily per cluster like the spans, so retention is the same index delete. Not under
 * `otel-v1-apm-span-*`: trace analytics would read them as spans.
 */
export const edgePattern = (prefix: string): string => `${prefix}-span-edges-*`;
export const edgeIndexName = (prefix: string, edge: Pick<SpanEdgeDoc, 'cluster' | 'time'>): string =>
  `${prefix}-span-edges-${encodeCluster(edge.cluster)}-${dayOf(edge.time)}`;

/** The UTC start of the day an index holds, when it is an edge index of this prefix (and cluster). */
export function edgeIndexDay(index: string, prefix: string, cluster?: string): number | undefined {
  const m = /^(.*)-(\d{4})\.(\d{2})\.(\d{2})$/.exec(index);
  if (!m) return undefined;
  const head = m[1] as string;
  const ok =
    cluster === undefined
      ? head.startsWith(`${prefix}-span-edges-`)
      : head === `${prefix}-span-edges-${encodeCluster(cluster)}`;
  return ok ? Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4])) : undefined;
}

/** The stored edge: the doc plus `edgeKey`, both nodes as one keyword, so one terms aggregation groups them. */
export type StoredEdge = SpanEdgeDoc & { edgeKey: string };
type NodeKey = [string, string | null, string];

export const storedEdge = (e: SpanEdgeDoc): StoredEdge => ({
  ...e,
  edgeKey: JSON.stringify([
    e.sourceCluster,
    e.sourceNamespace ?? null,
    e.sourceService,
    e.targetCluster,
    e.targetNamespace ?? null,
    e.targetService,
  ]),
});

const keyword = { type: 'keyword' };
/**
 * Kept in `_source` only (no inverted index, no doc values): nothing searches, sorts or aggregates on these
 * (edgeAggregationBody reads time, the source/target cluster and namespace, edgeKey, failed, type and the
 * duration; a service is in edgeKey). Each indexed keyword costs OpenSearch per document at indexing, and an
 * edge is written for every call: seven fewer indexed fields of eighteen.
 */
const sourceOnly = { type: 'keyword', index: false, doc_values: false };

export function edgeTemplate(prefix: string, shards: number, replicas: number): object {
  return {
    index_patterns: [edgePattern(prefix)],
    priority: 100,
    _meta: { managed_by: 'pharos', generated_from: 'libs/store/spans/opensearch-span-edges.ts' },
    template: {
      settings: { number_of_shards: shards, number_of_replicas: replicas },
      mappings: {
        dynamic: false,
        properties: {
          id: sourceOnly,
          cluster: sourceOnly,
          time: { type: 'date', format: 'epoch_millis' },
          traceId: sourceOnly,
          clientSpanId: sourceOnly,
          serverSpanId: sourceOnly,
          sourceCluster: keyword,
          sourceNamespace: keyword,
          sourceService: sourceOnly,
          targetCluster: keyword,
          targetNamespace: keyword,
          targetService: sourceOnly,
          // Built at refresh rather than by the first topology after it (one value per service pair: cheap).
          edgeKey: { type: 'keyword', eager_global_ordinals: true },
          type: keyword,
          failed: { type: 'boolean' },
          durationInNanos: { type: 'long' },
        },
      },
    },
  };
}

/**
 * Up to this many calls of an edge, its percentiles are nearest-rank over its exact durations (a second search
 * brings back the fastest calls of just those edges, OpenSearch's default `index.max_inner_result_window` of
 * 100); above it, OpenSearch's `percentiles` aggregation as an HDR histogram of three significant digits: the
 * value at the nearest rank within 0.1%. Not t-digest, OpenSearch's default: it interpolates (its error is not
 * bounded) and cost 3-8 times as much per call (500,000 calls: 200-500 ms against 40-100 ms, `bench/traces`).
 * The fastest calls are not asked for in the first search: a `top_hits` sorted by duration over a bucket of
 * 500,000 calls was most of the topology's time.
 */
export const EXACT_PERCENTILE_CALLS = 100;
const HDR_DIGITS = 3;

/** The window's and the filters' clauses, shared by both searches. */
function edgeFilter(query: EdgeQuery): object[] {
  const filter: object[] = [{ range: { time: { gte: query.start, lt: query.end } } }];
  const both = (field: 'Cluster' | 'Namespace', values: readonly string[] | undefined) => {
    if (values !== undefined)
      filter.push({ terms: { [`source${field}`]: [...values] } }, { terms: { [`target${field}`]: [...values] } });
  };
  both('Cluster', query.clusters);
  both('Namespace', query.namespaces);
  return filter;
}

const COUNTS = {
  errors: { filter: { term: { failed: true } } },
  requests: { filter: { term: { type: 'request' } } },
};

/** The topology's first search over the edges: terms on `edgeKey`, each bucket's errors, type and latency. */
export function edgeAggregationBody(query: EdgeQuery, limit: number): object {
  return {
    size: 0,
    query: { bool: { filter: edgeFilter(query) } },
    aggs: {
      edges: {
        terms: { field: 'edgeKey', size: limit + 1 },
        aggs: {
          ...COUNTS,
          latency: {
            percentiles: {
              field: 'durationInNanos',
              percents: [50, 95],
              hdr: { number_of_significant_value_digits: HDR_DIGITS },
            },
          },
        },
      },
    },
  };
}

/** The keys of the first search's edges small enough for exact percentiles (none: no second search). */
export function smallEdgeKeys(body: EdgeAggregation, limit: number): string[] {
  const buckets = body.aggregations?.edges?.buckets ?? [];
  return buckets
    .slice(0, limit)
    .filter((b) => b.doc_count <= EXACT_PERCENTILE_CALLS)
    .map((b) => b.key);
}

/** The second search: for those edges only, their counts again and their fastest calls' durations. */
export function smallEdgesBody(query: EdgeQuery, keys: readonly string[]): object {
  return {
    size: 0,
    query: { bool: { filter: [...edgeFilter(query), { terms: { edgeKey: [...keys] } }] } },
    aggs: {
      edges: {
        terms: { field: 'edgeKey', size: keys.length },
        aggs: {
          ...COUNTS,
          fastest: {
            top_hits: {
              size: EXACT_PERCENTILE_CALLS,
              sort: [{ durationInNanos: 'asc' }],
              _source: false,
              docvalue_fields: ['durationInNanos'],
            },
          },
        },
      },
    },
  };
}

interface EdgeBucket {
  key: string;
  doc_count: number;
  errors: { doc_count: number };
  requests: { doc_count: number };
  latency?: { values: Record<string, number | null> };
  fastest?: { hits: { hits: { fields?: { durationInNanos?: number[] } }[] } };
}
export interface EdgeAggregation {
  aggregations?: { edges?: { buckets: EdgeBucket[] } };
}

/**
 * The edges from the first search, and for each small one the second search's figures when it is still small
 * there (calls kept coming between the two searches: an edge that grew past the bound keeps the first's).
 */
export function readEdgeAggregation(
  body: EdgeAggregation,
  limit: number,
  small?: EdgeAggregation,
): { total: number; groups: EdgeAggregate[] } {
  const buckets = body.aggregations?.edges?.buckets ?? [];
  const exactOf = new Map(
    (small?.aggregations?.edges?.buckets ?? [])
      .filter((b) => b.doc_count <= EXACT_PERCENTILE_CALLS)
      .map((b) => [b.key, b]),
  );
  const node = ([cluster, namespace, service]: NodeKey) => ({
    cluster,
    service,
    ...(namespace === null ? {} : { namespace }),
  });
  const groups = buckets.slice(0, limit).map((first): EdgeAggregate => {
    const k = JSON.parse(first.key) as [...NodeKey, ...NodeKey];
    const b = exactOf.get(first.key) ?? first;
    const n = b.doc_count;
    const exact = b.fastest?.hits.hits.map((h) => Number(h.fields?.durationInNanos?.[0]));
    const pct = (q: number, name: string) =>
      (exact ? (exact[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] as number) : (b.latency?.values[name] ?? 0)) /
      1e6;
    return {
      source: node(k.slice(0, 3) as NodeKey),
      target: node(k.slice(3) as NodeKey),
      type: b.requests.doc_count > 0 ? 'request' : 'messaging',
      requests: n,
      errors: b.errors.doc_count,
      p50Ms: pct(0.5, '50.0'),
      p95Ms: pct(0.95, '95.0'),
    };
  });
  return { total: buckets.length, groups };
}
