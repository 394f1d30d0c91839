import type { Client } from '@opensearch-project/opensearch';
import { InputError, PharosError, UnavailableError } from '../../errors/errors.ts';
import { RECORD_KINDS, type RecordKind } from '../../schemas/records.ts';
import { decodeCursor, encodeCursor, queryFingerprint, type CursorState } from '../cursor.ts';
import { storedField } from '../../schemas/record-fields.ts';
import type {
  AnyDoc,
  HistogramRequest,
  HistogramResult,
  RecordQuery,
  RecordStore,
  RetentionCutoff,
  SearchPage,
  SearchRequest,
  StatsRequest,
  StatsResult,
  WriteItemResult,
  WriteOptions,
} from '../record-store.ts';
import { createClient, cursorError, osCall, reasonOf, type OpenSearchConnection } from './opensearch-call.ts';
import { buildQuery, sortClause } from './opensearch-record-query.ts';
import { deleteDailyIndicesBefore } from './daily-retention.ts';
import { indexDay, kindPattern } from './index-names.ts';
import { indexTemplate, kindMappings, templateName } from './index-templates.ts';
import { extendIndexMappings } from './mapping-upgrade.ts';
import { withoutAttributeTerms } from './attribute-terms.ts';
import { bulkWrite } from './opensearch-bulk-write.ts';

export interface OpenSearchRecordStoreOptions extends OpenSearchConnection {
  indexPrefix: string;
  shards: number;
  replicas: number;
}

interface Hit {
  _source: AnyDoc;
  /** sortClause's keys: time, id, cluster. */
  sort: [number, string, string];
}
interface SearchBody {
  hits: { total: { value: number }; hits: Hit[] };
  pit_id?: string;
  aggregations?: Record<
    string,
    { buckets?: { key: number | string; doc_count: number }[]; value?: number; doc_count?: number }
  >;
}

const PIT_KEEP_ALIVE = '5m';
const EXPORT_PAGE = 2000;
const ANY_INDEX = { ignore_unavailable: true, allow_no_indices: true } as const;

/**
 * The scaling record store: daily indices per kind and cluster from composable templates, searched through
 * `<prefix>-<kind>-*`. Paging is search_after on (time, id, cluster): the first page is a plain search; the first
 * follow-up opens a point in time that later cursors carry, so a page request never leaves a PIT behind
 * unless someone actually pages, and there is no 10,000 from/size window.
 */
export class OpenSearchRecordStore implements RecordStore {
  readonly type = 'opensearch';
  private readonly client: Client;

  constructor(private readonly options: OpenSearchRecordStoreOptions) {
    this.client = createClient(options);
  }

  async init(signal?: AbortSignal): Promise<void> {
    const { indexPrefix, shards, replicas } = this.options;
    for (const kind of RECORD_KINDS) {
      const body = indexTemplate(kind, { indexPrefix, shards, replicas });
      await osCall(() => this.client.indices.putIndexTemplate({ name: templateName(indexPrefix, kind), body }), signal);
      await this.extendExistingMappings(kind, signal);
    }
  }

  /**
   * Indices made before a version that added fields (the OTLP/Loki/ES intakes' severity, traceId,
   * attributes; audit's impersonatedUser, decision, responseMessage …) get the new properties too, so
   * today's index indexes them at once rather than from the next daily index on. Only what an index lacks is
   * sent (mapping-upgrade.ts): the fields it has keep their definition, as OpenSearch requires. Should
   * OpenSearch refuse it anyway, the old indices keep their mapping and the new fields are indexed from the
   * next day's.
   */
  private async extendExistingMappings(kind: RecordKind, signal?: AbortSignal): Promise<void> {
    const { properties } = kindMappings(kind) as { properties: Record<string, Record<string, unknown>> };
    try {
      await extendIndexMappings(
        this.client,
        { pattern: kindPattern(this.options.indexPrefix, kind), properties },
        signal,
      );
    } catch (err) {
      if (signal?.aborted) throw err;
    }
  }

