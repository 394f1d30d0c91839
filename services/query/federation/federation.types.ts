import type { CacheDirectives } from '../../../libs/federation/frontend/frontend.types.ts';

/**
 * The contract other features (alert engine, dashboards) code against. Shapes follow the Prometheus HTTP API
 * (https://prometheus.io/docs/prometheus/latest/querying/api/), plus per-cluster status.
 */
export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export type ClusterStatus = { status: 'ok' | 'error'; error?: string };

export interface FederatedResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  /** Prometheus JSON shape: PromSample[] for vector/matrix, [time, "value"] for scalar/string. */
  result: unknown;
  warnings: string[];
  clusters: Record<string, ClusterStatus>;
}

/** `scopeKey` and `cacheControl` are read by the query frontend in front of the engine (issue 21). */
export interface InstantQuery extends CacheDirectives {
  query: string;
  /** Epoch seconds. */
  time: number;
  /** Default: federation.partialResponse. false makes a failed cluster fail the query. */
  partialResponse?: boolean;
  timeoutMs?: number;
}

export interface RangeQuery extends CacheDirectives {
  query: string;
  start: number;
  end: number;
  /** Seconds. */
  step: number;
  partialResponse?: boolean;
  timeoutMs?: number;
}

/** `cacheControl` is read by the query frontend's metadata cache (issue 21). */
export interface SeriesQuery extends CacheDirectives {
  match: string[];
  start?: number;
  end?: number;
}

export interface LabelsQuery extends CacheDirectives {
  match?: string[];
  start?: number;
  end?: number;
}

export interface ListResult<T> {
  data: T[];
  warnings: string[];
}

export interface FederatedQueryService {
  instant(q: InstantQuery, signal?: AbortSignal): Promise<FederatedResult>;
  range(q: RangeQuery, signal?: AbortSignal): Promise<FederatedResult>;
  series(q: SeriesQuery, signal?: AbortSignal): Promise<ListResult<Record<string, string>>>;
  labelNames(q?: LabelsQuery, signal?: AbortSignal): Promise<ListResult<string>>;
  labelValues(name: string, q?: LabelsQuery, signal?: AbortSignal): Promise<ListResult<string>>;
  /** Metric metadata (type, help, unit) merged across clusters, as /api/v1/metadata answers. Optional: wrappers may omit it. */
  metadata?(q?: { metric?: string; limit?: number }, signal?: AbortSignal): Promise<{ data: Record<string, MetricMetadata[]>; warnings: string[] }>;
  /** Names of the configured clusters. */
  clusters(): string[];
}

export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}
