import type { Client } from '@opensearch-project/opensearch';
import type { SpanDoc } from '../../schemas/span-doc.ts';
import { deleteDailyIndicesBefore } from '../opensearch/daily-retention.ts';
import { createClient, osCall, reasonOf, type OpenSearchConnection } from '../opensearch/opensearch-call.ts';
import type { WriteItemResult } from '../record-store.ts';
import { spanIndexDay, spanIndexName, spanPattern, spanTemplate } from './opensearch-span.index.ts';
import { countOpenSearchSpans } from './opensearch-span-count.ts';
import type { SpanCountQuery, SpanCounts } from './span-count.ts';
import type { SpanEdgeFields, SpanQuery, SpanStore, TraceMatch } from './span-store.ts';

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
const EDGE_FIELDS = [
  'cluster',
  'namespace',
  'traceId',
  'spanId',
  'parentSpanId',
  'serviceName',
  'kind',
  'durationInNanos',
  'status.code',
];

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
  }

  async write(docs: readonly SpanDoc[], signal?: AbortSignal): Promise<WriteItemResult[]> {
    if (docs.length === 0) return [];
    const lines: string[] = [];
    for (const d of docs) {
      lines.push(
        JSON.stringify({ index: { _index: spanIndexName(this.options.indexPrefix, d.cluster, d.time), _id: d.id } }),
        JSON.stringify(d),
      );
    }
    type BulkItem = { index?: { status: number; error?: { type?: string; reason?: string } } };
    let items: BulkItem[];
    try {
      items = (
        await osCall<{ items: BulkItem[] }>(
          () => this.client.bulk({ body: `${lines.join('\n')}\n`, filter_path: 'errors,items.*.status,items.*.error' }),
          signal,
        )
      ).body.items;
    } catch (err) {
      if (signal?.aborted) throw err;
      return docs.map((d) => ({ id: d.id, ok: false, retryable: true, reason: reasonOf(err) }));
    }
    return docs.map((d, i) => {
      const r = items[i]?.index;
      if (r && !r.error && r.status < 300) return { id: d.id, ok: true };
      const status = r?.status ?? 500;
      return {
        id: d.id,
        ok: false,
        retryable: status === 429 || status >= 500,
        reason: `${status} ${r?.error?.type ?? ''}: ${r?.error?.reason ?? 'no item result'}`,
      };
    });
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

  async edgeFields(
    query: SpanQuery,
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ total: number; spans: SpanEdgeFields[] }> {
    // Doc values, not _source: a span's _source is ~1 KB of attributes to parse for nine small fields.
    const first = (f: Record<string, unknown[]>, k: string) => f[k]?.[0];
    const edgeOf = (f: Record<string, unknown[]>): SpanEdgeFields => ({
      cluster: first(f, 'cluster') as string,
      traceId: first(f, 'traceId') as string,
      spanId: first(f, 'spanId') as string,
      parentSpanId: (first(f, 'parentSpanId') as string | undefined) ?? '',
      serviceName: first(f, 'serviceName') as string,
      kind: first(f, 'kind') as string,
      durationInNanos: Number(first(f, 'durationInNanos') ?? 0),
      statusCode: Number(first(f, 'status.code') ?? 0),
      ...(first(f, 'namespace') !== undefined ? { namespace: first(f, 'namespace') as string } : {}),
    });
    const body = { _source: false, docvalue_fields: EDGE_FIELDS };
    const read = (h: Hit<unknown>) => edgeOf((h as { fields?: Record<string, unknown[]> }).fields ?? {});
    return this.paged({ query, limit, body, read }, signal);
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
    return deleteDailyIndicesBefore(this.client, {
      pattern: spanPattern(indexPrefix),
      dayOf: (index) => spanIndexDay(index, indexPrefix, cluster),
      before,
      signal,
    });
  }

  async refresh(): Promise<void> {
    await osCall(() => this.client.indices.refresh({ index: spanPattern(this.options.indexPrefix), ...ANY_INDEX }));
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
