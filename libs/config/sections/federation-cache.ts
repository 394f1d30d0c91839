import { z } from 'zod';
import { tryParseDuration } from '../../time/duration.ts';

const duration = z
  .string()
  .refine((s) => (tryParseDuration(s) ?? 0) > 0, 'must be a positive Prometheus duration such as 30s, 5m, 24h');

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:11211');

/**
 * `federation.cache`: the query frontend in front of the federated engine (issue 21) — range queries split
 * by interval, results cached with their extents. The defaults follow Thanos's query-frontend
 * (--query-range.split-interval=24h) except maxFreshness: 5m rather than its 1m, to cover Prometheus's
 * out-of-order/late-sample window as well as scrape delay.
 */
export const federationCacheConfigSchema = z
  .object({
    /** false = every query goes to the engine as it came (no split, no cache). */
    enabled: z.boolean().default(true),
    /** `memory` (in-process LRU bounded in bytes) or `memcached` (shared by several query replicas). */
    backend: z.enum(['memory', 'memcached']).default('memory'),
    /** Points newer than now − maxFreshness are never cached: samples may still arrive for them. */
    maxFreshness: duration.default('5m'),
    /** Range queries are split at multiples of this interval (UTC), one cache entry per part. */
    splitInterval: duration.default('24h'),
    /** Parts of one range query asked of the engine at the same time. */
    splitParallelism: z.number().int().positive().default(4),
    /** How long an entry may live in the cache. */
    ttl: duration.default('7d'),
    /**
     * How long a /series, /labels or label-values answer (a window older than maxFreshness) is kept: short,
     * since Prometheus answers them from its indexes, where a new series can show in a past window.
     */
    metadataTtl: duration.default('5m'),
    /** Largest entry stored; a larger part is answered but not kept. memcached's default item limit is 1 MiB. */
    maxItemBytes: z
      .number()
      .int()
      .positive()
      .default(2 ** 20),
    memory: z
      .object({
        /** Bytes the in-process LRU holds (keys and values); the least recently used entries go first. */
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(128 * 2 ** 20),
      })
      .strict()
      .prefault({}),
    memcached: z
      .object({
        /** Entries are spread over the servers by rendezvous hashing of the key. */
        servers: z.array(hostPort).min(1).default(['127.0.0.1:11211']),
        /** Per request; a slower server counts as down and the query goes on without the cache. */
        timeoutMs: z.number().int().positive().default(200),
        /** After a failure a server is left alone this long (no connection attempt per query). */
        retryAfterMs: z.number().int().positive().default(5_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type FederationCacheConfig = z.infer<typeof federationCacheConfigSchema>;