  async write(kind: RecordKind, docs: readonly AnyDoc[], options: WriteOptions = {}): Promise<WriteItemResult[]> {
    return bulkWrite({ client: this.client, indexPrefix: this.options.indexPrefix, kind }, docs, options);
  }

  async search(kind: RecordKind, request: SearchRequest, signal?: AbortSignal): Promise<SearchPage> {
    const fingerprint = queryFingerprint(kind, request, request.sort);
    const after = request.cursor ? decodeCursor(request.cursor, fingerprint) : undefined;
    const pit = after ? (after.pit ?? (await this.openPit(kind, signal))) : undefined;
    const body: Record<string, unknown> = {
      query: buildQuery(kind, request),
      sort: sortClause(request.sort),
      size: request.size + 1,
      track_total_hits: true,
    };
    if (after) body.search_after = [after.time, after.id, after.cluster];
    const res = await this.runSearch(kind, { body, pit }, signal);
    const hits = res.hits.hits;
    const items = hits.slice(0, request.size).map((h) => withoutAttributeTerms(h._source));
    const last = hits.length > request.size ? hits[request.size - 1] : undefined;
    const nextPit = res.pit_id ?? pit;
    if (!last && nextPit) void this.closePit(nextPit);
    const cursor: CursorState | undefined = last
      ? { time: last.sort[0], id: last.sort[1], cluster: last.sort[2], fingerprint }
      : undefined;
    if (cursor && nextPit) cursor.pit = nextPit;
    return { total: res.hits.total.value, items, cursor: cursor ? encodeCursor(cursor) : null };
  }

  /** A search on the kind's indices, or inside a point in time (then no index in the path, as the PIT API requires). */
  private async runSearch(
    kind: RecordKind,
    { body, pit }: { body: Record<string, unknown>; pit?: string },
    signal?: AbortSignal,
  ): Promise<SearchBody> {
    if (!pit) {
      return (
        await osCall<SearchBody>(
          () => this.client.search({ index: kindPattern(this.options.indexPrefix, kind), body, ...ANY_INDEX }),
          signal,
        )
      ).body;
    }
    try {
      return (
        await osCall<SearchBody>(
          () => this.client.search({ body: { ...body, pit: { id: pit, keep_alive: PIT_KEEP_ALIVE } } }),
          signal,
        )
      ).body;
    } catch (err) {
      throw (signal?.aborted ? undefined : cursorError(err)) ?? err;
    }
  }

  private async openPit(kind: RecordKind, signal?: AbortSignal): Promise<string> {
    const index = kindPattern(this.options.indexPrefix, kind);
    try {
      const res = await osCall<{ pit_id: string }>(
        () => this.client.createPit({ index, keep_alive: PIT_KEEP_ALIVE }),
        signal,
      );
      return res.body.pit_id;
    } catch (err) {
      // The engine caps open points in time (search.max_open_pit_context): a busy moment, not a bad request.
      if (signal?.aborted || !(err instanceof PharosError) || err.code !== 'PHAROS_ERR_INTERNAL') throw err;
      throw new UnavailableError(
        `OpenSearch could not open a point in time for paging (${reasonOf(err)}); retry later`,
        err,
      );
    }
  }

  private async closePit(pit: string): Promise<void> {
    await osCall(() => this.client.deletePit({ body: { pit_id: [pit] } })).catch(() => undefined);
  }

  async count(kind: RecordKind, query: RecordQuery, signal?: AbortSignal): Promise<number> {
    const index = kindPattern(this.options.indexPrefix, kind);
    const res = await osCall<{ count: number }>(
      () => this.client.count({ index, body: { query: buildQuery(kind, query) }, ...ANY_INDEX }),
      signal,
    );
    return res.body.count;
  }

