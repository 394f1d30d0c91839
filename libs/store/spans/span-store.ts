import type { SpanDoc } from '../../schemas/span-doc.ts';
import type { SpanEdgeDoc } from '../../schemas/span-edge.ts';
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

/** What pairing needs of a span: the join keys and the figures, nothing else. */
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
 * One item of a mixed write: a span or an edge, with its id (the bulk coalescer reads only `id`). `json`, when
 * given, is the span as JSON text (what the bus carried, when validation kept all of it): a store that writes
 * JSON uses it instead of serializing the span again, as RecordStore.write's `json` does for records.
 */
export type SpanWrite = { id: string; span: SpanDoc; json?: string } | { id: string; edge: SpanEdgeDoc };

/** A span as the ingest-time pairing keeps it (libs/traces/span-pairing.ts): the join fields and its start. */
export type PairingSpan = SpanEdgeFields & { time: number };

/** What to find partners for: a span's trace, its own id and its parent's. */
export type PartnerKey = Pick<SpanEdgeFields, 'traceId' | 'spanId' | 'parentSpanId'>;

/**
 * The calls of a topology: edges whose server span starts in [start, end), both ends inside `clusters` and
 * `namespaces` when given (the caller's scope: an edge shows only when both its spans may be seen).
 */
export interface EdgeQuery {
  start: number;
  end: number;
  clusters?: readonly string[];
  namespaces?: readonly string[];
}

/** One (source node, target node) group of edges, with its figures. */
export interface EdgeAggregate {
  source: { cluster: string; namespace?: string; service: string };
  target: { cluster: string; namespace?: string; service: string };
  type: SpanEdgeDoc['type'];
  requests: number;
  errors: number;
  /**
   * Server span duration, ms: nearest-rank on SQLite, and on OpenSearch up to EXACT_PERCENTILE_CALLS calls (above,
   * within 0.1% of it: opensearch-span-edges.ts).
   */
  p50Ms: number;
  p95Ms: number;
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
  /** Spans and edges in one request (one `_bulk`, one transaction), a verdict per item in order. */
  writeAll(items: readonly SpanWrite[], signal?: AbortSignal): Promise<WriteItemResult[]>;
  /** The edges paired at ingest; idempotent by (cluster, id). */
  writeEdges(edges: readonly SpanEdgeDoc[], signal?: AbortSignal): Promise<WriteItemResult[]>;
  /**
   * Stored client/server/producer/consumer spans that may pair with `keys`: of the same traces, whose span id
   * is one of the keys' parents or whose parent is one of the keys' spans (at most `limit`).
   */
  partners(keys: readonly PartnerKey[], limit: number, signal?: AbortSignal): Promise<PairingSpan[]>;
  /** The edges of the window grouped by (source, target), at most `limit` groups; `total` > `limit` when there are more. */
  edgeAggregates(
    query: EdgeQuery,
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ total: number; groups: EdgeAggregate[] }>;
  /** Clusters that have spans matching `query` (retention with per-cluster overrides; Tempo's tag values). */
  clusters(query?: SpanQuery, signal?: AbortSignal): Promise<string[]>;
  /** Spans and edges older than `before` (whole days on OpenSearch); answers how many spans went. */
  deleteOlderThan(before: Date, cluster?: string, signal?: AbortSignal): Promise<number>;
  refresh(): Promise<void>;
  ping(signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
  /** Matching spans counted per group of `by` fields (alert rules over spans, span-count.ts). */
  countSpans(query: SpanCountQuery, signal?: AbortSignal): Promise<SpanCounts>;
}
