import type { DerivedCache } from './frontend/derived-cache.ts';
import type { CacheDirectives } from './frontend/frontend.types.ts';

/**
 * The contract other features (alert engine, dashboards) code against. Shapes follow the Prometheus HTTP API
 * (https://prometheus.io/docs/prometheus/latest/querying/api/), plus per-cluster status.
 */
export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
  /** Native histograms (Prometheus 3): `{ count, sum, buckets }` as Prometheus's JSON has them. */
  histogram?: [number, unknown];
  histograms?: [number, unknown][];
}

export type ClusterStatus = { status: 'ok' | 'error'; error?: string };

export interface FederatedResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  /** Prometheus JSON shape: PromSample[] for vector/matrix, [time, "value"] for scalar/string. */
  result: unknown;
  warnings: string[];
  /** Prometheus 3's info-level annotations, as its API returns them in `infos`. */
  infos?: string[];
  clusters: Record<string, ClusterStatus>;
  /** Whose rules the answer follows (issue 16). */
  semantics?: AnswerSemantics;
}

export interface AnswerSemantics {
  /** The Prometheus version whose PromQL the answer follows, e.g. "3.16.0". */
  promql: string;
  /** Set when the clusters asked run different versions and each answered under its own rules (cluster-local). */
  perMember?: Record<string, string>;
}

/** Versions and features of the members and what Pharos serves (/api/v1/status/buildinfo). */
export interface FederationBuildInfo {
  version: string;
  semantics: string;
  members: Record<string, { version?: string; error?: string }>;
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
  /** Parses, plans and bounds a range query's cost as range() does, asking no cluster; throws what range() would. */
  checkRange?(q: RangeQuery, signal?: AbortSignal): Promise<void>;
  series(q: SeriesQuery, signal?: AbortSignal): Promise<ListResult<Record<string, string>>>;
  labelNames(q?: LabelsQuery, signal?: AbortSignal): Promise<ListResult<string>>;
  labelValues(name: string, q?: LabelsQuery, signal?: AbortSignal): Promise<ListResult<string>>;
  /**
   * Metric metadata (type, help, unit) merged across clusters, as /api/v1/metadata answers. Optional: wrappers may omit
   * it.
   */
  metadata?(
    q?: { metric?: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<{ data: Record<string, MetricMetadata[]>; warnings: string[] }>;
  /** Names of the configured clusters. */
  clusters(): string[];
  /** What /api/v1/status/buildinfo reports; optional: wrappers and fakes may omit it. */
  buildInfo?(signal?: AbortSignal): Promise<FederationBuildInfo>;
  /**
   * The query frontend's cache for values computed from its answers (rendered dashboard panels), under its keys
   * and freshness rules; absent without the frontend (the engine alone, fakes).
   */
  readonly derivedCache?: DerivedCache;
}

export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}
