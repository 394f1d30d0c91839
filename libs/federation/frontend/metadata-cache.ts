import type { ByteCache } from '../../cache/byte-cache.ts';
import { cacheKey, type KeyParts } from './cache-key.ts';
import { decodeList, encodeList } from './entry-codec.ts';
import type { FrontendMetrics } from './frontend.metrics.ts';
import type { CacheControl } from './frontend.types.ts';

/** What a metadata call (/series, /labels, /label/:name/values) is asked with; the frontend reads the window. */
export interface MetadataAsk {
  match?: string[];
  /** Epoch seconds. */
  start?: number;
  end?: number;
  cacheControl?: CacheControl;
}

/** A metadata answer: a list, and warnings when a cluster was left out. */
export interface ListAnswer {
  data: unknown[];
  warnings: string[];
}

export interface MetadataCacheSettings {
  enabled: boolean;
  maxFreshnessMs: number;
  /** How long an answer is kept: short, see MetadataCache. */
  ttlSeconds: number;
  maxItemBytes: number;
}

export interface MetadataCacheOptions {
  cache: ByteCache;
  settings: MetadataCacheSettings;
  fingerprint: string;
  memberVersions: (signal?: AbortSignal) => Promise<string>;
  metrics: FrontendMetrics;
  now?: () => number;
}

type MetadataKind = Extract<KeyParts['kind'], 'series' | 'labels' | 'label-values'>;

/**
 * A metadata list to answer: `ask` asks the engine; `args` is everything it is asked with (label name, match[],
 * window), the key is made from it.
 */
export interface MetadataRequest<A extends ListAnswer> {
  kind: MetadataKind;
  args: unknown;
  q: MetadataAsk;
  ask: () => Promise<A>;
}

/**
 * Series, label names and label values for a window that ended before now − maxFreshness, kept for a short
 * TTL (Thanos's query-frontend caches these too, `--labels.*`). They are not exact functions of the window as
 * PromQL answers are: Prometheus answers them from its block and head indexes, where a series created since
 * may show in a past window that the head covers, so an entry lives minutes, not the results' days. Dashboards
 * ask them on every reload (template variables; the "no data" explanation asks one per selector).
 */
export class MetadataCache {
  private readonly now: () => number;

  constructor(private readonly opts: MetadataCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  async answer<A extends ListAnswer>(request: MetadataRequest<A>, signal?: AbortSignal): Promise<A> {
    const { kind, args, q, ask } = request;
    if (!this.cacheable(q)) return ask();
    const key = cacheKey({
      kind,
      query: JSON.stringify(args),
      scopeKey: '',
      fingerprint: this.opts.fingerprint,
      memberVersions: await this.opts.memberVersions(signal),
      window: {},
    });
    if (q.cacheControl !== 'no-cache') {
      const hit = decodeList<A>((await this.opts.cache.getMany([key], signal)).get(key));
      (hit ? this.opts.metrics.hits : this.opts.metrics.misses).inc({ backend: this.opts.cache.backend, kind });
      if (hit) return hit;
    }
    const answer = await ask();
    if (answer.warnings.length === 0) {
      const buf = encodeList(answer, this.opts.settings.maxItemBytes);
      if (buf) await this.opts.cache.set(key, buf, this.opts.settings.ttlSeconds);
    }
    return answer;
  }

  /** Only a closed window entirely older than the freshness window (no end = up to now: never). */
  private cacheable(q: MetadataAsk): boolean {
    const s = this.opts.settings;
    if (!s.enabled || q.cacheControl === 'no-store') return false;
    return (
      q.start !== undefined &&
      q.end !== undefined &&
      Number.isFinite(q.start) &&
      Number.isFinite(q.end) &&
      q.end * 1000 <= this.now() - s.maxFreshnessMs
    );
  }
}
