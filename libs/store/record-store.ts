import type { AnyDoc, DocOf, RecordKind } from '../schemas/records.ts';
import type { SearchExpr } from '../schemas/search-expr.ts';

// The record types and the search tree are contracts (libs/schemas); re-exported for the store's callers.
export type { AnyDoc, DocOf, SearchExpr };

/** Outcome of one document of a bulk write, so the indexer can retry or dead-letter item by item. */
export type WriteItemResult = { id: string; ok: true } | { id: string; ok: false; retryable: boolean; reason: string };

/**
 * A query over one kind, after HTTP parsing and scope enforcement. Filters are exact matches, each with one
 * or more accepted values (OR within a field, AND across fields). `q` is the parsed search expression.
 */
export interface RecordQuery {
  filters: Record<string, readonly string[]>;
  q?: SearchExpr;
  /** Inclusive start / exclusive end, epoch milliseconds. */
  start?: number;
  end?: number;
}

export interface SearchRequest extends RecordQuery {
  sort: 'asc' | 'desc';
  size: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

/** A histogram over the matching records: buckets of `intervalMs`, floored to multiples of it since the epoch. */
export interface HistogramRequest extends RecordQuery {
  intervalMs: number;
}

/** The `limit` most frequent values of the filter field `by` among the matching records. */
export interface StatsRequest extends RecordQuery {
  by: string;
  limit: number;
}

/** Which records retention deletes: those older than `before`, of one cluster when given. */
export interface RetentionCutoff {
  before: Date;
  cluster?: string;
}

export interface WriteOptions {
  signal?: AbortSignal;
  /** `json[i]`, when given, is docs[i] as JSON text (see RecordStore.write). */
  json?: readonly (string | undefined)[];
}

export interface SearchPage<D = AnyDoc> {
  total: number;
  items: D[];
  cursor: string | null;
}

export interface HistogramResult {
  total: number;
  buckets: { time: number; count: number }[];
}

export interface StatsResult {
  total: number;
  /** Number of distinct values of the field among matching records. */
  distinct: number;
  groups: { key: string; count: number }[];
  /** Matching records without the field (a list field: without any value), so no record goes uncounted. */
  missing: number;
}

/**
 * The record store: one interface, two engines (SQLite for the embedded default, OpenSearch to scale).
 * Both must pass the same contract suite (libs/store/record-store.contract.ts). Every call takes an
 * AbortSignal so a query timeout really stops work.
 */
export interface RecordStore {
  readonly type: string;
  init(signal?: AbortSignal): Promise<void>;
  /**
   * Idempotent by doc.id: writing the same id twice stores it once. `json[i]`, when given, is docs[i] as
   * JSON text: the indexer has the text it parsed, and serializing 100k docs again cost it about as much
   * CPU as parsing them, so stores that keep JSON take it as is.
   */
  write(kind: RecordKind, docs: readonly AnyDoc[], options?: WriteOptions): Promise<WriteItemResult[]>;
  search(kind: RecordKind, request: SearchRequest, signal?: AbortSignal): Promise<SearchPage>;
  histogram(kind: RecordKind, request: HistogramRequest, signal?: AbortSignal): Promise<HistogramResult>;
  stats(kind: RecordKind, request: StatsRequest, signal?: AbortSignal): Promise<StatsResult>;
  /** Every matching record in time order, read in pages, so memory stays bounded. */
  exportAll(
    kind: RecordKind,
    query: RecordQuery & { sort: 'asc' | 'desc' },
    signal?: AbortSignal,
  ): AsyncIterable<AnyDoc>;
  count(kind: RecordKind, query: RecordQuery, signal?: AbortSignal): Promise<number>;
  /**
   * Retention: deletes records of one kind (optionally one cluster) older than `before`. Returns count or -1 when
   * unknown.
   */
  deleteOlderThan(kind: RecordKind, cutoff: RetentionCutoff, signal?: AbortSignal): Promise<number>;
  /** Makes recent writes visible to search (OpenSearch refresh); a no-op where writes are visible at once. */
  refresh(kind?: RecordKind): Promise<void>;
  ping(signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}
