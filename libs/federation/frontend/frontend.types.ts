/**
 * The narrow interface between the query frontend and the federated engine: the frontend takes the engine's
 * instant and range query functions and returns functions of the same shape. The shapes are the subset of
 * the engine's contract (libs/federation/federation.types.ts) the frontend reads; anything else an
 * answer carries is kept as it is.
 */

/** `Cache-Control` of the request (RFC 9111 §5.2.1): no-cache = answer afresh and keep it; no-store = neither. */
export type CacheControl = 'no-cache' | 'no-store';

export interface CacheDirectives {
  /**
   * Who asks, as a fingerprint of the caller's scope (libs/tenancy). Part of every cache key, on top of the
   * query text that the scope has already rewritten: an answer is never served to another scope.
   */
  scopeKey?: string;
  cacheControl?: CacheControl;
}

export interface RangeAsk extends CacheDirectives {
  query: string;
  /** Epoch seconds. */
  start: number;
  end: number;
  /** Seconds. */
  step: number;
}

export interface InstantAsk extends CacheDirectives {
  query: string;
  time: number;
}

/** One series of a matrix: `values` (floats) and, from Prometheus 3 members, `histograms`, as [seconds, value]. */
export interface MatrixSeries {
  metric: Record<string, string>;
  values?: [number, string][];
  histograms?: [number, unknown][];
}

export interface Answer {
  resultType: string;
  result: unknown;
  warnings: string[];
  clusters: Record<string, { status: string; error?: string }>;
}

export type QueryFn<Q, A> = (q: Q, signal?: AbortSignal) => Promise<A>;

export interface QueryFunctions<A extends Answer> {
  instant: QueryFn<InstantAsk, A>;
  range: QueryFn<RangeAsk, A>;
  /**
   * Refuses a range query the engine would refuse as a whole (its limits count points over the whole range),
   * asking no cluster. Called before the query is split: each part alone could pass a limit the whole is over.
   */
  checkRange?: QueryFn<RangeAsk, void>;
}
