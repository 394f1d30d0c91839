import type { ByteCache } from '../../cache/byte-cache.ts';
import { cacheKey, type KeyParts } from './cache-key.ts';
import type { FrontendMetrics } from './frontend.metrics.ts';
import type { CacheControl } from './frontend.types.ts';
import { PINNED } from './query-frontend.ts';

export interface DerivedCacheSettings {
  enabled: boolean;
  maxFreshnessMs: number;
  ttlSeconds: number;
  /** How long series and label lists are kept (federation.cache.metadataTtl). */
  metadataTtlSeconds: number;
  maxItemBytes: number;
}

export interface DerivedCacheOptions {
  cache: ByteCache;
  settings: DerivedCacheSettings;
  fingerprint: string;
  memberVersions: (signal?: AbortSignal) => Promise<string>;
  metrics: FrontendMetrics;
  now?: () => number;
}

/** What a derived value was computed from, besides the members' data: the parts of its key. */
export interface DerivedAsk {
  kind: Extract<KeyParts['kind'], 'panel'>;
  /**
   * Every query the value was computed from, exactly as the engine was asked (the caller's scope already ANDed
   * onto each selector), with what the caller adds to them (legends, titles, step): one string.
   */
  text: string;
  /** Every query's text, to pass through what the frontend passes through uncached (`@`, negative offsets). */
  queries: readonly string[];
  /** The caller's scope as libs/tenancy's scopeKeyOf writes it. */
  scopeKey: string;
  /** The instants and windows the queries were asked at, epoch ms. */
  window: Record<string, number>;
  /** The last time, epoch ms, any query read data at: the value is kept only when it is before the freshness window. */
  lastMs: number;
  cacheControl?: CacheControl | undefined;
}

/**
 * Values computed from the frontend's answers (issue 21: a rendered dashboard panel), kept beside its results in
 * the same backend under keys made as the results' are (fingerprint of clusters and limits, members' versions,
 * the caller's scope, the query texts) and under the same rules: not when the cache is off, never for anything
 * that read the last `maxFreshness` (that data may still change: the value is computed afresh each time), never
 * for queries the frontend passes through whole; `no-cache` computes afresh and keeps, `no-store` does neither.
 * An entry is the caller's bytes, as they were when computed.
 */
export class DerivedCache {
  private readonly now: () => number;

  constructor(private readonly opts: DerivedCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The entry's key, or undefined when the value may not be cached (computed afresh and not kept). */
  async keyOf(ask: DerivedAsk, signal?: AbortSignal): Promise<string | undefined> {
    const s = this.opts.settings;
    if (!s.enabled || ask.cacheControl === 'no-store' || ask.queries.some((q) => PINNED.test(q))) return undefined;
    if (!Number.isFinite(ask.lastMs) || ask.lastMs > this.now() - s.maxFreshnessMs) return undefined;
    return cacheKey({
      kind: ask.kind,
      query: ask.text,
      scopeKey: ask.scopeKey,
      fingerprint: this.opts.fingerprint,
      memberVersions: await this.opts.memberVersions(signal),
      window: ask.window,
    });
  }

  /** The kept bytes; a miss for `no-cache` (counted as neither). */
  async get(
    key: string,
    { kind, cacheControl }: Pick<DerivedAsk, 'kind' | 'cacheControl'>,
    signal?: AbortSignal,
  ): Promise<Buffer | undefined> {
    if (cacheControl === 'no-cache') return undefined;
    const hit = (await this.opts.cache.getMany([key], signal)).get(key);
    (hit ? this.opts.metrics.hits : this.opts.metrics.misses).inc({ backend: this.opts.cache.backend, kind });
    return hit;
  }

  /**
   * Keeps the bytes as long as what they were computed from is kept: `results` (range and instant answers, `ttl`)
   * or `metadata` (label lists too, `metadataTtl`). An entry over maxItemBytes is not kept.
   */
  async set(key: string, value: Buffer, lifetime: 'results' | 'metadata'): Promise<void> {
    const s = this.opts.settings;
    if (value.byteLength <= s.maxItemBytes)
      await this.opts.cache.set(key, value, lifetime === 'results' ? s.ttlSeconds : s.metadataTtlSeconds);
  }
}