  async histogram(
    kind: RecordKind,
    { intervalMs, ...query }: HistogramRequest,
    signal?: AbortSignal,
  ): Promise<HistogramResult> {
    // fixed_interval in milliseconds with offset 0: buckets start at multiples of the interval since the epoch.
    const aggs = { h: { date_histogram: { field: 'time', fixed_interval: `${intervalMs}ms`, min_doc_count: 1 } } };
    const res = await this.aggregate(kind, { query, aggs }, signal);
    const buckets = (res.aggregations?.h?.buckets ?? []).map((b) => ({ time: Number(b.key), count: b.doc_count }));
    return { total: res.hits.total.value, buckets };
  }

  async stats(kind: RecordKind, { by, limit, ...query }: StatsRequest, signal?: AbortSignal): Promise<StatsResult> {
    const field = storedField(kind, by);
    if (field === undefined)
      throw new InputError(`Cannot group ${kind} by "${by}": not a filter field`, [
        { path: 'by', message: 'not a filter field' },
      ]);
    // Daily indices are many shards: a generous shard_size keeps the top counts exact for realistic cardinalities.
    const terms = {
      field,
      size: limit,
      shard_size: Math.max(limit * 10, 10_000),
      order: [{ _count: 'desc' }, { _key: 'asc' }],
    };
    const aggs = {
      g: { terms },
      d: { cardinality: { field, precision_threshold: 40_000 } },
      m: { missing: { field } },
    };
    const res = await this.aggregate(kind, { query, aggs }, signal);
    const groups = (res.aggregations?.g?.buckets ?? []).map((b) => ({ key: String(b.key), count: b.doc_count }));
    // Fewer groups than asked means all of them are here: an exact distinct count; else HyperLogLog's estimate.
    const distinct = groups.length < limit ? groups.length : (res.aggregations?.d?.value ?? groups.length);
    return { total: res.hits.total.value, distinct, groups, missing: res.aggregations?.m?.doc_count ?? 0 };
  }

  private async aggregate(
    kind: RecordKind,
    { query, aggs }: { query: RecordQuery; aggs: object },
    signal?: AbortSignal,
  ): Promise<SearchBody> {
    const body = { size: 0, track_total_hits: true, query: buildQuery(kind, query), aggs };
    return this.runSearch(kind, { body }, signal);
  }

  async *exportAll(
    kind: RecordKind,
    query: RecordQuery & { sort: 'asc' | 'desc' },
    signal?: AbortSignal,
  ): AsyncIterable<AnyDoc> {
    if ((await this.count(kind, query, signal)) === 0) return;
    let pit = await this.openPit(kind, signal);
    try {
      let after: Hit['sort'] | undefined;
      for (;;) {
        const body: Record<string, unknown> = {
          query: buildQuery(kind, query),
          sort: sortClause(query.sort),
          size: EXPORT_PAGE,
          track_total_hits: false,
        };
        if (after) body.search_after = after;
        const res = await this.runSearch(kind, { body, pit }, signal);
        pit = res.pit_id ?? pit;
        for (const hit of res.hits.hits) yield withoutAttributeTerms(hit._source);
        const last = res.hits.hits[res.hits.hits.length - 1];
        if (!last || res.hits.hits.length < EXPORT_PAGE) return;
        after = last.sort;
      }
    } finally {
      await this.closePit(pit);
    }
  }

  async deleteOlderThan(kind: RecordKind, { before, cluster }: RetentionCutoff, signal?: AbortSignal): Promise<number> {
    const { indexPrefix } = this.options;
    return deleteDailyIndicesBefore(this.client, {
      pattern: kindPattern(indexPrefix, kind),
      dayOf: (index) => indexDay(index, { prefix: indexPrefix, kind, cluster }),
      before,
      signal,
    });
  }

  async refresh(kind?: RecordKind): Promise<void> {
    const index = (kind ? [kind] : RECORD_KINDS).map((k) => kindPattern(this.options.indexPrefix, k)).join(',');
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
}
