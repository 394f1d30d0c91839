import type { Client } from '@opensearch-project/opensearch';
import type { SpanDoc } from '../../schemas/span-doc.ts';
import type { SpanEdgeDoc } from '../../schemas/span-edge.ts';
import { deleteDailyIndicesBefore } from '../opensearch/daily-retention.ts';
import { createClient, osCall, type OpenSearchConnection } from '../opensearch/opensearch-call.ts';
import type { WriteItemResult } from '../record-store.ts';
import { bulkIndex } from './opensearch-span-bulk.ts';
import {
  edgeAggregationBody,
  edgeIndexDay,
  edgeIndexName,
  edgePattern,
  edgeTemplate,
  readEdgeAggregation,
  smallEdgeKeys,
  smallEdgesBody,
  storedEdge,
  type EdgeAggregation,
} from './opensearch-span-edges.ts';
import { spanIndexDay, spanIndexName, spanPattern, spanTemplate } from './opensearch-span.index.ts';
import { countOpenSearchSpans } from './opensearch-span-count.ts';
import { buildQuery, partnerOf } from './opensearch-span-query.ts';
import type { SpanCountQuery, SpanCounts } from './span-count.ts';
import type {
  EdgeAggregate,
  EdgeQuery,
  PairingSpan,
  PartnerKey,
  SpanQuery,
  SpanStore,
  SpanWrite,
  TraceMatch,
} from './span-store.ts';

export interface OpenSearchSpanStoreOptions extends OpenSearchConnection {
  indexPrefix: string;
  shards: number;
  replicas: number;
}

interface Hit<S> {
  _source: S;
  sort: unknown[];
}
interface SearchBody<S> {
  hits: { total: { value: number }; hits: Hit<S>[] };
}

/** One paged search: `body` adds to the query (fields to return), `read` turns a hit into the result's item. */
interface PagedSearch<T> {
  query: SpanQuery;
  limit: number;
  body: object;
  read: (hit: Hit<unknown>) => T;
}

const ANY_INDEX = { ignore_unavailable: true, allow_no_indices: true } as const;
const PAGE = 10_000;
const PARTNER_FIELDS = [
  'cluster',
  'namespace',
  'traceId',
  'spanId',
  'parentSpanId',
  'serviceName',
  'kind',
  'durationInNanos',
  'status.code',
  { field: 'time', format: 'epoch_millis' },
];
const TOPOLOGY_KINDS = ['SPAN_KIND_CLIENT', 'SPAN_KIND_SERVER', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];

/** Spans on OpenSearch in Data Prepper's layout (opensearch-span.index.ts). */
export class OpenSearchSpanStore implements SpanStore {
  readonly type = 'opensearch';
  private readonly client: Client;

  constructor(private readonly options: OpenSearchSpanStoreOptions) {
    this.client = createClient(options);
  }

  async init(signal?: AbortSignal): Promise<void> {
    const { indexPrefix, shards, replicas } = this.options;
    const body = spanTemplate(indexPrefix, shards, replicas);
    await osCall(() => this.client.indices.putIndexTemplate({ name: `${indexPrefix}-spans`, body }), signal);
    const edges = edgeTemplate(indexPrefix, shards, replicas);
    await osCall(
      () => this.client.indices.putIndexTemplate({ name: `${indexPrefix}-span-edges`, body: edges }),
      signal,
    );
  }

  async write(docs: readonly SpanDoc[], signal?: AbortSignal): Promise<WriteItemResult[]> {
    const prefix = this.options.indexPrefix;
    return bulkIndex(this.client, { docs, indexOf: (d) => spanIndexName(prefix, d.cluster, d.time) }, signal);
  }

