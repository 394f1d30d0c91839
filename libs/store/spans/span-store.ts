import type { SpanDoc } from '../../schemas/span-doc.ts';
import type { WriteItemResult } from '../record-store.ts';
import type { SpanCountQuery, SpanCounts } from './span-count.ts';

/**
 * A span query after HTTP parsing and scope enforcement. Lists are OR within, AND across; an absent list
 * matches everything. `clusters`/`namespaces` carry the caller's scope (libs/tenancy/span-scope.ts).
 */
export interface SpanQuery {
  /** Span start, inclusive / exclusive, epoch ms. */
  start?: number;
  end?: number;
  clusters?: readonly string[];
  namespaces?: readonly string[];
  traceIds?: readonly string[];
  services?: readonly string[];
  names?: readonly string[];
  kinds?: readonly string[];
  /** Span or resource attribute equal to the value (compared as text), every pair. */
  tags?: Readonly<Record<string, string>>;
  minDurationNanos?: number;
  maxDurationNanos?: number;
}

/** What topology needs of a span: the join keys and the figures, nothing else. */
export type SpanEdgeFields = Pick<
  SpanDoc,
  'cluster' | 'namespace' | 'traceId' | 'spanId' | 'parentSpanId' | 'serviceName' | 'kind' | 'durationInNanos'
> & {
  statusCode: number;
};

/** A trace with spans matching a query: how many match, and the newest of them. */
export interface TraceMatch {
  traceId: string;
  /** Matching spans of the trace; 0 when `spansPerTrace` is 0 (ids only, the cheap form on OpenSearch). */
  matched: number;
  /** Its newest matching spans, at most `spansPerTrace`, newest first. */
  spans: SpanDoc[];
}

/**
 * The span store: SQLite on the embedded default, OpenSearch (`otel-v1-apm-span-*`) to scale. Both keep
 * exactly SpanDoc, so the trace API answers the same on either. Idempotent by (cluster, traceId, spanId).
 */
export interface SpanStore {
  readonly type: string;
  init(signal?: AbortSignal): Promise<void>;
  write(docs: readonly SpanDoc[], signal?: AbortSignal): Promise<WriteItemResult[]>;
  /** Matching spans, newest start first, at most `limit`; `total` counts every match. */
  find(query: SpanQuery, limit: number, signal?: AbortSignal): Promise<{ total: number; spans: SpanDoc[] }>;
  /**
   * Traces with matching spans, the one with the newest matching span first, at most `traces` (Tempo
   * search's candidates): one entry per trace however many of its spans match, so one trace of 100,000
   * spans does not crowd the others out.
   */
  findTraces(
    query: SpanQuery,
    limits: { traces: number; spansPerTrace: number },
    signal?: AbortSignal,
  ): Promise<TraceMatch[]>;
  /** The join fields of matching spans, at most `limit` (topology reads these in one pass). */
  edgeFields(
    query: SpanQuery,
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ total: number; spans: SpanEdgeFields[] }>;
  /** Clusters that have spans matching `query` (retention with per-cluster overrides; Tempo's tag values). */
  clusters(query?: SpanQuery, signal?: AbortSignal): Promise<string[]>;
  deleteOlderThan(before: Date, cluster?: string, signal?: AbortSignal): Promise<number>;
  refresh(): Promise<void>;
  ping(signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
  /** Matching spans counted per group of `by` fields (alert rules over spans, span-count.ts). */
  countSpans(query: SpanCountQuery, signal?: AbortSignal): Promise<SpanCounts>;
}