  async writeAll(items: readonly SpanWrite[], signal?: AbortSignal): Promise<WriteItemResult[]> {
    const prefix = this.options.indexPrefix;
    const indexOf = (i: SpanWrite) =>
      'span' in i ? spanIndexName(prefix, i.span.cluster, i.span.time) : edgeIndexName(prefix, i.edge);
    const source = (i: SpanWrite) => ('span' in i ? (i.json ?? i.span) : storedEdge(i.edge));
    return bulkIndex(this.client, { docs: items, indexOf, source }, signal);
  }

  async writeEdges(edges: readonly SpanEdgeDoc[], signal?: AbortSignal): Promise<WriteItemResult[]> {
    const prefix = this.options.indexPrefix;
    const docs = edges.map(storedEdge);
    return bulkIndex(this.client, { docs, indexOf: (e) => edgeIndexName(prefix, e) }, signal);
  }

  async find(query: SpanQuery, limit: number, signal?: AbortSignal): Promise<{ total: number; spans: SpanDoc[] }> {
    return this.paged<SpanDoc>({ query, limit, body: {}, read: (h) => h._source as SpanDoc }, signal);
  }

  async findTraces(
    query: SpanQuery,
    { traces, spansPerTrace }: { traces: number; spansPerTrace: number },
    signal?: AbortSignal,
  ): Promise<TraceMatch[]> {
    if (traces === 0) return [];
    // Field collapsing on traceId: the newest matching span of each trace ranks the trace, and its inner hits
    // carry the trace's match count and newest matching spans (at most index.max_inner_result_window, 100).
    // Inner hits cost one search per trace, so they are asked for only when spans are wanted.
    const sort = [{ time: 'desc' }, { id: 'asc' }];
    const inner = { name: 'matched', size: Math.min(spansPerTrace, 100), sort, track_scores: false };
    const body = {
      query: buildQuery(query),
      size: Math.min(traces, PAGE),
      sort,
      _source: false,
      track_total_hits: false,
      collapse: { field: 'traceId', ...(spansPerTrace > 0 ? { inner_hits: inner } : {}) },
    };
    type Collapsed = Hit<unknown> & {
      fields?: { traceId?: string[] };
      inner_hits?: { matched?: { hits: { total: { value: number }; hits: Hit<SpanDoc>[] } } };
    };
    const res = await this.search<unknown>(body, signal);
    return (res.hits.hits as Collapsed[]).map((h) => {
      const hits = h.inner_hits?.matched?.hits;
      return {
        traceId: h.fields?.traceId?.[0] ?? '',
        matched: hits?.total.value ?? 0,
        spans: (hits?.hits ?? []).map((x) => x._source),
      };
    });
  }

  async partners(keys: readonly PartnerKey[], limit: number, signal?: AbortSignal): Promise<PairingSpan[]> {
    if (keys.length === 0 || limit <= 0) return [];
    const traces = new Set(keys.map((k) => k.traceId));
    const parents = new Set(keys.filter((k) => k.parentSpanId !== '').map((k) => k.parentSpanId));
    const ids = new Set(keys.map((k) => k.spanId));
    const named = [
      { terms: { parentSpanId: [...ids] } },
      ...(parents.size ? [{ terms: { spanId: [...parents] } }] : []),
    ];
    const body = {
      query: {
        bool: {
          filter: [
            { terms: { traceId: [...traces] } },
            { terms: { kind: TOPOLOGY_KINDS } },
            { bool: { should: named, minimum_should_match: 1 } },
          ],
        },
      },
      size: Math.min(limit, PAGE),
      sort: ['_doc'],
      _source: false,
      docvalue_fields: PARTNER_FIELDS,
    };
    const res = await this.search<unknown>(body, signal);
    // The terms match any trace with any id: only the pairs asked for are partners.
    const wanted = new Set(keys.flatMap((k) => [`${k.traceId}:${k.parentSpanId}`, `${k.traceId}>${k.spanId}`]));
    return res.hits.hits
      .map((h) => partnerOf((h as { fields?: Record<string, unknown[]> }).fields ?? {}))
      .filter((p) => wanted.has(`${p.traceId}:${p.spanId}`) || wanted.has(`${p.traceId}>${p.parentSpanId}`));
  }

  async edgeAggregates(
    query: EdgeQuery,
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ total: number; groups: EdgeAggregate[] }> {
    const index = edgePattern(this.options.indexPrefix);
    const search = (body: object) =>
      osCall<EdgeAggregation>(() => this.client.search({ index, body, ...ANY_INDEX }), signal);
    const first = (await search(edgeAggregationBody(query, limit))).body;
    const keys = smallEdgeKeys(first, limit);
    const small = keys.length > 0 ? (await search(smallEdgesBody(query, keys))).body : undefined;
    return readEdgeAggregation(first, limit, small);
  }

  /** Up to `limit` matches newest first, in pages of 10,000 by search_after (no from/size window). */
  private async paged<T>(
    { query, limit, body: extra, read }: PagedSearch<T>,
    signal: AbortSignal | undefined,
  ): Promise<{ total: number; spans: T[] }> {
    const spans: T[] = [];
    let total = 0;
    let after: unknown[] | undefined;
    // At least one search, so `total` is known even for limit 0.
    for (let first = true; first || spans.length < limit; first = false) {
      const size = Math.min(PAGE, limit - spans.length);
      const body: Record<string, unknown> = {
        query: buildQuery(query),
        size,
        sort: [{ time: 'desc' }, { id: 'asc' }, { cluster: 'asc' }],
        track_total_hits: after === undefined,
        ...extra,
      };
      if (after) body.search_after = after;
      const res = await this.search<unknown>(body, signal);
      if (after === undefined) total = res.hits.total.value;
      for (const h of res.hits.hits) spans.push(read(h));
      const last = res.hits.hits[res.hits.hits.length - 1];
      if (!last || res.hits.hits.length < size) break;
      after = last.sort;
    }
    return { total, spans };
  }

  private async search<S>(body: object, signal?: AbortSignal): Promise<SearchBody<S>> {
    const index = spanPattern(this.options.indexPrefix);
    return (await osCall<SearchBody<S>>(() => this.client.search({ index, body, ...ANY_INDEX }), signal)).body;
  }

  async clusters(query: SpanQuery = {}, signal?: AbortSignal): Promise<string[]> {
    const body = {
      size: 0,
      query: buildQuery(query),
      aggs: { c: { terms: { field: 'cluster', size: 10_000, order: { _key: 'asc' } } } },
    };
    const res = (await this.search<never>(body, signal)) as SearchBody<never> & {
      aggregations?: { c?: { buckets: { key: string }[] } };
    };
    return (res.aggregations?.c?.buckets ?? []).map((b) => b.key);
  }

  async deleteOlderThan(before: Date, cluster?: string, signal?: AbortSignal): Promise<number> {
    const { indexPrefix } = this.options;
    await deleteDailyIndicesBefore(this.client, {
      pattern: edgePattern(indexPrefix),
      dayOf: (index) => edgeIndexDay(index, indexPrefix, cluster),
      before,
      signal,
    });
    return deleteDailyIndicesBefore(this.client, {
      pattern: spanPattern(indexPrefix),
      dayOf: (index) => spanIndexDay(index, indexPrefix, cluster),
      before,
      signal,
    });
  }

  async refresh(): Promise<void> {
    const { indexPrefix } = this.options;
    const index = `${spanPattern(indexPrefix)},${edgePattern(indexPrefix)}`;
    await osCall(() => this.client.indices.refresh({ index, ...ANY_INDEX }));
  }

  async ping(signal?: AbortSignal): Promise<boolean> {
    try {
      await osCall(() => this.client.cluster.health({ timeout: '5s' }), signal);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async countSpans(query: SpanCountQuery, signal?: AbortSignal): Promise<SpanCounts> {
    return countOpenSearchSpans((body, s) => this.search(body, s), query, signal);
  }
}
